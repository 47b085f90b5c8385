#!/usr/bin/env bash
# Consequences are secondary, and name the root they follow (report.json "follows"; the table is
# src/explain/consequences.c). Every pair is made by the real tool from two trees:
#   squashfs built with another -b, -comp, -Xcompression-level, -Xbcj x86 (mksquashfs): the
#     superblock setting is the only root; the data, the tables, the block log, the flags follow it
#   a file added to a directory, one removed from another (mksquashfs, xorriso; GNU tar and cpio
#     inside): the directory's mtime, the superblock's counts and table starts, the ISO's volume
#     size and moved extents follow the entry; a directory touched with nothing added stays a root
#   gzip -1 against -9 (XFL follows the recompressed member), mkfs.vfat -s 1 against -s 8 (the
#     image's bytes follow its geometry)
source "$(dirname "$0")/lib.sh"
source "$FIXTURES/lib.sh" # blob
export TZ=UTC LC_ALL=C
w=$OUT_ROOT/work
mkdir -p "$w"

# One tree: text, compressible bytes, x86 code (for the BCJ filter).
t=$w/tree
mkdir -p "$t"/{etc,usr/bin,usr/lib,home/legacy,srv}
seq 1 30000 | sed 's/^/line /' >"$t/etc/text.conf"
blob 21 400000 | base64 -w 76 >"$t/usr/lib/libbig.so"
cp /usr/bin/ls "$t/usr/bin/tool"
printf 'legacy\n' >"$t/home/legacy/legacy.txt"
find "$t" -exec touch -h -d @1700000000 {} +
mksq() { # TREE OUT OPTIONS...: no SOURCE_DATE_EPOCH (it would clamp the mtimes we keep)
    local tree=$1 img=$2
    shift 2
    env -u SOURCE_DATE_EPOCH mksquashfs "$tree" "$img" -noappend -quiet -no-progress -mkfs-time 1700000000 -all-root "$@" >/dev/null
}
# The superblock of a squashfs (96 bytes) and its listing, for checking the fixtures.
listing() { env -u SOURCE_DATE_EPOCH unsquashfs -lls -d / "$1" | tail -n +2; }

# (a) one setting at a time. pair NAME ROOT-FIELD "OPTIONS A" "OPTIONS B"
pair() {
    local name=$1 field=$2 a=$3 b=$4 out=$OUT_ROOT/$1
    # shellcheck disable=SC2086 # the options are words
    mksq "$t" "$w/$name-a.sqfs" $a
    # shellcheck disable=SC2086
    mksq "$t" "$w/$name-b.sqfs" $b
    check "$name: the two images list the same files, metadata and sizes" \
        cmp -s <(listing "$w/$name-a.sqfs") <(listing "$w/$name-b.sqfs")
    check "$name: the images differ past the superblock" bash -c "! cmp -s -i 96 '$w/$name-a.sqfs' '$w/$name-b.sqfs'"
    run_ds "$w/$name-a.sqfs" "$w/$name-b.sqfs" "$out"
    expect_status 1
    validate "$out"
    expect_roots "$out" "@squashfs.$field|header|compression-only"
    assert_q "$out" "diffs(loc=['@squashfs.data'])[0]['follows'] == ['@squashfs.$field']"
    assert_q "$out" "diffs(loc=['@squashfs.data'])[0]['secondary'] is True"
    # every other difference is secondary and names the setting
    assert_q "$out" "all(d['secondary'] and d.get('follows') == ['@squashfs.$field'] for d in r['differences'] if d['location'] != ['@squashfs.$field'])"
    assert_q "$out" "len(diffs(loc=['@squashfs.bytes_used'])) == 1 and len(r['differences']) >= 4"
}
pair block-size block_size "-b 131072" "-b 65536"
assert_q "$OUT_ROOT/block-size" "diffs(loc=['@squashfs.block_log'])[0]['follows'] == ['@squashfs.block_size']"
pair compressor compressor "-comp gzip" "-comp xz"
pair compressor-zstd compressor "-comp xz" "-comp zstd"
pair level compressor_options "-comp gzip -Xcompression-level 9" "-comp gzip -Xcompression-level 1"
pair bcj compressor_options "-comp xz" "-comp xz -Xbcj x86"
# -Xbcj adds an options block: the flags differ in its bit only, and follow the options.
assert_q "$OUT_ROOT/bcj" "[(d['a'][:6], d['b'][:6]) for d in diffs(loc=['@squashfs.flags'])] == [('0x00c0', '0x04c0')]"
assert_q "$OUT_ROOT/bcj" "diffs(loc=['@squashfs.flags'])[0]['follows'] == ['@squashfs.compressor_options']"
# Flags that differ in another bit (-no-fragments) are a root of their own.
pair no-fragments flags "" "-no-fragments"

# The same image inside an ISO: the squashfs file's own difference follows the setting inside.
mkdir -p "$w/iso-a/live" "$w/iso-b/live"
cp "$w/block-size-a.sqfs" "$w/iso-a/live/filesystem.squashfs"
cp "$w/block-size-b.sqfs" "$w/iso-b/live/filesystem.squashfs"
for s in a b; do
    touch -d @1700000000 "$w/iso-$s/live" "$w/iso-$s/live/filesystem.squashfs" "$w/iso-$s"
    SOURCE_DATE_EPOCH=1700000000 xorriso -as mkisofs -quiet -R -J -o "$w/bs-$s.iso" "$w/iso-$s" 2>/dev/null
done
out=$OUT_ROOT/block-size-iso
run_ds "$w/bs-a.iso" "$w/bs-b.iso" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/live/filesystem.squashfs :: @squashfs.block_size|header|compression-only"
assert_q "$out" "diffs(loc=['/live/filesystem.squashfs'], kind='content')[0]['follows'] == ['/live/filesystem.squashfs', '@squashfs.block_size']"
assert_q "$out" "diffs(loc=['/live/filesystem.squashfs', '@squashfs.data'])[0]['follows'] == ['/live/filesystem.squashfs', '@squashfs.block_size']"

# (b) an entry added, one removed; a directory touched with nothing added.
t2=$w/tree2
cp -a "$t" "$t2"
# Each changed directory gets a time of its own (B's directory d one hour later in the tar, two in
# the cpio, three in the zip): no pair of instants is carried often enough to look like two build
# dates (explain/build_date.c).
dir_time() { # TREE HOURS: d's time in that tree's archive
    touch -d "@$([[ $1 == "$t2" ]] && echo $((1700000000 + 3600 * $2)) || echo 1700000000)" "$w/arch/d"
}
for tree in "$t" "$t2"; do # a tar, a cpio and a zip archive of a directory, inside the image
    mkdir -p "$w/arch/d"
    printf 'one\n' >"$w/arch/d/one.txt"
    [[ $tree == "$t2" ]] && printf 'new\n' >"$w/arch/d/new.txt"
    touch -d @1700000000 "$w/arch/d/"*
    dir_time "$tree" 2
    (cd "$w/arch" && tar --format=gnu --owner=0 --group=0 -cf "$tree/srv/archive.tar" d)
    dir_time "$tree" 3
    # --reproducible: inode numbers counted from 1, not the host's (which differ between the two
    # trees); the directory first, the added file last, so that no member's number moves.
    (cd "$w/arch" && { echo d; find d -type f | sort -r; } | cpio --quiet -o -H newc -R 0:0 --reproducible \
        >"$tree/srv/archive.cpio")
    dir_time "$tree" 4
    (cd "$w/arch" && zip -qX -r "$tree/srv/archive.zip" d)
    touch -d @1700000000 "$tree/srv/archive.tar" "$tree/srv/archive.cpio" "$tree/srv/archive.zip"
    rm -rf "$w/arch"
done
printf 'new=1\n' >"$t2/etc/new.conf"
rm "$t2/home/legacy/legacy.txt"
touch -d @1700000000 "$t2/etc/new.conf" "$t/srv" "$t2/srv"
touch -d @1700003600 "$t2/etc"
touch -d @1700005400 "$t2/home/legacy"
touch -d @1700086400 "$t2/usr/bin" # nothing added or removed under it
mksq "$t" "$w/add-a.sqfs"
mksq "$t2" "$w/add-b.sqfs"
check "add: the listings differ in the entries and the directories' times only" bash -c \
    "diff <(cd '$t' && find . -printf '%p %TY%Tm%Td%TH%TM\n' | sort) <(cd '$t2' && find . -printf '%p %TY%Tm%Td%TH%TM\n' | sort) | grep -c '^[<>]' | grep -qx 8"
out=$OUT_ROOT/add
run_ds "$w/add-a.sqfs" "$w/add-b.sqfs" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/etc/new.conf|added|unknown" "/home/legacy/legacy.txt|removed|unknown" "/usr/bin|mtime|mtime" \
    "/srv/archive.tar :: /d/new.txt|added|unknown" "/srv/archive.cpio :: /d/new.txt|added|unknown" \
    "/srv/archive.zip :: /d/new.txt|added|unknown"
assert_q "$out" "diffs(loc=['/etc'], kind='mtime')[0]['follows'] == ['/etc/new.conf']"
assert_q "$out" "diffs(loc=['/home/legacy'], kind='mtime')[0]['follows'] == ['/home/legacy/legacy.txt']"
assert_q "$out" "diffs(loc=['/usr/bin'], kind='mtime')[0].get('follows') is None"
assert_q "$out" "diffs(loc=['/srv/archive.tar', '/d'], kind='mtime')[0]['follows'] == ['/srv/archive.tar', '/d/new.txt']"
assert_q "$out" "diffs(loc=['/srv/archive.cpio', '/d'], kind='mtime')[0]['follows'] == ['/srv/archive.cpio', '/d/new.txt']"
assert_q "$out" "diffs(loc=['/srv/archive.zip', '/d'], kind='mtime')[0]['follows'] == ['/srv/archive.zip', '/d/new.txt']"
# the zip's central directory grows with the entry
assert_q "$out" "diffs(loc=['/srv/archive.zip', '@zip.entries'])[0]['follows'] == ['/srv/archive.zip', '/d/new.txt']"
# the archives' contents differ too, so the moved tables name no entry; they stay secondary
assert_q "$out" "len(diffs(loc=['@squashfs.bytes_used'])) == 1"
assert_q "$out" "all(d['secondary'] for d in r['differences'] if d['location'][0].startswith('@squashfs.'))"

# The same trees as ISOs (xorriso): the toc stage's entries, dates and extents. Fixed volume
# dates, and every node's access and attribute times set to one instant (Rock Ridge TF), so that
# a directory's mtime is the only time that differs (with SOURCE_DATE_EPOCH xorriso would copy
# the mtime into them: three stamps of one node carrying the same two instants).
mkiso() { # TREE OUT
    rm -f "$2"
    env -u SOURCE_DATE_EPOCH xorriso -no_rc -report_about FAILURE -outdev "$2" -volume_date c 2023111422132000 \
        -volume_date m 2023111422132000 -volume_date uuid 2023111422132000 -joliet on -map "$1" / \
        -alter_date_r a =1700000000 / -- -alter_date_r c =1700000000 / -- -commit >/dev/null 2>&1
}
for s in a b; do
    tree=$t
    [[ $s == b ]] && tree=$t2
    mkiso "$tree" "$w/add-$s.iso"
done
out=$OUT_ROOT/add-iso
run_ds "$w/add-a.iso" "$w/add-b.iso" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/etc/new.conf|added|unknown" "/home/legacy/legacy.txt|removed|unknown" "/usr/bin|mtime|iso-file-dates" \
    "/srv/archive.tar :: /d/new.txt|added|unknown" "/srv/archive.cpio :: /d/new.txt|added|unknown" \
    "/srv/archive.zip :: /d/new.txt|added|unknown"
assert_q "$out" "diffs(loc=['/etc'], kind='mtime')[0]['follows'] == ['/etc/new.conf']"
assert_q "$out" "diffs(loc=['/home/legacy'], kind='mtime')[0]['follows'] == ['/home/legacy/legacy.txt']"
assert_q "$out" "diffs(loc=['/usr/bin'], kind='mtime')[0].get('follows') is None"
# The archives' contents differ too, so the moved extents and the volume size name no entry.
assert_q "$out" "all(d['secondary'] for d in r['differences'] if d['location'][-1] in ('@iso.extent', '@iso.pvd.volume_space_size'))"

# Only an entry added (no content differs in the ISO's layer): the volume size and extents follow it.
t3=$w/tree3
cp -a "$t" "$t3"
printf 'new=1\n' >"$t3/etc/new.conf"
touch -d @1700000000 "$t3/etc/new.conf"
touch -d @1700003600 "$t3/etc"
mkiso "$t3" "$w/add1-b.iso"
out=$OUT_ROOT/add-one-iso
run_ds "$w/add-a.iso" "$w/add1-b.iso" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/etc/new.conf|added|unknown"
assert_q "$out" "diffs(loc=['@iso.pvd.volume_space_size'])[0]['follows'] == ['/etc/new.conf']"
assert_q "$out" "len([d for d in r['differences'] if d['location'][-1] == '@iso.extent']) > 0"
assert_q "$out" "all(d.get('follows') == ['/etc/new.conf'] for d in r['differences'] if d['location'][-1] == '@iso.extent')"

# The same in a squashfs: the counts and table starts follow the entry.
mksq "$t3" "$w/add1-b.sqfs"
out=$OUT_ROOT/add-one
run_ds "$w/add-a.sqfs" "$w/add1-b.sqfs" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/etc/new.conf|added|unknown"
assert_q "$out" "diffs(loc=['@squashfs.inode_count'])[0]['follows'] == ['/etc/new.conf']"
assert_q "$out" "diffs(loc=['/etc'], kind='mtime')[0]['follows'] == ['/etc/new.conf']"
assert_q "$out" "all(d.get('follows') == ['/etc/new.conf'] for d in r['differences'] if d['location'][0].startswith('@squashfs.'))"

# Another block size and an entry added: both are roots; each names its own consequences.
mksq "$t3" "$w/add1-b64.sqfs" -b 65536
out=$OUT_ROOT/add-and-block-size
run_ds "$w/add-a.sqfs" "$w/add1-b64.sqfs" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/etc/new.conf|added|unknown" "@squashfs.block_size|header|compression-only"
assert_q "$out" "diffs(loc=['/etc'], kind='mtime')[0]['follows'] == ['/etc/new.conf']"
assert_q "$out" "diffs(loc=['@squashfs.block_log'])[0]['follows'] == ['@squashfs.block_size']"
assert_q "$out" "diffs(loc=['@squashfs.block_log'])[0]['cause'] == 'compression-only'"
assert_q "$out" "diffs(loc=['@squashfs.bytes_used'])[0]['follows'] == ['@squashfs.block_size']"

# gzip -9 against -1 of one text: the member is recompressed; XFL follows it.
seq 1 20000 >"$w/numbers"
gzip -9 -n -c "$w/numbers" >"$w/n9.gz"
gzip -1 -n -c "$w/numbers" >"$w/n1.gz"
check "gzip: XFL bytes are 2 and 4" bash -c "[[ \$(od -An -tu1 -j8 -N1 '$w/n9.gz') -eq 2 && \$(od -An -tu1 -j8 -N1 '$w/n1.gz') -eq 4 ]]"
out=$OUT_ROOT/gzip
run_ds "$w/n9.gz" "$w/n1.gz" "$out"
expect_status 1
expect_roots "$out" "/n9.gz|content|compression-only"
assert_q "$out" "diffs(loc=['/n9.gz', '@gzip.xfl'])[0]['follows'] == ['/n9.gz']"

# xz -9 against -1, and without against with --x86: the filter chain follows the recompressed stream.
xz -9 -c "$w/numbers" >"$w/n9.xz"
xz -1 -c "$w/numbers" >"$w/n1.xz"
xz -c "$t/usr/bin/tool" >"$w/tool.xz"
xz --x86 --lzma2 -c "$t/usr/bin/tool" >"$w/tool-x86.xz"
check "xz: the filter chains are as xz lists them" bash -c "xz -lvv '$w/n9.xz' | grep -q -- '--lzma2=dict=64MiB' && xz -lvv '$w/n1.xz' | grep -q -- '--lzma2=dict=1MiB' && xz -lvv '$w/tool-x86.xz' | grep -q -- '--x86 --lzma2' && ! xz -lvv '$w/tool.xz' | grep -q -- '--x86'"
out=$OUT_ROOT/xz-level
run_ds "$w/n9.xz" "$w/n1.xz" "$out"
expect_status 1
expect_roots "$out" "/n9.xz|content|compression-only"
assert_q "$out" "[(d['a'], d['b'], d['follows']) for d in diffs(loc=['/n9.xz', '@xz.filters'])] == [('lzma2 (dictionary 65536 KiB)', 'lzma2 (dictionary 1024 KiB)', ['/n9.xz'])]"
out=$OUT_ROOT/xz-filter
run_ds "$w/tool.xz" "$w/tool-x86.xz" "$out"
expect_status 1
expect_roots "$out" "/tool.xz|content|compression-only"
assert_q "$out" "diffs(loc=['/tool.xz', '@xz.filters'])[0]['b'].startswith('x86, lzma2')"
assert_q "$out" "diffs(loc=['/tool.xz', '@xz.filters'])[0]['follows'] == ['/tool.xz']"
# A truncated xz (the stream header and 2 bytes of a block header): a difference, never a crash.
head -c 14 "$w/tool.xz" >"$w/cut.xz"
run_ds "$w/cut.xz" "$w/tool.xz" "$OUT_ROOT/xz-cut"
check "truncated xz: exit 1 or 2, no crash (status $status)" test "$status" -le 2

# zip -0 against -9 of one file: the method is the root; the member's header fields follow it.
mkdir -p "$w/zip"
cp "$w/numbers" "$w/zip/numbers"
touch -d @1700000000 "$w/zip/numbers"
(cd "$w/zip" && zip -qX -0 ../stored.zip numbers && zip -qX -9 ../deflated.zip numbers)
check "zip: the methods are stored and deflated" bash -c "zipinfo -v '$w/stored.zip' | grep -q 'compression method: *none (stored)' && zipinfo -v '$w/deflated.zip' | grep -q 'compression method: *deflated'"
out=$OUT_ROOT/zip
run_ds "$w/stored.zip" "$w/deflated.zip" "$out"
expect_status 1
expect_roots "$out" "/stored.zip :: /numbers :: @zip.member.method|header|compression-only"
for field in compressed_size flags version_needed; do
    assert_q "$out" "diffs(loc=['/stored.zip', '/numbers', '@zip.member.$field'])[0]['follows'] == ['/stored.zip', '/numbers', '@zip.member.method']"
done

# mkfs.vfat -s 1 against -s 8, the same file copied in: the image's bytes follow its geometry.
for s in 1 8; do
    rm -f "$w/fat$s.img"
    mkfs.vfat -C -s "$s" -i 12345678 --invariant "$w/fat$s.img" 4096 >/dev/null 2>&1 ||
        mkfs.vfat -C -s "$s" -i 12345678 "$w/fat$s.img" 4096 >/dev/null
    TZ=UTC MTOOLS_SKIP_CHECK=1 mcopy -m -i "$w/fat$s.img" "$w/numbers" ::/numbers
done
check "fat: cluster sizes 1 and 8 sectors" bash -c "MTOOLS_SKIP_CHECK=1 minfo -i '$w/fat1.img' | grep -q 'cluster size: 1 sectors' && MTOOLS_SKIP_CHECK=1 minfo -i '$w/fat8.img' | grep -q 'cluster size: 8 sectors'"
out=$OUT_ROOT/fat
run_ds "$w/fat1.img" "$w/fat8.img" "$out"
expect_status 1
expect_roots "$out" "/fat1.img :: @fat.geometry|header|unknown"
assert_q "$out" "diffs(loc=['/fat1.img'], kind='content')[0]['follows'] == ['/fat1.img', '@fat.geometry']"
finish
