#!/usr/bin/env bash
# Whole filesystem images inside other things, opened like at the top: a squashfs inside a
# directory tree and inside a tar.gz, an ISO 9660 image inside a tar (its volume descriptors
# compared field by field, its files member by member).
source "$(dirname "$0")/lib.sh"
d=$OUT_ROOT/data
export SOURCE_DATE_EPOCH=1700000000
# rootfs SIDE MOTD: a small tree with fixed times.
rootfs() {
    mkdir -p "$d/root-$1/etc" "$d/root-$1/usr/share/doc"
    printf '%s\n' "$2" >"$d/root-$1/etc/motd"
    printf 'same on both sides\n' >"$d/root-$1/usr/share/doc/README"
    find "$d/root-$1" -exec touch -h -d @1700000000 {} +
}
rootfs a "Welcome to SilverMetal"
rootfs b "Welcome to SilverMetal, rebuilt"
rootfs c "Welcome to SilverMetal"
for s in a b c; do
    env -u SOURCE_DATE_EPOCH mksquashfs "$d/root-$s" "$d/$s.squashfs" -noappend -quiet -no-progress -comp gzip \
        -mkfs-time 1700000000 -all-time 1700000000 -all-root >/dev/null
done
check "squashfs a and c are byte-identical" cmp -s "$d/a.squashfs" "$d/c.squashfs"
check "squashfs a and b differ in etc/motd (unsquashfs -cat)" \
    bash -c "! cmp -s <(unsquashfs -cat '$d/a.squashfs' etc/motd) <(unsquashfs -cat '$d/b.squashfs' etc/motd)"

# A squashfs inside a directory tree.
mkdir -p "$d/tree-a/images" "$d/tree-b/images" "$d/tree-c/images"
cp "$d/a.squashfs" "$d/tree-a/images/rootfs.squashfs"
cp "$d/b.squashfs" "$d/tree-b/images/rootfs.squashfs"
cp "$d/c.squashfs" "$d/tree-c/images/rootfs.squashfs"
# One time for every entry of the three trees: the copies are made when the clock says, and a
# second ticking between two of them is a difference (it was: the same-tree pair failed so).
find "$d/tree-a" "$d/tree-b" "$d/tree-c" -exec touch -h -d @1700000000 {} +
out=$OUT_ROOT/tree
run_ds "$d/tree-a" "$d/tree-b" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/images/rootfs.squashfs :: /etc/motd|content|unknown"
assert_q "$out" 'diffs(loc=["/images/rootfs.squashfs"])[0]["secondary"] is True'
out=$OUT_ROOT/tree-same
run_ds "$d/tree-a" "$d/tree-c" "$out"
expect_status 0

# A squashfs inside a tar.gz (tar -> gzip -> tar member -> squashfs).
for s in a b; do
    tar --mtime=@1700000000 --owner=0 --group=0 --numeric-owner -C "$d/tree-$s" -cf - images | gzip -n >"$d/$s.tar.gz"
done
out=$OUT_ROOT/targz
run_ds "$d/a.tar.gz" "$d/b.tar.gz" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/a.tar.gz :: /images/rootfs.squashfs :: /etc/motd|content|unknown"

# An ISO inside a tar: xorriso with SOURCE_DATE_EPOCH writes the same volume dates; one pair
# differs in a file, one in the volume id only.
iso() { # iso OUT VOLID ROOT
    xorriso -as mkisofs -R -V "$2" -o "$1" "$3" >/dev/null 2>&1
}
iso "$d/a.iso" SILVER "$d/root-a"
iso "$d/b.iso" SILVER "$d/root-b"
iso "$d/v.iso" SILVER2 "$d/root-a"
iso "$d/c.iso" SILVER "$d/root-a"
check "ISOs a and c are byte-identical" cmp -s "$d/a.iso" "$d/c.iso"
check "ISO v has another volume id (isoinfo via xorriso -pvd_info)" \
    bash -c "xorriso -indev '$d/v.iso' -pvd_info 2>/dev/null | grep -q \"Volume Id    : SILVER2\""
for s in a b v c; do
    mkdir -p "$d/isotar-$s"
    cp "$d/$s.iso" "$d/isotar-$s/live.iso"
    tar --mtime=@1700000000 --owner=0 --group=0 --numeric-owner -C "$d/isotar-$s" -cf "$d/$s-iso.tar" live.iso
done
out=$OUT_ROOT/iso-file
run_ds "$d/a-iso.tar" "$d/b-iso.tar" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/a-iso.tar :: /live.iso :: /etc/motd|content|unknown"
out=$OUT_ROOT/iso-volid
run_ds "$d/a-iso.tar" "$d/v-iso.tar" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/a-iso.tar :: /live.iso :: @iso.pvd.volume_id|header|iso-volume-id"
assert_q "$out" 'diffs(loc=["/a-iso.tar", "/live.iso", "@iso.pvd.volume_id"])[0]["b"] == "\"SILVER2\""'
out=$OUT_ROOT/iso-same
run_ds "$d/a-iso.tar" "$d/c-iso.tar" "$out"
expect_status 0
finish
