#!/usr/bin/env bash
# Images inside other things are opened like at the top: a squashfs inside a tar, and an ISO
# inside a gzip'd tar, each with one file that differs; the innermost file is the root, every
# layer above it secondary. A member only recompressed is compression-only where it lies.
source "$(dirname "$0")/lib.sh"
d=$OUT_ROOT/data
export SOURCE_DATE_EPOCH=1700000000 TZ=UTC
for side in a b; do
    mkdir -p "$d/$side/tree/etc" "$d/$side/pack"
    printf 'same\n' >"$d/$side/tree/etc/hostname"
    printf 'version %s\n' "$side" >"$d/$side/tree/etc/version"
    find "$d/$side/tree" -exec touch -h -d @1700000000 {} +
    mksquashfs "$d/$side/tree" "$d/$side/pack/root.squashfs" -noappend -no-progress -quiet -comp gzip >/dev/null
    xorriso -as mkisofs -quiet -R -V NESTED -o "$d/$side/pack/small.iso" "$d/$side/tree" 2>/dev/null
    touch -d @1700000000 "$d/$side/pack/root.squashfs" "$d/$side/pack/small.iso"
    tar --sort=name --mtime=@1700000000 --owner=0 --group=0 --numeric-owner -C "$d/$side/pack" -cf "$d/$side.tar" root.squashfs
    tar --sort=name --mtime=@1700000000 --owner=0 --group=0 --numeric-owner -C "$d/$side/pack" -cf - small.iso | gzip -n >"$d/$side-iso.tar.gz"
done

# A member recompressed at another level (same payload): compression-only, named inside the tar.
for side in a b; do
    mkdir -p "$d/$side/gz"
    seq 1 2000 >"$d/$side/gz/numbers"
done
gzip -n -1 -c "$d/a/gz/numbers" >"$d/a/gz/numbers.gz"
gzip -n -9 -c "$d/b/gz/numbers" >"$d/b/gz/numbers.gz"
for side in a b; do
    touch -d @1700000000 "$d/$side/gz/numbers.gz"
    tar --sort=name --mtime=@1700000000 --owner=0 --group=0 --numeric-owner -C "$d/$side/gz" -cf "$d/$side-gz.tar" numbers.gz
done
out=$OUT_ROOT/recompressed
run_ds "$d/a-gz.tar" "$d/b-gz.tar" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/a-gz.tar :: /numbers.gz|content|compression-only"

out=$OUT_ROOT/squashfs-in-tar
run_ds "$d/a.tar" "$d/b.tar" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/a.tar :: /root.squashfs :: /etc/version|content|unknown"
assert_q "$out" 'diffs(loc=["/a.tar", "/root.squashfs"], kind="content")[0]["secondary"] is True'
assert_file_contains "$out/checklist.md" "+version b"

out=$OUT_ROOT/iso-in-tgz
run_ds "$d/a-iso.tar.gz" "$d/b-iso.tar.gz" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/a-iso.tar.gz :: /small.iso :: /etc/version|content|unknown"
assert_q "$out" 'diffs(loc=["/a-iso.tar.gz", "/small.iso"], kind="content")[0]["secondary"] is True'
# A damaged layer inside (B's member is a truncated xz): the member stays a root, and the report
# says what was not looked into, naming the input, the layer and where decoding stopped.
mkdir -p "$d/cut-a" "$d/cut-b"
seq 1 50000 | xz >"$d/cut-a/m.xz"
seq 2 50001 | xz >"$d/cut-b/m.xz"
truncate -s 6000 "$d/cut-b/m.xz" # not `| head -c`: under pipefail xz's SIGPIPE would end the test
for side in a b; do
    touch -d @1700000000 "$d/cut-$side/m.xz"
    tar --sort=name --mtime=@1700000000 --owner=0 --group=0 --numeric-owner -C "$d/cut-$side" -cf "$d/cut-$side.tar" m.xz
done
out=$OUT_ROOT/damaged-member
run_ds "$d/cut-a.tar" "$d/cut-b.tar" "$out"
expect_status 2 # the damaged member is trouble: the report says what was found and what was not
validate "$out"
expect_roots "$out" "/cut-a.tar :: /m.xz|content|unknown"
assert_q "$out" 'r["truncated"] is True and any("B (" in l and "/m.xz" in l and "decompression failed after" in l for l in r["limits"])'
finish
