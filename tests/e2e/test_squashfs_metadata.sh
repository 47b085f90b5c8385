#!/usr/bin/env bash
# Metadata changes one at a time, each reported as its own kind at the right path and nothing
# else: mtime, mode, owner, symlink target, xattr; added and removed files and directories.
source "$(dirname "$0")/lib.sh"
base=$(sqfs base)
declare -A expected=(
    [mtime]="/etc/hostname|mtime|mtime"
    [mode]="/usr/bin/tool|mode|unknown"
    [owner]="/srv/data|owner|owner"
    [symlink]="/usr/lib/libbig.so.1|link|unknown"
    [xattr]="/usr/bin/tool|xattr|unknown"
)
for inject in mtime mode owner symlink xattr; do
    out=$OUT_ROOT/$inject
    run_ds "$base" "$(sqfs "$inject" "$inject")" "$out"
    expect_status 1
    validate "$out"
    expect_roots "$out" "${expected[$inject]}"
done
assert_q "$OUT_ROOT/mtime" 'diffs(loc=["/etc/hostname"])[0]["a"] == "2023-11-14T22:13:20Z" and diffs(loc=["/etc/hostname"])[0]["b"] == "2023-11-13T22:13:20Z"'
assert_q "$OUT_ROOT/mode" 'diffs(loc=["/usr/bin/tool"])[0]["a"] == "0755" and diffs(loc=["/usr/bin/tool"])[0]["b"] == "0700"'
assert_q "$OUT_ROOT/owner" 'diffs(loc=["/srv/data"])[0]["a"] == "0:0" and diffs(loc=["/srv/data"])[0]["b"] == "1000:1000"'
assert_q "$OUT_ROOT/symlink" 'diffs(loc=["/usr/lib/libbig.so.1"])[0]["b"] == "libother.so"'
assert_q "$OUT_ROOT/xattr" '"security.capability=0x01000002002" in diffs(loc=["/usr/bin/tool"])[0]["a"] and "0x01000002001" in diffs(loc=["/usr/bin/tool"])[0]["b"]'
assert_file_contains "$OUT_ROOT/xattr/sqfs-ls-a.txt" 'xattrs: security.capability=0x0100000200200000000000000000000000000000'
assert_file_contains "$OUT_ROOT/xattr/sqfs-ls-diff.txt" '+/usr/bin/tool'

out=$OUT_ROOT/add
run_ds "$base" "$(sqfs add add)" "$out"
expect_status 1
expect_roots "$out" "/etc/new.conf|added|unknown" "/opt|added|unknown" "/opt/extra|added|unknown"
out=$OUT_ROOT/remove
run_ds "$base" "$(sqfs remove remove)" "$out"
expect_status 1
expect_roots "$out" "/etc/old.conf|removed|unknown" "/var/empty-dir|removed|unknown"
assert_q "$out" 'diffs(loc=["/var/empty-dir"])[0]["detail"] == "dir present only in A"'
finish
