#!/usr/bin/env bash
# --deep-tool diffoscope: the differing pair (only it) is copied under OUTDIR/deep/ with safe
# names, diffoscope runs on it alone, and checklist.md and report.json link the result.
source "$(dirname "$0")/lib.sh"
a=$(image base 1700000000)
b=$(image rootfs-file 1700000000 rootfs-file)
out=$OUT_ROOT/out
run_ds "$a" "$b" "$out" --deep-tool diffoscope
expect_status 1
validate "$out"
assert_q "$out" 'len(r["deep"]) == 1 and r["deep"][0]["location"] == "/live/filesystem.squashfs :: /etc/os-release"'
assert_q "$out" 'r["deep"][0]["status"] == "ok" and r["deep"][0]["report"] == "deep/001-diffoscope.txt"'
check "only the differing pair was copied out" test "$(ls "$out/deep" | sort | tr '\n' ' ')" = "001-a-os-release 001-b-os-release 001-diffoscope.txt "
assert_file_contains "$out/deep/001-diffoscope.txt" '+PRETTY_NAME="SilverMetal OS 1.1"'
assert_file_contains "$out/checklist.md" "[deep/001-diffoscope.txt](deep/001-diffoscope.txt)"
set +e
"$DRIFTSCOPE" --deep-tool meld "$a" "$b" -o "$OUT_ROOT/x" >/dev/null 2>&1
s=$?
set -e
check "an unknown deep tool is a usage error" test $s = 2
finish
