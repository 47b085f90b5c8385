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
out=$OUT_ROOT/explained
run_ds "$base" "$(sqfs gzip-mtime gzip-mtime)" "$out"
expect_status 1
validate "$out"
# Every unknown root has a hint; nothing explained or secondary has one.
assert_q "$out" 'all("hint" not in d for d in r["differences"] if d["cause"] != "unknown" or d["secondary"])'
assert_q "$out" 'all("hint" in d for d in r["differences"] if d["cause"] == "unknown" and not d["secondary"])'
assert_q "$out" 'len(r["differences"]) >= 2'
finish
