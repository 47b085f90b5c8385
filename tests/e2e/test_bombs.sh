#!/usr/bin/env bash
# Hostile nesting ends at a named limit with a clear message, in bounded memory: a zip of zips
# twelve deep and a gzip of gzips thirty deep (--max-depth), a zip member of 300 MB of zeros
# (the decompression-ratio bound, under --max-memory 48M), a tar member claiming 8 GiB in a
# 10 KB archive.
source "$(dirname "$0")/lib.sh"
d=$OUT_ROOT/data
mkdir -p "$d"
"$PY" - "$d" <<'PYEOF'
import gzip, io, sys, zipfile
d = sys.argv[1]
def member(z, name, data):
    info = zipfile.ZipInfo(name, date_time=(2023, 11, 14, 22, 13, 20))
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)
def nested_zip(text, depth):
    data, name = text, "payload.txt"
    for _ in range(depth):
        b = io.BytesIO()
        with zipfile.ZipFile(b, "w") as z:
            member(z, name, data)
        data, name = b.getvalue(), "inner.zip"
    return data
open(d + "/deep-a.zip", "wb").write(nested_zip(b"level 0: one\n", 12))
open(d + "/deep-b.zip", "wb").write(nested_zip(b"level 0: two\n", 12))
a, b = b"one\n", b"two\n"
for _ in range(30):
    a, b = gzip.compress(a, mtime=0), gzip.compress(b, mtime=0)
open(d + "/deep-a.gz", "wb").write(a)
open(d + "/deep-b.gz", "wb").write(b)
for side, last in (("a", b"\0"), ("b", b"\1")):
    with zipfile.ZipFile(d + "/zeros-%s.zip" % side, "w") as z:
        info = zipfile.ZipInfo("zeros.bin", date_time=(2023, 11, 14, 22, 13, 20))
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as f:
            for _ in range(299):
                f.write(b"\0" * (1 << 20))
            f.write(b"\0" * ((1 << 20) - 1) + last)
PYEOF
check "the zips nest twelve deep (unzip -p, eleven times)" bash -c "
    f='$d/deep-a.zip'; for i in \$(seq 11); do unzip -p \"\$f\" inner.zip >'$d/peel.zip' || exit 1; mv '$d/peel.zip' '$d/peeled.zip'; f='$d/peeled.zip'; done
    [[ \$(unzip -p \"\$f\" payload.txt) == 'level 0: one' ]]"
check "the gzips nest thirty deep" bash -c "f=\$(cat '$d/deep-a.gz'| base64 -w0); for i in \$(seq 30); do f=\$(printf %s \"\$f\" | base64 -d | gzip -dc | base64 -w0) || exit 1; done; [[ \$(printf %s \"\$f\" | base64 -d) == one ]]"
check "zeros.bin claims 300 MiB (zipinfo)" bash -c "zipinfo -l '$d/zeros-a.zip' zeros.bin | grep -q ' 314572800 '"

# --max-depth (default 8) ends the zip of zips, and says so; deeper allowed, the one member.
out=$OUT_ROOT/deep-zip
run_ds "$d/deep-a.zip" "$d/deep-b.zip" "$out"
expect_status 1
validate "$out"
assert_q "$out" 'r["truncated"] is True and r["limits"] == ["content: --max-depth reached: some differing files were not looked into"]'
# The root: the zip met at the last level looked into (eight inner.zip below the top).
expect_roots "$out" "/deep-a.zip$(printf ' :: /inner.zip%.0s' $(seq 8))|content|unknown"
out=$OUT_ROOT/deep-zip-16
run_ds "$d/deep-a.zip" "$d/deep-b.zip" "$out" --max-depth 16
expect_status 1
validate "$out"
expect_roots "$out" "/deep-a.zip$(printf ' :: /inner.zip%.0s' $(seq 11)) :: /payload.txt|content|unknown"
assert_q "$out" 'r["truncated"] is False'
# A gzip adds no location element; each is one layer: thirty layers end at --max-depth.
out=$OUT_ROOT/deep-gz
run_ds "$d/deep-a.gz" "$d/deep-b.gz" "$out"
expect_status 1
validate "$out"
assert_q "$out" 'r["limits"] == ["content: --max-depth reached: some differing files were not looked into"]'
assert_q "$out" '"gzip: decompressed (x8), " in diffs(loc=["/deep-a.gz"])[0]["detail"]'
out=$OUT_ROOT/deep-gz-40
run_ds "$d/deep-a.gz" "$d/deep-b.gz" "$out" --max-depth 40
expect_status 1
assert_q "$out" 'r["truncated"] is False and r["limits"] == [] and diffs(loc=["/deep-a.gz"])[0]["detail"].endswith("gzip: decompressed (x30), text: lines differ")'

# 300 MiB of zeros in a 300 KB zip: stopped at the ratio bound, in bounded memory.
out=$OUT_ROOT/zeros
set +e
/usr/bin/time -v -o "$out.time" "$DRIFTSCOPE" -q --max-memory 48M "$d/zeros-a.zip" "$d/zeros-b.zip" -o "$out"
status=$?
set -e
expect_status 2 # hostile input: trouble
validate "$out"
assert_q "$out" 'r["truncated"] is True and any("zip member /zeros.bin: more than 1000 times the archive" in m and "stopped as a likely bomb" in m for m in r["limits"])'
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out.time")
libraries=$(ldd "$DRIFTSCOPE" 2>/dev/null || true)
if [[ $libraries == *libasan* ]]; then
    echo "skip: peak RSS under AddressSanitizer (${rss} KiB) says nothing about the budget"
else
    check "zip bomb: peak RSS ${rss} KiB under the 48 MiB budget" test "$rss" -lt $((48 * 1024))
fi

# A tar member whose header claims 8 GiB (size field patched, checksum fixed) in 10 KB.
for s in a b; do
    mkdir -p "$d/tar-$s"
    head -c 10000 /dev/zero >"$d/tar-$s/f"
done
printf 'x' >>"$d/tar-b/f"
for s in a b; do
    tar --format=ustar --mtime=@1700000000 --owner=0 --group=0 -C "$d/tar-$s" -cf "$d/huge-$s.tar" f
    "$PY" - "$d/huge-$s.tar" <<'PYEOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[124:136] = b"77777777777\0"
b[148:156] = b" " * 8
b[148:156] = ("%06o\0 " % sum(b[:512])).encode()
open(p, "wb").write(b)
PYEOF
done
check "tar lists a member of 8589934591 bytes" bash -c "tar -tvf '$d/huge-a.tar' 2>/dev/null | grep -q ' 8589934591 '"
out=$OUT_ROOT/huge-tar
run_ds "$d/huge-a.tar" "$d/huge-b.tar" "$out"
expect_status 2
validate "$out"
assert_q "$out" 'r["truncated"] is True and any("huge-a.tar" in m and "tar member /f" in m and "runcated" in m for m in r["limits"])'
rm -f "$d"/zeros-*.zip
finish
