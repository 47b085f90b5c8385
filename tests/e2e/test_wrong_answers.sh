#!/usr/bin/env bash
# Answers the comparer must get right, one small pair each, made with the real tools:
#   a  tar, one member's content differs: that member only (no inode/nlink "header" noise)
#   b  tar, only the zero padding after the end differs: the tar itself, no member differences
#   c  gzip, payload and MTIME differ: the payload difference stays a root beside the MTIME
#   d  gzip -1 against -9, same payload: compression-only; XFL follows from it
#   e  .pyc from sources with other code and mtime: the code difference stays a root
#   f  ELF with other debug info: every differing section reported, not only the first
#   g  FAT with mtools' lower-case 8.3 names (NT case flags): named as Linux vfat shows them
#   h  two plain text files: the checklist says nothing of squashfs
#   i  a directory against a file: different (exit 1, a "type" difference), not trouble
source "$(dirname "$0")/lib.sh"
source "$FIXTURES/lib.sh"
export TZ=UTC LC_ALL=C
d=$OUT_ROOT/data
mkdir -p "$d"
sde=1700000000
reproducible_tar() { tar --sort=name --mtime="@$sde" --owner=0 --group=0 --numeric-owner "$@"; }

# --- a: tar, one member's content ---------------------------------------------------
for side in a b; do
    mkdir -p "$d/a-tree-$side"/{etc,usr/bin}
    printf 'x=1\n' >"$d/a-tree-$side/etc/a.conf"
    blob 21 3000 >"$d/a-tree-$side/usr/bin/tool"
    chmod 0755 "$d/a-tree-$side/usr/bin/tool"
done
printf 'mode=fast\n' >"$d/a-tree-a/etc/b.conf"
printf 'mode=slow\n' >"$d/a-tree-b/etc/b.conf"
mkdir -p "$d/a-a" "$d/a-b"
reproducible_tar -C "$d/a-tree-a" -cf "$d/a-a/a.tar" .
reproducible_tar -C "$d/a-tree-b" -cf "$d/a-b/a.tar" .
check "a: tar lists the same members, sizes, times, owners and modes" \
    cmp -s <(tar -tvf "$d/a-a/a.tar" --full-time) <(tar -tvf "$d/a-b/a.tar" --full-time)
check "a: only etc/b.conf has other bytes" bash -c "! cmp -s <(tar -xOf '$d/a-a/a.tar' ./etc/b.conf) <(tar -xOf '$d/a-b/a.tar' ./etc/b.conf)"
out=$OUT_ROOT/a-tar-member
run_ds "$d/a-a/a.tar" "$d/a-b/a.tar" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/a.tar :: /etc/b.conf|content|unknown"
assert_q "$out" 'not any(d["cause"] == "cpio-metadata" for d in r["differences"])'
# No member header noise (today: "member inode/device/nlink fields differ" on every member).
assert_q "$out" 'not any(d["kind"] == "header" and len(d["location"]) == 2 for d in r["differences"])'
assert_q "$out" 'diffs(loc=["/a.tar"], kind="content")[0]["secondary"] is True'

# --- b: tar, only the end padding -----------------------------------------------------
mkdir -p "$d/b-a" "$d/b-b"
reproducible_tar -b 1 -C "$d/a-tree-a" -cf "$d/b-a/a.tar" .
reproducible_tar -b 20 -C "$d/a-tree-a" -cf "$d/b-b/a.tar" .
size_a=$(stat -c %s "$d/b-a/a.tar")
check "b: the tars differ in size" test "$size_a" != "$(stat -c %s "$d/b-b/a.tar")"
check "b: B is A followed by zero bytes" bash -c "cmp -s '$d/b-a/a.tar' <(head -c $size_a '$d/b-b/a.tar') &&
    test -z \"\$(tail -c +$((size_a + 1)) '$d/b-b/a.tar' | tr -d '\\000' | head -c 1)\""
check "b: the same members" cmp -s <(tar -tvf "$d/b-a/a.tar" --full-time) <(tar -tvf "$d/b-b/a.tar" --full-time)
out=$OUT_ROOT/b-tar-padding
run_ds "$d/b-a/a.tar" "$d/b-b/a.tar" "$out"
expect_status 1
validate "$out"
assert_q "$out" '[(d["location"], d["kind"]) for d in r["differences"] if not d["secondary"]] == [(["/a.tar"], "content")]'
assert_q "$out" 'not any(len(d["location"]) > 1 and d["location"][1].startswith("/") for d in r["differences"])'
assert_q "$out" 'not any(d["cause"] == "cpio-metadata" for d in r["differences"])'

# --- c: gzip, payload and MTIME ----------------------------------------------------------
mkdir -p "$d/c-a" "$d/c-b"
printf 'alpha release notes\n' >"$d/c-a/notes"
printf 'bravo release notes\n' >"$d/c-b/notes"
touch -d "@$sde" "$d/c-a/notes"
touch -d "@$((sde + 3600))" "$d/c-b/notes"
gzip -9 -c "$d/c-a/notes" >"$d/c-a/a.gz"
gzip -9 -c "$d/c-b/notes" >"$d/c-b/a.gz"
check "c: the payloads differ" bash -c "! cmp -s <(zcat '$d/c-a/a.gz') <(zcat '$d/c-b/a.gz')"
check "c: the MTIMEs differ" bash -c "! cmp -s <(head -c 8 '$d/c-a/a.gz' | tail -c 4) <(head -c 8 '$d/c-b/a.gz' | tail -c 4)"
out=$OUT_ROOT/c-gzip-payload-and-mtime
run_ds "$d/c-a/a.gz" "$d/c-b/a.gz" "$out"
expect_status 1
validate "$out"
assert_q "$out" 'diffs(loc=["/a.gz", "@gzip.mtime"])[0]["cause"] == "gzip-mtime" and diffs(loc=["/a.gz", "@gzip.mtime"])[0]["kind"] == "header" and diffs(loc=["/a.gz", "@gzip.mtime"])[0]["secondary"] is False'
assert_q "$out" 'diffs(loc=["/a.gz"], kind="content")[0]["secondary"] is False'
assert_q "$out" 'diffs(loc=["/a.gz"], kind="content")[0]["cause"] != "gzip-mtime"'

# --- d: gzip -1 against -9 ---------------------------------------------------------------
mkdir -p "$d/d-a" "$d/d-b"
for i in $(seq 1 3000); do printf 'line %d of the SilverMetal changelog, with words repeated\n' "$i"; done >"$d/d-a/log"
gzip -n -1 -c "$d/d-a/log" >"$d/d-a/a.gz"
gzip -n -9 -c "$d/d-a/log" >"$d/d-b/a.gz"
check "d: the same payload" cmp -s <(zcat "$d/d-a/a.gz") <(zcat "$d/d-b/a.gz")
check "d: other compressed bytes" bash -c "! cmp -s '$d/d-a/a.gz' '$d/d-b/a.gz'"
check "d: XFL 4 (fastest) against 2 (best)" \
    bash -c "test \"\$(od -An -tu1 -j8 -N1 '$d/d-a/a.gz' | tr -d ' ')\" = 4 && test \"\$(od -An -tu1 -j8 -N1 '$d/d-b/a.gz' | tr -d ' ')\" = 2"
out=$OUT_ROOT/d-gzip-level
run_ds "$d/d-a/a.gz" "$d/d-b/a.gz" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/a.gz|content|compression-only"
assert_q "$out" 'all(d["secondary"] for d in diffs(loc=["/a.gz", "@gzip.xfl"]))'

# --- e: .pyc with other code and another source mtime -----------------------------------
mkdir -p "$d/e-a" "$d/e-b"
printf 'def greet(name):\n    return "hello " + name\n' >"$d/e-a/mod.py"
printf 'def greet(name):\n    return "howdy " + name\n' >"$d/e-b/mod.py"
touch -d "@$((sde - 7200))" "$d/e-a/mod.py"
touch -d "@$((sde - 3600))" "$d/e-b/mod.py"
for side in a b; do
    (cd "$d/e-$side" && env -u SOURCE_DATE_EPOCH "$PY" -c \
        'import py_compile; py_compile.compile("mod.py", cfile="mod.pyc", invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP)')
done
check "e: the pyc headers record other source mtimes (bytes 8-11)" \
    bash -c "! cmp -s <(head -c 12 '$d/e-a/mod.pyc' | tail -c 4) <(head -c 12 '$d/e-b/mod.pyc' | tail -c 4)"
check "e: the code objects differ (after the 16-byte header)" \
    bash -c "! cmp -s <(tail -c +17 '$d/e-a/mod.pyc') <(tail -c +17 '$d/e-b/mod.pyc')"
out=$OUT_ROOT/e-pyc-code-and-mtime
run_ds "$d/e-a/mod.pyc" "$d/e-b/mod.pyc" "$out"
expect_status 1
validate "$out"
assert_q "$out" 'diffs(loc=["/mod.pyc"], kind="content")[0]["secondary"] is False'
assert_q "$out" 'diffs(loc=["/mod.pyc"], kind="content")[0]["cause"] != "pyc-timestamp"'
assert_q "$out" 'diffs(loc=["/mod.pyc", "@pyc.source_mtime"])[0]["cause"] == "pyc-timestamp"'

# --- f: ELF with other debug info ----------------------------------------------------------
# Both built in one directory from one file name, so that only the source differs.
mkdir -p "$d/f-build" "$d/f-a" "$d/f-b"
printf 'int counter;\nint main(void) { return counter; }\n' >"$d/f-build/x.c"
(cd "$d/f-build" && gcc -g -O0 -o "$d/f-a/x" x.c)
printf 'int counter;\nint silvermetal_unused_variable_with_a_long_name;\nint main(void) { return counter; }\n' >"$d/f-build/x.c"
(cd "$d/f-build" && gcc -g -O0 -o "$d/f-b/x" x.c)
section_size() { readelf -S -W "$1" | awk -v s="$2" '$2 == s { print $6 } $3 == s { print $7 }'; }
check "f: .debug_str sizes differ (readelf)" test "$(section_size "$d/f-a/x" .debug_str)" != "$(section_size "$d/f-b/x" .debug_str)"
check "f: .debug_info sizes differ (readelf)" test "$(section_size "$d/f-a/x" .debug_info)" != "$(section_size "$d/f-b/x" .debug_info)"
check "f: the build-ids differ (readelf)" \
    bash -c "! cmp -s <(readelf -n '$d/f-a/x' | grep 'Build ID') <(readelf -n '$d/f-b/x' | grep 'Build ID')"
out=$OUT_ROOT/f-elf-sections
run_ds "$d/f-a/x" "$d/f-b/x" "$out"
expect_status 1
validate "$out"
assert_q "$out" 'len(diffs(loc=["/x", "@elf.section..debug_str"])) >= 1'
assert_q "$out" 'len(diffs(loc=["/x", "@elf.section..debug_info"])) >= 1'
# The build-id follows from the other debug info: not a "build-id only" answer.
assert_q "$out" 'not any(d["cause"] == "build-id" and not d["secondary"] for d in r["differences"])'

# --- g: FAT with lower-case names ------------------------------------------------------------
# As make-live-iso.sh makes efi.img. B is a copy of A with bootx64.efi overwritten in place
# (mcopy -o), so that the directory entries (mtools 4.0.33 stamps creation times with the
# clock) are the same bytes and only the file's data differ.
mkdir -p "$d/g-esp/EFI/boot" "$d/g-a" "$d/g-b"
blob 5 30000 >"$d/g-esp/EFI/boot/bootx64.efi"
blob 6 30000 >"$d/g-new.efi"
find "$d/g-esp" "$d/g-new.efi" -exec touch -h -d "@$sde" {} +
mkfs.fat -C -n EFIBOOT -i 6553f100 "$d/g-a/efi.img" 1440 >/dev/null
mcopy -s -m -i "$d/g-a/efi.img" "$d/g-esp/EFI" ::/
cp "$d/g-a/efi.img" "$d/g-b/efi.img"
mcopy -o -m -i "$d/g-b/efi.img" "$d/g-new.efi" ::/EFI/boot/bootx64.efi
check "g: mtools lists the lower-case names" bash -c "mdir -b -/ -i '$d/g-b/efi.img' :: | grep -qx '::/EFI/boot/bootx64.efi'"
# Short entries "BOOT       " (NT byte 12: 0x08, base lower case) and "BOOTX64 EFI" (0x18,
# base and extension lower case), no long-name entries: Linux vfat shows "boot", "bootx64.efi".
check "g: 8.3 entries with the NT lower-case flags, no long names" "$PY" - "$d/g-a/efi.img" <<'PYEOF'
import sys
d = open(sys.argv[1], "rb").read()
def entry(name):
    i = d.index(name)
    assert i % 32 == 0, name
    return d[i:i + 32]
assert entry(b"BOOT       \x10")[12] == 0x08
assert entry(b"BOOTX64 EFI\x20")[12] == 0x18
assert entry(b"EFI        \x10")[12] == 0x00
# A long-name entry (attribute 0x0F) would stand right before its short entry.
assert all(d[d.index(n) - 32 + 11] != 0x0F for n in (b"BOOT       \x10", b"BOOTX64 EFI\x20")), "long-name entries"
PYEOF
check "g: bootx64.efi differs" bash -c "! cmp -s <(mtype -i '$d/g-a/efi.img' ::/EFI/boot/bootx64.efi) <(mtype -i '$d/g-b/efi.img' ::/EFI/boot/bootx64.efi)"
out=$OUT_ROOT/g-fat-names
run_ds "$d/g-a/efi.img" "$d/g-b/efi.img" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/efi.img :: /EFI/boot/bootx64.efi|content|unknown"
assert_q "$out" 'not any("BOOTX64.EFI" in e or "/BOOT" in e for d in r["differences"] for e in d["location"])'

# --- h: plain text files ------------------------------------------------------------------------
printf 'alpha\n' >"$d/h-a.txt"
printf 'bravo\n' >"$d/h-b.txt"
out=$OUT_ROOT/h-plain-checklist
run_ds "$d/h-a.txt" "$d/h-b.txt" "$out"
expect_status 1
validate "$out"
check "h: checklist.md does not speak of squashfs" bash -c "! grep -q 'File contents inside squashfs' '$out/checklist.md'"
check "h: checklist.md has a findings section for the file" grep -q '^### .*1 differences' "$out/checklist.md"

# --- i: a directory against a file ----------------------------------------------------------------
mkdir -p "$d/i-dir/etc"
printf 'x\n' >"$d/i-dir/etc/x"
out=$OUT_ROOT/i-dir-vs-file
run_ds "$d/i-dir" "$d/h-a.txt" "$out"
expect_status 1
validate "$out"
assert_q "$out" '[d["kind"] for d in r["differences"] if not d["secondary"]] == ["type"]'
assert_q "$out" 'r["identical"] is False and r["exit_status"] == 1'
finish
