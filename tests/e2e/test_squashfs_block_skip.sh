#!/usr/bin/env bash
# Decompress only what differs, inside a file too (issue 15): a 72 MiB file (past the size up to
# which the strings classifier reads a differing binary whole) that differs in 4 bytes of one
# 128 KiB block is compared by decompressing that block on each side; the 575 other blocks are
# equal in their stored bytes and are never decompressed. The same pair packed with another
# block size on side B (every stored block differs) is decompressed and found equal in content.
source "$(dirname "$0")/lib.sh"
tree_a=$OUT_ROOT/tree-a
tree_b=$OUT_ROOT/tree-b
rm -rf "$tree_a" "$tree_b"
mkdir -p "$tree_a/data" "$tree_b/data"
# 72 MiB that compress (so the blocks are stored compressed): repeated pseudo-random lines
"$PY" - "$tree_a/data/archive.bin" <<'PYEOF'
import random, sys
rng = random.Random(7)
lines = [("%032x record %d\n" % (rng.getrandbits(128), i)).encode() for i in range(4096)]
with open(sys.argv[1], "wb") as f:
    for k in range(72 * 1024 * 1024 // (4096 * 48)):
        f.write(b"".join(lines[(k * 7 + j) % 4096] for j in range(4096)))
PYEOF
truncate -s $((72 * 1024 * 1024)) "$tree_a/data/archive.bin"
printf 'same\n' >"$tree_a/data/readme.txt"
cp -a "$tree_a/." "$tree_b/"
# 4 bytes in block 300 (bytes 39 321 600 + 1000)
printf 'DIFF' | dd of="$tree_b/data/archive.bin" bs=1 seek=$((300 * 131072 + 1000)) conv=notrunc status=none
find "$tree_a" "$tree_b" -exec touch -h -d @1700000000 {} +
a=$OUT_ROOT/a.squashfs b=$OUT_ROOT/b.squashfs b256=$OUT_ROOT/b256.squashfs
for spec in "$tree_a $a 128K" "$tree_b $b 128K" "$tree_a $b256 256K"; do
    set -- $spec
    SOURCE_DATE_EPOCH=1700000000 mksquashfs "$1" "$2" -noappend -comp gzip -b "$3" -no-progress -quiet >/dev/null
done
out=$OUT_ROOT/out
run_ds "$a" "$b" "$out" --jobs 2
expect_status 1
validate "$out"
expect_roots "$out" "/data/archive.bin|content|unknown"
assert_q "$out" 'r["squashfs"][0]["files_decompressed"] == 1'
# the differing block on each side, and the few blocks the classifiers' format probes read on
# each side (the head and the tail of the file): at most 8 of the 1152 a whole read costs
assert_q "$out" '2 <= r["squashfs"][0]["blocks_decompressed"] <= 8'
check "sqfs-diff.txt names the 4 differing bytes at byte 39322600" \
    grep -q 'bytes 39322600-39322603' "$out/sqfs-diff.txt"
# Every block differs in its stored bytes: all decompressed once, the contents equal.
out=$OUT_ROOT/worst
run_ds "$a" "$b256" "$out" --jobs 2
expect_status 1
validate "$out"
# archive.bin is decompressed whole on both sides (576 + 288 blocks, less the tail in a
# fragment); readme.txt's fragment is stored alike and settles it
assert_q "$out" 'r["squashfs"][0]["files_decompressed"] == 1'
assert_q "$out" 'r["squashfs"][0]["blocks_decompressed"] >= 800'
assert_q "$out" 'not [d for d in r["differences"] if d["location"][-1].startswith("/data/")]'
expect_roots "$out" "@squashfs.block_size|header|compression-only"
assert_q "$out" 'len([d for d in r["differences"] if d["location"] == ["@squashfs.data"] and d["cause"] == "compression-only" and d["follows"] == ["@squashfs.block_size"]]) == 1'
finish
