#!/usr/bin/env bash
# PE/COFF images as the EFI side of a live image holds them: grub-mkimage's x86_64-efi core
# images, the same signed with sbsign, and small EFI applications linked by GNU ld (mingw-w64
# binutils: a debug directory with a CodeView record from --build-id, long section names).
# One pair per reported item, each difference made by the real tool or written with a few
# lines of Python at the offset the real tools (objdump, od) show, and checked with them so
# that the test proves the difference is there and only there. Then a damaged input, and a
# differing bootx64.efi inside efi.img inside an ISO, found at its full depth.
source "$(dirname "$0")/lib.sh"
d=$OUT_ROOT/data
mkdir -p "$d"
export SOURCE_DATE_EPOCH=1700000000
AS=x86_64-w64-mingw32-as
LD=x86_64-w64-mingw32-ld

# poke FILE OFFSET HEX: writes the bytes HEX at OFFSET of FILE (same size).
poke() {
    "$PY" -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(int(sys.argv[2])); f.write(bytes.fromhex(sys.argv[3]))' "$@"
}
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; } # u32 FILE OFFSET: a little-endian word
lfanew() { u32 "$1" 60; }
# pair NAME A B: the two files as $d/NAME/{a,b}/x.efi, compared into $OUT_ROOT/NAME.
pair() {
    mkdir -p "$d/$1/a" "$d/$1/b"
    cp "$2" "$d/$1/a/x.efi"
    cp "$3" "$d/$1/b/x.efi"
    run_ds "$d/$1/a/x.efi" "$d/$1/b/x.efi" "$OUT_ROOT/$1"
}
# only_bytes_differ A B FROM TO: the files differ, and only in bytes [FROM, TO) (cmp -l counts from 1).
only_bytes_differ() {
    { cmp -l "$1" "$2" || true; } | awk -v from="$3" -v to="$4" '$1 - 1 < from || $1 - 1 >= to { bad = 1 } END { exit bad || NR == 0 }'
}
# objdump_diff A B: the lines of objdump -p that differ, as "<" / ">" lines.
objdump_diff() { diff <(objdump -p "$1" | tail -n +3) <(objdump -p "$2" | tail -n +3) | grep '^[<>]' || true; }
# objdump_only A B NAME...: objdump -p shows exactly the lines starting with these names differ.
objdump_only() {
    local a=$1 b=$2 got want
    shift 2
    got=$(objdump_diff "$a" "$b" | sed 's/^\([<>]\) \([^\t]*\).*/\1 \2/; s/ signature .*//' | sort -u)
    want=$(for n in "$@"; do printf '< %s\n> %s\n' "$n" "$n"; done | sort -u)
    [[ $got == "$want" ]]
}
# section_names FILE: the 8-byte names in the section table, as stored.
section_names() {
    "$PY" - "$1" <<'PYEOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
l = struct.unpack_from("<I", d, 60)[0]
n, opt = struct.unpack_from("<H", d, l + 6)[0], struct.unpack_from("<H", d, l + 20)[0]
for i in range(n):
    print(d[l + 24 + opt + 40 * i:l + 24 + opt + 40 * i + 8].rstrip(b"\0").decode())
PYEOF
}

# --- the fixtures ---------------------------------------------------------------------------
grub-mkimage -O x86_64-efi -p /EFI/boot -o "$d/grub.efi"
grub-mkimage -O x86_64-efi -p /EFI/debn -o "$d/grub-prefix.efi" # the prefix lives in section "mods"
check "grub-mkimage is deterministic" bash -c "grub-mkimage -O x86_64-efi -p /EFI/boot -o '$d/grub-again.efi' && cmp -s '$d/grub.efi' '$d/grub-again.efi'"
check "objdump reads a PE32+ EFI application" bash -c "objdump -p '$d/grub.efi' | grep -q 'Magic.*020b' && objdump -p '$d/grub.efi' | grep -q 'EFI application'"
L=$(lfanew "$d/grub.efi")
ts=$((L + 8)) sum=$((L + 24 + 64))

# COFF TimeDateStamp: 2015-01-01 as grub-mkimage writes it, then SOURCE_DATE_EPOCH.
cp "$d/grub.efi" "$d/grub-time.efi"
poke "$d/grub-time.efi" "$ts" "$(printf '%08x' 1700000000 | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/')"
check "TimeDateStamp: only bytes $ts-$((ts + 3)) differ" only_bytes_differ "$d/grub.efi" "$d/grub-time.efi" "$ts" $((ts + 4))
check "TimeDateStamp: objdump -p shows only Time/Date differ" objdump_only "$d/grub.efi" "$d/grub-time.efi" Time/Date

# CheckSum: grub-mkimage writes 0; B holds the real PE checksum (16-bit sums with carry over
# the file, the CheckSum field as 0, plus the file's length), as a signing tool would set it.
cp "$d/grub.efi" "$d/grub-sum.efi"
"$PY" - "$d/grub-sum.efi" "$sum" <<'PYEOF'
import struct, sys
path, at = sys.argv[1], int(sys.argv[2])
data = bytearray(open(path, "rb").read())
data[at:at + 4] = b"\0\0\0\0"
total = 0
for (word,) in struct.iter_unpack("<H", data + b"\0" * (len(data) % 2)):
    total = (total + word) & 0xffffffff
    total = (total & 0xffff) + (total >> 16)
total = ((total & 0xffff) + (total >> 16)) & 0xffff
data[at:at + 4] = struct.pack("<I", total + len(data))
open(path, "wb").write(data)
PYEOF
check "CheckSum: only bytes $sum-$((sum + 3)) differ" only_bytes_differ "$d/grub.efi" "$d/grub-sum.efi" "$sum" $((sum + 4))
check "CheckSum: objdump -p shows only CheckSum differ" objdump_only "$d/grub.efi" "$d/grub-sum.efi" CheckSum

# A section: grub-mkimage's prefix, stored in the section "mods".
mods=$(objdump -h "$d/grub.efi" | awk '$2 == "mods" { print $6 }')
mods_size=$(objdump -h "$d/grub.efi" | awk '$2 == "mods" { print $3 }')
check "section mods: only its bytes differ" only_bytes_differ "$d/grub.efi" "$d/grub-prefix.efi" $((16#$mods)) $((16#$mods + 16#$mods_size))
check "section mods: objdump -p shows no header difference" test -z "$(objdump_diff "$d/grub.efi" "$d/grub-prefix.efi")"

# Two sections of one name: "mods" renamed ".data" in the section table of both images.
for v in grub grub-prefix; do
    cp "$d/$v.efi" "$d/$v-dup.efi"
    entry=$("$PY" - "$d/$v.efi" <<'PYEOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
l = struct.unpack_from("<I", d, 60)[0]
n, opt = struct.unpack_from("<H", d, l + 6)[0], struct.unpack_from("<H", d, l + 20)[0]
table = l + 24 + opt
print(next(table + 40 * i for i in range(n) if d[table + 40 * i:table + 40 * i + 8].rstrip(b"\0") == b"mods"))
PYEOF
)
    poke "$d/$v-dup.efi" "$entry" "$(printf '.data\0\0\0' | od -An -tx1 | tr -d ' \n')"
done
check "objdump -h lists two sections named .data" test "$(objdump -h "$d/grub-dup.efi" | awk '$2 == ".data"' | wc -l)" = 2
check "the renamed tables list .text .data .data .reloc" test "$(section_names "$d/grub-prefix-dup.efi" | tr '\n' ' ')" = ".text .data .data .reloc "

# GNU ld (mingw-w64 binutils): an EFI application with a debug directory (--build-id: a
# CodeView RSDS record whose GUID is a hash of the image) and a section with a long name.
mkapp() { # mkapp OUT DATA NOTE [LD OPTIONS...]: .data holds DATA, .silvermetal_notes NOTE
    local out=$1 data=$2 note=$3
    shift 3
    printf '    .text\n    .globl start\nstart:\n    ret\n    .data\n    .ascii "%s\\0"\n    .section .silvermetal_notes,"dr"\n    .ascii "%s\\0"\n' \
        "$data" "$note" >"$out.s"
    "$AS" -o "$out.o" "$out.s"
    "$LD" --subsystem 10 -e start "$@" -o "$out" "$out.o"
}
mkapp "$d/app.efi" "SilverMetal one" "notes" --build-id
mkapp "$d/app-data.efi" "SilverMetal two" "notes" --build-id
check "ld honours SOURCE_DATE_EPOCH (the same objects link to the same bytes)" \
    bash -c "'$LD' --subsystem 10 -e start --build-id -o '$d/app-again.efi' '$d/app.efi.o' && cmp -s '$d/app.efi' '$d/app-again.efi'"
check "the app has a CodeView RSDS record" bash -c "objdump -p '$d/app.efi' | grep -q 'format RSDS signature'"
check "other .data: objdump -p shows only CheckSum and the RSDS signature differ" \
    objdump_only "$d/app.efi" "$d/app-data.efi" CheckSum "(format RSDS"
check "other .data: objdump -s shows other .data contents" \
    bash -c "! cmp -s <(objdump -s -j .data '$d/app.efi' | tail -n +4) <(objdump -s -j .data '$d/app-data.efi' | tail -n +4)"
check "other .data: the same .silvermetal_notes" \
    cmp -s <(objdump -s -j .silvermetal_notes "$d/app.efi" | tail -n +4) <(objdump -s -j .silvermetal_notes "$d/app-data.efi" | tail -n +4)
# The debug directory entry and the CodeView record, where objdump -p and -h place them.
dir_rva=$(objdump -p "$d/app.efi" | awk '$1 == "Entry" && $2 == "6" { print $3 }')
read -r bid_vma bid_off < <(objdump -h "$d/app.efi" | awk '$2 == ".buildid" { print $4, $6 }')
image_base=$(objdump -p "$d/app.efi" | awk '$1 == "ImageBase" { print $2 }')
dir_off=$((16#$dir_rva + 16#$image_base - 16#$bid_vma + 16#$bid_off))
cv_off=$((16#$(objdump -p "$d/app.efi" | awk '$2 == "CodeView" { print $5 }')))
cp "$d/app.efi" "$d/app-debug-time.efi"
poke "$d/app-debug-time.efi" $((dir_off + 4)) 00f15365 # 1700000000
check "debug TimeDateStamp: A's is 0, B's 1700000000" test "$(u32 "$d/app.efi" $((dir_off + 4))),$(u32 "$d/app-debug-time.efi" $((dir_off + 4)))" = 0,1700000000
check "debug TimeDateStamp: only its 4 bytes differ" only_bytes_differ "$d/app.efi" "$d/app-debug-time.efi" $((dir_off + 4)) $((dir_off + 8))
cp "$d/app.efi" "$d/app-guid.efi"
poke "$d/app-guid.efi" $((cv_off + 4)) 00112233445566778899aabbccddeeff
check "CodeView GUID: objdump -p shows only the RSDS signature differ" objdump_only "$d/app.efi" "$d/app-guid.efi" "(format RSDS"
check "CodeView GUID: objdump -p shows B's" bash -c "objdump -p '$d/app-guid.efi' | grep -q '(format RSDS signature 33221100554477668899aabbccddeeff age 1'"
check "CodeView GUID: only its 16 bytes differ" only_bytes_differ "$d/app.efi" "$d/app-guid.efi" $((cv_off + 4)) $((cv_off + 20))
mkapp "$d/long.efi" "SilverMetal" "notes one" --enable-long-section-names
mkapp "$d/long-b.efi" "SilverMetal" "notes two" --enable-long-section-names
check "objdump -h shows the long name .silvermetal_notes" bash -c "objdump -h '$d/long.efi' | awk '\$2 == \".silvermetal_notes\"' | grep -q ."
check "the section table stores it as /<n> (a COFF string table offset)" test "$(section_names "$d/long.efi" | tr '\n' ' ')" = ".text .data /4 .idata "
check "long name: only that section's contents differ (objdump -s)" \
    bash -c "for j in .text .data .idata; do cmp -s <(objdump -s -j \$j '$d/long.efi' | tail -n +4) <(objdump -s -j \$j '$d/long-b.efi' | tail -n +4) || exit 1; done; ! cmp -s <(objdump -s -j .silvermetal_notes '$d/long.efi' | tail -n +4) <(objdump -s -j .silvermetal_notes '$d/long-b.efi' | tail -n +4)"

# sbsign: a certificate table appended by a real signature (a key made by openssl).
openssl req -new -x509 -newkey rsa:2048 -nodes -subj /CN=SilverMetal-test -days 3650 \
    -keyout "$d/key.pem" -out "$d/cert.pem" 2>/dev/null
sbsign --key "$d/key.pem" --cert "$d/cert.pem" --output "$d/grub-signed.efi" "$d/grub.efi" 2>/dev/null
sleep 1.1 # sbsign records the signing time: one second later, other signature bytes
sbsign --key "$d/key.pem" --cert "$d/cert.pem" --output "$d/grub-signed2.efi" "$d/grub.efi" 2>/dev/null
check "sbverify lists the signature" bash -c "sbverify --list '$d/grub-signed.efi' 2>/dev/null | grep -q 'subject: /CN=SilverMetal-test'"
check "objdump: the unsigned image has no Security Directory" bash -c "objdump -p '$d/grub.efi' | grep -q 'Entry 4 0000000000000000 00000000 Security'"
cert=$(objdump -p "$d/grub-signed.efi" | awk '$1 == "Entry" && $2 == "4" { print $3, $4 }')
read -r cert_off cert_size <<<"$cert"
check "objdump: the signed image has one (at the old end of the file)" test $((16#$cert_off)) = "$(stat -c %s "$d/grub.efi")"
check "the two signatures: objdump -p shows only the CheckSum differ (same Security Directory)" \
    objdump_only "$d/grub-signed.efi" "$d/grub-signed2.efi" CheckSum
check "the two signatures: bytes differ inside the certificate table" \
    bash -c "{ cmp -l '$d/grub-signed.efi' '$d/grub-signed2.efi' || true; } | awk -v c=$((16#$cert_off)) '\$1 - 1 >= c { n++ } END { exit !n }'"

# --- the pairs --------------------------------------------------------------------------------
pair identical "$d/grub.efi" "$d/grub-again.efi"
expect_status 0
validate "$OUT_ROOT/identical"

pair time "$d/grub.efi" "$d/grub-time.efi"
expect_status 1
validate "$OUT_ROOT/time"
expect_roots "$OUT_ROOT/time" "/x.efi :: @pe.coff.TimeDateStamp|header|embedded-timestamp"
assert_q "$OUT_ROOT/time" '[(d["a"], d["b"]) for d in diffs(loc=["/x.efi", "@pe.coff.TimeDateStamp"])] == [("2015-01-01T00:00:00Z", "2023-11-14T22:13:20Z")]'
assert_q "$OUT_ROOT/time" 'len(r["differences"]) == 2 and diffs(loc=["/x.efi"], kind="content")[0]["secondary"] is True'

pair checksum "$d/grub.efi" "$d/grub-sum.efi"
expect_status 1
validate "$OUT_ROOT/checksum"
expect_roots "$OUT_ROOT/checksum" "/x.efi :: @pe.optional.CheckSum|header|unknown"
assert_q "$OUT_ROOT/checksum" 'diffs(loc=["/x.efi", "@pe.optional.CheckSum"])[0]["a"] == "0x0"'

pair section "$d/grub.efi" "$d/grub-prefix.efi"
expect_status 1
validate "$OUT_ROOT/section"
expect_roots "$OUT_ROOT/section" "/x.efi :: @pe.section.mods|header|unknown"
assert_q "$OUT_ROOT/section" 'diffs(loc=["/x.efi", "@pe.section.mods"])[0]["detail"] == "section bytes differ"'

pair duplicate "$d/grub-dup.efi" "$d/grub-prefix-dup.efi"
expect_status 1
validate "$OUT_ROOT/duplicate"
expect_roots "$OUT_ROOT/duplicate" "/x.efi :: @pe.section..data#2|header|unknown"

# Other .data, linked by ld: the CheckSum and the CodeView GUID follow (derived: secondary).
pair data "$d/app.efi" "$d/app-data.efi"
expect_status 1
validate "$OUT_ROOT/data"
expect_roots "$OUT_ROOT/data" "/x.efi :: @pe.section..data|header|unknown"
assert_q "$OUT_ROOT/data" 'diffs(loc=["/x.efi", "@pe.optional.CheckSum"])[0]["secondary"] is True'
assert_q "$OUT_ROOT/data" 'diffs(loc=["/x.efi", "@pe.debug.codeview.guid"])[0]["secondary"] is True'
assert_q "$OUT_ROOT/data" 'not diffs(loc=["/x.efi", "@pe.section..buildid"])' # only the GUID differs in it

# The same objects linked at two SOURCE_DATE_EPOCHs: ld writes the TimeDateStamp and the
# CheckSum follows. The CheckSum is derived, but the walk makes a derived field secondary only
# when bytes outside every field differ too; here the two fields hold every differing byte, so
# it is reported beside the timestamp (not asserted either way).
SOURCE_DATE_EPOCH=1700003600 "$LD" --subsystem 10 -e start --build-id -o "$d/app-later.efi" "$d/app.efi.o"
check "relinked later: objdump -p shows only Time/Date and CheckSum differ" objdump_only "$d/app.efi" "$d/app-later.efi" Time/Date CheckSum
pair relink "$d/app.efi" "$d/app-later.efi"
expect_status 1
validate "$OUT_ROOT/relink"
assert_q "$OUT_ROOT/relink" '[(d["kind"], d["cause"], d["secondary"]) for d in diffs(loc=["/x.efi", "@pe.coff.TimeDateStamp"])] == [("header", "embedded-timestamp", False)]'
assert_q "$OUT_ROOT/relink" 'len(diffs(loc=["/x.efi", "@pe.optional.CheckSum"], kind="header")) == 1'
assert_q "$OUT_ROOT/relink" 'sorted(d["location"][-1] for d in r["differences"]) == ["/x.efi", "@pe.coff.TimeDateStamp", "@pe.optional.CheckSum"]'

pair debug-time "$d/app.efi" "$d/app-debug-time.efi"
expect_status 1
validate "$OUT_ROOT/debug-time"
expect_roots "$OUT_ROOT/debug-time" "/x.efi :: @pe.debug.TimeDateStamp|header|embedded-timestamp"
assert_q "$OUT_ROOT/debug-time" 'diffs(loc=["/x.efi", "@pe.debug.TimeDateStamp"])[0]["b"] == "2023-11-14T22:13:20Z"'

pair guid "$d/app.efi" "$d/app-guid.efi"
expect_status 1
validate "$OUT_ROOT/guid"
expect_roots "$OUT_ROOT/guid" "/x.efi :: @pe.debug.codeview.guid|header|random-id"
# The GUID as objdump -p prints it (Microsoft's mixed-endian order), with dashes.
assert_q "$OUT_ROOT/guid" 'diffs(loc=["/x.efi", "@pe.debug.codeview.guid"])[0]["b"] == "33221100-5544-7766-8899-aabbccddeeff"'
guid_a=$(objdump -p "$d/app.efi" | sed -n 's/.*format RSDS signature \([0-9a-f]*\) .*/\1/p')
assert_q "$OUT_ROOT/guid" 'diffs(loc=["/x.efi", "@pe.debug.codeview.guid"])[0]["a"].replace("-", "") == "'"$guid_a"'"'

pair long-name "$d/long.efi" "$d/long-b.efi"
expect_status 1
validate "$OUT_ROOT/long-name"
expect_roots "$OUT_ROOT/long-name" "/x.efi :: @pe.section..silvermetal_notes|header|unknown"

# Signed against unsigned: the certificate table's presence. The file grew by the signature,
# whose bytes lie in a range only B has: the walk pairs no such range, so the file's own
# difference stays a root beside the field.
pair signed "$d/grub.efi" "$d/grub-signed.efi"
expect_status 1
validate "$OUT_ROOT/signed"
expect_roots "$OUT_ROOT/signed" "/x.efi|content|unknown" "/x.efi :: @pe.certificate_table|header|unknown" \
    "/x.efi :: @pe.certificate_table.bytes|added|unknown"
assert_q "$OUT_ROOT/signed" '[(d["a"], d["b"]) for d in diffs(loc=["/x.efi", "@pe.certificate_table"])] == [("absent", "'$((16#$cert_size))' bytes at byte '$((16#$cert_off))'")]'
assert_q "$OUT_ROOT/signed" 'diffs(loc=["/x.efi", "@pe.optional.CheckSum"])[0]["secondary"] is True'

pair resigned "$d/grub-signed.efi" "$d/grub-signed2.efi"
expect_status 1
validate "$OUT_ROOT/resigned"
expect_roots "$OUT_ROOT/resigned" "/x.efi :: @pe.certificate_table.bytes|header|unknown"
assert_q "$OUT_ROOT/resigned" 'diffs(loc=["/x.efi", "@pe.optional.CheckSum"])[0]["secondary"] is True'

# Damaged: B cut inside its section "mods". Reported as a difference, the layer named.
head -c $((16#$mods + 100)) "$d/grub.efi" >"$d/grub-cut.efi"
pair truncated "$d/grub.efi" "$d/grub-cut.efi"
check "truncated: exit 1 or 2, not a crash ($status)" test "$status" = 1 -o "$status" = 2
validate "$OUT_ROOT/truncated"
assert_q "$OUT_ROOT/truncated" 'any("/x.efi: PE: section 3 (" in l and "mods" in l and "run past the end of the file from their start at byte '$((16#$mods))' (the file has '$((16#$mods + 100))' bytes)" in l for l in r["limits"])'
assert_q "$OUT_ROOT/truncated" 'diffs(loc=["/x.efi"], kind="content")[0]["secondary"] is False'

# --- inside an ISO: boot/grub/efi.img (FAT) holds EFI/boot/bootx64.efi -------------------------
# mtools stamps directory entries with the clock (see make-live-iso.sh): B's efi.img is A's with
# the PE file's bytes written in place, then checked with mtools.
mkdir -p "$d/esp/EFI/boot" "$d/iso-a/boot/grub" "$d/iso-b/boot/grub"
cp "$d/grub.efi" "$d/esp/EFI/boot/bootx64.efi"
find "$d/esp" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
mkfs.fat -C -n EFIBOOT -i 12345678 "$d/iso-a/boot/grub/efi.img" 1440 >/dev/null
mcopy -s -m -i "$d/iso-a/boot/grub/efi.img" "$d/esp/EFI" ::/
cp "$d/iso-a/boot/grub/efi.img" "$d/iso-b/boot/grub/efi.img"
"$PY" - "$d/iso-b/boot/grub/efi.img" "$d/grub.efi" "$d/grub-time.efi" <<'PYEOF'
import sys
img, a, b = sys.argv[1], open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
data = bytearray(open(img, "rb").read())
at = data.find(a)
assert at >= 0 and data.find(a, at + 1) < 0, "bootx64.efi is not stored contiguously once"
data[at:at + len(b)] = b
open(img, "wb").write(data)
PYEOF
mcopy -n -i "$d/iso-b/boot/grub/efi.img" ::/EFI/boot/bootx64.efi "$d/bootx64-b.efi"
mcopy -n -i "$d/iso-a/boot/grub/efi.img" ::/EFI/boot/bootx64.efi "$d/bootx64-a.efi"
check "mtools: A's efi.img holds A's PE, B's holds B's" bash -c "cmp -s '$d/bootx64-a.efi' '$d/grub.efi' && cmp -s '$d/bootx64-b.efi' '$d/grub-time.efi'"
check "mtools: the directories list alike" cmp -s <(mdir -/ -i "$d/iso-a/boot/grub/efi.img" ::/) <(mdir -/ -i "$d/iso-b/boot/grub/efi.img" ::/)
pe_bytes=$({ cmp -l "$d/grub.efi" "$d/grub-time.efi" || true; } | wc -l)
check "the efi.img files differ in as many bytes as the PE files ($pe_bytes)" test "$(cmp -l "$d/iso-a/boot/grub/efi.img" "$d/iso-b/boot/grub/efi.img" | wc -l)" = "$pe_bytes"
find "$d/iso-a" "$d/iso-b" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
for side in a b; do
    xorriso -as mkisofs -R -J -V SILVER_EFI -o "$d/efi-$side.iso" "$d/iso-$side" 2>/dev/null
done
check "the ISOs have the same size" test "$(stat -c %s "$d/efi-a.iso")" = "$(stat -c %s "$d/efi-b.iso")"
check "the ISOs differ in those bytes only" test "$(cmp -l "$d/efi-a.iso" "$d/efi-b.iso" | wc -l)" = "$pe_bytes"
out=$OUT_ROOT/iso
run_ds "$d/efi-a.iso" "$d/efi-b.iso" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/boot/grub/efi.img :: /EFI/boot/bootx64.efi :: @pe.coff.TimeDateStamp|header|embedded-timestamp"
assert_q "$out" 'all(d["secondary"] for d in r["differences"] if d["kind"] == "content")'
assert_q "$out" 'len(diffs(loc=["/boot/grub/efi.img", "/EFI/boot/bootx64.efi"], kind="content")) == 1'
finish
