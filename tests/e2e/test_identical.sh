#!/usr/bin/env bash
# Two builds of the same tree with the same SOURCE_DATE_EPOCH are bit-identical: exit 0, no
# differences, every later stage skipped and every report saying so.
source "$(dirname "$0")/lib.sh"
a=$(image base 1700000000)
# A second, independent build of the same inputs (not a copy of the file).
b=$(image base-again 1700000000)
check "the fixture builds reproducibly" cmp -s "$a" "$b"
out=$OUT_ROOT/out
run_ds "$a" "$b" "$out"
expect_status 0
validate "$out"
assert_q "$out" 'r["identical"] is True and r["differences"] == [] and r["truncated"] is False'
assert_q "$out" 'r["inputs"]["a"]["sha256"] == r["inputs"]["b"]["sha256"] and r["inputs"]["a"]["type"] == "iso9660"'
assert_q "$out" '[s["status"] for s in r["stages"]] == ["ok", "skipped", "skipped", "skipped", "skipped", "ok"]'
assert_file_contains "$out/checklist.md" "Verdict: IDENTICAL"
assert_file_contains "$out/sizes.txt" "delta  +0 bytes"
check "sha256.txt is in sha256sum format and checks" bash -c "cd / && sha256sum --quiet -c '$out/sha256.txt'"
finish
