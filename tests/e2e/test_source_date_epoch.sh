#!/usr/bin/env bash
# The same xorriso command with SOURCE_DATE_EPOCH a day apart: the volume dates, the MBR disk id
# and the GPT GUIDs derived from them, and the file dates all differ; each is reported with both
# values decoded.
source "$(dirname "$0")/lib.sh"
a=$(image base 1700000000)
b=$(image day-later 1700086400)
out=$OUT_ROOT/out
run_ds "$a" "$b" "$out"
expect_status 1
validate "$out"
assert_q "$out" 'r["identical"] is False'
# Both dates decoded to UTC, in report.json and in iso-header-cmp.txt.
assert_q "$out" 'diffs(loc=["@iso.pvd.creation_date"], kind="header")[0]["a"].startswith("2023-11-14T22:13:20Z")'
assert_q "$out" 'diffs(loc=["@iso.pvd.creation_date"])[0]["b"].startswith("2023-11-15T22:13:20Z")'
assert_q "$out" 'diffs(loc=["@iso.pvd.modification_date"])[0]["a"].startswith("2023-11-14T22:13:20Z")'
assert_q "$out" 'diffs(loc=["@iso.pvd.modification_date"])[0]["b"].startswith("2023-11-15T22:13:20Z")'
assert_file_contains "$out/iso-header-cmp.txt" "! pvd.creation_date"
assert_file_contains "$out/iso-header-cmp.txt" "A: 2023-11-14T22:13:20Z"
assert_file_contains "$out/iso-header-cmp.txt" "B: 2023-11-15T22:13:20Z"
# Dates that are not set stay equal and unreported.
assert_q "$out" 'diffs(loc=["@iso.pvd.expiration_date"]) == []'
# What xorriso derives from the date: MBR id, GPT disk and partition GUIDs, and their CRCs.
assert_q "$out" 'len(diffs(loc=["@iso.mbr.disk_id"])) == 1 and diffs(loc=["@iso.mbr.disk_id"])[0]["a"].startswith("0x")'
assert_q "$out" 'len(diffs(loc=["@gpt.disk_guid"])) == 2'   # primary and backup header
assert_q "$out" 'len(diffs(loc=["@gpt.partition_guid"])) >= 1'
assert_q "$out" 'all("(valid)" in d["a"] and "(valid)" in d["b"] for d in diffs(loc=["@gpt.crc"]))'
assert_file_contains "$out/iso-header-cmp.txt" "mbr.disk_id - MBR disk signature"
# Nothing in the image header differs that no decoded field explains.
assert_q "$out" 'diffs(loc=["@iso.system_area"]) == [] and diffs(loc=["@iso.volume_descriptors"]) == []'
# File dates in the tree, and the content of files whose bytes embed the date.
assert_q "$out" 'diffs(loc=["/live/vmlinuz"], kind="mtime")[0]["b"] == "2023-11-15T22:13:20Z"'
assert_q "$out" 'diffs(loc=["/live/vmlinuz"], kind="content") == []'
assert_q "$out" 'len(diffs(loc=["/live/filesystem.squashfs"], kind="content")) == 1'
assert_q "$out" 'stage("header")["status"] == "ok" and stage("toc")["status"] == "ok"'
assert_file_contains "$out/toc-diff.txt" "+/live/vmlinuz	file	0444	uid=0	gid=0	nlink=1	size=400000	mtime=2023-11-15T22:13:20Z"
finish
