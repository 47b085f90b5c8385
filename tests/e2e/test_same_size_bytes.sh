#!/usr/bin/env bash
# A file on the ISO whose bytes differ at equal size and equal mtime is still found: the node
# contents are compared, not only the directory records.
source "$(dirname "$0")/lib.sh"
a=$(image base 1700000000)
b=$(image disk-info-bytes 1700000000 iso-file-bytes)
out=$OUT_ROOT/out
run_ds "$a" "$b" "$out"
expect_status 1
validate "$out"
assert_q "$out" 'len(r["differences"]) == 1'
assert_q "$out" 'diffs(loc=["/.disk/info"])[0]["kind"] == "content"'
assert_q "$out" '"same size, 1 differing bytes in 1 ranges, the first at byte 72" in diffs(loc=["/.disk/info"])[0]["detail"]'
assert_q "$out" 'r["inputs"]["a"]["size"] == r["inputs"]["b"]["size"]'
assert_file_contains "$out/toc-diff.txt" "/.disk/info: content differs (same size"
finish
