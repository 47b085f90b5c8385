#!/usr/bin/env bash
# Two zip files (made with Python's zipfile, deflated, fixed member dates) as plain inputs: a
# member whose only difference is its mtime, a member whose text differs, and the zip's own
# content difference a consequence of both; then the same members in another order.
source "$(dirname "$0")/lib.sh"
d=$OUT_ROOT/data
mkdir -p "$d/a" "$d/b" "$d/order-a" "$d/order-b"
# mkzip OUT.zip NAME=DATE_TIME=TEXT ...: one deflated member per argument, in that order.
mkzip() {
    "$PY" - "$@" <<'PYEOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for spec in sys.argv[2:]:
        name, when, text = spec.split("=", 2)
        info = zipfile.ZipInfo(name, date_time=tuple(int(v) for v in when.split(",")))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o100644 << 16
        z.writestr(info, text)
PYEOF
}
t0=2023,11,14,22,13,20
t1=2023,11,14,23,13,20
mkzip "$d/a/x.zip" "a.txt=$t0=SilverMetal notes, part one.
" "b.txt=$t0=mirror: http://deb.example/a
"
mkzip "$d/b/x.zip" "a.txt=$t1=SilverMetal notes, part one.
" "b.txt=$t0=mirror: http://deb.example/b
"
# The fixture, checked with the real tools.
check "a.txt: the same bytes" cmp -s <(unzip -p "$d/a/x.zip" a.txt) <(unzip -p "$d/b/x.zip" a.txt)
check "b.txt: other bytes" bash -c "! cmp -s <(unzip -p '$d/a/x.zip' b.txt) <(unzip -p '$d/b/x.zip' b.txt)"
check "a.txt: another time (zipinfo)" bash -c "zipinfo -T '$d/a/x.zip' a.txt | grep -q 20231114.221320 && zipinfo -T '$d/b/x.zip' a.txt | grep -q 20231114.231320"
check "b.txt: the same time (zipinfo)" cmp -s <(zipinfo -T "$d/a/x.zip" b.txt) <(zipinfo -T "$d/b/x.zip" b.txt)
check "the zips have the same size" test "$(stat -c %s "$d/a/x.zip")" = "$(stat -c %s "$d/b/x.zip")"

out=$OUT_ROOT/members
run_ds "$d/a/x.zip" "$d/b/x.zip" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/x.zip :: /a.txt|mtime|mtime" "/x.zip :: /b.txt|content|unknown"
assert_q "$out" 'len(diffs(loc=["/x.zip"], kind="content")) == 1 and diffs(loc=["/x.zip"], kind="content")[0]["secondary"] is True'
assert_q "$out" 'not any(d["kind"] == "content" for d in diffs(loc=["/x.zip", "/a.txt"]))'

# The same members (same names, dates, bytes), written in another order.
mkzip "$d/order-a/x.zip" "a.txt=$t0=one
" "b.txt=$t0=two
"
mkzip "$d/order-b/x.zip" "b.txt=$t0=two
" "a.txt=$t0=one
"
check "zipinfo lists the members in another order" \
    bash -c "! cmp -s <(zipinfo -1 '$d/order-a/x.zip') <(zipinfo -1 '$d/order-b/x.zip') && cmp -s <(zipinfo -1 '$d/order-a/x.zip' | sort) <(zipinfo -1 '$d/order-b/x.zip' | sort)"
out=$OUT_ROOT/order
run_ds "$d/order-a/x.zip" "$d/order-b/x.zip" "$out"
expect_status 1
validate "$out"
# One root: an order difference at a field of the zip (["/x.zip", "@..."]), cause archive-order.
assert_q "$out" '[(d["location"][0], len(d["location"]), d["location"][-1][:1], d["kind"], d["cause"]) for d in r["differences"] if not d["secondary"]] == [("/x.zip", 2, "@", "order", "archive-order")]'
assert_q "$out" 'not any(e.startswith("/") for d in r["differences"] for e in d["location"][1:])'
finish
