#!/usr/bin/env bash
# GPT and MBR disk images (formats/disk.c) made with sgdisk and sfdisk, fixed GUIDs and ids, a
# FAT (mkfs.fat --offset, mtools) in a partition: one pair per reported item, each checked with
# sgdisk -p / -i or sfdisk -d first; the same disk gzip'd; a truncated one; and the bids that
# must not claim a hybrid ISO nor a FAT image.
source "$(dirname "$0")/lib.sh"
d=$OUT_ROOT/data
mkdir -p "$d"
# mtools checks a file system's size against the image's: a FAT inside a partition is smaller.
export SOURCE_DATE_EPOCH=1700000000 TZ=UTC MTOOLS_SKIP_CHECK=1
G_DISK=11111111-2222-3333-4444-555555555555
G_P1=aaaaaaaa-0000-0000-0000-000000000001
G_P2=aaaaaaaa-0000-0000-0000-000000000002
P1_AT=1048576 # p1 starts at sector 2048

# gpt_disk OUT [DISK_GUID P1_GUID P1_NAME P1_LAST_LBA FILE_TEXT]: an 8 MiB GPT disk made by
# sgdisk: p1 (EFI system, sectors 2048 to P1_LAST_LBA) holding a 2 MiB FAT with f.txt, p2
# (Linux, "root") from sector 12288 to the end of the disk.
gpt_disk() {
    local out=$1 disk=${2:-$G_DISK} p1=${3:-$G_P1} name=${4:-ESP} last=${5:-10239} text=${6:-alpha}
    mkdir -p "$(dirname "$out")"
    rm -f "$out"
    truncate -s 8M "$out"
    sgdisk -U "$disk" -n 1:2048:"$last" -t 1:ef00 -c 1:"$name" -u 1:"$p1" \
        -n 2:12288:0 -t 2:8300 -c 2:root -u 2:"$G_P2" "$out" >/dev/null
    mkfs.fat --offset 2048 -i 12345678 "$out" 2048 >/dev/null 2>"$d/mkfs.log" # warns: the FAT is smaller than the rest of the image
    printf '%s\n' "$text" >"$d/f.txt"
    touch -d @1700000000 "$d/f.txt"
    mcopy -m -i "$out@@$P1_AT" "$d/f.txt" ::/f.txt 2>/dev/null
}

# run_pair NAME: compares $d/NAME/a/disk.img with $d/NAME/b/disk.img into $OUT_ROOT/NAME.
run_pair() {
    out=$OUT_ROOT/$1
    run_ds "$d/$1/a/disk.img" "$d/$1/b/disk.img" "$out"
}

info() { sgdisk -i "$2" "$1" 2>/dev/null | grep "^$3"; }
# differ_only_in IMG_A IMG_B "LINE PREFIX" ...: sgdisk -p and -i 1/-i 2 outputs differ, and only
# in lines starting with one of the prefixes.
differ_only_in() {
    local a=$1 b=$2
    shift 2
    local pat
    pat=$(printf '%s|' "$@")
    pat=${pat%|}
    local ta tb
    ta=$({ sgdisk -p "$a"; sgdisk -i 1 "$a"; sgdisk -i 2 "$a"; } 2>/dev/null | sed "s|$a||")
    tb=$({ sgdisk -p "$b"; sgdisk -i 1 "$b"; sgdisk -i 2 "$b"; } 2>/dev/null | sed "s|$b||")
    [[ $ta != "$tb" ]] && cmp -s <(grep -Ev "^($pat)" <<<"$ta") <(grep -Ev "^($pat)" <<<"$tb")
}
crcs_secondary='all(d["secondary"] for d in r["differences"] if d["location"][-1].endswith("_crc"))'

# --- identical: two builds of the same disk -----------------------------------------------------
gpt_disk "$d/same/a/disk.img"
gpt_disk "$d/same/b/disk.img"
check "two builds of the disk are byte-identical" cmp -s "$d/same/a/disk.img" "$d/same/b/disk.img"
check "sgdisk -p: two partitions, ESP and root" \
    bash -c "sgdisk -p '$d/same/a/disk.img' | grep -Eq '^ +1 +2048 +10239 .* EF00 +ESP$' && sgdisk -p '$d/same/a/disk.img' | grep -Eq '^ +2 +12288 +16350 .* 8300 +root$'"
check "the FAT in p1 holds f.txt" bash -c "mdir -b -i '$d/same/a/disk.img@@$P1_AT' ::/ 2>/dev/null | grep -q '^::/f.txt$'"
run_pair same
expect_status 0
validate "$out"
assert_q "$out" 'r["inputs"]["a"]["type"] == "disk"'

# --- the disk GUID ------------------------------------------------------------------------------
gpt_disk "$d/disk-guid/a/disk.img"
gpt_disk "$d/disk-guid/b/disk.img" 11111111-2222-3333-4444-666666666666
check "sgdisk: only the disk GUID differs" differ_only_in "$d/disk-guid/a/disk.img" "$d/disk-guid/b/disk.img" "Disk identifier"
run_pair disk-guid
expect_status 1
validate "$out"
expect_roots "$out" "/disk.img :: @disk.gpt.disk_guid|header|gpt-guid"
assert_q "$out" 'diffs(loc=["/disk.img", "@disk.gpt.disk_guid"])[0]["b"] == "11111111-2222-3333-4444-666666666666"'
# The backup header's copy and both header CRCs follow from it; the entry array does not change.
assert_q "$out" 'sorted(d["location"][-1] for d in r["differences"] if d["secondary"] and len(d["location"]) == 2) == ["@disk.gpt.backup.disk_guid", "@disk.gpt.backup.header_crc", "@disk.gpt.header_crc"]'
assert_q "$out" 'all(d["cause"] == "gpt-guid" for d in r["differences"] if len(d["location"]) == 2)'
assert_q "$out" 'not diffs(loc=["/disk.img", "@disk.gpt.entries_crc"]) and not any(e.startswith("/p") for d in r["differences"] for e in d["location"])'

# --- a partition's unique GUID ------------------------------------------------------------------
gpt_disk "$d/part-guid/a/disk.img"
gpt_disk "$d/part-guid/b/disk.img" "$G_DISK" aaaaaaaa-0000-0000-0000-0000000000ff
check "sgdisk -i 1: only p1's unique GUID differs" differ_only_in "$d/part-guid/a/disk.img" "$d/part-guid/b/disk.img" "Partition unique GUID"
run_pair part-guid
expect_status 1
validate "$out"
expect_roots "$out" "/disk.img :: @disk.gpt.entry1.unique_guid|header|gpt-guid"
assert_q "$out" 'diffs(loc=["/disk.img", "@disk.gpt.entry1.unique_guid"])[0]["a"] == "'$G_P1'"'
assert_q "$out" 'sorted(d["location"][-1] for d in r["differences"] if d["secondary"] and len(d["location"]) == 2) == ["@disk.gpt.backup.entries_crc", "@disk.gpt.backup.header_crc", "@disk.gpt.entries_crc", "@disk.gpt.header_crc"]'
assert_q "$out" "$crcs_secondary"
assert_q "$out" 'all(d["cause"] == "gpt-guid" for d in r["differences"] if d["location"][-1].endswith("_crc"))'

# --- a partition's name -------------------------------------------------------------------------
gpt_disk "$d/name/a/disk.img"
gpt_disk "$d/name/b/disk.img" "$G_DISK" "$G_P1" EFI
check "sgdisk: only p1's name differs" differ_only_in "$d/name/a/disk.img" "$d/name/b/disk.img" "Partition name" "   1 "
run_pair name
expect_status 1
validate "$out"
expect_roots "$out" "/disk.img :: @disk.gpt.entry1.name|header|unknown"
assert_q "$out" 'diffs(loc=["/disk.img", "@disk.gpt.entry1.name"])[0]["a"] == "\"ESP\"" and diffs(loc=["/disk.img", "@disk.gpt.entry1.name"])[0]["b"] == "\"EFI\""'
assert_q "$out" 'len([d for d in r["differences"] if d["location"][-1].endswith("_crc")]) == 4'
assert_q "$out" "$crcs_secondary"

# --- a partition's size -------------------------------------------------------------------------
gpt_disk "$d/size/a/disk.img"
gpt_disk "$d/size/b/disk.img" "$G_DISK" "$G_P1" ESP 8191
check "sgdisk -i 1: only p1's last sector and size differ" \
    differ_only_in "$d/size/a/disk.img" "$d/size/b/disk.img" "Last sector" "Partition size" "   1 " "Total free space"
run_pair size
expect_status 1
validate "$out"
expect_roots "$out" "/disk.img :: @disk.gpt.entry1.last_lba|header|unknown"
assert_q "$out" 'diffs(loc=["/disk.img", "@disk.gpt.entry1.last_lba"])[0]["a"] == "10239" and diffs(loc=["/disk.img", "@disk.gpt.entry1.last_lba"])[0]["b"] == "8191"'
# p1's bytes differ by their count (the FAT inside is the same): a consequence.
assert_q "$out" 'diffs(loc=["/disk.img", "/p1"], kind="content")[0]["secondary"] is True and diffs(loc=["/disk.img", "/p1"], kind="content")[0]["cause"] == "layout-shift"'
assert_q "$out" 'diffs(loc=["/disk.img", "/p1"], kind="content")[0]["a"] == "4194304 bytes" and diffs(loc=["/disk.img", "/p1"], kind="content")[0]["b"] == "3145728 bytes"'
assert_q "$out" 'not diffs(loc=["/disk.img", "/p2"]) and not any(len(d["location"]) > 2 for d in r["differences"])'
assert_q "$out" "$crcs_secondary"

# --- a file inside the FAT in p1 ----------------------------------------------------------------
gpt_disk "$d/file/a/disk.img"
gpt_disk "$d/file/b/disk.img" "$G_DISK" "$G_P1" ESP 10239 bravo
check "sgdisk: the partition tables are equal" bash -c "cmp -s <(sgdisk -p '$d/file/a/disk.img' | tail -n +2) <(sgdisk -p '$d/file/b/disk.img' | tail -n +2)"
check "mtype: f.txt holds alpha in A, bravo in B" \
    bash -c "[[ \$(mtype -i '$d/file/a/disk.img@@$P1_AT' ::/f.txt 2>/dev/null) == alpha && \$(mtype -i '$d/file/b/disk.img@@$P1_AT' ::/f.txt 2>/dev/null) == bravo ]]"
check "the FAT directories are alike (mdir)" \
    cmp -s <(mdir -i "$d/file/a/disk.img@@$P1_AT" ::/ 2>/dev/null) <(mdir -i "$d/file/b/disk.img@@$P1_AT" ::/ 2>/dev/null)
run_pair file
expect_status 1
validate "$out"
expect_roots "$out" "/disk.img :: /p1 :: /f.txt|content|unknown"
assert_q "$out" 'diffs(loc=["/disk.img", "/p1"], kind="content")[0]["secondary"] is True and diffs(loc=["/disk.img"])[0]["detail"].endswith("disk: 1 entries differ in content, 0 in metadata")'

# --- the same disks gzip'd: through the gzip stream --------------------------------------------
mkdir -p "$d/gz/a" "$d/gz/b"
gzip -n -c "$d/file/a/disk.img" >"$d/gz/a/disk.img.gz"
gzip -n -c "$d/file/b/disk.img" >"$d/gz/b/disk.img.gz"
check "gzip -l: both hold 8 MiB" bash -c "gzip -l '$d/gz/a/disk.img.gz' | grep -q ' 8388608 ' && gzip -l '$d/gz/b/disk.img.gz' | grep -q ' 8388608 '"
out=$OUT_ROOT/gz
run_ds "$d/gz/a/disk.img.gz" "$d/gz/b/disk.img.gz" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/disk.img.gz :: /p1 :: /f.txt|content|unknown"
assert_q "$out" 'r["inputs"]["a"]["type"] == "gzip"'

# --- MBR only: the disk id, and a file in a logical partition -----------------------------------
# mbr_disk OUT LABEL_ID FILE_TEXT: an 8 MiB DOS disk made by sfdisk: p1 (FAT32 LBA, empty), p2
# extended, p5 a logical one inside it holding a 2 MiB FAT with f.txt.
mbr_disk() {
    mkdir -p "$(dirname "$1")"
    rm -f "$1"
    truncate -s 8M "$1"
    printf 'label: dos\nlabel-id: %s\nunit: sectors\n\nstart=2048, size=4096, type=c\nstart=6144, size=10240, type=5\nstart=8192, size=4096, type=83\n' "$2" |
        sfdisk -q "$1"
    mkfs.fat --offset 8192 -i 12345678 "$1" 2048 >/dev/null 2>"$d/mkfs.log"
    printf '%s\n' "$3" >"$d/f.txt"
    touch -d @1700000000 "$d/f.txt"
    mcopy -m -i "$1@@4194304" "$d/f.txt" ::/f.txt 2>/dev/null
}
mbr_disk "$d/mbr-id/a/disk.img" 0x12345678 alpha
mbr_disk "$d/mbr-id/b/disk.img" 0x87654321 alpha
check "sfdisk -d: a DOS label with p1, p2 extended, p5 logical" \
    bash -c "sfdisk -d '$d/mbr-id/a/disk.img' | grep -q '^label: dos' && sfdisk -d '$d/mbr-id/a/disk.img' | grep -Eq 'img5 : start= +8192, size= +4096, type=83'"
check "sfdisk -d: only the label-id differs" \
    bash -c "diff <(sfdisk -d '$d/mbr-id/a/disk.img' | sed 's|$d/mbr-id/a||') <(sfdisk -d '$d/mbr-id/b/disk.img' | sed 's|$d/mbr-id/b||') | grep '^[<>]' | cut -c3- | sort | tr '\n' ' ' | grep -qx 'label-id: 0x12345678 label-id: 0x87654321 '"
run_pair mbr-id
expect_status 1
validate "$out"
expect_roots "$out" "/disk.img :: @disk.mbr.disk_id|header|mbr-disk-id"
assert_q "$out" 'diffs(loc=["/disk.img", "@disk.mbr.disk_id"])[0]["a"] == "0x12345678" and len(r["differences"]) == 2'
mbr_disk "$d/logical/a/disk.img" 0x12345678 alpha
mbr_disk "$d/logical/b/disk.img" 0x12345678 bravo
check "sfdisk -d: the tables are equal" bash -c "cmp -s <(sfdisk -d '$d/logical/a/disk.img' | sed 's|$d/logical/a||') <(sfdisk -d '$d/logical/b/disk.img' | sed 's|$d/logical/b||')"
check "mtype: p5's f.txt differs" \
    bash -c "[[ \$(mtype -i '$d/logical/a/disk.img@@4194304' ::/f.txt 2>/dev/null) == alpha && \$(mtype -i '$d/logical/b/disk.img@@4194304' ::/f.txt 2>/dev/null) == bravo ]]"
run_pair logical
expect_status 1
validate "$out"
expect_roots "$out" "/disk.img :: /p5 :: /f.txt|content|unknown"

# --- truncated: B lost its last 2 MiB (p2 and the backup GPT) -----------------------------------
mkdir -p "$d/cut/a" "$d/cut/b"
cp "$d/same/a/disk.img" "$d/cut/a/disk.img"
cp "$d/same/a/disk.img" "$d/cut/b/disk.img"
truncate -s 6M "$d/cut/b/disk.img"
check "sgdisk sees the damage" bash -c "sgdisk -v '$d/cut/b/disk.img' 2>&1 | grep -qi 'problem\|corrupt\|invalid\|past\|beyond'"
run_pair cut
check "exit status 1 or 2 (got $status)" test "$status" = 1 -o "$status" = 2
validate "$out"
assert_q "$out" 'any("B (" in l and "disk: partition /p2" in l and "runs past the end of the image" in l for l in r["limits"])'
assert_q "$out" '"a" not in diffs(loc=["/disk.img", "@disk.gpt.damage"])[0] and "backup header LBA 16383" in diffs(loc=["/disk.img", "@disk.gpt.damage"])[0]["b"]'
# The backup header's fields B lost follow from that damage; p2 is not opened on B's side.
assert_q "$out" 'len([d for d in r["differences"] if d["location"][-1].startswith("@disk.gpt.backup.")]) == 13 and all(d["secondary"] for d in r["differences"] if d["location"][-1].startswith("@disk.gpt.backup."))'
expect_roots "$out" "/disk.img :: @disk.gpt.damage|header|unknown" "/disk.img :: /p2|content|unknown"
assert_q "$out" 'not diffs(loc=["/disk.img", "/p1"])'
check "no sanitizer report or crash" bash -c "! grep -q 'runtime error\|AddressSanitizer' '$out.stderr'"

# --- bids: a hybrid ISO stays iso9660, a FAT image stays fat -----------------------------------
mkdir -p "$d/iso/tree" "$d/iso/a" "$d/iso/b"
mkfs.fat -C -i 12345678 "$d/iso/tree/efi.img" 1024 >/dev/null
for side in a b; do
    printf '%s\n' "$side" >"$d/iso/tree/note.txt"
    touch -d @1700000000 "$d/iso/tree/note.txt"
    xorriso -as mkisofs -quiet -R -V HYBRID -isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin \
        -e efi.img -no-emul-boot -isohybrid-gpt-basdat -o "$d/iso/$side/x.iso" "$d/iso/tree" 2>/dev/null
done
check "the ISO is a hybrid: an MBR (fdisk) and a GPT header at byte 512" \
    bash -c "fdisk -l '$d/iso/a/x.iso' | grep -q 'Disklabel type: dos' && [[ \$(dd if='$d/iso/a/x.iso' bs=1 skip=512 count=8 2>/dev/null) == 'EFI PART' ]]"
out=$OUT_ROOT/iso
run_ds "$d/iso/a/x.iso" "$d/iso/b/x.iso" "$out"
validate "$out"
assert_q "$out" 'r["inputs"]["a"]["type"] == "iso9660" and not any(e.startswith("@disk.") for d in r["differences"] for e in d["location"])'
cp "$d/iso/tree/efi.img" "$d/iso/a/efi.img"
cp "$d/iso/tree/efi.img" "$d/iso/b/efi.img"
mcopy -m -i "$d/iso/b/efi.img" "$d/iso/tree/note.txt" ::/note.txt
check "efi.img ends its boot sector in 55 aa" bash -c "od -An -tx1 -j510 -N2 '$d/iso/a/efi.img' | grep -q '55 aa'"
out=$OUT_ROOT/fat
run_ds "$d/iso/a/efi.img" "$d/iso/b/efi.img" "$out"
validate "$out"
assert_q "$out" 'r["inputs"]["a"]["type"] == "fat"'
expect_roots "$out" "/efi.img :: /note.txt|added|unknown"
finish
