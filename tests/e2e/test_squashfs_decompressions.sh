#!/usr/bin/env bash
# Identical files are not decompressed: with one 4-byte change in the second 128 KiB block of a
# 300 000-byte file (no fragments), exactly that file is decompressed; every other file is
# settled from its stored bytes. The counts come from a counting decompressor.
source "$(dirname "$0")/lib.sh"
a=$(sqfs nofrag no-fragments)
b=$(sqfs nofrag-binary no-fragments binary)
out=$OUT_ROOT/out
run_ds "$a" "$b" "$out" --jobs 2
expect_status 1
validate "$out"
expect_roots "$out" "/usr/lib/libbig.so|content|unknown"
assert_q "$out" 'r["squashfs"][0]["files_decompressed"] == 1'
assert_q "$out" 'r["squashfs"][0]["settled_without_decompression"] == r["squashfs"][0]["files_compared"] - 1'
# libbig.so is 3 blocks (128 KiB) on each side: 6 decompressions to compare it, the same 6
# again when the strings classifier reads the differing binary whole (binaries up to 64 MiB:
# explain/classify_strings.c), plus at most one per side when the classifiers read its first
# block again to recognise its format. The 16 equal files cost nothing.
assert_q "$out" '6 <= r["squashfs"][0]["blocks_decompressed"] <= 14'
# The identical pair decompresses nothing at all.
out=$OUT_ROOT/same
run_ds "$a" "$(sqfs nofrag-again no-fragments)" "$out"
expect_status 0
finish
