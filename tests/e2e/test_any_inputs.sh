#!/usr/bin/env bash
# Inputs of any kind, detected from content: two plain files (a dated text, a gzip made with
# and without -n), two directory trees; a directory against a file is a type difference.
source "$(dirname "$0")/lib.sh"
d=$OUT_ROOT/data
mkdir -p "$d"

printf 'SilverMetal\nBuilt on 2023-11-14 22:13:20\nend\n' >"$d/a.txt"
printf 'SilverMetal\nBuilt on 2023-11-15 09:02:11\nend\n' >"$d/b.txt"
out=$OUT_ROOT/text
run_ds "$d/a.txt" "$d/b.txt" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/a.txt|content|embedded-timestamp"
assert_q "$out" 'r["inputs"]["a"]["type"] == "data"'
assert_file_contains "$out/sqfs-diff.txt" "+Built on 2023-11-15 09:02:11"

printf 'changelog\n' >"$d/log"
touch -d @1700000000 "$d/log"
gzip -c "$d/log" >"$d/a.gz"
touch -d @1700003600 "$d/log"
gzip -c "$d/log" >"$d/b.gz"
out=$OUT_ROOT/gzip
run_ds "$d/a.gz" "$d/b.gz" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/a.gz :: @gzip.mtime|header|gzip-mtime"
assert_q "$out" 'r["inputs"]["a"]["type"] == "gzip"'

# Bare compressed streams: what is inside is classified; the stream adds no location element.
printf 'v1\nBuilt 2023-11-14 10:00\n' | xz >"$d/a.xz"
printf 'v1\nBuilt 2023-11-15 12:00\n' | xz >"$d/b.xz"
out=$OUT_ROOT/xz
run_ds "$d/a.xz" "$d/b.xz" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/a.xz|content|embedded-timestamp"
printf 'same\n' | zstd -q -1 >"$d/a.zst"
printf 'same\n' | zstd -q -19 --no-check >"$d/b.zst"
out=$OUT_ROOT/zstd
run_ds "$d/a.zst" "$d/b.zst" "$out"
expect_status 1
expect_roots "$out" "/a.zst|content|compression-only"

for side in a b; do
    mkdir -p "$d/tree-$side/etc" "$d/tree-$side/usr/bin"
    printf 'same\n' >"$d/tree-$side/usr/bin/tool"
done
printf 'build 2023-11-14 22:13\n' >"$d/tree-a/etc/stamp"
printf 'build 2023-11-15 01:00\n' >"$d/tree-b/etc/stamp"
printf 'extra\n' >"$d/tree-b/etc/extra"
ln -s tool "$d/tree-a/usr/bin/alias"
ln -s other "$d/tree-b/usr/bin/alias"
# Links that point outside the tree and links in a loop: never followed, compared as links.
for side in a b; do
    ln -s /etc/passwd "$d/tree-$side/etc/outside"
    ln -s loop2 "$d/tree-$side/etc/loop1"
    ln -s loop1 "$d/tree-$side/etc/loop2"
done
chmod 0644 "$d/tree-a/usr/bin/tool"
chmod 0664 "$d/tree-b/usr/bin/tool"
find "$d/tree-a" "$d/tree-b" -exec touch -h -d @1700000000 {} +
out=$OUT_ROOT/dirs
run_ds "$d/tree-a" "$d/tree-b" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/etc/stamp|content|embedded-timestamp" "/etc/extra|added|unknown" \
    "/usr/bin/alias|link|unknown" "/usr/bin/tool|mode|umask"
assert_q "$out" 'r["inputs"]["a"]["type"] == "directory" and r["inputs"]["a"]["sha256"] is None'
# A link inside a tree is never followed: its target does not exist and nothing complains.
assert_q "$out" 'stage("content")["status"] == "ok"'
check "the host's /etc/passwd was not read into any report" bash -c "! grep -rq 'root:x:0:0' '$out'"
out=$OUT_ROOT/dirs-same
run_ds "$d/tree-a" "$d/tree-a" "$out"
expect_status 0
validate "$out"
assert_q "$out" 'r["identical"] is True'

# A directory against a file: different, as diff -r says it (a type difference), not trouble.
out=$OUT_ROOT/mixed
run_ds "$d/tree-a" "$d/a.txt" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/tree-a|type|unknown"
finish
