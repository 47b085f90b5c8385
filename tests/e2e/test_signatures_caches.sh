#!/usr/bin/env bash
# The generated caches and binary databases of CAUSES.md table 1e (and the initrd's caches of
# 1d): one squashfs pair of two root trees, each cache made by the real tool that makes it in
# a build, each differing file at its own path; every location is asserted with its cause and
# notes tag, nothing else is a root, and beside each row a file at the row's path whose content
# does not show the row's signature is not given the row's cause.
#
# Made by the real tools: ldconfig (aux-cache), fc-cache (fontconfig cache), mandb (index.db),
# apt-cache gencaches (pkgcache.bin) and apt-ftparchive (a Release list), gtk-update-icon-cache,
# appstreamcli (the .xb silo), gdk-pixbuf-query-loaders (loaders.cache), python3's marshal (a
# .pyc), db5.3_load (Berkeley DB), uuidgen --random (libuuid's uuid_generate_random), cpio and
# gzip (the initrd). Crafted, where no tool here makes the difference (each says why below):
# the .xb GUID, the GTK cache's content, the PNG tIME chunk, the JKS keystore, the TeX files.
source "$(dirname "$0")/lib.sh"
W=$OUT_ROOT/work
mkdir -p "$W"
A=$W/a B=$W/b
SDE=1700000000
mkdir -p "$A" "$B"
both() { for d in "$@"; do mkdir -p "$A/$d" "$B/$d"; done; }

# ldconfig -r: the aux-cache records the inode numbers and ctimes of the two copies' libraries.
ldconfig_root() { # DIR
    mkdir -p "$1/etc" "$1/var/cache/ldconfig" "$1/usr/lib/x86_64-linux-gnu"
    cp -a /usr/lib/x86_64-linux-gnu/libz.so.1* "$1/usr/lib/x86_64-linux-gnu/"
    echo /usr/lib/x86_64-linux-gnu >"$1/etc/ld.so.conf"
    ldconfig -r "$1" 2>/dev/null
}

# fc-cache into DIR/var/cache/fontconfig, the font directory's mtime MTIME, SOURCE_DATE_EPOCH unset.
fonts=$W/fonts
mkdir -p "$fonts"
cp /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf "$fonts/"
fontconfig_cache() { # DIR MTIME
    mkdir -p "$1/var/cache/fontconfig"
    printf '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig><dir>%s</dir><cachedir>%s</cachedir></fontconfig>\n' \
        "$fonts" "$1/var/cache/fontconfig" >"$W/fonts.conf"
    touch -d "@$2" "$fonts/DejaVuSans.ttf" "$fonts"
    env -u SOURCE_DATE_EPOCH FONTCONFIG_FILE=$W/fonts.conf fc-cache -f
}

for side in a b; do
    R=$W/$side
    [[ $side == a ]] && t=$SDE || t=$((SDE + 3600))
    ldconfig_root "$R"
    rm -rf "$R/usr/lib/x86_64-linux-gnu" "$R/etc/ld.so.cache"
    fontconfig_cache "$R" "$t"
done
caches_a=("$A"/var/cache/fontconfig/*.cache-*)
fc_cache=/var/cache/fontconfig/$(basename "${caches_a[0]}")
check "fc-cache wrote the same cache name on both sides" test -s "$B$fc_cache"
check "the fontconfig caches differ only in the directory mtime (bytes 48-63)" bash -c \
    "cmp -l '$A$fc_cache' '$B$fc_cache' | awk '\$1 < 49 || \$1 > 64 {bad=1} END {exit bad}'"
check "the aux-caches differ" bash -c "! cmp -s '$A/var/cache/ldconfig/aux-cache' '$B/var/cache/ldconfig/aux-cache'"
# Older fontconfig wrote a random UUID into each font directory's .uuid (uuid_generate_random):
# made here by uuidgen --random, which calls it. Negative: a .uuid holding no UUID.
both usr/share/fonts/truetype/silver usr/share/fonts/truetype/other
for side in a b; do
    uuidgen --random >"$W/$side/usr/share/fonts/truetype/silver/.uuid"
    printf 'none-%s\n' "$side" >"$W/$side/usr/share/fonts/truetype/other/.uuid"
done
# Negative: a file at the fontconfig cache path that is not a cache (no 0xFC02FC04 magic).
printf 'not a cache, build A\n' >"$A/var/cache/fontconfig/notes-le64.cache-8"
printf 'not a cache, build B\n' >"$B/var/cache/fontconfig/notes-le64.cache-8"

# mandb: index.db (gdbm) records the mtimes of the manual pages it indexed.
mkdir -p "$W/man/man1"
printf '.TH HELLO 1\n.SH NAME\nhello \\- say hello\n' | gzip -n >"$W/man/man1/hello.1.gz"
for side in a b; do
    [[ $side == a ]] && t=$SDE || t=$((SDE + 3600))
    touch -d "@$t" "$W/man/man1/hello.1.gz" "$W/man/man1"
    mkdir -p "$W/$side/var/cache/man"
    printf 'MANDB_MAP %s %s\n' "$W/man" "$W/$side/var/cache/man" >"$W/man-$side.conf"
    mandb -C "$W/man-$side.conf" -c -q "$W/man" >/dev/null 2>&1
    printf 'man-db notes %s\n' "$side" >"$W/$side/var/cache/man/notes.txt" # negative: not gdbm
    rm -rf "$W/$side/var/cache/man/cat1"
done
check "mandb wrote index.db (gdbm magic) on both sides" bash -c \
    "[[ \$(od -An -tx1 -N4 '$A/var/cache/man/index.db') == ' cf 9a 57 13' ]] && ! cmp -s '$A/var/cache/man/index.db' '$B/var/cache/man/index.db'"

# apt-cache gencaches with a private Dir:: (never the host's): pkgcache.bin records the mtime
# of the dpkg status file it was built from. apt-ftparchive writes a Release list with Date:.
: >"$W/apt-empty.conf"
for side in a b; do
    R=$W/$side
    [[ $side == a ]] && t=$SDE || t=$((SDE + 86400))
    mkdir -p "$R/var/lib/dpkg" "$R/var/cache/apt" "$R/var/lib/apt/lists/partial" "$R/etc/apt/apt.conf.d" \
        "$R/etc/apt/sources.list.d" && : >"$R/etc/apt/sources.list"
    printf 'Package: hello\nStatus: install ok installed\nPriority: optional\nSection: misc\nMaintainer: x <x@example.org>\nArchitecture: amd64\nVersion: 1.0\nDescription: hi\n hello\n\n' >"$W/status-$side"
    touch -d "@$t" "$W/status-$side"
    APT_CONFIG=$W/apt-empty.conf apt-cache -o Dir="$R" -o Dir::State::status="$W/status-$side" \
        -o Dir::Etc::Parts="$R/etc/apt/apt.conf.d" -o APT::Architecture=amd64 -o Dir::Cache::pkgcache=pkgcache.bin \
        -o Dir::Cache::srcpkgcache=srcpkgcache.bin gencaches >/dev/null
    mkdir -p "$W/repo-$side"
    (cd "$W/repo-$side" && apt-ftparchive -o APT::FTPArchive::Release::Origin=Silver \
        -o APT::FTPArchive::Release::Date="$(date -u -R -d "@$t")" release . \
        >"$R/var/lib/apt/lists/deb.example.org_dists_stable_Release")
    rm -rf "$R/etc/apt"
    # srcpkgcache.bin is dropped: whether it differs varies from run to run.
    rm -f "$R/var/cache/apt/srcpkgcache.bin"
    # A Packages list: apt-ftparchive over one package built by dpkg-deb at the side's date.
    mkdir -p "$W/deb-$side/DEBIAN" "$W/debs-$side"
    printf 'Package: silver-hello\nVersion: 1.0\nArchitecture: all\nMaintainer: x <x@example.org>\nDescription: hi\n' \
        >"$W/deb-$side/DEBIAN/control"
    SOURCE_DATE_EPOCH=$t dpkg-deb --root-owner-group -Zgzip -b "$W/deb-$side" "$W/debs-$side/silver-hello_1.0_all.deb" >/dev/null
    (cd "$W/debs-$side" && apt-ftparchive packages . 2>/dev/null >"$R/var/lib/apt/lists/deb.example.org_dists_stable_main_binary-amd64_Packages")
    printf 'junk %s\n' "$side" >"$R/var/lib/apt/lists/notes" # negative: no list
    printf 'junk %s\n' "$side" >"$R/var/cache/apt/notes.bin" # negative: not a pkgCache
    rmdir "$R/var/lib/apt/lists/partial"
done
check "pkgcache.bin (magic dc 76 fe 98) differs" bash -c \
    "[[ \$(od -An -tx1 -N4 '$A/var/cache/apt/pkgcache.bin') == ' dc 76 fe 98' ]] && ! cmp -s '$A/var/cache/apt/pkgcache.bin' '$B/var/cache/apt/pkgcache.bin'"
check "the Packages lists differ (the package's size and hashes)" bash -c \
    "! cmp -s '$A/var/lib/apt/lists/deb.example.org_dists_stable_main_binary-amd64_Packages' '$B/var/lib/apt/lists/deb.example.org_dists_stable_main_binary-amd64_Packages'"
check "the Release lists differ only in their Date: line" bash -c \
    "! cmp -s '$A/var/lib/apt/lists/deb.example.org_dists_stable_Release' '$B/var/lib/apt/lists/deb.example.org_dists_stable_Release' && diff '$A/var/lib/apt/lists/deb.example.org_dists_stable_Release' '$B/var/lib/apt/lists/deb.example.org_dists_stable_Release' | grep '^[<>]' | grep -v '^[<>] Date: ' | wc -l | grep -qx 0"

# gtk-update-icon-cache: 3.24.38 writes the same bytes for a theme read in reversed order (on
# tmpfs, readdir returns the newest entry first): checked here, so the order difference cannot
# be made with it. The pair is two real caches of one theme without and with one more icon;
# the negative is a file at a theme's cache path that is no icon cache.
T=$(mktemp -d /dev/shm/ds-icons.XXXXXX)
for side in a b; do
    mkdir -p "$T/$side/hicolor/16x16/apps" "$T/rev-$side/hicolor/16x16/apps"
    printf '[Icon Theme]\nName=Hicolor\nDirectories=16x16/apps\n[16x16/apps]\nSize=16\n' >"$T/$side/hicolor/index.theme"
    cp "$T/$side/hicolor/index.theme" "$T/rev-$side/hicolor/index.theme"
done
names=$(seq -f 'icon%03g' 1 200)
for n in $names; do printf 'x' >"$T/a/hicolor/16x16/apps/$n.png"; printf 'x' >"$T/b/hicolor/16x16/apps/$n.png"; done
for n in $names; do printf 'x' >"$T/rev-a/hicolor/16x16/apps/$n.png"; done
for n in $(printf '%s\n' $names | tac); do printf 'x' >"$T/rev-b/hicolor/16x16/apps/$n.png"; done
printf 'x' >"$T/b/hicolor/16x16/apps/zz-extra.png"
for d in a b rev-a rev-b; do gtk-update-icon-cache -q -f -t "$T/$d/hicolor"; done
check "gtk-update-icon-cache ignores readdir order (reversed theme: same bytes)" \
    cmp -s "$T/rev-a/hicolor/icon-theme.cache" "$T/rev-b/hicolor/icon-theme.cache"
both usr/share/icons/hicolor usr/share/icons/Other
for side in a b; do
    cp "$T/$side/hicolor/icon-theme.cache" "$W/$side/usr/share/icons/hicolor/icon-theme.cache"
    printf 'placeholder %s\n' "$side" >"$W/$side/usr/share/icons/Other/icon-theme.cache"
done
rm -rf "$T"

# appstreamcli refresh-cache: libxmlb 0.3.10 derives the silo GUID from its content, so two
# runs give the same bytes (checked). B's GUID (bytes 8-23) is crafted, as by libxmlb < 0.3.7;
# the negative is the same silo with one byte changed past the GUID.
mkdir -p "$W/as/data"
printf '<?xml version="1.0" encoding="UTF-8"?>\n<components version="0.14" origin="silver">\n<component type="desktop-application"><id>org.example.hello</id><name>Hello</name><summary>Says hello</summary><pkgname>hello</pkgname></component>\n</components>\n' >"$W/as/data/org.example.hello.xml"
for c in c1 c2; do appstreamcli refresh-cache --force --cachepath "$W/as/$c" --datapath "$W/as/data" >/dev/null 2>&1; done
xb=("$W"/as/c1/*.xb)
check "appstreamcli wrote the same silo twice" cmp -s "${xb[0]}" "$W/as/c2/$(basename "${xb[0]}")"
both var/cache/swcatalog/cache
cp "${xb[0]}" "$A/var/cache/swcatalog/cache/C-os-catalog.xb"
cp "${xb[0]}" "$A/var/cache/swcatalog/cache/C-other.xb"
"$PY" - "${xb[0]}" "$B/var/cache/swcatalog/cache" <<'PYEOF'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
guid = bytearray(data)
guid[8:24] = bytes(range(0x10, 0x20))
open(sys.argv[2] + "/C-os-catalog.xb", "wb").write(guid)
other = bytearray(data)
other[40] ^= 0x01
open(sys.argv[2] + "/C-other.xb", "wb").write(other)
PYEOF

# gdk-pixbuf-query-loaders writes its modules in the order it reads them (readdir order in a
# build): the same loaders in another order. The negative: a loaders.cache with other lines.
L=/usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/2.10.0/loaders
mods=("$L"/libpixbufloader-{ani,bmp,gif,ico}.so)
both usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/2.10.0 usr/lib/other/gdk-pixbuf-2.0/2.10.0
/usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/gdk-pixbuf-query-loaders "${mods[@]}" >"$A/usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/2.10.0/loaders.cache"
/usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/gdk-pixbuf-query-loaders "${mods[3]}" "${mods[2]}" "${mods[1]}" "${mods[0]}" >"$B/usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/2.10.0/loaders.cache"
/usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/gdk-pixbuf-query-loaders "${mods[0]}" "${mods[1]}" >"$A/usr/lib/other/gdk-pixbuf-2.0/2.10.0/loaders.cache"
/usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/gdk-pixbuf-query-loaders "${mods[0]}" "${mods[3]}" >"$B/usr/lib/other/gdk-pixbuf-2.0/2.10.0/loaders.cache"
check "the loaders.cache pair has the same lines in another order" bash -c \
    "f=usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/2.10.0/loaders.cache; ! cmp -s '$A'/\$f '$B'/\$f && cmp -s <(sort '$A'/\$f) <(sort '$B'/\$f)"

# python3's marshal flags an object FLAG_REF when more than one reference to it is held while
# dumping: the same code object, dumped with and without another reference to its first
# constant, as a timestamp pyc with the same header. Negative: a pyc whose code differs.
both usr/lib/python3/dist-packages/silver/__pycache__
"$PY" - "$A" "$B" <<'PYEOF'
import importlib._bootstrap_external as be, marshal, sys
src = "DATA = ('alpha', 'beta')\nMORE = [DATA]\n"
def pyc(code):
    return bytes(be._code_to_timestamp_pyc(code, 1700000000, len(src)))
code = compile(src, "/usr/lib/python3/dist-packages/silver/refs.py", "exec")
d = "/usr/lib/python3/dist-packages/silver/__pycache__/"
open(sys.argv[1] + d + "refs.cpython-311.pyc", "wb").write(pyc(code))
held = code.co_consts[0]  # a second reference while marshal walks the constants
open(sys.argv[2] + d + "refs.cpython-311.pyc", "wb").write(pyc(code))
del held
for side, value in ((1, "'alpha'"), (2, "'gamma'")):
    other = compile("X = %s\n" % value, "/usr/lib/python3/dist-packages/silver/other.py", "exec")
    open(sys.argv[side] + d + "other.cpython-311.pyc", "wb").write(pyc(other))
PYEOF
check "the pycs differ by FLAG_REF (0x80) on one type byte, and ref indices" "$PY" -c '
import sys
f = "/usr/lib/python3/dist-packages/silver/__pycache__/refs.cpython-311.pyc"
a, b = open(sys.argv[1] + f, "rb").read(), open(sys.argv[2] + f, "rb").read()
d = [i for i in range(len(a)) if a[i] != b[i]]
sys.exit(not (len(a) == len(b) and a[:16] == b[:16] and any(a[i] ^ b[i] == 0x80 for i in d) and len(d) > 1))
' "$A" "$B"

# db5.3_load: a Berkeley DB hash file loaded twice from one dump has another file uid.
# Negative: a *.db that is not Berkeley DB.
both var/lib/silver
printf 'VERSION=3\nformat=print\ntype=hash\nHEADER=END\n key1\n value1\n key2\n value2\nDATA=END\n' >"$W/dump.txt"
for side in a b; do
    db5.3_load -f "$W/dump.txt" "$W/$side/var/lib/silver/names.db"
    printf 'plain text store %s\n' "$side" >"$W/$side/var/lib/silver/plain.db"
done
check "the two Berkeley DB files differ at the uid (bytes 52-71) and beyond" bash -c \
    "cmp -l '$A/var/lib/silver/names.db' '$B/var/lib/silver/names.db' | awk '\$1 >= 53 && \$1 <= 72 {u++} END {exit !(u > 0)}'"

# uuidgen --random (libuuid's uuid_generate_random, as maintainer scripts call it): a cache
# holding one as text and one as 16 bytes. Negative: a cache whose differing token is hex
# but no UUID.
both var/cache/silver
for side in a b; do
    printf 'instance=%s\nname=silver\n' "$(uuidgen --random)" >"$W/$side/var/cache/silver/instance.conf"
    { printf 'SLVR'; uuidgen --random | tr -d '\n-' | xxd -r -p; printf 'tail'; } >"$W/$side/var/cache/silver/instance.bin"
done
printf 'token=0123456789abcdef\n' >"$A/var/cache/silver/token.conf"
printf 'token=fedcba9876543210\n' >"$B/var/cache/silver/token.conf"

# Crafted (no tool here writes a tIME chunk; python3's zlib, following the PNG spec): a 1x1
# PNG with another tIME; the negative is a PNG whose image data differs.
# Crafted JKS keystores (the JDK's keytool is no dependency of this project; the layout of
# OpenJDK's JavaKeyStore, an openssl-made certificate): the same entry with another creation
# date and so another SHA-1; the negative (in the second initrd) differs in a certificate byte.
# Crafted TeX files (TeX Live is no dependency of this project): a format dump (gzip, as web2c
# writes it; magic W2TX) with another dump date, a .fmt without the magic as the negative,
# an updmap.log whose only differing line is its date; the negative log differs in a word.
both usr/share/silver var/lib/texmf/web2c/pdftex etc/ssl/certs/java
openssl req -x509 -newkey rsa:1024 -nodes -keyout /dev/null -subj /CN=silver-ca -days 1 -outform DER \
    -out "$W/ca.der" 2>/dev/null
"$PY" - "$A" "$B" "$W" <<'PYEOF'
import gzip, hashlib, struct, sys, zlib
A, B, W = sys.argv[1:4]
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
def png(stamp, pixel):
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"tIME", struct.pack(">HBBBBB", *stamp)) +
            chunk(b"IDAT", zlib.compress(b"\x00" + bytes([pixel]))) + chunk(b"IEND", b""))
open(A + "/usr/share/silver/logo.png", "wb").write(png((2023, 11, 14, 22, 13, 20), 0))
open(B + "/usr/share/silver/logo.png", "wb").write(png((2023, 11, 15, 22, 13, 20), 0))
open(A + "/usr/share/silver/photo.png", "wb").write(png((2023, 11, 14, 22, 13, 20), 0))
open(B + "/usr/share/silver/photo.png", "wb").write(png((2023, 11, 14, 22, 13, 20), 255))
der = open(W + "/ca.der", "rb").read()
def jks(date_ms, cert):
    body = struct.pack(">III", 0xFEEDFEED, 2, 1)
    alias = b"debian:silver-ca.pem"
    body += struct.pack(">IH", 2, len(alias)) + alias + struct.pack(">Q", date_ms)
    body += struct.pack(">H", 5) + b"X.509" + struct.pack(">I", len(cert)) + cert
    return body + hashlib.sha1("changeit".encode("utf-16-be") + b"Mighty Aphrodite" + body).digest()
open(A + "/etc/ssl/certs/java/cacerts", "wb").write(jks(1700000000000, der))
open(B + "/etc/ssl/certs/java/cacerts", "wb").write(jks(1700086400000, der))
other = bytearray(der)
other[-1] ^= 1
open(W + "/cacerts-a", "wb").write(jks(1700000000000, der))
open(W + "/cacerts-b", "wb").write(jks(1700000000000, bytes(other)))
fmt = "/var/lib/texmf/web2c/pdftex/pdflatex.fmt"
open(A + fmt, "wb").write(gzip.compress(b"W2TX" + bytes(range(64)) + b"dumped 2023.11.14", mtime=0))
open(B + fmt, "wb").write(gzip.compress(b"W2TX" + bytes(range(64)) + b"dumped 2023.11.15", mtime=0))
open(A + "/var/lib/texmf/web2c/pdftex/other.fmt", "wb").write(gzip.compress(b"no magic a", mtime=0))
open(B + "/var/lib/texmf/web2c/pdftex/other.fmt", "wb").write(gzip.compress(b"no magic b", mtime=0))
log = "updmap is creating new map files\nusing the following configuration:\n  LW35 font names: URWkb\n%s\n"
open(A + "/var/lib/texmf/web2c/updmap.log", "w").write(log % "# Generated by updmap on Tue Nov 14 22:13:20 UTC 2023")
open(B + "/var/lib/texmf/web2c/updmap.log", "w").write(log % "# Generated by updmap on Wed Nov 15 22:13:20 UTC 2023")
open(A + "/var/lib/texmf/web2c/fmtutil.log", "w").write(log % "format pdflatex built")
open(B + "/var/lib/texmf/web2c/fmtutil.log", "w").write(log % "format pdflatex failed")
PYEOF
if command -v keytool >/dev/null; then # the crafted keystore is one the JDK reads (when it is here)
    check "keytool reads the crafted keystore" bash -c "keytool -list -keystore '$A/etc/ssl/certs/java/cacerts' -storepass changeit -noprompt 2>/dev/null | grep -q silver-ca"
fi

# The initrd: cpio (newc, --reproducible) of a tree with the real aux-cache and fontconfig
# cache of each side, gzip -n. The second initrd holds negatives: an aux-cache and a cacerts
# that do not show their rows' signatures.
initrd() { # OUT TREE
    find "$2" -exec touch -h -d "@$SDE" {} +
    (cd "$2" && find . | LC_ALL=C sort | cpio -o -H newc --reproducible -R 0:0 --quiet) | gzip -n -9 >"$1"
}
both boot
for side in a b; do
    R=$W/$side I=$W/initrd-$side N=$W/initrd-neg-$side
    mkdir -p "$I/var/cache/ldconfig" "$I/var/cache/fontconfig" "$N/var/cache/ldconfig" "$N/etc/ssl/certs/java"
    cp "$R/var/cache/ldconfig/aux-cache" "$I/var/cache/ldconfig/"
    cp "$R$fc_cache" "$I/var/cache/fontconfig/"
    initrd "$R/boot/initrd.img" "$I"
    printf 'stale %s\n' "$side" >"$N/var/cache/ldconfig/aux-cache"
    cp "$W/cacerts-$side" "$N/etc/ssl/certs/java/cacerts"
    initrd "$R/boot/initrd-neg.img" "$N"
done

for side in a b; do
    find "$W/$side" -exec touch -h -d "@$SDE" {} +
    SOURCE_DATE_EPOCH=$SDE mksquashfs "$W/$side" "$W/$side.squashfs" -noappend -all-root -no-progress -quiet >/dev/null
done
out=$OUT_ROOT/pair
run_ds "$W/a.squashfs" "$W/b.squashfs" "$out"
expect_status 1
validate "$out"
I=/boot/initrd.img N=/boot/initrd-neg.img
positives=(
    "/var/cache/ldconfig/aux-cache|content|ldconfig-aux-cache"
    "$fc_cache|content|fontconfig-cache"
    "/usr/share/fonts/truetype/silver/.uuid|content|fontconfig-cache"
    "$I :: /var/cache/ldconfig/aux-cache|content|ldconfig-aux-cache"
    "$I :: $fc_cache|content|fontconfig-cache"
    "/var/cache/man/index.db|content|man-db-index"
    "/var/cache/apt/pkgcache.bin|content|apt-cache"
    "/var/lib/apt/lists/deb.example.org_dists_stable_Release|content|apt-cache"
    "/var/lib/apt/lists/deb.example.org_dists_stable_main_binary-amd64_Packages|content|apt-cache"
    "/usr/share/icons/hicolor/icon-theme.cache|content|gtk-icon-cache"
    "/var/cache/swcatalog/cache/C-os-catalog.xb|content|xmlb-guid"
    "/usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/2.10.0/loaders.cache|content|cache-order"
    "/usr/lib/python3/dist-packages/silver/__pycache__/refs.cpython-311.pyc|content|pyc-marshal-ref"
    "/var/lib/silver/names.db|content|berkeley-db"
    "/var/cache/silver/instance.conf|content|random-uuid"
    "/var/cache/silver/instance.bin|content|random-uuid"
    "/usr/share/silver/logo.png|content|png-timestamp"
    "/etc/ssl/certs/java/cacerts|content|java-cacerts"
    "/var/lib/texmf/web2c/pdftex/pdflatex.fmt|content|tex-format"
    "/var/lib/texmf/web2c/updmap.log|content|tex-format"
)
# Each negative: at a path of the row (the row's cause is not given), as unknown content.
negatives=(
    "/var/cache/fontconfig/notes-le64.cache-8|fontconfig-cache"
    "/usr/share/fonts/truetype/other/.uuid|fontconfig-cache"
    "$N :: /var/cache/ldconfig/aux-cache|ldconfig-aux-cache"
    "$N :: /etc/ssl/certs/java/cacerts|java-cacerts"
    "/var/cache/man/notes.txt|man-db-index"
    "/var/cache/apt/notes.bin|apt-cache"
    "/var/lib/apt/lists/notes|apt-cache"
    "/usr/share/icons/Other/icon-theme.cache|gtk-icon-cache"
    "/var/cache/swcatalog/cache/C-other.xb|xmlb-guid"
    "/usr/lib/other/gdk-pixbuf-2.0/2.10.0/loaders.cache|cache-order"
    "/usr/lib/python3/dist-packages/silver/__pycache__/other.cpython-311.pyc|pyc-marshal-ref"
    "/var/lib/silver/plain.db|berkeley-db"
    "/var/cache/silver/token.conf|random-uuid"
    "/usr/share/silver/photo.png|png-timestamp"
    "/var/lib/texmf/web2c/fmtutil.log|tex-format"
    "/var/lib/texmf/web2c/pdftex/other.fmt|tex-format"
)
want=("${positives[@]}")
for n in "${negatives[@]}"; do
    want+=("${n%|*}|content|unknown")
    loc=$(printf '"%s", ' ${n%|*})
    loc=${loc//'"::", '/}
    assert_q "$out" "[d['cause'] for d in diffs(loc=[${loc%, }], kind='content')] not in ([], ['${n##*|}'])"
done
expect_roots "$out" "${want[@]}"
# The reproducible-builds notes tags of the causes that have one.
for pair in "fontconfig-cache=randomness_in_fontconfig_uuid_files" "gtk-icon-cache=nondeterministic_gtk_icon_cache" \
    "png-timestamp=timestamps_in_png" "berkeley-db=randomness_in_berkeley_db_files"; do
    assert_q "$out" "{d.get('notes_tag') for d in r['differences'] if d['cause'] == '${pair%%=*}' and not d['secondary']} == {'${pair#*=}'}"
done
assert_q "$out" "all('notes_tag' not in d or d['notes_tag'] is None for d in r['differences'] if d['cause'] in ('apt-cache', 'xmlb-guid', 'cache-order', 'pyc-marshal-ref', 'random-uuid', 'java-cacerts', 'tex-format'))"
# The evidence names the signature.
assert_q "$out" "'bytes 48-49' in diffs(loc=['$fc_cache'], kind='content')[0]['detail']"
assert_q "$out" "'0x98FE76DC' in diffs(loc=['/var/cache/apt/pkgcache.bin'], kind='content')[0]['detail']"
assert_q "$out" "'bytes 8-23' in diffs(loc=['/var/cache/swcatalog/cache/C-os-catalog.xb'], kind='content')[0]['detail']"
assert_q "$out" "'FLAG_REF' in diffs(loc=['/usr/lib/python3/dist-packages/silver/__pycache__/refs.cpython-311.pyc'], kind='content')[0]['detail']"
assert_q "$out" "all(d.get('fix') for d in r['differences'] if not d['secondary'] and d['cause'] != 'unknown')"

finish
