#!/usr/bin/env bash
# Images that differ while no file does: the report says why instead of listing noise.
source "$(dirname "$0")/lib.sh"
base=$(sqfs base)

out=$OUT_ROOT/compression
run_ds "$base" "$(sqfs compression compression)" "$out"
expect_status 1
validate "$out"
# -Xcompression-level 1 against 9: the options block is the root; the data and the tables follow it.
expect_roots "$out" "@squashfs.compressor_options|header|compression-only"
assert_q "$out" 'diffs(loc=["@squashfs.data"])[0]["follows"] == ["@squashfs.compressor_options"]'
assert_q "$out" 'not any(d["location"][-1].startswith("/") for d in r["differences"])'
assert_file_contains "$out/sqfs-diff.txt" "compression only"

out=$OUT_ROOT/sort
run_ds "$base" "$(sqfs sort sort)" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "@squashfs.data|order|squashfs-layout"
assert_file_contains "$out/sqfs-diff.txt" "layout only"

out=$OUT_ROOT/mkfs-time
run_ds "$base" "$(sqfs mkfs-time mkfs-time)" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "@squashfs.mkfs_time|header|squashfs-mkfs-time"
assert_q "$out" 'diffs(loc=["@squashfs.mkfs_time"])[0]["a"].startswith("2023-11-14T22:13:20Z")'
assert_file_contains "$out/sqfs-diff.txt" "differ only in the superblock"
finish
