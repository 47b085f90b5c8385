#!/usr/bin/env bash
# Names that try to break reports: a newline, a tab, a backslash, control bytes, bytes that are
# not UTF-8, quotes and markup, a 255-byte name. Every report stays one entry per line, valid
# JSON and valid Markdown; nothing outside OUTDIR is written.
source "$(dirname "$0")/lib.sh"
d=$OUT_ROOT/data
mkdir -p "$d/a" "$d/b"
"$PY" - "$d/a" "$d/b" <<'PYEOF'
import os, sys
names = [b"new\nline", b"tab\tname", b"back\\slash", b"bell\x07ctl", b"latin\xff\xfe", b'quote"<b>*md*<i>|x',
         b"x" * 255, b"..hidden", b"-dash"]
for root in sys.argv[1:]:
    for n in names:
        with open(os.path.join(root.encode(), n), "wb") as f:
            f.write(b"A\n" if root.endswith("a") else b"B\n")
PYEOF
for side in a b; do
    find "$d/$side" -exec touch -h -d @1700000000 {} +
    SOURCE_DATE_EPOCH=1700000000 mksquashfs "$d/$side" "$d/$side.squashfs" -noappend -no-progress -quiet >/dev/null
done
out=$OUT_ROOT/out
run_ds "$d/a.squashfs" "$d/b.squashfs" "$out"
expect_status 1
validate "$out"
assert_q "$out" 'len([x for x in r["differences"] if x["kind"] == "content"]) == 9'
assert_q "$out" '["/new\nline"] in [x["location"] for x in r["differences"]]'
assert_q "$out" '["/latin\\xff\\xfe"] in [x["location"] for x in r["differences"]]'
check "listings keep one entry per line" test "$(grep -c . "$out/sqfs-ls-a.txt")" = $((1 + 1 + 9))
check "no raw control byte in any text report" bash -c "! grep -qP '[\\x00-\\x08\\x0b-\\x1f]' '$out'/*.txt '$out'/checklist.md"
check "markup in names stays inside code spans in checklist.md" grep -qF '`/quote"<b>*md*<i>|x`' "$out/checklist.md"
check "a newline in a name is written as \\n in checklist.md" grep -qF '`/new\nline`' "$out/checklist.md"
check "nothing written outside OUTDIR" test -z "$(find "$OUT_ROOT" -mindepth 1 -newer "$d/b.squashfs" -not -path "$out*" -not -name 'out.std*')"
finish
