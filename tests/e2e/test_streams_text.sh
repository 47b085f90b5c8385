#!/usr/bin/env bash
# Streams, bytecode and text that are not plain UTF-8, as plain inputs and inside a tar: lzma
# (xz --format=lzma), lzip and zlib streams (Python's zlib) decoded and compared like the other
# streams; a .pyc recognised by its magic under another name; Latin-1 and UTF-16 text diffed as
# text with the encoding named; a truncated zlib stream reported with its layer.
source "$(dirname "$0")/lib.sh"
d=$OUT_ROOT/data
mkdir -p "$d"
printf 'v1\nBuilt 2023-11-14 10:00\n' >"$d/t1"
printf 'v1\nBuilt 2023-11-15 12:00\n' >"$d/t2"
# roots_of NAME A B: runs driftscope on A B into $OUT_ROOT/NAME and prints nothing.
pair() {
    out=$OUT_ROOT/$1
    run_ds "$2" "$3" "$out"
}

# lzma and lzip: a date in the decoded text (checked with the real decoders).
xz --format=lzma -c "$d/t1" >"$d/a.lzma"
xz --format=lzma -c "$d/t2" >"$d/b.lzma"
lzip -c "$d/t1" >"$d/a.lz"
lzip -c "$d/t2" >"$d/b.lz"
check "the lzma files decode to the two texts" bash -c "xz --format=lzma -dc '$d/a.lzma' | cmp -s - '$d/t1' && xz --format=lzma -dc '$d/b.lzma' | cmp -s - '$d/t2'"
check "the lzip files decode to the two texts" bash -c "lzip -dc '$d/a.lz' | cmp -s - '$d/t1' && lzip -dc '$d/b.lz' | cmp -s - '$d/t2'"
for ext in lzma lz; do
    pair "$ext" "$d/a.$ext" "$d/b.$ext"
    expect_status 1
    validate "$out"
    expect_roots "$out" "/a.$ext|content|embedded-timestamp"
    assert_q "$out" "'$([[ $ext == lz ]] && echo lzip || echo lzma): decompressed' in diffs(loc=['/a.$ext'])[0]['detail']"
done

# zlib: the same text at another level (FLEVEL and the compressed bytes differ, the data not),
# and a date in the data (the Adler-32 follows).
"$PY" - "$d" <<'PYEOF'
import sys, zlib
d = sys.argv[1]
t1, t2 = open(d + "/t1", "rb").read(), open(d + "/t2", "rb").read()
open(d + "/a.zz", "wb").write(zlib.compress(t1, 6))
open(d + "/b.zz", "wb").write(zlib.compress(t2, 6))
open(d + "/l1.zz", "wb").write(zlib.compress(t1 * 50, 1))
open(d + "/l9.zz", "wb").write(zlib.compress(t1 * 50, 9))
PYEOF
check "zlib: level 1 and 9 decode to the same data" "$PY" -c "import zlib,sys; a,b=(zlib.decompress(open(p,'rb').read()) for p in sys.argv[1:]); sys.exit(a!=b)" "$d/l1.zz" "$d/l9.zz"
check "zlib: FLEVEL differs (byte 1: 0x01 vs 0xda)" bash -c "[[ \$(od -An -tx1 -j1 -N1 '$d/l1.zz') == ' 01' && \$(od -An -tx1 -j1 -N1 '$d/l9.zz') == ' da' ]]"
pair zlib-level "$d/l1.zz" "$d/l9.zz"
expect_status 1
validate "$out"
expect_roots "$out" "/l1.zz|content|compression-only"
assert_q "$out" 'diffs(loc=["/l1.zz", "@zlib.flevel"])[0]["secondary"] is True and diffs(loc=["/l1.zz", "@zlib.flevel"])[0]["a"] == "0"'
assert_q "$out" 'not diffs(loc=["/l1.zz", "@zlib.adler32"])'
pair zlib-data "$d/a.zz" "$d/b.zz"
expect_status 1
validate "$out"
expect_roots "$out" "/a.zz|content|embedded-timestamp"
assert_q "$out" 'diffs(loc=["/a.zz", "@zlib.adler32"])[0]["secondary"] is True'
# The same zlib streams inside a tar: found one level down.
for s in a b; do
    mkdir -p "$d/tar-$s"
    cp "$d/$s.zz" "$d/tar-$s/cache.zz"
    tar --mtime=@1700000000 --owner=0 --group=0 --numeric-owner -C "$d/tar-$s" -cf "$d/$s.tar" cache.zz
done
pair zlib-in-tar "$d/a.tar" "$d/b.tar"
expect_status 1
validate "$out"
expect_roots "$out" "/a.tar :: /cache.zz|content|embedded-timestamp"
# A truncated zlib stream: a valid report, the layer and the offset named.
head -c 20 "$d/l1.zz" >"$d/cut1.zz"
head -c 20 "$d/l9.zz" >"$d/cut9.zz"
pair zlib-truncated "$d/cut1.zz" "$d/cut9.zz"
expect_status 2
validate "$out"
assert_q "$out" 'r["truncated"] is True and any("zlib: the stream ends early, at byte 20" in m for m in r["limits"])'

# A .pyc under another name, recognised by its magic: only the recorded source mtime differs.
printf 'x = 1\n' >"$d/m.py"
touch -d @1700000000 "$d/m.py"
env -u SOURCE_DATE_EPOCH /usr/bin/python3 -c 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2])' "$d/m.py" "$d/cache-a.bin"
touch -d @1700003600 "$d/m.py"
env -u SOURCE_DATE_EPOCH /usr/bin/python3 -c 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2])' "$d/m.py" "$d/cache-b.bin"
check "the two .pyc differ in bytes 8-11 only" bash -c "[[ \$(cmp -l '$d/cache-a.bin' '$d/cache-b.bin' | awk '{print \$1}' | tr '\n' ' ') =~ ^(9|10|11|12)( (10|11|12))*\ \$ ]]"
pair pyc "$d/cache-a.bin" "$d/cache-b.bin"
expect_status 1
validate "$out"
expect_roots "$out" "/cache-a.bin :: @pyc.source_mtime|header|pyc-timestamp"

# Text in Latin-1 and UTF-16 (iconv): diffed as text, the encoding named, dates recognised.
printf 'Grüße aus Köln\nBuilt 2023-11-14\nEnde\n' | iconv -f UTF-8 -t LATIN1 >"$d/l1.txt"
printf 'Grüße aus Köln\nBuilt 2023-11-15\nEnde\n' | iconv -f UTF-8 -t LATIN1 >"$d/l2.txt"
check "the Latin-1 files are not UTF-8" bash -c "! iconv -f UTF-8 -t UTF-8 '$d/l1.txt' >/dev/null 2>&1"
pair latin1 "$d/l1.txt" "$d/l2.txt"
expect_status 1
validate "$out"
expect_roots "$out" "/l1.txt|content|embedded-timestamp"
assert_q "$out" 'diffs(loc=["/l1.txt"])[0]["detail"].endswith("text in ISO-8859-1")'
assert_file_contains "$out/sqfs-diff.txt" "text in ISO-8859-1, decoded to UTF-8 for this diff"
assert_file_contains "$out/sqfs-diff.txt" " Grüße aus Köln"
assert_file_contains "$out/sqfs-diff.txt" "+Built 2023-11-15"
printf 'Grüße\nBuilt 2023-11-14\n' | iconv -f UTF-8 -t UTF-16 >"$d/u1.txt"
printf 'Grüße\nBuilt 2023-11-15\n' | iconv -f UTF-8 -t UTF-16 >"$d/u2.txt"
check "the UTF-16 files start with a byte order mark" bash -c "[[ \$(head -c2 '$d/u1.txt' | od -An -tx1) == ' ff fe' ]]"
pair utf16 "$d/u1.txt" "$d/u2.txt"
expect_status 1
validate "$out"
expect_roots "$out" "/u1.txt|content|embedded-timestamp"
assert_q "$out" 'diffs(loc=["/u1.txt"])[0]["detail"].endswith("text in UTF-16LE")'
assert_file_contains "$out/sqfs-diff.txt" "-Built 2023-11-14"
# The same text in two encodings.
printf 'Grüße\n' >"$d/same-utf8.txt"
printf 'Grüße\n' | iconv -f UTF-8 -t LATIN1 >"$d/same-latin1.txt"
pair encodings "$d/same-utf8.txt" "$d/same-latin1.txt"
expect_status 1
validate "$out"
assert_q "$out" 'diffs(loc=["/same-utf8.txt"])[0]["detail"].endswith("the same text in another encoding; text in A UTF-8, B ISO-8859-1")'
# Binary data is not taken for Latin-1 text.
# (fixed pseudo-random bytes, byte 100 inverted: with /dev/urandom and a fixed new byte, one run
# in 256 wrote the byte already there and the pair was identical)
"$PY" -c 'import random, sys
data = bytearray(random.Random(7).randbytes(4096))
open(sys.argv[1], "wb").write(data)
data[100] ^= 0xff
open(sys.argv[2], "wb").write(data)' "$d/r1.bin" "$d/r2.bin"
pair binary "$d/r1.bin" "$d/r2.bin"
expect_status 1
assert_q "$out" '"text" not in diffs(loc=["/r1.bin"])[0]["detail"]'
finish
