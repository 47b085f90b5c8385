#!/usr/bin/env bash
# Resource limits: a gzip bomb stops at the decompression-ratio bound; a tree larger than the
# --max-memory budget stops with a named limit; on a pair far larger than --max-memory the peak
# RSS stays under the cap. Every limit hit is listed in report.json ("truncated", "limits").
source "$(dirname "$0")/lib.sh"
d=$OUT_ROOT/data
mkdir -p "$d"

# Two 300 MB runs of zeros that differ in their last byte, gzip -9 (about 1030:1).
{ head -c 300000000 /dev/zero; printf a; } | gzip -9 -n >"$d/a.gz"
{ head -c 300000000 /dev/zero; printf b; } | gzip -9 -n >"$d/b.gz"
out=$OUT_ROOT/bomb
run_ds "$d/a.gz" "$d/b.gz" "$out"
check "a gzip bomb ends with exit 1 or 2" test "$status" = 1 -o "$status" = 2
validate "$out"
assert_q "$out" 'r["truncated"] is True and any("likely bomb" in l for l in r["limits"])'

# 20 000 entries against a budget of 16 MiB (about 15 700 entries a side).
"$PY" - "$d/many-a" "$d/many-b" <<'PYEOF'
import os, sys
for root in sys.argv[1:]:
    for i in range(20000):
        sub = os.path.join(root, "d%03d" % (i % 200))
        os.makedirs(sub, exist_ok=True)
        open(os.path.join(sub, "f%05d" % i), "w").close()
PYEOF
out=$OUT_ROOT/entries
run_ds "$d/many-a" "$d/many-b" "$out" --max-memory 16M
expect_status 2
validate "$out"
assert_q "$out" 'any("--max-memory" in l for l in r["limits"]) and r["truncated"] is True'

# A 600 MB pair against a 48 MiB budget: big files, few differences.
for side in a b; do
    mkdir -p "$d/big-$side"
    for i in 1 2 3; do
        "$PY" -c 'import random,sys; r=random.Random(int(sys.argv[1])); sys.stdout.buffer.write(r.randbytes(100_000_000))' "$i" >"$d/big-$side/blob$i"
    done
done
printf 'X' | dd of="$d/big-b/blob2" bs=1 seek=50000000 conv=notrunc status=none
for side in a b; do
    find "$d/big-$side" -exec touch -h -d @1700000000 {} +
    SOURCE_DATE_EPOCH=1700000000 mksquashfs "$d/big-$side" "$d/big-$side.squashfs" -noappend -no-progress -quiet -noI -noD -noF -noX >/dev/null
    rm -rf "$d/big-$side"
done
out=$OUT_ROOT/memory
set +e
/usr/bin/time -v -o "$out.time" "$DRIFTSCOPE" -q --max-memory 48M "$d/big-a.squashfs" "$d/big-b.squashfs" -o "$out"
status=$?
set -e
expect_status 1
validate "$out"
expect_roots "$out" "/blob2|content|unknown"
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out.time")
# Not `ldd | grep -q`: under pipefail, grep -q leaving early can kill ldd with SIGPIPE and make
# the pipeline false, so that now and then the ASan build's RSS was judged against the budget
# (the "97 MiB" seen once in a fresh-clone run of 2026-11-28, and again on 2026-12-01).
libraries=$(ldd "$DRIFTSCOPE" 2>/dev/null || true)
if [[ $libraries == *libasan* ]]; then
    # AddressSanitizer's shadow memory and quarantine are not driftscope's: the plain build's
    # run of this test measures the budget.
    echo "skip: peak RSS under AddressSanitizer (${rss} KiB) says nothing about the budget"
else
    check "peak RSS ${rss} KiB stays under the 48 MiB budget on a 600 MB pair" test "$rss" -lt $((48 * 1024))
fi
rm -f "$d"/*.squashfs "$d"/*.gz
finish
