#!/usr/bin/env bash
# An initrd of three concatenated cpio archives (uncompressed early microcode, zstd main, xz
# overlay; make-initrd.sh): a member that differs in the third is found there, at
# [..., "/live/initrd.img", "/#3", "/etc/silver.conf"], with nothing reported in /#1 or #2; the
# same segments in another order are one "order" difference, no member differences.
source "$(dirname "$0")/lib.sh"
# How a segment of a concatenated archive is named in a location (1-based, in stream order).
# Segment elements start with "/" like every entry path (the schema allows only ^[/@]).
seg() { printf '/#%s' "$1"; }
a=$(image initrd-segments 1700000000 initrd-segments)
b=$(image initrd-seg3-member 1700000000 initrd-segments initrd-seg3-member)
c=$(image initrd-swap23 1700000000 initrd-segments initrd-swap23)

# The fixture, checked with the real tools.
x=$OUT_ROOT/extracted
mkdir -p "$x"
for side in a b c; do
    eval "iso=\$$side"
    osirrox -indev "$iso" -extract /live/initrd.img "$x/$side.img" >/dev/null 2>&1
done
check "the three initrds have the same size" \
    test "$(stat -c %s "$x/a.img" "$x/b.img" "$x/c.img" | sort -u | wc -l)" = 1
# Split A by hand: the early cpio ends after its TRAILER!!! (newc pads to 4 bytes, cpio to 512);
# the zstd frame follows, then the xz stream.
"$PY" - "$x/a.img" "$x/a" <<'PYEOF'
import sys
d = open(sys.argv[1], "rb").read()
z = d.index(b"\x28\xb5\x2f\xfd")
x = d.index(b"\xfd7zXZ\x00")
assert d[:6] == b"070701" and 0 < z < x
for n, (s, e) in enumerate([(0, z), (z, x), (x, len(d))], 1):
    open("%s.seg%d" % (sys.argv[2], n), "wb").write(d[s:e])
PYEOF
check "segment 1 is an uncompressed newc cpio holding the microcode" \
    bash -c "cpio -it --quiet <'$x/a.seg1' | grep -qx kernel/x86/microcode/GenuineIntel.bin"
check "segment 2 is a zstd newc cpio holding /init" bash -c "zstd -dc <'$x/a.seg2' | cpio -it --quiet | grep -qx init"
check "segment 3 is an xz (crc32) newc cpio holding /etc/silver.conf" \
    bash -c "xz -lvv '$x/a.seg3' | grep -q CRC32 && xz -dc <'$x/a.seg3' | cpio -it --quiet | grep -qx etc/silver.conf"
check "B: the same first two segments" cmp -s <(head -c "$(($(stat -c %s "$x/a.seg1") + $(stat -c %s "$x/a.seg2")))" "$x/b.img") \
    <(cat "$x/a.seg1" "$x/a.seg2")
check "C: the same segments, 2 and 3 swapped" cmp -s "$x/c.img" <(cat "$x/a.seg1" "$x/a.seg3" "$x/a.seg2")

out=$OUT_ROOT/seg3-member
run_ds "$a" "$b" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/live/initrd.img :: $(seg 3) :: /etc/silver.conf|content|unknown"
assert_q "$out" 'diffs(loc=["/live/initrd.img"], kind="content")[0]["secondary"] is True'
assert_q "$out" 'not any(e in ("'"$(seg 1)"'", "'"$(seg 2)"'") for d in r["differences"] for e in d["location"])'
assert_q "$out" 'not any(d["location"][-1] == "/etc/silver.conf" and "'"$(seg 3)"'" not in d["location"] for d in r["differences"])'

out=$OUT_ROOT/swap23
run_ds "$a" "$c" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/live/initrd.img :: @segments.order|order|archive-order"
assert_q "$out" 'not any(e.startswith("/") for d in r["differences"] for e in d["location"][1:])'

# The same pair as plain inputs: the location starts with the basename of A.
mkdir -p "$x/pa" "$x/pb"
cp "$x/a.img" "$x/pa/initrd.img"
cp "$x/b.img" "$x/pb/initrd.img"
out=$OUT_ROOT/plain
run_ds "$x/pa/initrd.img" "$x/pb/initrd.img" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/initrd.img :: $(seg 3) :: /etc/silver.conf|content|unknown"
finish
