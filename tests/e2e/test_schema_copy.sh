#!/usr/bin/env bash
# docs/report-schema.json is the copy of the shared contract that ships with the source; where
# the shared one is present (CI, developers), the two must be the same.
source "$(dirname "$0")/lib.sh"
shared=$DS_SOURCE_DIR/../shared/report-schema.json
if [[ -f $shared ]]; then
    check "docs/report-schema.json equals ../shared/report-schema.json" cmp -s "$shared" "$DS_SOURCE_DIR/docs/report-schema.json"
else
    check "docs/report-schema.json is valid JSON" "$PY" -c "import json,sys; json.load(open(sys.argv[1]))" "$DS_SOURCE_DIR/docs/report-schema.json"
fi
finish
