#!/usr/bin/env bash
# .deb packages (dpkg-deb -b) and plain ar archives (GNU ar), one injected difference a pair,
# each fixture checked with ar tv, dpkg-deb -c or the header bytes: control.tar.* and
# data.tar.* recompressed (gzip/xz, xz/zstd, none/xz: one member each, the compressor change
# reported once, compression-only when the tars are equal), recompressed with a changed file
# inside (the tar compared member by member), the ar member mtimes (SOURCE_DATE_EPOCH),
# debian-binary's content, the name form (dpkg-deb against GNU ar); a plain ar's member owner,
# mode, mtime, order, an added member and GNU's symbol table; an identical pair; a cut .deb.
source "$(dirname "$0")/lib.sh"
export TZ=UTC
d=$OUT_ROOT/data
mkdir -p "$d"
t0=1700000000
old=1600000000 # every file of the package trees: older than any SOURCE_DATE_EPOCH used

# mkpkg DIR [README]: a package tree (control, a README, a copyright file).
mkpkg() {
    rm -rf "$1"
    mkdir -p "$1/DEBIAN" "$1/usr/share/doc/silver-tools"
    printf 'Package: silver-tools\nVersion: 1.0\nArchitecture: all\nMaintainer: SilverMetal builders <builders@silvermetal.example>\nDescription: tools of the SilverMetal base system\n' \
        >"$1/DEBIAN/control"
    printf '%s\n' "${2:-SilverMetal tools, release one.}" >"$1/usr/share/doc/silver-tools/README"
    printf 'License: CC0-1.0\n' >"$1/usr/share/doc/silver-tools/copyright"
    chmod 0644 "$1/DEBIAN/control" "$1"/usr/share/doc/silver-tools/*
    find "$1" -exec touch -h -d "@$old" {} +
}
# deb NAME SDE COMPRESSION [README]: $d/NAME/silver.deb built by dpkg-deb.
deb() {
    mkpkg "$d/pkg-$1" "${4:-}"
    mkdir -p "$d/$1"
    SOURCE_DATE_EPOCH=$2 dpkg-deb --root-owner-group "-Z$3" --build "$d/pkg-$1" "$d/$1/silver.deb" >/dev/null
}
members() { ar t "$d/$1/silver.deb" | tr '\n' ' '; }
# listing NAME: dpkg-deb -c of the package (members, modes, owners, sizes, times).
listing() { dpkg-deb -c "$d/$1/silver.deb"; }
deb_run() { # deb_run A B OUT: driftscope on the two packages
    out=$OUT_ROOT/$3
    run_ds "$d/$1/silver.deb" "$d/$2/silver.deb" "$out"
    expect_status 1
    validate "$out"
}
sec() { assert_q "$out" "len(diffs(loc=$1)) == 1 and diffs(loc=$1)[0][\"secondary\"] is True"; }
# ar_names FILE: each member header's 16-byte name field, one a line, as Python repr.
ar_names() {
    "$PY" - "$1" <<'PYEOF'
import sys
data = open(sys.argv[1], "rb").read()
at = 8
while at + 60 <= len(data):
    h = data[at:at + 60]
    print(repr(h[:16]))
    size = int(h[48:58].decode().strip())
    at += 60 + size + (size & 1)
PYEOF
}

# --- identical: the same tree built twice -----------------------------------------------------
deb same-a $t0 xz
deb same-b $t0 xz
check "identical: dpkg-deb builds the same bytes twice" cmp -s "$d/same-a/silver.deb" "$d/same-b/silver.deb"
out=$OUT_ROOT/same
run_ds "$d/same-a/silver.deb" "$d/same-b/silver.deb" "$out"
expect_status 0
validate "$out"
assert_q "$out" 'r["differences"] == []'

# --- recompressed: gzip against xz, xz against zstd, none against xz -------------------------
# recompressed A B ZA ZB (ZA/ZB: the members' suffixes, "" for none)
recompressed() {
    local a=$1 b=$2 za=$3 zb=$4
    check "$a/$b: ar lists debian-binary control.tar$za data.tar$za / control.tar$zb data.tar$zb" \
        test "$(members "$a")/$(members "$b")" = "debian-binary control.tar$za data.tar$za /debian-binary control.tar$zb data.tar$zb "
    check "$a/$b: dpkg-deb -c lists the same members, modes, owners, sizes and times" cmp -s <(listing "$a") <(listing "$b")
    check "$a/$b: the same control.tar and data.tar once decompressed" \
        bash -c "cmp -s <(dpkg-deb --ctrl-tarfile '$d/$a/silver.deb') <(dpkg-deb --ctrl-tarfile '$d/$b/silver.deb') && cmp -s <(dpkg-deb --fsys-tarfile '$d/$a/silver.deb') <(dpkg-deb --fsys-tarfile '$d/$b/silver.deb')"
    deb_run "$a" "$b" "$a-$b"
    expect_roots "$out" "/silver.deb :: /control.tar$za :: @stream.compressor|header|compression-only" \
        "/silver.deb :: /data.tar$za :: @stream.compressor|header|compression-only"
    local ca=${za#.} cb=${zb#.}
    case $ca in gz) ca=gzip ;; zst) ca=zstd ;; esac
    case $cb in gz) cb=gzip ;; zst) cb=zstd ;; esac
    assert_q "$out" "[(x.get('a'), x.get('b')) for x in diffs(kind='header') if x['location'][-1] == '@stream.compressor'] == [('${ca:-none}', '${cb:-none}')] * 2"
    sec "[\"/silver.deb\", \"/data.tar$za\"]"
    assert_q "$out" "'named /data.tar$zb in B' in diffs(loc=['/silver.deb', '/data.tar$za'])[0]['detail']"
    assert_q "$out" 'not any(x["kind"] in ("added", "removed") for x in r["differences"])'
}
deb z-gzip $t0 gzip
deb z-xz $t0 xz
deb z-zstd $t0 zstd
deb z-none $t0 none
recompressed z-gzip z-xz .gz .xz
recompressed z-xz z-zstd .xz .zst
recompressed z-none z-xz "" .xz

# --- recompressed, and a file inside changed: the tars compared member by member -------------
deb changed-a $t0 gzip
deb changed-b $t0 xz "SilverMetal tools, release two."
check "changed: dpkg-deb -c lists the same members and sizes" cmp -s <(listing changed-a) <(listing changed-b)
check "changed: the README differs" \
    bash -c "! cmp -s <(dpkg-deb --fsys-tarfile '$d/changed-a/silver.deb' | tar -xO ./usr/share/doc/silver-tools/README) <(dpkg-deb --fsys-tarfile '$d/changed-b/silver.deb' | tar -xO ./usr/share/doc/silver-tools/README)"
check "changed: the copyright is equal" \
    bash -c "cmp -s <(dpkg-deb --fsys-tarfile '$d/changed-a/silver.deb' | tar -xO ./usr/share/doc/silver-tools/copyright) <(dpkg-deb --fsys-tarfile '$d/changed-b/silver.deb' | tar -xO ./usr/share/doc/silver-tools/copyright)"
deb_run changed-a changed-b changed
expect_roots "$out" "/silver.deb :: /control.tar.gz :: @stream.compressor|header|compression-only" \
    "/silver.deb :: /data.tar.gz :: @stream.compressor|header|unknown" \
    "/silver.deb :: /data.tar.gz :: /usr/share/doc/silver-tools/README|content|unknown"
assert_q "$out" 'diffs(loc=["/silver.deb", "/data.tar.gz", "@stream.compressor"])[0]["detail"].endswith("the decompressed data differ")'
sec '["/silver.deb", "/data.tar.gz"]'

# --- the ar member mtimes: another SOURCE_DATE_EPOCH, the same tars -----------------------------
deb sde-a $t0 xz
deb sde-b $((t0 + 3600)) xz
check "sde: ar tv shows every member an hour later" \
    bash -c "ar tv '$d/sde-a/silver.deb' | grep -c 'Nov 14 22:13 2023' | grep -qx 3 && ar tv '$d/sde-b/silver.deb' | grep -c 'Nov 14 23:13 2023' | grep -qx 3"
for m in debian-binary control.tar.xz data.tar.xz; do
    check "sde: $m has the same bytes" cmp -s <(ar p "$d/sde-a/silver.deb" "$m") <(ar p "$d/sde-b/silver.deb" "$m")
done
deb_run sde-a sde-b sde
expect_roots "$out" "/silver.deb :: /debian-binary|mtime|mtime" "/silver.deb :: /control.tar.xz|mtime|mtime" \
    "/silver.deb :: /data.tar.xz|mtime|mtime"
assert_q "$out" 'diffs(loc=["/silver.deb", "/debian-binary"])[0]["b"] == "2023-11-14T23:13:20Z"'

# --- debian-binary's content (both repacked by GNU ar, deterministic mode) --------------------
for side in a b; do
    mkdir -p "$d/dbin-$side/x"
    (cd "$d/dbin-$side/x" && ar x "$d/sde-a/silver.deb")
done
printf '2.1\n' >"$d/dbin-b/x/debian-binary"
for side in a b; do
    (cd "$d/dbin-$side/x" && ar rcD ../silver.deb debian-binary control.tar.xz data.tar.xz)
done
check "dbin: ar p debian-binary: 2.0 against 2.1" \
    test "$(ar p "$d/dbin-a/silver.deb" debian-binary)/$(ar p "$d/dbin-b/silver.deb" debian-binary)" = "2.0/2.1"
check "dbin: ar tv lists the same members, owners, modes, sizes and dates" \
    cmp -s <(ar tv "$d/dbin-a/silver.deb") <(ar tv "$d/dbin-b/silver.deb")
check "dbin: the archives differ in one byte" test "$(cmp -l "$d/dbin-a/silver.deb" "$d/dbin-b/silver.deb" | wc -l)" = 1
deb_run dbin-a dbin-b dbin
expect_roots "$out" "/silver.deb :: /debian-binary|content|unknown"
assert_q "$out" '"text" in diffs(loc=["/silver.deb", "/debian-binary"])[0]["detail"]'
check "dbin: the checklist shows the text diff (-2.0 +2.1)" bash -c "grep -qx -- '  -2.0' '$out/checklist.md' && grep -qx -- '  +2.1' '$out/checklist.md'"

# --- the name form: dpkg-deb's space-padded names against GNU ar's '/' ------------------------
deb form-a 0 xz
mkdir -p "$d/form-b/x"
(cd "$d/form-b/x" && ar x "$d/form-a/silver.deb" && ar rcD ../silver.deb debian-binary control.tar.xz data.tar.xz)
check "form: the name fields are 'debian-binary   ' against 'debian-binary/  ' (and so on)" \
    test "$(ar_names "$d/form-a/silver.deb" | tr '\n' ' ')/$(ar_names "$d/form-b/silver.deb" | tr '\n' ' ')" = \
    "b'debian-binary   ' b'control.tar.xz  ' b'data.tar.xz     ' /b'debian-binary/  ' b'control.tar.xz/ ' b'data.tar.xz/    ' "
check "form: ar tv lists the same members, owners, modes, sizes and dates" \
    cmp -s <(ar tv "$d/form-a/silver.deb") <(ar tv "$d/form-b/silver.deb")
deb_run form-a form-b form
expect_roots "$out" "/silver.deb :: /debian-binary :: @ar.member.name_form|header|unknown" \
    "/silver.deb :: /control.tar.xz :: @ar.member.name_form|header|unknown" \
    "/silver.deb :: /data.tar.xz :: @ar.member.name_form|header|unknown"
assert_q "$out" 'diffs(loc=["/silver.deb", "/debian-binary", "@ar.member.name_form"])[0]["b"] == "'"'/' after the name (GNU ar)"'"'

# --- a plain ar (GNU ar, real mode U): member owner, mode, mtime, order, an added member -------
src=$OUT_ROOT/src
fresh() {
    rm -rf "$src" && mkdir -p "$src"
    printf 'one\n' >"$src/m.txt"
    printf 'two\n' >"$src/n.txt"
    printf 'three\n' >"$src/o.txt"
    chmod 0644 "$src"/*.txt
    chown 0:0 "$src"/*.txt
    touch -d "@$t0" "$src"/*.txt
}
mkar() { # mkar SIDE MEMBER...: $d/SIDE/x.a
    local side=$1
    shift
    mkdir -p "$d/$side"
    rm -f "$d/$side/x.a"
    (cd "$src" && ar rcU "$d/$side/x.a" "$@")
}
ar_run() {
    out=$OUT_ROOT/$1
    run_ds "$d/$1-a/x.a" "$d/$1-b/x.a" "$out"
    expect_status 1
    validate "$out"
}
# tv_differs NAME: the ar tv listings differ, in n.txt's line only.
tv_differs() {
    diff <(ar tvU "$d/$1-a/x.a") <(ar tvU "$d/$1-b/x.a") | grep '^[<>]' | awk '$NF != "n.txt" { bad = 1 } END { exit bad || NR != 2 }'
}
fresh; mkar owner-a m.txt n.txt; chown 1000:1000 "$src/n.txt"; mkar owner-b m.txt n.txt
check "owner: ar tv shows n.txt owned by 1000/1000 in B, nothing else differs" \
    bash -c "ar tvU '$d/owner-b/x.a' | grep -q ' 1000/1000 .* n.txt\$' && $(declare -f tv_differs); d='$d' tv_differs owner"
ar_run owner
expect_roots "$out" "/x.a :: /n.txt|owner|owner"
fresh; mkar mode-a m.txt n.txt; chmod 0664 "$src/n.txt"; mkar mode-b m.txt n.txt
check "mode: ar tv shows n.txt rw-rw-r-- in B, nothing else differs" \
    bash -c "ar tvU '$d/mode-b/x.a' | grep -q '^rw-rw-r-- .* n.txt\$' && $(declare -f tv_differs); d='$d' tv_differs mode"
ar_run mode
expect_roots "$out" "/x.a :: /n.txt|mode|umask"
fresh; mkar mtime-a m.txt n.txt; touch -d "@$((t0 + 60))" "$src/n.txt"; mkar mtime-b m.txt n.txt
check "mtime: ar tv shows n.txt a minute later in B, nothing else differs" \
    bash -c "ar tvU '$d/mtime-b/x.a' | grep -q 'Nov 14 22:14 2023 n.txt\$' && $(declare -f tv_differs); d='$d' tv_differs mtime"
ar_run mtime
expect_roots "$out" "/x.a :: /n.txt|mtime|mtime"
fresh; mkar order-a m.txt n.txt; mkar order-b n.txt m.txt
check "order: ar t lists m.txt n.txt against n.txt m.txt" \
    test "$(ar t "$d/order-a/x.a" | tr '\n' ' ')/$(ar t "$d/order-b/x.a" | tr '\n' ' ')" = "m.txt n.txt /n.txt m.txt "
ar_run order
expect_roots "$out" "/x.a :: @ar.order|order|archive-order"
fresh; mkar added-a m.txt n.txt; mkar added-b m.txt n.txt o.txt
check "added: ar t lists o.txt in B only" \
    test "$(ar t "$d/added-a/x.a" | tr '\n' ' ')/$(ar t "$d/added-b/x.a" | tr '\n' ' ')" = "m.txt n.txt /m.txt n.txt o.txt "
ar_run added
expect_roots "$out" "/x.a :: /o.txt|added|unknown"

# --- GNU's symbol table: an index (ar s) in A, none (ar S) in B; long names in both -----------
fresh
printf 'int silver_long_function_name(void) { return 1; }\n' >"$src/a_rather_long_object_name.c"
gcc -c -o "$src/a_rather_long_object_name.o" "$src/a_rather_long_object_name.c"
mkdir -p "$d/symbols-a" "$d/symbols-b"
(cd "$src" && ar rcsD "$d/symbols-a/x.a" a_rather_long_object_name.o m.txt && ar rcSD "$d/symbols-b/x.a" a_rather_long_object_name.o m.txt)
check "symbols: nm -s shows an index in A only" \
    bash -c "nm -s '$d/symbols-a/x.a' 2>/dev/null | grep -q 'Archive index' && ! nm -s '$d/symbols-b/x.a' 2>/dev/null | grep -q 'Archive index'"
check "symbols: the headers are '/', '//', the long name and m.txt in A; the same without '/' in B" \
    test "$(ar_names "$d/symbols-a/x.a" | tr '\n' ' ')/$(ar_names "$d/symbols-b/x.a" | tr '\n' ' ')" = \
    "b'/               ' b'//              ' b'/0              ' b'm.txt/          ' /b'//              ' b'/0              ' b'm.txt/          ' "
ar_run symbols
expect_roots "$out" "/x.a :: /(GNU symbol table)|removed|unknown"

# --- damaged: a .deb cut inside data.tar.xz -------------------------------------------------
mkdir -p "$d/cut-b"
head -c "$(($(stat -c %s "$d/sde-a/silver.deb") - 100))" "$d/sde-a/silver.deb" >"$d/cut-b/silver.deb"
check "cut: dpkg-deb refuses the cut package" bash -c "! dpkg-deb -c '$d/cut-b/silver.deb' >/dev/null 2>&1"
out=$OUT_ROOT/cut
run_ds "$d/sde-a/silver.deb" "$d/cut-b/silver.deb" "$out"
check "cut: exit 1 or 2, not a crash (got $status)" test "$status" = 1 -o "$status" = 2
validate "$out"
assert_q "$out" 'any("silver.deb" in l and "ar member /data.tar.xz (header at offset " in l for l in r["limits"])'
finish
