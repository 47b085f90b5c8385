#!/usr/bin/env bash
# Generates a live-style pair of ISOs for the benchmark and keeps it:
#
#   bench/make-pair.sh OUTDIR SIZE_MIB [VARIANT]
#
# OUTDIR/a.iso and OUTDIR/b.iso (and a.squashfs, b.squashfs): rootfs trees of SIZE_MIB MiB
# each from make-tree.py (B drifts in a handful of files), xz squashfs, an ISO 9660 image with
# live/filesystem.squashfs, vmlinuz and initrd.img like live-build's. VARIANT (the worst case,
# the same tree packed another way on side B): "block" (B's squashfs with -b 256K instead of
# the default 128K) or "filter" (B's xz with -Xbcj x86; the tree's binaries are then x86-like
# code, make-tree.py --code, so that the filter wins on them). Nothing is rebuilt when OUTDIR/stamp
# says the same SIZE and VARIANT.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: make-pair.sh OUTDIR SIZE_MIB [block|filter]}
size=${2:?size in MiB}
variant=${3:-}
mkdir -p "$out"
stamp="size=$size variant=$variant"
code=()
if [[ $variant == filter ]]; then
    code=(--code)
    stamp="$stamp code"
fi
if [[ -s $out/a.iso && -s $out/b.iso && $(cat "$out/stamp" 2>/dev/null) == "$stamp" ]]; then
    exit 0
fi
build_iso() { # TREE OUT.iso OUT.squashfs MKSQUASHFS-OPTIONS...
    local tree=$1 iso=$2 sq=$3 binary
    shift 3
    binary=$(mktemp -d "$out/binary.XXXXXX")
    mkdir -p "$binary/live" "$binary/.disk"
    SOURCE_DATE_EPOCH=1700000000 mksquashfs "$tree" "$sq" -noappend -comp xz "$@" -no-progress -quiet >/dev/null
    ln "$sq" "$binary/live/filesystem.squashfs" 2>/dev/null || cp "$sq" "$binary/live/filesystem.squashfs"
    head -c 8000000 /dev/zero >"$binary/live/vmlinuz"
    head -c 30000000 /dev/zero >"$binary/live/initrd.img"
    printf 'SilverMetal bench\n' >"$binary/.disk/info"
    find "$binary" -exec touch -h -d @1700000000 {} +
    SOURCE_DATE_EPOCH=1700000000 xorriso -as mkisofs -R -r -J -l -iso-level 3 -V BENCH \
        -o "$iso" "$binary" 2>/dev/null
    rm -rf "$binary"
}
rm -rf "$out/tree-a" "$out/tree-b" "$out/stamp"
echo "make-pair: generating trees (${size} MiB each) in $out" >&2
/usr/bin/python3 "$here/make-tree.py" "$out/tree-a" "$size" --variant A "${code[@]}" >&2
if [[ -z $variant ]]; then
    /usr/bin/python3 "$here/make-tree.py" "$out/tree-b" "$size" --variant B >&2
fi
find "$out"/tree-? -exec touch -h -d @1700000000 {} +
echo "make-pair: building images" >&2
build_iso "$out/tree-a" "$out/a.iso" "$out/a.squashfs"
case $variant in
"") build_iso "$out/tree-b" "$out/b.iso" "$out/b.squashfs" ;;
block) build_iso "$out/tree-a" "$out/b.iso" "$out/b.squashfs" -b 256K ;;
filter) build_iso "$out/tree-a" "$out/b.iso" "$out/b.squashfs" -Xbcj x86 ;;
*) echo "make-pair: unknown variant $variant" >&2; exit 2 ;;
esac
rm -rf "$out/tree-a" "$out/tree-b"
echo "$stamp" >"$out/stamp"
