"""Validates a driftscope report.json against the shared schema (report-schema.json).

The schema is read from ../shared/ beside the repository when present (the contract as the
project's steering keeps it), else from docs/report-schema.json (the copy shipped with the
source; tests/e2e/test_schema_copy.sh keeps the two equal)."""
import json
import os
import sys

import jsonschema

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(os.path.dirname(here))
candidates = [os.path.join(repo, "..", "shared", "report-schema.json"),
              os.path.join(repo, "docs", "report-schema.json")]
schema_path = next(p for p in candidates if os.path.exists(p))
schema = json.load(open(schema_path))
report = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(report), key=str)
for e in errors[:20]:
    print("%s: %s" % ("/".join(map(str, e.path)), e.message))
sys.exit(1 if errors else 0)
