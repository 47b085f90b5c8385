"""Validates a driftscope report.json against the report schemas.

Two schemas apply: the contract in ../shared/report-schema.json beside the repository when
present (the steering's copy, which CI provides unchanged), and docs/report-schema.json (the
copy shipped with the source, which extends the contract compatibly with fields documented in
docs/report-fields.md; tests/e2e/test_schema_copy.sh checks that it is a compatible extension).
The report must be valid against each one present."""
import json
import os
import sys

import jsonschema

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(os.path.dirname(here))
candidates = [os.path.join(repo, "..", "shared", "report-schema.json"),
              os.path.join(repo, "docs", "report-schema.json")]
report = json.load(open(sys.argv[1]))
failed = False
for schema_path in (p for p in candidates if os.path.exists(p)):
    schema = json.load(open(schema_path))
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(report), key=str)
    for e in errors[:20]:
        print("%s: %s: %s" % (os.path.relpath(schema_path, repo), "/".join(map(str, e.path)), e.message))
    failed = failed or bool(errors)
sys.exit(1 if failed else 0)
