#!/usr/bin/env bash
# Corrupt squashfs images: a damaged data block fails that file with a message naming B, the
# layer and the offset, while the other files are still compared; a damaged inode table or
# superblock fails that squashfs. Exit 2, a valid report, never a crash.
source "$(dirname "$0")/lib.sh"
base=$(sqfs base)
binary=$(sqfs binary binary)

# Data block: overwrite 64 bytes inside the first data block (right after the superblock).
bad=$OUT_ROOT/bad-data.squashfs
cp "$binary" "$bad"
printf '%64s' '' | tr ' ' '\377' | dd of="$bad" bs=1 seek=200 conv=notrunc status=none
out=$OUT_ROOT/data
run_ds "$base" "$bad" "$out"
expect_status 2
validate "$out"
assert_q "$out" 'stage("content")["status"] == "failed" and "B (" in stage("content")["message"] and "squashfs" in stage("content")["message"]'
assert_q "$out" '"at byte" in stage("content")["message"]'
# The changed file in another block is still found.
assert_q "$out" 'len(diffs(loc=["/usr/lib/libbig.so"], kind="content")) == 1 or "libbig.so" in stage("content")["message"]'
assert_q "$out" 'r["squashfs"][0]["files_compared"] >= 5'

# Inode table: garbage over its first 64 bytes.
bad=$OUT_ROOT/bad-inodes.squashfs
cp "$base" "$bad"
inode_start=$("$PY" -c 'import struct,sys; print(struct.unpack_from("<Q", open(sys.argv[1],"rb").read(96), 64)[0])' "$bad")
printf '%64s' '' | tr ' ' '\125' | dd of="$bad" bs=1 seek=$((inode_start + 2)) conv=notrunc status=none
out=$OUT_ROOT/inodes
run_ds "$base" "$bad" "$out"
expect_status 2
validate "$out"
assert_q "$out" 'stage("squashfs")["status"] == "failed" and "B (" in stage("squashfs")["message"]'
check "sqfs-ls-a.txt still lists A" grep -q "^/etc/os-release" "$out/sqfs-ls-a.txt"

# Superblock: the table pointers point past the end.
bad=$OUT_ROOT/bad-super.squashfs
cp "$base" "$bad"
printf '\377\377\377\377\377\377\377\177' | dd of="$bad" bs=1 seek=64 conv=notrunc status=none
out=$OUT_ROOT/super
run_ds "$base" "$bad" "$out"
expect_status 2
validate "$out"
assert_q "$out" 'stage("squashfs")["status"] == "failed" and "B (" in stage("squashfs")["message"]'

# A fragment count of 3.7 billion (found by a bit-flip run): the library would size its table
# from it (a 59 GB allocation); the count is refused before it is asked to.
bad=$OUT_ROOT/bad-fragments.squashfs
cp "$base" "$bad"
printf '\001\000\000\334' | dd of="$bad" bs=1 seek=16 conv=notrunc status=none
out=$OUT_ROOT/fragments
run_ds "$base" "$bad" "$out"
expect_status 2
validate "$out"
assert_q "$out" '"fragment table" in stage("squashfs")["message"] and "table limit" in stage("squashfs")["message"]'

# Truncated.
bad=$OUT_ROOT/short.squashfs
head -c 300000 "$base" >"$bad"
out=$OUT_ROOT/short
run_ds "$base" "$bad" "$out"
expect_status 2
validate "$out"
assert_q "$out" '"truncated" in stage("squashfs")["message"] and "B (" in stage("squashfs")["message"]'

# Not a squashfs at all against a squashfs.
noise=$OUT_ROOT/noise.bin
head -c 100000 /dev/urandom >"$noise"
out=$OUT_ROOT/noise
run_ds "$base" "$noise" "$out"
expect_status 2
validate "$out"
assert_q "$out" '"B (" in stage("squashfs")["message"]'
finish
