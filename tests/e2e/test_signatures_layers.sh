#!/usr/bin/env bash
# CAUSES.md table 1 rows of the image's own layers (1a ISO 9660 / El Torito, 1b the EFI FAT
# image, 1d the initrd's cpio), each difference made by the real tool that makes it (xorriso,
# mkfs.fat, mformat, mcopy, GNU cpio), each fixture checked to differ where the row says, and
# each cause asserted at its exact location, with a look-alike that must not get the cause.
source "$(dirname "$0")/lib.sh"
W=$OUT_ROOT/work
mkdir -p "$W"
cd "$W"
T0=1700000000 # 2023-11-14T22:13:20Z
MOD=2023111422133300
xo() { xorriso -no_rc -as mkisofs "$@" >/dev/null 2>&1; }
# differing byte offsets (0-based) of two files, one per line
differing() { cmp -l "$1" "$2" | awk '{print $1 - 1}' || true; }

# --- 1a Rock Ridge timestamps: one tree, one access time changed between the two runs --------
mkdir -p rr/boot && echo hello >rr/a.txt && echo k >rr/boot/k
touch -d @$T0 rr/a.txt rr/boot/k rr/boot rr
now=$(date +%s)
touch -a -d @$((now - 600)) rr/a.txt
xo -R --modification-date=$MOD -o rr-warm.iso rr # settles the directories' atimes (relatime)
xo -R --modification-date=$MOD -o rr-a.iso rr
sleep 1.1
touch -a -d @$((now - 300)) rr/a.txt # new atime; the ctime moves with it
xo -R --modification-date=$MOD -o rr-b.iso rr
check "rr fixture: same size, a few bytes differ" bash -c \
    "[[ \$(stat -c %s rr-a.iso) == \$(stat -c %s rr-b.iso) && \$(cmp -l rr-a.iso rr-b.iso | wc -l) -ge 1 && \$(cmp -l rr-a.iso rr-b.iso | wc -l) -le 12 ]]"
# every differing byte lies in a TF entry ("TF", len, version 1, flags) of a directory record
check "rr fixture: the differing bytes are inside Rock Ridge TF entries" "$PY" - rr-a.iso rr-b.iso <<'EOF'
import sys
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
spans = []
i = a.find(b"TF")
while i >= 0:
    if a[i + 3] == 1 and 5 <= a[i + 2] <= 5 + 7 * 17:
        spans.append((i, i + a[i + 2]))
    i = a.find(b"TF", i + 1)
bad = [k for k in range(len(a)) if a[k] != b[k] and not any(s + 5 <= k < e for s, e in spans)]
sys.exit(1 if bad or a == b else 0)
EOF
out=$OUT_ROOT/rr
run_ds rr-a.iso rr-b.iso "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/a.txt :: @iso.rr.tf.access|header|iso-rr-times" "/a.txt :: @iso.rr.tf.attributes|header|iso-rr-times"
assert_q "$out" 'diffs(loc=["/a.txt", "@iso.rr.tf.access"])[0]["notes_tag"] == "timestamps_in_directories"'
assert_q "$out" '"set_to_mtime" in diffs(loc=["/a.txt", "@iso.rr.tf.access"])[0]["fix"]'
assert_q "$out" 'not diffs(loc=["/a.txt"], kind="mtime")'
# the same two ISOs inside tar archives (GNU tar): the nested ISO's node says the same
mkdir -p nest-a nest-b && cp rr-a.iso nest-a/in.iso && cp rr-b.iso nest-b/in.iso
for s in a b; do tar --mtime=@$T0 --owner=0 --group=0 -cf rr-$s.tar -C nest-$s in.iso; done
out=$OUT_ROOT/rr-nested
run_ds rr-a.tar rr-b.tar "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/rr-a.tar :: /in.iso :: /a.txt|mtime|iso-rr-times"

# --- 1a boot catalog date; a file whose mtime differs is not the catalog ----------------------
mkdir -p cat/isolinux && head -c 4096 /dev/urandom >cat/isolinux/isolinux.bin && echo m >cat/m.txt
touch -d @$T0 cat/isolinux/isolinux.bin cat/m.txt cat/isolinux cat
boot=(-b isolinux/isolinux.bin -no-emul-boot -boot-load-size 4 -c isolinux/boot.cat)
xo -R --set_all_file_dates set_to_mtime --modification-date=$MOD "${boot[@]}" -o cat-a.iso cat
touch -d @$((T0 + 60)) cat/m.txt
xo -R --set_all_file_dates set_to_mtime --modification-date=2023111522133300 "${boot[@]}" -o cat-b.iso cat
out=$OUT_ROOT/catalog
run_ds cat-a.iso cat-b.iso "$out"
expect_status 1
validate "$out"
assert_q "$out" 'diffs(loc=["/isolinux/boot.cat"], kind="mtime")[0]["a"] == "2023-11-14T22:13:33Z"'
assert_q "$out" 'diffs(loc=["/isolinux/boot.cat"], kind="mtime")[0]["cause"] == "iso-volume-date"'
assert_q "$out" 'diffs(loc=["/isolinux/boot.cat"], kind="mtime")[0]["secondary"] is True'
# The volume dates and the catalog's date are one instant per side: the build date of each side
# (explain/build_date.c) is the root they follow; m.txt's own older mtime is not the build's.
assert_q "$out" 'diffs(loc=["/isolinux/boot.cat"], kind="mtime")[0]["follows"] == ["@build.date"]'
assert_q "$out" 'all(d["follows"] == ["@build.date"] and d["cause"] == "iso-volume-date" for d in diffs(loc=["@iso.pvd.creation_date"]) + diffs(loc=["@iso.pvd.modification_date"]))'
expect_roots "$out" "@build.date|header|source-date-epoch" "/m.txt|mtime|unclamped-mtime"
# set_to_mtime copied m.txt's mtime to its other stamps: those follow, they are no iso-rr-times
assert_q "$out" 'diffs(loc=["/m.txt", "@iso.rr.tf.access"])[0]["secondary"] is True'
assert_q "$out" 'diffs(loc=["/m.txt", "@iso.rr.tf.access"])[0]["cause"] == "iso-file-dates"'

# --- 1a boot-info-table / grub2-boot-info: directories grow in B, the boot images move -------
mkdir -p bi-a/isolinux && head -c 4096 /dev/urandom >bi-a/isolinux/isolinux.bin
head -c 8192 /dev/urandom >bi-a/isolinux/grub.img
head -c 4096 /dev/urandom >bi-a/z.bin
cp -a bi-a bi-b
# z.bin: changed in the boot-info-table's bytes AND elsewhere: not a layout consequence
printf 'XXXX' | dd of=bi-b/z.bin bs=1 seek=12 conv=notrunc 2>/dev/null
printf 'YYYY' | dd of=bi-b/z.bin bs=1 seek=1000 conv=notrunc 2>/dev/null
for i in $(seq -w 1 16); do mkdir -p bi-b/pad/d$i; done
find bi-a bi-b -exec touch -d @$T0 {} +
for s in a b; do
    xo -R --set_all_file_dates set_to_mtime --modification-date=$MOD -b isolinux/isolinux.bin -no-emul-boot \
        -boot-load-size 4 -boot-info-table -c isolinux/boot.cat -eltorito-alt-boot -b isolinux/grub.img \
        -no-emul-boot --grub2-boot-info -o bi-$s.iso bi-$s
done
out=$OUT_ROOT/bootinfo
run_ds bi-a.iso bi-b.iso "$out"
expect_status 1
validate "$out"
# the fixture: the images moved, and their bytes differ only where xorriso patches them
for f in isolinux/isolinux.bin:8:64 isolinux/grub.img:2548:2556; do
    IFS=: read -r path lo hi <<<"$f"
    xorriso -indev bi-a.iso -osirrox on -extract /$path x-a.bin >/dev/null 2>&1
    xorriso -indev bi-b.iso -osirrox on -extract /$path x-b.bin >/dev/null 2>&1
    check "$path: the ISO copies differ only in bytes $lo..$((hi - 1))" bash -c \
        "o=\$(cmp -l x-a.bin x-b.bin | awk '{print \$1 - 1}'); [[ -n \$o ]] && awk -v lo=$lo -v hi=$hi '\$1 < lo || \$1 >= hi {bad=1} END {exit bad}' <<<\"\$o\""
    check "$path: the source file is not what differs" cmp -s bi-a/$path bi-b/$path
    rm -f x-a.bin x-b.bin
    assert_q "$out" "diffs(loc=['/$path'], kind='content')[0]['cause'] == 'layout-shift'"
    assert_q "$out" "diffs(loc=['/$path'], kind='content')[0]['secondary'] is True"
    assert_q "$out" "diffs(loc=['/$path', '@iso.extent'])[0]['secondary'] is True"
done
assert_q "$out" 'not diffs(loc=["/z.bin"], kind="content")[0]["secondary"]'
assert_q "$out" 'diffs(loc=["/z.bin"], kind="content")[0]["cause"] != "layout-shift"'
pads=()
for i in $(seq -w 1 16); do pads+=("/pad/d$i|added|unknown"); done
expect_roots "$out" "/z.bin|content|unknown" "/pad|added|unknown" "${pads[@]}"

# --- 1a preparer / publisher / application / system / volume-set strings ---------------------
mkdir -p ids && echo x >ids/a && touch -d @$T0 ids/a ids
xo -R --set_all_file_dates set_to_mtime --modification-date=$MOD -o ids-a.iso ids
xo -R --set_all_file_dates set_to_mtime --modification-date=$MOD -p "live-build 1:20230502" -publisher "Host rc" \
    -A "My App 2" -sysid OTHERSYS -volset SET-2 -o ids-b.iso ids
out=$OUT_ROOT/ids
run_ds ids-a.iso ids-b.iso "$out"
expect_status 1
validate "$out"
# the fixture: every differing byte is in the PVD (sector 16) string fields
check "ids fixture: only PVD+8..39 and +190..701 differ" bash -c \
    "o=\$(cmp -l ids-a.iso ids-b.iso | awk '{print \$1 - 1 - 32768}'); [[ -n \$o ]] && awk '!((\$1 >= 8 && \$1 < 40) || (\$1 >= 190 && \$1 < 702)) {bad=1} END {exit bad}' <<<\"\$o\""
expect_roots "$out" "@iso.pvd.system_id|header|iso-tool-version" "@iso.pvd.volume_set_id|header|iso-tool-version" \
    "@iso.pvd.publisher_id|header|iso-tool-version" "@iso.pvd.preparer_id|header|iso-tool-version" \
    "@iso.pvd.application_id|header|iso-tool-version"
assert_q "$out" 'diffs(loc=["@iso.pvd.preparer_id"])[0]["a"].startswith("\"XORRISO-")'
assert_q "$out" '"-no_rc" in diffs(loc=["@iso.pvd.publisher_id"])[0]["fix"]'

# --- 1b FAT: creator tool, time zone, entry order -------------------------------------------
mkdir -p fat && echo one >fat/A.TXT && echo two >fat/B.TXT && touch -d @$T0 fat/A.TXT fat/B.TXT
fatimg() { # NAME TZ FILES...: mkfs.fat image, files copied with mcopy -m under that TZ
    local name=$1 tz=$2
    shift 2
    mkfs.fat -C -i 12345678 -n EFI "$name" 2048 >/dev/null
    TZ=$tz mcopy -m -i "$name" "$@" ::/
}
fatimg fat-utc.img UTC fat/A.TXT fat/B.TXT
fatimg fat-berlin.img CET-1 fat/A.TXT fat/B.TXT
fatimg fat-order.img UTC fat/B.TXT fat/A.TXT
mformat -i fat-mtools.img -C -T 4096 -c 4 -N 12345678 -v EFI ::
TZ=UTC mcopy -m -i fat-mtools.img fat/A.TXT fat/B.TXT ::/
check "fat creator fixture: OEM names differ (mkfs.fat vs MTOO)" bash -c \
    "[[ \$(dd if=fat-utc.img bs=1 skip=3 count=8 2>/dev/null) == mkfs.fat && \$(dd if=fat-mtools.img bs=1 skip=3 count=4 2>/dev/null) == MTOO ]]"
out=$OUT_ROOT/fat-creator
run_ds fat-utc.img fat-mtools.img "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/fat-utc.img :: @fat.oem_name|header|iso-tool-version"
assert_q "$out" 'diffs(loc=["/fat-utc.img", "@fat.geometry"])[0]["follows"] == ["/fat-utc.img", "@fat.oem_name"]'
# time zone: every entry an hour later (TZ=CET-1, a POSIX zone string: no tzdata needed), in the
# write and create time fields
# the root directory's 32-byte entries (FAT12/16: after the reserved sectors and the FATs) and,
# of each: create time 13..17, access date 18..19, write time/date 22..25
cat >fatdir.py <<'PYEOF'
import struct, sys
def root(path):
    b = open(path, "rb").read()
    bps, = struct.unpack_from("<H", b, 11)
    reserved, = struct.unpack_from("<H", b, 14)
    entries, = struct.unpack_from("<H", b, 17)
    fatsz, = struct.unpack_from("<H", b, 22)
    start = (reserved + b[16] * fatsz) * bps
    return b, start, start + entries * 32
def names(path):
    b, start, end = root(path)
    return [b[o:o + 11] for o in range(start, end, 32) if b[o] not in (0, 0xE5) and b[o + 11] != 0x0F and not b[o + 11] & 8]
if sys.argv[1] == "times":  # every differing byte is a time/date byte of a root entry
    a, start, end = root(sys.argv[2])
    b = open(sys.argv[3], "rb").read()
    diff = [k for k in range(len(a)) if a[k] != b[k]]
    sys.exit(0 if diff and all(start <= k < end and (k - start) % 32 in range(13, 26) and (k - start) % 32 not in (20, 21) for k in diff) else 1)
na, nb = names(sys.argv[2]), names(sys.argv[3])  # "order": same names, another sequence
sys.exit(0 if sorted(na) == sorted(nb) and na != nb else 1)
PYEOF
check "fat tz fixture: only time and date bytes of root directory entries differ" "$PY" fatdir.py times fat-utc.img fat-berlin.img
check "fat order fixture: the same root entries in another order" "$PY" fatdir.py order fat-utc.img fat-order.img
out=$OUT_ROOT/fat-tz
run_ds fat-utc.img fat-berlin.img "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/fat-utc.img :: /A.TXT|mtime|fat-timezone" "/fat-utc.img :: /B.TXT|mtime|fat-timezone"
assert_q "$out" '"TZ=UTC" in diffs(loc=["/fat-utc.img", "/A.TXT"])[0]["fix"]'
# not a time zone: one entry an hour later, the other two minutes later
touch -d @$((T0 + 120)) fat/B.TXT
fatimg fat-skew.img CET-1 fat/A.TXT fat/B.TXT
out=$OUT_ROOT/fat-skew
run_ds fat-utc.img fat-skew.img "$out"
expect_status 1
expect_roots "$out" "/fat-utc.img :: /A.TXT|mtime|fat-timestamps" "/fat-utc.img :: /B.TXT|mtime|fat-timestamps"
# not a time zone either: one entry alone an hour later (one file's own time)
touch -d @$((T0 + 3600)) fat/A.TXT
touch -d @$T0 fat/B.TXT
fatimg fat-one.img UTC fat/A.TXT fat/B.TXT
out=$OUT_ROOT/fat-one
run_ds fat-utc.img fat-one.img "$out"
expect_status 1
expect_roots "$out" "/fat-utc.img :: /A.TXT|mtime|fat-timestamps"
out=$OUT_ROOT/fat-order
run_ds fat-utc.img fat-order.img "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/fat-utc.img :: @fat.order|order|fat-order"

# --- 1d cpio: inode/device numbers, link count, owner, member order --------------------------
mkdir -p cp/d/sub cp/h && echo a >cp/d/f && echo b >cp/d/sub/g && echo c >cp/h/f
ln cp/h/f cp/h-link # cp/h/f has two links on disk
touch -d @$T0 cp/d/f cp/d/sub/g cp/d/sub cp/d cp/h/f cp/h
cpio_of() { # DIR OUT CPIO-OPTIONS...: the sorted tree of DIR as newc
    local dir=$1 to=$2
    shift 2
    (cd "$dir" && find . | LC_ALL=C sort | cpio -o -H newc --quiet "$@") >"$to"
}
cpio_of cp/d host.cpio
cpio_of cp/d repro.cpio --reproducible
cpio_of cp/d owner.cpio --reproducible -R 1000:1000
(cd cp/d && find . | LC_ALL=C sort -r | cpio -o -H newc --quiet --reproducible) >order.cpio
cpio_of cp/h links2.cpio --reproducible
rm cp/h-link
cpio_of cp/h links1.cpio --reproducible
# the fixture: newc headers of host vs repro differ only in ino (6..13) and devmajor/minor (62..77)
check "cpio fixture: host vs --reproducible differ only in ino and dev fields" "$PY" - host.cpio repro.cpio <<'EOF'
import sys
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
pos, ok, seen = 0, len(a) == len(b), 0
while ok and a[pos:pos + 6] == b"070701":
    namesize, filesize = int(a[pos + 94:pos + 102], 16), int(a[pos + 54:pos + 62], 16)
    for k in range(110):
        if a[pos + k] != b[pos + k]:
            ok = ok and (6 <= k < 14 or 62 <= k < 78)
            seen += 1
    end = pos + ((110 + namesize + 3) & ~3)
    end = end + ((filesize + 3) & ~3)
    ok = ok and a[pos + 110:end] == b[pos + 110:end]
    pos = end
sys.exit(0 if ok and seen else 1)
EOF
# one byte differs: the last digit of f's nlink, in the second header (after "."'s 110 + 2 bytes: 112 + 38..45)
check "cpio fixture: only f's link count differs (2 vs 1)" bash -c \
    "[[ \$(cmp -l links2.cpio links1.cpio) == '158  62  61' && \$(dd if=links2.cpio bs=1 skip=222 count=1 2>/dev/null) == f ]]"
out=$OUT_ROOT/cpio-host
run_ds host.cpio repro.cpio "$out"
expect_status 1
validate "$out"
assert_q "$out" 'diffs(loc=["/host.cpio", "/sub/g", "@cpio.member.ino"])[0]["cause"] == "cpio-metadata"'
assert_q "$out" 'diffs(loc=["/host.cpio", "/sub/g", "@cpio.member.devmajor"])[0]["b"] == "0"'
assert_q "$out" 'diffs(loc=["/host.cpio", "/f", "@cpio.member.ino"])[0]["notes_tag"] == "timestamps_in_cpio_archive"'
assert_q "$out" 'all(d["cause"] == "cpio-metadata" and d["location"][-1].startswith("@cpio.member.") for d in r["differences"] if not d["secondary"])'
assert_q "$out" 'len([d for d in r["differences"] if not d["secondary"]]) >= 4'
out=$OUT_ROOT/cpio-nlink
run_ds links2.cpio links1.cpio "$out"
expect_status 1
expect_roots "$out" "/links2.cpio :: /f :: @cpio.member.nlink|header|cpio-metadata"
out=$OUT_ROOT/cpio-owner
run_ds repro.cpio owner.cpio "$out"
expect_status 1
expect_roots "$out" "/repro.cpio :: /|owner|owner" "/repro.cpio :: /f|owner|owner" "/repro.cpio :: /sub|owner|owner" \
    "/repro.cpio :: /sub/g|owner|owner"
# another order: --renumber-inodes numbers in that order, so the inode numbers follow from it
# (they are not given cpio-metadata)
out=$OUT_ROOT/cpio-order
run_ds repro.cpio order.cpio "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/repro.cpio :: @cpio.order|order|archive-order"
assert_q "$out" 'diffs(loc=["/repro.cpio", "/f", "@cpio.member.ino"])[0]["cause"] == "archive-order"'
assert_q "$out" 'diffs(loc=["/repro.cpio", "/f", "@cpio.member.ino"])[0]["follows"] == ["/repro.cpio", "@cpio.order"]'
finish
