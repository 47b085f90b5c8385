#!/usr/bin/env bash
# Two ISOs whose squashfs differs in one file: driftscope reads the squashfs in place inside the
# ISO and names that file and only that file, with its diff; the squashfs file's own byte
# difference at the ISO level is marked secondary.
source "$(dirname "$0")/lib.sh"
a=$(image base 1700000000)
b=$(image rootfs-file 1700000000 rootfs-file)
out=$OUT_ROOT/out
run_ds "$a" "$b" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/live/filesystem.squashfs :: /etc/os-release|content|unknown"
assert_q "$out" 'diffs(loc=["/live/filesystem.squashfs"], kind="content")[0]["secondary"] is True'
assert_file_contains "$out/sqfs-diff.txt" "=== /live/filesystem.squashfs :: /etc/os-release"
assert_file_contains "$out/sqfs-diff.txt" '+PRETTY_NAME="SilverMetal OS 1.1"'
assert_file_contains "$out/checklist.md" "/live/filesystem.squashfs :: /etc/os-release"
check "squashfs-sha256.txt names the ISO path" grep -q "A:/live/filesystem.squashfs" "$out/squashfs-sha256.txt"
assert_q "$out" 'r["squashfs"][0]["location"] == "/live/filesystem.squashfs"'
finish
