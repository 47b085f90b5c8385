#!/usr/bin/env bash
# driftscope where rebuilders call diffoscope (issue 12): rebuilderd's worker runs
# `diffoscope [args] --timeout=N -- A B` and keeps stdout; archlinux-repro runs `$DIFFOSCOPE A B`.
# The options they pass are mapped to driftscope's; diffoscope's others are refused (exit 2).
source "$(dirname "$0")/lib.sh"
a=$(image base 1700000000)
b=$(image rootfs-file 1700000000 rootfs-file)
cd "$OUT_ROOT"

# ds OUT ARGS...: runs driftscope with exactly these arguments (no -o), in $OUT_ROOT.
ds() {
    local out=$1
    shift
    set +e
    "$DRIFTSCOPE" "$@" >"$out.stdout" 2>"$out.stderr"
    status=$?
    set -e
}

# rebuilderd's call, both spellings of --timeout.
for form in "--timeout 60" "--timeout=60"; do
    # shellcheck disable=SC2086 # the form is two words or one, on purpose
    ds "$OUT_ROOT/rebuilderd" $form -- "$a" "$b"
    expect_status 1
    assert_file_contains "$OUT_ROOT/rebuilderd.stdout" "driftscope: DIFFERENT"
    assert_file_contains "$OUT_ROOT/rebuilderd.stdout" "/live/filesystem.squashfs :: /etc/os-release  content"
    assert_file_contains "$OUT_ROOT/rebuilderd.stdout" '+VERSION_ID=1.1'
done
# archlinux-repro's call: DIFFOSCOPE=driftscope, `$DIFFOSCOPE A B`.
DIFFOSCOPE=$DRIFTSCOPE
ds "$OUT_ROOT/repro" "$a" "$b"
expect_status 1
assert_file_contains "$OUT_ROOT/repro.stdout" "/live/filesystem.squashfs :: /etc/os-release  content"

# --text and --html write both files (atomically: nothing else is left beside them).
mkdir -p "$OUT_ROOT/files"
ds "$OUT_ROOT/both" --text "$OUT_ROOT/files/t.txt" --html "$OUT_ROOT/files/h.html" -- "$a" "$b"
expect_status 1
assert_file_contains "$OUT_ROOT/files/t.txt" "/live/filesystem.squashfs :: /etc/os-release  content"
check "--html is an HTML report" grep -qi "<html" "$OUT_ROOT/files/h.html"
assert_file_contains "$OUT_ROOT/files/h.html" "os-release"
check "nothing but t.txt and h.html written" test "$(ls -A "$OUT_ROOT/files" | tr '\n' ' ')" == "h.html t.txt "
# --max-report-size cuts the text and the --html copy, saying so.
ds "$OUT_ROOT/cut" --max-report-size 400 --text "$OUT_ROOT/files/t.txt" --html "$OUT_ROOT/files/h.html" "$a" "$b"
expect_status 1
check "--max-report-size: the text is at most 400 bytes" test "$(stat -c %s "$OUT_ROOT/files/t.txt")" -le 400
check "--max-report-size: the HTML copy is at most 400 bytes" test "$(stat -c %s "$OUT_ROOT/files/h.html")" -le 400
check "--max-report-size: stdout too" test "$(stat -c %s "$OUT_ROOT/cut.stdout")" -le 400
assert_file_contains "$OUT_ROOT/files/t.txt" "cut at 400 bytes by --max-report-size"
assert_file_contains "$OUT_ROOT/files/h.html" "cut at 400 bytes by --max-report-size"

# An output that cannot be written is trouble, named on stderr.
ds "$OUT_ROOT/nowhere" --text "$OUT_ROOT/no-such-dir/t.txt" "$a" "$b"
expect_status 2
assert_file_contains "$OUT_ROOT/nowhere.stderr" "$OUT_ROOT/no-such-dir/t.txt: cannot open its directory"

# --exclude leaves a file out of every report and says how many went.
out=$OUT_ROOT/out
run_ds "$a" "$b" "$out" --exclude 'etc/os-release' --text "$OUT_ROOT/excluded.txt"
expect_status 1
validate "$out"
assert_q "$out" 'not any("/etc/os-release" in d["location"] for d in r["differences"])'
assert_q "$out" '"excluded: 1 difference left out by --exclude" in r["limits"]'
check "excluded: not in checklist.md" bash -c "! grep -q 'os-release' '$out/checklist.md'"
check "excluded: not in the text answer" bash -c "! grep -q 'os-release' '$OUT_ROOT/excluded.txt'"
assert_file_contains "$OUT_ROOT/excluded.txt" "excluded: 1 difference left out by --exclude"
run_ds "$a" "$b" "$out" --exclude '*.txt'
assert_q "$out" 'any("/etc/os-release" in d["location"] for d in r["differences"])'
# An excluded container takes what is inside it along, as in diffoscope.
run_ds "$a" "$b" "$out" --exclude '*.squashfs'
assert_q "$out" 'r["differences"] == []'

# diffoscope's other options: a clear error and exit 2; an option nobody knows stays "unknown".
for opt in "--fuzzy-threshold 0" "--html-dir=x" "--markdown m.md"; do
    # shellcheck disable=SC2086
    ds "$OUT_ROOT/refused" $opt "$a" "$b"
    expect_status 2
    assert_file_contains "$OUT_ROOT/refused.stderr" "driftscope: diffoscope option ${opt%%[ =]*} is not supported (driftscope reads its inputs itself; see man driftscope)"
done
# rebuilderd's sample worker config passes --max-container-depth N: driftscope's --max-depth N.
base=$(sqfs base)
g=$(sqfs gzip-mtime gzip-mtime)
ds "$OUT_ROOT/depth0" --max-container-depth 0 -- "$base" "$g"
expect_status 1
assert_file_contains "$OUT_ROOT/depth0.stdout" "/usr/share/doc/changelog.gz"
check "--max-container-depth 0 opens no layer inside the file" bash -c "! grep -q '@gzip.mtime' '$OUT_ROOT/depth0.stdout'"
ds "$OUT_ROOT/depth2" --max-container-depth=2 -- "$base" "$g"
expect_status 1
assert_file_contains "$OUT_ROOT/depth2.stdout" "/usr/share/doc/changelog.gz :: @gzip.mtime"
ds "$OUT_ROOT/unknown" --frobnicate "$a" "$b"
expect_status 2
assert_file_contains "$OUT_ROOT/unknown.stderr" "unknown option '--frobnicate'"

# --timeout bounds the whole run: two sparse 2 GiB files that differ in their last bytes take
# many seconds to hash; with --timeout 1 the run ends in about a second, with a partial answer.
truncate -s 2G "$OUT_ROOT/big-a" "$OUT_ROOT/big-b"
printf x | dd of="$OUT_ROOT/big-b" bs=1 seek=$((2 * 1024 * 1024 * 1024 - 10)) conv=notrunc status=none
started=$EPOCHREALTIME
ds "$OUT_ROOT/slow" --timeout 1 -- "$OUT_ROOT/big-a" "$OUT_ROOT/big-b"
elapsed=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
expect_status 2
check "--timeout 1 ends within 4 s (took $elapsed s)" awk -v e="$elapsed" 'BEGIN { exit !(e < 4) }'
assert_file_contains "$OUT_ROOT/slow.stdout" "driftscope: TROUBLE"
assert_file_contains "$OUT_ROOT/slow.stdout" "stage hash timeout"
assert_file_contains "$OUT_ROOT/slow.stdout" "--timeout: the run's 1 s ran out"
# A worker that stops the run (SIGTERM) leaves nothing behind either: the private directory and
# what is in it (a file and deep/ with a file, made here while it runs) go before driftscope dies.
mkdir -p "$OUT_ROOT/tmp"
TMPDIR=$OUT_ROOT/tmp "$DRIFTSCOPE" "$OUT_ROOT/big-a" "$OUT_ROOT/big-b" >"$OUT_ROOT/term.stdout" 2>&1 &
pid=$!
for _ in $(seq 1 50); do [[ -n $(ls -A "$OUT_ROOT/tmp") ]] && break; sleep 0.1; done
private=$(ls -d "$OUT_ROOT"/tmp/driftscope-* 2>/dev/null | head -1)
check "the run works in a private directory under TMPDIR" test -d "$private"
if [[ -d $private ]]; then
    mkdir -p "$private/deep" && echo x >"$private/deep/a.bin" && echo x >"$private/sizes.txt"
fi
kill -TERM "$pid"
set +e
wait "$pid"
status=$?
set -e
check "SIGTERM ends the run by that signal (exit 143, got $status)" test "$status" = 143
check "SIGTERM: nothing left in TMPDIR" test -z "$(ls -A "$OUT_ROOT/tmp")"
rm -f "$OUT_ROOT/big-a" "$OUT_ROOT/big-b"
finish
