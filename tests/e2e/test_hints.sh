#!/usr/bin/env bash
# Roots nothing explained get a hint (report.json "hint", checklist.md, report.html): what kind of
# difference it is and what to run next; explained and secondary differences get none.
source "$(dirname "$0")/lib.sh"
base=$(sqfs base)
out=$OUT_ROOT/text
run_ds "$base" "$(sqfs text text)" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/etc/os-release|content|unknown"
assert_q "$out" '"changed lines hold no date" in diffs(loc=["/etc/os-release"], kind="content")[0]["hint"]'
assert_file_contains "$out/checklist.md" "hint: the changed lines hold no date"
assert_file_contains "$out/report.html" '<div class="hint">Hint: the changed lines hold no date'
out=$OUT_ROOT/add
run_ds "$base" "$(sqfs add add)" "$out"
expect_status 1
validate "$out"
assert_q "$out" 'all("present in one image only" in d["hint"] for d in r["differences"] if d["kind"] == "added" and not d["secondary"])'
assert_q "$out" 'len([d for d in r["differences"] if d["kind"] == "added" and not d["secondary"]]) >= 2'
# The nearest miss: an mdadm.conf whose mkconf date line differs, and an ARRAY line too: the row
# (mdadm-conf-date) is named as the nearest signature, not given as the cause.
for side in a b; do
    mkdir -p "$OUT_ROOT/tree-$side/etc/mdadm"
    uuid=3aaa0122:29827cfa:5331ad66:ca767371 when=1700000000
    [[ $side == b ]] && uuid=3aaa0122:29827cfa:5331ad66:ca767372 when=1700086400
    printf '# mdadm.conf\nHOMEHOST <system>\nMAILADDR root\nARRAY /dev/md0 metadata=1.2 UUID=%s\n# This configuration was auto-generated on %s by mkconf\n' \
        "$uuid" "$(date -u -R -d "@$when")" >"$OUT_ROOT/tree-$side/etc/mdadm/mdadm.conf"
done
out=$OUT_ROOT/near
run_ds "$OUT_ROOT/tree-a" "$OUT_ROOT/tree-b" "$out"
expect_status 1
validate "$out"
check "fixture: the date line and the ARRAY line differ" bash -c "[[ \$(diff '$OUT_ROOT/tree-a/etc/mdadm/mdadm.conf' '$OUT_ROOT/tree-b/etc/mdadm/mdadm.conf' | grep -c '^<') == 2 ]]"
expect_roots "$out" "/etc/mdadm/mdadm.conf|content|unknown"
assert_q "$out" 'diffs(loc=["/etc/mdadm/mdadm.conf"])[0]["hint"].startswith("nearest signature: the path is where") and "(cause mdadm-conf-date" in diffs(loc=["/etc/mdadm/mdadm.conf"])[0]["hint"]'

out=$OUT_ROOT/explained
run_ds "$base" "$(sqfs gzip-mtime gzip-mtime)" "$out"
expect_status 1
validate "$out"
# Every unknown root has a hint; nothing explained or secondary has one.
assert_q "$out" 'all("hint" not in d for d in r["differences"] if d["cause"] != "unknown" or d["secondary"])'
assert_q "$out" 'all("hint" in d for d in r["differences"] if d["cause"] == "unknown" and not d["secondary"])'
assert_q "$out" 'len(r["differences"]) >= 2'
finish
