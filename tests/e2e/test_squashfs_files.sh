#!/usr/bin/env bash
# Two squashfs images given directly: a text file changed, a file grown, a binary file changed
# at equal size. Each is found, and only it, with its diff in sqfs-diff.txt.
source "$(dirname "$0")/lib.sh"
base=$(sqfs base)

out=$OUT_ROOT/text
run_ds "$base" "$(sqfs text text)" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/etc/os-release|content|unknown"
assert_q "$out" 'r["inputs"]["a"]["type"] == "squashfs" and stage("header")["status"] == "skipped"'
assert_q "$out" 'stage("squashfs")["status"] == "ok" and stage("content")["status"] == "ok"'
assert_file_contains "$out/sqfs-diff.txt" '-PRETTY_NAME="SilverMetal OS 1.0"'
assert_file_contains "$out/sqfs-diff.txt" '+PRETTY_NAME="SilverMetal OS 1.1"'
assert_file_contains "$out/sqfs-diff.txt" '@@ -1,2 +1,2 @@'
check "squashfs-sha256.txt has both payload hashes" test "$(grep -cE '^[0-9a-f]{64}  [AB]:' "$out/squashfs-sha256.txt")" = 2

out=$OUT_ROOT/grow
run_ds "$base" "$(sqfs grow grow)" "$out"
expect_status 1
expect_roots "$out" "/etc/motd|content|unknown"
assert_q "$out" '"size 24 -> 58 bytes" in diffs(loc=["/etc/motd"])[0]["detail"]'
assert_file_contains "$out/sqfs-diff.txt" '+This build was made on a Tuesday.'

out=$OUT_ROOT/binary
run_ds "$base" "$(sqfs binary binary)" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/usr/lib/libbig.so|content|unknown"
assert_q "$out" '"same size, 4 differing bytes in 1 ranges, the first at byte 200000 (binary)" == diffs(loc=["/usr/lib/libbig.so"])[0]["detail"]'
assert_file_contains "$out/sqfs-diff.txt" "bytes 200000-200003 (0x30d40, 4 bytes):"
assert_file_contains "$out/sqfs-diff.txt" "B 00030d40: de ad be ef"
finish
