#!/usr/bin/env bash
# Bad inputs get a clear message naming the input and the offset, a partial report and exit 2:
# truncated, not an ISO, empty, missing.
source "$(dirname "$0")/lib.sh"
a=$(image base 1700000000)
size=$(stat -c %s "$a")

# --- truncated B: the tree's last extents run past its end ----------------------------------
trunc=$OUT_ROOT/truncated.iso
head -c $((size * 3 / 5)) "$a" >"$trunc"
out=$OUT_ROOT/truncated
run_ds "$a" "$trunc" "$out"
expect_status 2
validate "$out"
check "sizes.txt written" test -s "$out/sizes.txt"
check "sha256.txt written" test -s "$out/sha256.txt"
check "sha256.txt names B" grep -q "truncated.iso" "$out/sha256.txt"
assert_q "$out" 'stage("hash")["status"] == "ok"'
assert_q "$out" 'stage("toc")["status"] == "failed" and "B (" in stage("toc")["message"] and "runs past the end of the image" in stage("toc")["message"]'
assert_q "$out" '"at byte" in stage("toc")["message"]'
assert_q "$out" 'r["inputs"]["b"]["size"] == '"$((size * 3 / 5))"
check "stderr names B and the offset" grep -q "B (.*truncated.iso).*byte [0-9]" "$out.stderr"
assert_file_contains "$out/checklist.md" "failed"
check "all report files written" test -s "$out/report.json" -a -s "$out/checklist.md" -a -s "$out/toc-diff.txt" -a -s "$out/iso-header-cmp.txt"

# --- truncated inside the volume descriptors ----------------------------------------------
short=$OUT_ROOT/short.iso
head -c 34000 "$a" >"$short"
out=$OUT_ROOT/short
run_ds "$a" "$short" "$out"
expect_status 2
validate "$out"
assert_q "$out" 'stage("header")["status"] == "failed" and "B (" in stage("header")["message"] and "truncated" in stage("header")["message"]'

# --- not an ISO -----------------------------------------------------------------------------
noise=$OUT_ROOT/noise.bin
head -c 100000 /dev/urandom >"$noise"
out=$OUT_ROOT/noise
run_ds "$a" "$noise" "$out"
expect_status 2
validate "$out"
assert_q "$out" '"not an ISO 9660 image" in stage("toc")["message"] and "B (" in stage("toc")["message"]'
assert_q "$out" '"byte 32769" in stage("toc")["message"] or "byte 32768" in stage("toc")["message"]'
assert_q "$out" 'r["inputs"]["b"]["type"] == "data"'
check "toc-a.txt still lists A" grep -q "^/live/vmlinuz" "$out/toc-a.txt"

# --- empty ------------------------------------------------------------------------------------
empty=$OUT_ROOT/empty.iso
: >"$empty"
out=$OUT_ROOT/empty
run_ds "$a" "$empty" "$out"
expect_status 2
validate "$out"
assert_q "$out" '"empty" in stage("hash")["message"]'

# --- missing ----------------------------------------------------------------------------------
out=$OUT_ROOT/missing
run_ds "$a" "$OUT_ROOT/does-not-exist.iso" "$out"
expect_status 2
validate "$out"
assert_q "$out" 'r["inputs"]["b"]["size"] is None and r["inputs"]["b"]["sha256"] is None'
assert_q "$out" '"cannot open" in stage("hash")["message"] and stage("hash")["status"] == "failed"'
check "stderr explains" grep -q "B (.*does-not-exist.iso): cannot open" "$out.stderr"
finish
