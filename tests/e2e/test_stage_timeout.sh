#!/usr/bin/env bash
# A stage that runs out of time is reported as "timeout", the later stages still run, every
# artifact is still written (saying it is partial) and the report says it was truncated.
source "$(dirname "$0")/lib.sh"
a=$(image base 1700000000)
b=$(image disk-info-bytes 1700000000 iso-file-bytes)
out=$OUT_ROOT/out
run_ds "$a" "$b" "$out" --stage-timeout 0.000001
expect_status 2
validate "$out"
assert_q "$out" 'stage("hash")["status"] == "timeout" and "time budget" in stage("hash")["message"]'
assert_q "$out" 'stage("report")["status"] == "ok"'
assert_q "$out" 'r["truncated"] is True and any("hash" in l for l in r["limits"])'
assert_q "$out" 'r["inputs"]["a"]["sha256"] is None'
for f in sizes.txt sha256.txt iso-header-cmp.txt toc-a.txt toc-b.txt toc-diff.txt checklist.md report.json; do
    check "$f written" test -s "$out/$f"
done
assert_file_contains "$out/sha256.txt" "not computed"
finish
