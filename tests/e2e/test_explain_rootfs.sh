#!/usr/bin/env bash
# One injected cause at a time inside a squashfs, each found at the right location with the
# right cause id, the file's own content difference marked secondary, nothing else reported.
source "$(dirname "$0")/lib.sh"
base=$(sqfs base)
declare -A expected=(
    [gzip-mtime]="/usr/share/doc/changelog.gz :: @gzip.mtime|header|gzip-mtime"
    [pyc-mtime]="/usr/lib/python3/dist-packages/silver/__pycache__/mod.cpython.pyc :: @pyc.source_mtime|header|pyc-timestamp"
    [elf-buildid]="/usr/bin/hello-elf :: @elf.build_id|header|build-id"
    [text-date]="/etc/build-info|content|embedded-timestamp"
    [text-order]="/etc/modules-list|content|sort-order"
    [shadow]="/etc/shadow|content|shadow-lastchange"
)
for inject in gzip-mtime pyc-mtime elf-buildid text-date text-order shadow; do
    out=$OUT_ROOT/$inject
    run_ds "$base" "$(sqfs "$inject" "$inject")" "$out"
    expect_status 1
    validate "$out"
    expect_roots "$out" "${expected[$inject]}"
    assert_q "$out" 'all(d.get("fix") for d in r["differences"] if not d["secondary"])'
    assert_q "$out" 'all(d.get("confidence") in ("certain", "likely") for d in r["differences"] if not d["secondary"])'
done
# The containers of nested differences are consequences.
assert_q "$OUT_ROOT/gzip-mtime" 'diffs(loc=["/usr/share/doc/changelog.gz"], kind="content")[0]["secondary"] is True'
assert_q "$OUT_ROOT/gzip-mtime" 'diffs(loc=["/usr/share/doc/changelog.gz", "@gzip.mtime"])[0]["a"] == "2023-11-14T22:13:20Z"'
assert_q "$OUT_ROOT/gzip-mtime" 'diffs(loc=["/usr/share/doc/changelog.gz", "@gzip.mtime"])[0]["b"] == "2023-11-14T23:13:20Z"'
# The reproducible-builds notes tag of the cause rides along (report.json "notes_tag").
assert_q "$OUT_ROOT/gzip-mtime" 'diffs(loc=["/usr/share/doc/changelog.gz", "@gzip.mtime"])[0]["notes_tag"] == "timestamps_in_gzip_headers"'
assert_q "$OUT_ROOT/text-order" 'all(d["notes_tag"] == "collation_order_varies_by_locale" for d in r["differences"] if d["cause"] == "sort-order")'
assert_q "$OUT_ROOT/elf-buildid" 'diffs(loc=["/usr/bin/hello-elf", "@elf.build_id"])[0]["b"] == "2222222222222222222222222222222222222222"'
assert_q "$OUT_ROOT/pyc-mtime" '"only the recorded source mtime differs" in diffs(loc=["/usr/lib/python3/dist-packages/silver/__pycache__/mod.cpython.pyc"], kind="content")[0]["detail"]'
# The checklist opens with the cause table.
check "checklist leads with the cause table" bash -c "sed -n '1,12p' '$OUT_ROOT/elf-buildid/checklist.md' | grep -q '^| build-id | 1 |'"
assert_q "$OUT_ROOT/text-order" 'r["summary"]["root_causes"] == {"sort-order": 1}'
# --max-depth 0: no look inside; the file itself is the root difference, cause unknown.
out=$OUT_ROOT/depth0
run_ds "$base" "$(sqfs gzip-mtime gzip-mtime)" "$out" --max-depth 0
expect_status 1
expect_roots "$out" "/usr/share/doc/changelog.gz|content|unknown"
assert_q "$out" 'r["truncated"] is True and any("--max-depth" in l for l in r["limits"])'
finish
