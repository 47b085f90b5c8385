#!/usr/bin/env bash
# ext4 images made by mkfs.ext4 -d from one directory (fixed UUID, hash seed and clock), compared
# as plain inputs: one pair per reported item, each difference injected once, by debugfs -w (a
# file's bytes, its mtime, mode, owner, symlink target, an xattr, an added file, the mkfs time)
# or by mkfs.ext4's own options (the UUID, the hash seed, the clock), each checked with debugfs
# or dumpe2fs to be there and alone. An identical rebuild gives exit 0; a truncated image and a
# damaged directory give valid reports that name the layer; and an ext4 image inside a squashfs
# inside an ISO is looked into at its full depth.
source "$(dirname "$0")/lib.sh"
d=$OUT_ROOT/data
export E2FSPROGS_FAKE_TIME=1700000000 SOURCE_DATE_EPOCH=1700000000 TZ=UTC
UUID=2a0b8f6e-1111-4a5e-9d3c-5b6e7f808182
SEED=7c9d0e1f-2222-4b6c-8d4e-6f7081929394
tree=$d/tree
mkdir -p "$tree/etc" "$tree/usr/bin"
printf 'silvermetal\n' >"$tree/etc/hostname"
ln -s hostname "$tree/etc/name"
printf '#!/bin/sh\necho tool\n' >"$tree/usr/bin/tool"
chmod 755 "$tree/usr/bin/tool"
mkfifo "$tree/etc/initctl"
find "$tree" -exec touch -h -d @1700000000 {} +
mkext4() { # OUT [UUID [HASH-SEED]]: an 8 MiB ext4 of $tree
    mkdir -p "$(dirname "$1")"
    mkfs.ext4 -q -d "$tree" -U "${2:-$UUID}" -E "hash_seed=${3:-$SEED},root_owner=0:0" -F -b 4096 "$1" 8M
}
dfs() { debugfs -R "$1" "$2" 2>/dev/null; } # a read-only debugfs command on an image
# variant NAME DEBUGFS-COMMAND: a copy of the base image, changed once by debugfs -w.
variant() {
    mkdir -p "$d/$1"
    cp "$d/a/root.img" "$d/$1/root.img"
    debugfs -w -R "$2" "$d/$1/root.img" >/dev/null 2>&1
}
# expect_one_change WHAT PATTERN A-TEXT B-TEXT: B's text has exactly one line A's lacks
# (checksum lines left out), and it matches PATTERN.
expect_one_change() {
    local got
    got=$(diff <(printf '%s\n' "$3") <(printf '%s\n' "$4") | sed -n 's/^> //p' | grep -vi checksum || true)
    if [[ $(printf '%s\n' "$got" | grep -c .) == 1 && $got =~ $2 ]]; then ok "$1"; else not_ok "$1 (changed: ${got//$'\n'/; })"; fi
}
super() { dumpe2fs -h "$1" 2>/dev/null; }
# compare NAME: driftscope on the base and the variant; OUT is the run's directory.
compare() {
    out=$OUT_ROOT/$1
    run_ds "$d/a/root.img" "$d/$1/root.img" "$out"
}

# mke2fs -d copies each file's atime, which the first read after a change moves (relatime):
# one throwaway build lets the atimes settle, then two builds are byte for byte the same.
mkext4 "$d/warmup/root.img"
mkext4 "$d/a/root.img"
mkext4 "$d/again/root.img"
check "two builds of the same tree are byte-identical (cmp)" cmp -s "$d/a/root.img" "$d/again/root.img"
A_SUM=$(sha256sum <"$d/a/root.img")
compare again
expect_status 0
validate "$out"
assert_q "$out" 'r["differences"] == []'

A_STAT=$(dfs "stat /etc/hostname" "$d/a/root.img")
A_SUPER=$(super "$d/a/root.img")

# A file's bytes: the first byte of /etc/hostname's first block, nothing else.
variant content "zap_block -f /etc/hostname -o 0 -l 1 -p 0x53 0"
check "content: debugfs cat shows the new byte" test "$(dfs "cat /etc/hostname" "$d/content/root.img")" = Silvermetal
check "content: the inode is untouched (debugfs stat)" test "$(dfs "stat /etc/hostname" "$d/content/root.img")" = "$A_STAT"
check "content: the superblock is untouched (dumpe2fs)" test "$(super "$d/content/root.img")" = "$A_SUPER"
compare content
expect_status 1
validate "$out"
expect_roots "$out" "/root.img :: /etc/hostname|content|unknown"
assert_q "$out" 'diffs(loc=["/root.img"], kind="content")[0]["secondary"] is True'
assert_file_contains "$out/checklist.md" "+Silvermetal"

# A file's mtime, an hour later.
variant mtime "sif /etc/hostname mtime @1700003600"
expect_one_change "mtime: only the mtime changed (debugfs stat)" '^ mtime: 0x6553ff10' "$A_STAT" \
    "$(dfs "stat /etc/hostname" "$d/mtime/root.img")"
compare mtime
expect_status 1
validate "$out"
expect_roots "$out" "/root.img :: /etc/hostname|mtime|mtime"
assert_q "$out" 'diffs(loc=["/root.img", "/etc/hostname"])[0]["a"].startswith("mtime 2023-11-14T22:13:20Z, atime ")'
assert_q "$out" 'diffs(loc=["/root.img", "/etc/hostname"])[0]["b"].startswith("mtime 2023-11-14T23:13:20Z, atime ")'

# The same second, one nanosecond later (the inode's extra time field): shown in the times text.
variant nanoseconds "sif /etc/hostname mtime_extra 4"
expect_one_change "nanoseconds: only the mtime's extra field changed (debugfs stat)" '^ mtime: 0x6553f100:00000004' \
    "$A_STAT" "$(dfs "stat /etc/hostname" "$d/nanoseconds/root.img")"
compare nanoseconds
expect_status 1
validate "$out"
expect_roots "$out" "/root.img :: /etc/hostname|mtime|mtime"
assert_q "$out" 'diffs(loc=["/root.img", "/etc/hostname"])[0]["b"].startswith("mtime 2023-11-14T22:13:20.000000001Z, atime ")'
# The extra field's epoch bits: 2^32 seconds later (debugfs shows 2159).
variant epoch "sif /etc/hostname mtime_extra 1"
expect_one_change "epoch: only the mtime's extra field changed (debugfs stat)" '^ mtime: 0x6553f100:00000001 -- Sat Dec 22 04:41:36 2159' \
    "$A_STAT" "$(dfs "stat /etc/hostname" "$d/epoch/root.img")"
compare epoch
expect_status 1
validate "$out"
expect_roots "$out" "/root.img :: /etc/hostname|mtime|mtime"
assert_q "$out" 'diffs(loc=["/root.img", "/etc/hostname"])[0]["b"].startswith("mtime 2159-12-22T04:41:36Z, atime ")'

# A mode: group-writable (what umask 002 gives).
variant mode "sif /etc/hostname mode 0100664"
expect_one_change "mode: only the mode changed (debugfs stat)" 'Mode:  0664' "$A_STAT" \
    "$(dfs "stat /etc/hostname" "$d/mode/root.img")"
compare mode
expect_status 1
validate "$out"
expect_roots "$out" "/root.img :: /etc/hostname|mode|umask"
assert_q "$out" '(diffs(loc=["/root.img", "/etc/hostname"])[0]["a"], diffs(loc=["/root.img", "/etc/hostname"])[0]["b"]) == ("0644", "0664")'

# An owner.
variant owner "sif /etc/hostname uid 1000"
expect_one_change "owner: only the uid changed (debugfs stat)" '^User: +1000 ' "$A_STAT" \
    "$(dfs "stat /etc/hostname" "$d/owner/root.img")"
compare owner
expect_status 1
validate "$out"
expect_roots "$out" "/root.img :: /etc/hostname|owner|owner"
assert_q "$out" 'diffs(loc=["/root.img", "/etc/hostname"])[0]["b"] == "1000:0"'

# A symlink target: the fast link's first four bytes ("host" -> "HOST").
variant link "sif /etc/name block[0] 0x54534f48"
expect_one_change "link: only the target changed (debugfs stat)" 'Fast link dest: "HOSTname"' \
    "$(dfs "stat /etc/name" "$d/a/root.img")" "$(dfs "stat /etc/name" "$d/link/root.img")"
compare link
expect_status 1
validate "$out"
expect_roots "$out" "/root.img :: /etc/name|link|unknown"
assert_q "$out" '(diffs(loc=["/root.img", "/etc/name"])[0]["a"], diffs(loc=["/root.img", "/etc/name"])[0]["b"]) == ("hostname", "HOSTname")'

# An extended attribute, kept in the inode.
variant xattr "ea_set /etc/hostname user.note built-by-b"
check "xattr: debugfs ea_list shows it on B only" \
    bash -c "! debugfs -R 'ea_list /etc/hostname' '$d/a/root.img' 2>/dev/null | grep -q user.note && debugfs -R 'ea_list /etc/hostname' '$d/xattr/root.img' 2>/dev/null | grep -q 'user.note (10) = \"built-by-b\"'"
check "xattr: the superblock is untouched (dumpe2fs)" test "$(super "$d/xattr/root.img")" = "$A_SUPER"
compare xattr
expect_status 1
validate "$out"
expect_roots "$out" "/root.img :: /etc/hostname|xattr|unknown"
assert_q "$out" 'diffs(loc=["/root.img", "/etc/hostname"])[0]["b"] == "user.note=\"built-by-b\""'

# An added file: one more inode and block in use, counted in the superblock.
printf 'added\n' >"$d/added.txt"
variant added "write $d/added.txt /etc/added"
check "added: debugfs ls lists it on B only" \
    bash -c "! debugfs -R 'ls /etc' '$d/a/root.img' 2>/dev/null | grep -qw added && debugfs -R 'ls /etc' '$d/added/root.img' 2>/dev/null | grep -qw added"
check "added: dumpe2fs counts one inode and one block fewer free" test \
    "$(diff <(printf '%s\n' "$A_SUPER") <(super "$d/added/root.img") | sed -n 's/^> //p' | grep -vi checksum | tr -s ' ')" = \
    "$(printf 'Free blocks: %s\nFree inodes: %s' \
        $(($(super "$d/a/root.img" | sed -n 's/^Free blocks: *//p') - 1)) $(($(super "$d/a/root.img" | sed -n 's/^Free inodes: *//p') - 1)))"
compare added
expect_status 1
validate "$out"
expect_roots "$out" "/root.img :: /etc/added|added|unknown"
# The free counts follow from the added file: reported, derived, secondary.
assert_q "$out" '[(h["location"][1], h["a"], h["b"], h["secondary"], h["cause"]) for h in r["differences"] if h["location"][1:2] and h["location"][1].startswith("@")] == [("@ext4.free_blocks_count", "'"$(super "$d/a/root.img" | sed -n 's/^Free blocks: *//p')"'", "'"$(super "$d/added/root.img" | sed -n 's/^Free blocks: *//p')"'", True, "layout-shift"), ("@ext4.free_inodes_count", "'"$(super "$d/a/root.img" | sed -n 's/^Free inodes: *//p')"'", "'"$(super "$d/added/root.img" | sed -n 's/^Free inodes: *//p')"'", True, "layout-shift")]'

# The mkfs time, a day later (set_super_value: nothing else moves).
variant mkfs-time "ssv mkfs_time 20231115221320"
expect_one_change "mkfs time: only the creation time changed (dumpe2fs)" '^Filesystem created: +Wed Nov 15 22:13:20 2023' \
    "$A_SUPER" "$(super "$d/mkfs-time/root.img")"
compare mkfs-time
expect_status 1
validate "$out"
expect_roots "$out" "/root.img :: @ext4.mkfs_time|header|embedded-timestamp"
assert_q "$out" 'diffs(loc=["/root.img", "@ext4.mkfs_time"])[0]["b"] == "2023-11-15T22:13:20Z (1700086400)"'

# The UUID and the hash seed: mkfs.ext4 -U and -E hash_seed (random at every run by default).
mkext4 "$d/uuid/root.img" 2a0b8f6e-1111-4a5e-9d3c-5b6e7f808183
expect_one_change "uuid: only the UUID changed (dumpe2fs)" '^Filesystem UUID: +2a0b8f6e-1111-4a5e-9d3c-5b6e7f808183' \
    "$A_SUPER" "$(super "$d/uuid/root.img")"
compare uuid
expect_status 1
validate "$out"
expect_roots "$out" "/root.img :: @ext4.uuid|header|random-id"
assert_q "$out" 'diffs(loc=["/root.img", "@ext4.uuid"])[0]["a"] == "'"$UUID"'"'
assert_q "$out" 'diffs(loc=["/root.img"], kind="content")[0]["secondary"] is True'

mkext4 "$d/hash-seed/root.img" "$UUID" 7c9d0e1f-2222-4b6c-8d4e-6f7081929395
expect_one_change "hash seed: only the seed changed (dumpe2fs)" '^Directory Hash Seed: +7c9d0e1f-2222-4b6c-8d4e-6f7081929395' \
    "$A_SUPER" "$(super "$d/hash-seed/root.img")"
compare hash-seed
expect_status 1
validate "$out"
expect_roots "$out" "/root.img :: @ext4.hash_seed|header|random-id"

# Another clock at mkfs time: the superblock's times, and every inode's crtime (which mke2fs
# takes from its clock), shown with the other inode times where mtime alone is equal.
E2FSPROGS_FAKE_TIME=1700003600 mkext4 "$d/clock/root.img"
check "clock: dumpe2fs shows another creation time" \
    bash -c "dumpe2fs -h '$d/clock/root.img' 2>/dev/null | grep -q '^Filesystem created: *Tue Nov 14 23:13:20 2023'"
expect_one_change "clock: /etc/hostname's crtime alone changed (debugfs stat)" '^crtime: 0x6553ff10' "$A_STAT" \
    "$(dfs "stat /etc/hostname" "$d/clock/root.img")"
compare clock
expect_status 1
validate "$out"
assert_q "$out" 'sorted(d["location"][1] for d in r["differences"] if not d["secondary"] and d["location"][1].startswith("@")) == ["@ext4.lastcheck", "@ext4.mkfs_time", "@ext4.wtime"]'
assert_q "$out" 'all(d["cause"] == "embedded-timestamp" for d in r["differences"] if d["location"][1:2] and d["location"][1].startswith("@"))'
assert_q "$out" 'sorted(d["location"][1] for d in r["differences"] if d["kind"] == "mtime") == ["/", "/etc", "/etc/hostname", "/etc/initctl", "/etc/name", "/lost+found", "/usr", "/usr/bin", "/usr/bin/tool"]'
assert_q "$out" '[(h["a"].split(", ")[:3] == h["b"].split(", ")[:3], h["b"].split(", ")[3]) for h in diffs(loc=["/root.img", "/etc/hostname"])] == [(True, "crtime 2023-11-14T23:13:20Z")]'

# Damage: B truncated to half its blocks; B with /etc's directory block overwritten. A layer
# that cannot be read whole makes the exit status 2.
mkdir -p "$d/truncated" "$d/damaged"
cp "$d/a/root.img" "$d/truncated/root.img"
truncate -s 4M "$d/truncated/root.img"
check "truncated: dumpe2fs still counts 2048 blocks of 4096 bytes in a 4 MiB file" \
    bash -c "dumpe2fs -h '$d/truncated/root.img' 2>/dev/null | grep -q '^Block count: *2048' && test \$(stat -c %s '$d/truncated/root.img') = 4194304"
compare truncated
expect_status 2
validate "$out"
assert_q "$out" 'any("/root.img: ext4: the superblock at byte 1024 counts 2048 blocks of 4096 bytes, but the image holds 4194304 bytes" in m for m in r["limits"])'
assert_q "$out" 'diffs(loc=["/root.img"], kind="content")[0]["secondary"] is False'
assert_file_contains "$out/checklist.md" "/root.img: ext4: the superblock at byte 1024 counts 2048 blocks"
variant damaged "zap_block -f /etc -p 0x41 0"
check "damaged: debugfs finds /etc's directory block bad" \
    bash -c "debugfs -R 'ls /etc' '$d/damaged/root.img' 2>&1 | grep -q 'checksum does not match'"
compare damaged
expect_status 2
validate "$out"
assert_q "$out" 'any("/root.img: ext4: /etc (inode 12 at byte " in m and "directory unreadable" in m for m in r["limits"])'
assert_q "$out" '"ext4 not fully read" in diffs(loc=["/root.img"], kind="content")[0]["detail"]'

# Hostile: a directory linked into itself (never walked twice), a file claiming 1 TiB of holes
# (more than DS_EXT4_MAX_FILE_RATIO times the image: not read, and said so).
variant loop "link /etc /etc/loop"
check "loop: debugfs lists /etc/loop as /etc's own inode" \
    bash -c "debugfs -R 'ls -l /etc' '$d/loop/root.img' 2>/dev/null | grep -q '^ *12 *40755 .* loop\$'"
compare loop
expect_status 2
validate "$out"
assert_q "$out" 'any("/root.img: ext4: /etc/loop (inode 12): a directory that holds itself or one above it" in m for m in r["limits"])'
variant huge "sif /usr/bin/tool size 0x10000000000"
check "huge: debugfs stat shows 1 TiB" bash -c "debugfs -R 'stat /usr/bin/tool' '$d/huge/root.img' 2>/dev/null | grep -q 'Size: 1099511627776\$'"
compare huge
expect_status 2
validate "$out"
expect_roots "$out" "/root.img :: /usr/bin/tool|content|unknown"
assert_q "$out" 'any("/root.img: ext4: /usr/bin/tool says it holds 1099511627776 bytes, more than 1024 times the image" in m for m in r["limits"])'

# Three layers down: an ISO holding a squashfs holding the image (B: the content variant).
for side in a content; do
    mkdir -p "$d/nest-$side/sq/boot" "$d/nest-$side/iso/live"
    cp "$d/$side/root.img" "$d/nest-$side/sq/boot/root.img"
    find "$d/nest-$side/sq" -exec touch -h -d @1700000000 {} +
    mksquashfs "$d/nest-$side/sq" "$d/nest-$side/iso/live/filesystem.squashfs" -noappend -no-progress -quiet >/dev/null
    find "$d/nest-$side/iso" -exec touch -h -d @1700000000 {} +
    xorriso -as mkisofs -quiet -R -V EXT4NEST -o "$d/nest-$side/live.iso" "$d/nest-$side/iso" 2>/dev/null
done
out=$OUT_ROOT/nested
run_ds "$d/nest-a/live.iso" "$d/nest-content/live.iso" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/live/filesystem.squashfs :: /boot/root.img :: /etc/hostname|content|unknown"
assert_q "$out" 'diffs(loc=["/live/filesystem.squashfs", "/boot/root.img"], kind="content")[0]["secondary"] is True'
# Read only: after every run above, the base image (A of each pair) holds the bytes it was built with.
check "the base image is unchanged by every run (sha256)" test "$(sha256sum <"$d/a/root.img")" = "$A_SUM"
finish
