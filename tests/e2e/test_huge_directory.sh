#!/usr/bin/env bash
# 1 000 000 entries in one directory: past the default memory budget the walk stops with a
# named limit (exit 2, report valid); with a budget that allows it, the trees compare equal.
source "$(dirname "$0")/lib.sh"
d=$OUT_ROOT/flat
"$PY" - "$d" <<'PYEOF'
import os, sys
root = sys.argv[1]
os.makedirs(root, exist_ok=True)
for i in range(1_000_000):
    os.close(os.open(os.path.join(root, "e%07d" % i), os.O_CREAT | os.O_WRONLY, 0o644))
PYEOF
out=$OUT_ROOT/default
run_ds "$d" "$d" "$out"
expect_status 2
validate "$out"
assert_q "$out" 'r["truncated"] is True and any("entries" in l and "--max-memory" in l for l in r["limits"])'
out=$OUT_ROOT/roomy
run_ds "$d" "$d" "$out" --max-memory 2G
expect_status 0
validate "$out"
rm -rf "$d"
finish
