#!/usr/bin/env bash
# docs/report-schema.json is the copy of the shared contract that ships with the source,
# extended compatibly (docs/report-fields.md documents the added fields). Where the shared one
# is present (CI, developers), every keyword of the contract must be in the copy unchanged; the
# copy may only add properties. A report valid against the copy is then valid against the
# contract (validate_report.py checks every e2e report against both).
source "$(dirname "$0")/lib.sh"
shared=$DS_SOURCE_DIR/../shared/report-schema.json
ours=$DS_SOURCE_DIR/docs/report-schema.json
ext=$DS_SOURCE_DIR/tests/e2e/check_schema_extension.py
check "docs/report-schema.json is a valid JSON Schema" "$PY" -c \
    "import json,sys,jsonschema; jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))" "$ours"
if [[ -f $shared ]]; then
    check "docs/report-schema.json extends ../shared/report-schema.json compatibly" "$PY" "$ext" "$shared" "$ours"
fi
# The checker itself must refuse an incompatible copy: a contract property removed, a type changed.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" - "$ours" "$tmp" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
d = json.loads(json.dumps(s))
first = next(iter(d["properties"]))
del d["properties"][first]
json.dump(d, open(sys.argv[2] + "/removed.json", "w"))
t = json.loads(json.dumps(s))
t["type"] = "array"
json.dump(t, open(sys.argv[2] + "/retyped.json", "w"))
PY
check_fails() { if "$@" >/dev/null 2>&1; then not_ok "refused: ${*: -1}"; else ok "refused: $(basename "${*: -1}")"; fi; }
check_fails "$PY" "$ext" "$ours" "$tmp/removed.json"
check_fails "$PY" "$ext" "$ours" "$tmp/retyped.json"
check "the copy extends itself" "$PY" "$ext" "$ours" "$ours"
finish
