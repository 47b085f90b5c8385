#!/usr/bin/env bash
# A file that grows moves every later extent: the growth is the root difference, the moved
# extents are reported as secondary consequences (layout-shift).
source "$(dirname "$0")/lib.sh"
a=$(image base 1700000000)
b=$(image disk-info-grow 1700000000 iso-file-grow)
out=$OUT_ROOT/out
run_ds "$a" "$b" "$out"
expect_status 1
validate "$out"
assert_q "$out" 'diffs(loc=["/.disk/info"], kind="content")[0]["secondary"] is False'
assert_q "$out" 'len(diffs(cause="layout-shift", secondary=True)) >= 3'
assert_q "$out" 'all(d["secondary"] for d in r["differences"] if d["location"][-1] == "@iso.extent")'
assert_q "$out" 'all("content is unchanged" in d["detail"] for d in r["differences"] if d["location"][-1] == "@iso.extent")'
assert_q "$out" 'diffs(loc=["/live/vmlinuz", "@iso.extent"])[0]["a"] != diffs(loc=["/live/vmlinuz", "@iso.extent"])[0]["b"]'
# The only root difference is the grown file; every later extent moved by the same distance.
assert_q "$out" '[d["location"] for d in r["differences"] if not d["secondary"]] == [["/.disk/info"]]'
assert_q "$out" 'len(set(d["detail"].split(";")[0] for d in r["differences"] if d["location"][-1] == "@iso.extent")) == 1'
finish
