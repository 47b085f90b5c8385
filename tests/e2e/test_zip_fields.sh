#!/usr/bin/env bash
# Zip member headers, one injected difference a pair, each pair made with the real tools (Info-ZIP
# zip, Python's zipfile) and checked with zipinfo -v (or the header bytes) before driftscope
# runs: the DOS time, Info-ZIP's UT mtime and atime, the Unix mode (external attributes) and
# the owner (ux), the MS-DOS attributes and another extra field (Python), member and archive
# comments, the method, a CRC-32 that follows from the content, an added member, ZIP64 archives;
# an identical pair; a truncated zip.
source "$(dirname "$0")/lib.sh"
export TZ=UTC
d=$OUT_ROOT/data
src=$OUT_ROOT/src
mkdir -p "$src"
t0=1700000000 # 2023-11-14T22:13:20Z, an even second (DOS times have two-second steps)

# fresh: the member files with fixed contents, modes, owners, mtimes and atimes (zip records
# the atime it reads before reading: each zip run gets the one set here).
fresh() {
    rm -rf "$src" && mkdir -p "$src"
    printf 'SilverMetal notes, part one.\n' >"$src/a.txt"
    seq 1 3000 >"$src/big.txt"
    chmod 0644 "$src/a.txt" "$src/big.txt"
    chown 0:0 "$src/a.txt" "$src/big.txt"
    touch -d "@$t0" "$src/a.txt" "$src/big.txt"
}
# izip SIDE [ZIP OPTIONS...]: $d/SIDE/x.zip from a.txt and big.txt (or $members) with Info-ZIP
# zip. big.txt's atime is set again first (the last run's read moved it); a.txt's is the
# caller's.
izip() {
    local side=$1
    shift
    mkdir -p "$d/$side"
    rm -f "$d/$side/x.zip"
    touch -a -d "@$t0" "$src/big.txt"
    (cd "$src" && zip -q "$@" "$d/$side/x.zip" ${members:-a.txt big.txt})
}
# pyzip OUT.zip EXTERNAL_ATTR EXTRA_HEX: Python's zipfile, one deflated member a.txt.
pyzip() {
    mkdir -p "$(dirname "$1")"
    "$PY" - "$@" <<'PYEOF'
import sys, zipfile
out, attr, extra = sys.argv[1], int(sys.argv[2], 0), bytes.fromhex(sys.argv[3])
with zipfile.ZipFile(out, "w") as z:
    info = zipfile.ZipInfo("a.txt", date_time=(2023, 11, 14, 22, 13, 20))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = attr
    info.extra = extra
    z.writestr(info, "SilverMetal notes, part one.\n")
PYEOF
}
# ut ZIP MEMBER: the UT field of the member's local header: "flags mtime atime".
ut() {
    "$PY" - "$1" "$2" <<'PYEOF'
import struct, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
i = z.getinfo(sys.argv[2])
f = open(sys.argv[1], "rb"); f.seek(i.header_offset)
h = f.read(30); n, m = struct.unpack("<HH", h[26:30]); f.read(n); extra = f.read(m)
at = 0
while at + 4 <= len(extra):
    hid, size = struct.unpack("<HH", extra[at:at + 4])
    if hid == 0x5455:
        data = extra[at + 4:at + 4 + size]
        print(data[0], *struct.unpack("<%di" % ((size - 1) // 4), data[1:1 + (size - 1) // 4 * 4]))
    at += 4 + size
PYEOF
}
# zv ZIP: zipinfo -v without the lines that name the file or give offsets and sizes of the
# archive's own records (they move whenever a header grows).
zv() {
    zipinfo -v "$1" 2>/dev/null | grep -v -e '^Archive:' -e 'Zip archive file size' -e 'offset of' \
        -e 'end-cent-dir record offset' -e 'The central directory is' -e '^  is [0-9]'
}
# differs_only A B 'ERE': the zipinfo -v reports differ, and only in (blank) lines matching it.
differs_only() {
    local diffs
    diffs=$(diff <(zv "$1") <(zv "$2") | grep '^[<>]' || true)
    [[ -n $diffs ]] && ! grep -v -E -e "^[<>] *\$" -e "^[<>] +($3)" <<<"$diffs" >/dev/null
}
# zip_run NAME: driftscope on $d/NAME-a/x.zip and $d/NAME-b/x.zip into $OUT_ROOT/NAME.
zip_run() {
    out=$OUT_ROOT/$1
    run_ds "$d/$1-a/x.zip" "$d/$1-b/x.zip" "$out"
    expect_status 1
    validate "$out"
}
sec() { assert_q "$out" "len(diffs(loc=$1)) == 1 and diffs(loc=$1)[0][\"secondary\"] is True"; }

# --- identical: the same files zipped twice ---------------------------------------------------
fresh; izip same-a -X; izip same-b -X
check "identical: the zips are byte-identical" cmp -s "$d/same-a/x.zip" "$d/same-b/x.zip"
out=$OUT_ROOT/same
run_ds "$d/same-a/x.zip" "$d/same-b/x.zip" "$out"
expect_status 0
validate "$out"
assert_q "$out" 'r["differences"] == []'

# --- the DOS time (zip -X: no UT field) -------------------------------------------------------
fresh; izip dos-a -X; touch -d "@$((t0 + 3600))" "$src/a.txt"; izip dos-b -X
check "dos: zipinfo shows another DOS time of a.txt, and nothing else differs" \
    differs_only "$d/dos-a/x.zip" "$d/dos-b/x.zip" 'file last modified on \(DOS date/time\):'
check "dos: no UT field (zip -X)" bash -c "! zipinfo -v '$d/dos-a/x.zip' | grep -q 'UT extra field'"
zip_run dos
expect_roots "$out" "/x.zip :: /a.txt|mtime|mtime"
assert_q "$out" 'diffs(loc=["/x.zip", "/a.txt"])[0]["a"] == "2023-11-14T22:13:20 (DOS, no zone)" and diffs(loc=["/x.zip", "/a.txt"])[0]["b"] == "2023-11-14T23:13:20 (DOS, no zone)"'

# --- the UT mtime alone: one second apart, the same two-second DOS time (zip rounds an odd
# second up: 22:13:21 and 22:13:22 are both 22:13:22) -----------------------------------------
fresh; touch -m -d "@$((t0 + 2))" "$src/a.txt"; izip utm-a
touch -m -d "@$((t0 + 1))" "$src/a.txt"; touch -a -d "@$t0" "$src/a.txt"; izip utm-b
check "utm: zipinfo shows another UT modtime of a.txt only" \
    differs_only "$d/utm-a/x.zip" "$d/utm-b/x.zip" 'file last modified on \(UT extra field modtime\):'
check "utm: the local UT fields are mtime+atime, mtime one second apart, atime equal" \
    test "$(ut "$d/utm-a/x.zip" a.txt) / $(ut "$d/utm-b/x.zip" a.txt)" = "3 $((t0 + 2)) $t0 / 3 $((t0 + 1)) $t0"
zip_run utm
expect_roots "$out" "/x.zip :: /a.txt :: @zip.member.ut.mtime|header|mtime"
assert_q "$out" 'diffs(loc=["/x.zip", "/a.txt", "@zip.member.ut.mtime"])[0]["b"] == "2023-11-14T22:13:21Z"'

# --- the DOS time and the UT mtime both (zip's default): both reported ------------------------
fresh; izip both-a; touch -m -d "@$((t0 + 3600))" "$src/a.txt"; touch -a -d "@$t0" "$src/a.txt"; izip both-b
check "both: zipinfo shows another DOS time and UT modtime of a.txt only" \
    differs_only "$d/both-a/x.zip" "$d/both-b/x.zip" 'file last modified on \((DOS date/time|UT extra field modtime)\):'
zip_run both
expect_roots "$out" "/x.zip :: /a.txt|mtime|mtime" "/x.zip :: /a.txt :: @zip.member.ut.mtime|header|mtime"

# --- the UT atime alone ----------------------------------------------------------------------
fresh; izip uta-a; touch -a -d "@$((t0 + 7200))" "$src/a.txt"; izip uta-b
check "uta: the local UT atime differs, the mtime does not" \
    test "$(ut "$d/uta-a/x.zip" a.txt) / $(ut "$d/uta-b/x.zip" a.txt)" = "3 $t0 $t0 / 3 $t0 $((t0 + 7200))"
check "uta: zipinfo -v (which does not show the atime) sees no difference" cmp -s <(zv "$d/uta-a/x.zip") <(zv "$d/uta-b/x.zip")
check "uta: the zips differ in 4 bytes (one 32-bit time)" \
    test "$(cmp -l "$d/uta-a/x.zip" "$d/uta-b/x.zip" | wc -l)" -le 4
zip_run uta
expect_roots "$out" "/x.zip :: /a.txt :: @zip.member.ut.atime|header|embedded-timestamp"

# --- the Unix mode in the external attributes (a umask of 002 against 022) -------------------
fresh; izip mode-a -X; chmod 0664 "$src/a.txt"; izip mode-b -X
check "mode: zipinfo shows -rw-r--r-- against -rw-rw-r-- for a.txt only" \
    differs_only "$d/mode-a/x.zip" "$d/mode-b/x.zip" 'Unix file attributes \((100644|100664) octal\):'
zip_run mode
expect_roots "$out" "/x.zip :: /a.txt|mode|umask"

# --- the owner, from Info-ZIP's ux field (0x7875) ---------------------------------------------
fresh; izip owner-a; chown 1000:1000 "$src/a.txt"; touch -a -d "@$t0" "$src/a.txt"; izip owner-b
check "owner: the zips differ only inside a.txt's ux fields (uid and gid bytes)" \
    bash -c "cmp -l '$d/owner-a/x.zip' '$d/owner-b/x.zip' | awk '\$3 != 0 && \$3 != 350 && \$3 != 3 { bad = 1 } END { exit bad || NR == 0 }'"
check "owner: zipinfo sees the same headers otherwise" differs_only "$d/owner-a/x.zip" "$d/owner-b/x.zip" '01 04 (00 00 00 00|e8 03 00 00) 04 (00 00 00 00|e8 03 00 00)\.'
zip_run owner
expect_roots "$out" "/x.zip :: /a.txt|owner|owner"

# --- the MS-DOS attributes (the archive bit, 0x20) and an extra field 0xcafe (Python) ---------
pyzip "$d/dosattr-a/x.zip" 0x81a40000 ''
pyzip "$d/dosattr-b/x.zip" 0x81a40020 ''
check "dosattr: zipinfo shows MS-DOS attributes 00 against 20" \
    differs_only "$d/dosattr-a/x.zip" "$d/dosattr-b/x.zip" 'MS-DOS file attributes \((00|20) hex\):'
zip_run dosattr
expect_roots "$out" "/x.zip :: /a.txt :: @zip.member.external_attr.dos|header|unknown"
pyzip "$d/extra-a/x.zip" 0x81a40000 ''
pyzip "$d/extra-b/x.zip" 0x81a40000 'feca0000'
check "extra: zipinfo shows a 0xcafe subfield in B only" \
    differs_only "$d/extra-a/x.zip" "$d/extra-b/x.zip" '(length of extra field: +[04] bytes|The central-directory extra field contains:|- A subfield with ID 0xcafe .unknown. and 0 data bytes.)'
check "extra: the local header has the same subfield (4 more bytes there too)" \
    test "$(($(stat -c %s "$d/extra-b/x.zip") - $(stat -c %s "$d/extra-a/x.zip")))" = 8
zip_run extra
# In the local header too, with the same bytes: one finding, at the central copy.
expect_roots "$out" "/x.zip :: /a.txt :: @zip.member.extra.0xcafe|header|unknown"
assert_q "$out" 'diffs(loc=["/x.zip", "/a.txt", "@zip.member.extra.0xcafe"])[0].get("a") is None and diffs(loc=["/x.zip", "/a.txt", "@zip.member.extra.0xcafe"])[0]["b"] == "fe ca 00 00"'

# --- a member comment (zip -c) and the archive comment (zip -z) -------------------------------
fresh; izip comment-a -X; printf 'built by hand\nmore\n' | (cd "$src" && zip -q -X -c "$d/comment-a/../comment-b.zip" a.txt big.txt)
mkdir -p "$d/comment-b" && mv "$d/comment-b.zip" "$d/comment-b/x.zip"
check "comment: zipinfo shows a file comment on a.txt in B only" \
    bash -c "zipinfo -v '$d/comment-b/x.zip' a.txt | grep -q 'built by hand' && ! zipinfo -v '$d/comment-a/x.zip' | grep -q 'built by hand'"
check "comment: zipinfo -v differs only in the comment lines" \
    differs_only "$d/comment-a/x.zip" "$d/comment-b/x.zip" '(There is no file comment.|length of file comment:.*|-+ file comment (begins|ends) -+)|(built by hand|more)$'
zip_run comment
expect_roots "$out" "/x.zip :: /a.txt :: @zip.member.comment|header|unknown" "/x.zip :: /big.txt :: @zip.member.comment|header|unknown"
assert_q "$out" 'diffs(loc=["/x.zip", "/a.txt", "@zip.member.comment"])[0]["b"] == "built by hand"'
sec '["/x.zip", "@zip.directory_size"]'
fresh; izip zcomment-a -X; izip zcomment-b -X -z <<<"SilverMetal 1.0 release"
check "zcomment: unzip -z shows the archive comment in B only" \
    bash -c "unzip -z '$d/zcomment-b/x.zip' | grep -q 'SilverMetal 1.0 release' && ! unzip -z '$d/zcomment-a/x.zip' | grep -q SilverMetal"
check "zcomment: the members are byte-identical" cmp -s <(head -c "$(($(stat -c %s "$d/zcomment-a/x.zip") - 22))" "$d/zcomment-a/x.zip") <(head -c "$(($(stat -c %s "$d/zcomment-a/x.zip") - 22))" "$d/zcomment-b/x.zip")
zip_run zcomment
expect_roots "$out" "/x.zip :: @zip.comment|header|unknown"
assert_q "$out" 'diffs(loc=["/x.zip", "@zip.comment"])[0]["b"] == "SilverMetal 1.0 release"'

# --- the method: stored (zip -0) against deflated ---------------------------------------------
# big.txt alone: zip -0 also leaves out the text bit of a.txt, which zip stores either way.
fresh; members=big.txt izip method-a -X; members=big.txt izip method-b -X -0
check "method: zipinfo shows big.txt deflated in A, stored in B" \
    bash -c "zipinfo -v '$d/method-a/x.zip' big.txt | grep -q 'compression method:.*deflated' && zipinfo -v '$d/method-b/x.zip' big.txt | grep -q 'compression method:.*none (stored)'"
check "method: the same bytes unzipped" cmp -s <(unzip -p "$d/method-a/x.zip" big.txt) <(unzip -p "$d/method-b/x.zip" big.txt)
zip_run method
expect_roots "$out" "/x.zip :: /big.txt :: @zip.member.method|header|compression-only"
# What follows from the method: the compressed size, the version needed, Info-ZIP's text bit.
for f in compressed_size version_needed internal_attr; do sec '["/x.zip", "/big.txt", "@zip.member.'$f'"]'; done
assert_q "$out" 'not any(d["kind"] == "content" for d in r["differences"] if len(d["location"]) > 1)'

# --- the CRC-32 follows from the content ------------------------------------------------------
fresh; izip crc-a -X; printf 'SilverMetal notes, part two.\n' >"$src/a.txt"; touch -d "@$t0" "$src/a.txt"; izip crc-b -X
check "crc: zipinfo shows another CRC of a.txt, the same size" \
    differs_only "$d/crc-a/x.zip" "$d/crc-b/x.zip" '32-bit CRC value \(hex\):'
zip_run crc
expect_roots "$out" "/x.zip :: /a.txt|content|unknown"
sec '["/x.zip", "/a.txt", "@zip.member.crc32"]'

# --- an added member (the member list) --------------------------------------------------------
fresh; izip added-a -X; printf 'new\n' >"$src/c.txt"; touch -d "@$t0" "$src/c.txt"
(cd "$src" && zip -q -X "$d/added-a/../added-b.zip" a.txt big.txt c.txt) && mkdir -p "$d/added-b" && mv "$d/added-b.zip" "$d/added-b/x.zip"
check "added: zipinfo lists c.txt in B only" \
    bash -c "test \"\$(zipinfo -1 '$d/added-b/x.zip' | tr '\n' ' ')\" = 'a.txt big.txt c.txt ' && test \"\$(zipinfo -1 '$d/added-a/x.zip' | tr '\n' ' ')\" = 'a.txt big.txt '"
zip_run added
expect_roots "$out" "/x.zip :: /c.txt|added|unknown"
sec '["/x.zip", "@zip.entries"]'

# --- ZIP64 (zip -fz): read through its end record; one DOS time apart -------------------------
fresh; izip zip64-a -X -fz; touch -d "@$((t0 + 3600))" "$src/a.txt"; izip zip64-b -X -fz
check "zip64: zipinfo sees ZIP64 records (version 4.5 needed)" \
    bash -c "zipinfo -v '$d/zip64-a/x.zip' a.txt | grep -q 'minimum software version required to extract:   4.5'"
check "zip64: the archives have the ZIP64 end records (PK 06 06 and 06 07)" \
    bash -c "grep -c \$'PK\x06\x06' '$d/zip64-a/x.zip' >/dev/null && grep -c \$'PK\x06\x07' '$d/zip64-b/x.zip' >/dev/null"
check "zip64: zipinfo shows another DOS time of a.txt only" \
    differs_only "$d/zip64-a/x.zip" "$d/zip64-b/x.zip" 'file last modified on \(DOS date/time\):'
zip_run zip64
expect_roots "$out" "/x.zip :: /a.txt|mtime|mtime"

# --- damaged: the end of central directory cut off -------------------------------------------
fresh; izip cut-a -X; mkdir -p "$d/cut-b"
head -c "$(($(stat -c %s "$d/cut-a/x.zip") - 10))" "$d/cut-a/x.zip" >"$d/cut-b/x.zip"
check "cut: unzip refuses the cut zip" bash -c "! unzip -t '$d/cut-b/x.zip' >/dev/null 2>&1"
out=$OUT_ROOT/cut
run_ds "$d/cut-a/x.zip" "$d/cut-b/x.zip" "$out"
check "cut: exit 1 or 2, not a crash (got $status)" test "$status" = 1 -o "$status" = 2
validate "$out"
assert_q "$out" 'any("x.zip" in l and "zip: no end of central directory record" in l for l in r["limits"])'
finish
