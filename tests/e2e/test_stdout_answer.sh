#!/usr/bin/env bash
# The answer on stdout (issue 12): without -o driftscope prints the verdict, the root causes and
# each root difference with its bounded diff, writes nothing in the working directory and leaves
# nothing in its temporary directory; --text writes the same text beside -o; colour only when
# asked for or on a terminal, never with NO_COLOR.
source "$(dirname "$0")/lib.sh"
a=$(image base 1700000000)
b=$(image rootfs-file 1700000000 rootfs-file)
same=$(image base-again 1700000000)
scratch=$OUT_ROOT/scratch
tmp=$OUT_ROOT/tmp
mkdir -p "$scratch" "$tmp"

# ds_here OUT [OPTIONS...] A B: runs driftscope inside the empty scratch directory, TMPDIR=$tmp.
ds_here() {
    local out=$1
    shift
    set +e
    (cd "$scratch" && TMPDIR=$tmp "$DRIFTSCOPE" "$@" >"$out.stdout" 2>"$out.stderr")
    status=$?
    set -e
}
nothing_left() { # nothing new in the working directory, nothing in TMPDIR
    check "nothing written in the working directory ($1)" test -z "$(ls -A "$scratch")"
    check "the temporary directory is gone ($1)" test -z "$(ls -A "$tmp")"
}

before=$(ls -A "$scratch")
ds_here "$OUT_ROOT/plain" "$a" "$b"
expect_status 1
check "the working directory is as it was" test "$(ls -A "$scratch")" == "$before"
nothing_left "different"
assert_file_contains "$OUT_ROOT/plain.stdout" "driftscope: DIFFERENT"
assert_file_contains "$OUT_ROOT/plain.stdout" "root causes:"
assert_file_contains "$OUT_ROOT/plain.stdout" "/live/filesystem.squashfs :: /etc/os-release  content"
assert_file_contains "$OUT_ROOT/plain.stdout" '-PRETTY_NAME="SilverMetal OS 1.0"'
assert_file_contains "$OUT_ROOT/plain.stdout" '+PRETTY_NAME="SilverMetal OS 1.1"'
check "no summary of OUTDIR's reports when there is no OUTDIR" bash -c "! grep -q '^reports:' '$OUT_ROOT/plain.stdout'"
check "not a terminal: no colour by default" bash -c "! grep -q $'\033' '$OUT_ROOT/plain.stdout'"

# The same answer with the reports: --text - on stdout, --text FILE beside the summary.
out=$OUT_ROOT/out
run_ds "$a" "$b" "$out" --text -
expect_status 1
check "--text - prints the same answer as no -o" bash -c "sed 's/ (run with -o DIR to keep the reports)//; s|$out/||' '$out.stdout' | cmp -s - <(sed 's/ (run with -o DIR to keep the reports)//' '$OUT_ROOT/plain.stdout')"
check "--text - with -o still writes the reports" test -s "$out/report.json" -a -s "$out/checklist.md"
validate "$out"
run_ds "$a" "$b" "$out" --text "$OUT_ROOT/answer.txt"
expect_status 1
assert_file_contains "$OUT_ROOT/answer.txt" "/live/filesystem.squashfs :: /etc/os-release  content"
assert_file_contains "$OUT_ROOT/answer.txt" "every difference is in $out/report.json"
assert_file_contains "$out.stdout" "reports: $out/checklist.md"
check "--text FILE leaves no temporary file beside it" bash -c "! ls -A '$OUT_ROOT' | grep -q '\.tmp$'"

# Colour: always gives ANSI escapes (verdict, causes, diff lines), never and NO_COLOR none.
ds_here "$OUT_ROOT/always" --color=always "$a" "$b"
check "--color=always colours the verdict" grep -q $'\033\[1m\033\[31mDIFFERENT' "$OUT_ROOT/always.stdout"
check "--color=always colours the removed diff lines" grep -q $'\033\[31m-PRETTY_NAME' "$OUT_ROOT/always.stdout"
ds_here "$OUT_ROOT/never" --color=never "$a" "$b"
check "--color=never: no escape" bash -c "! grep -q $'\033' '$OUT_ROOT/never.stdout'"
if command -v script >/dev/null; then
    # On a terminal (script(1) gives one), auto colours, unless NO_COLOR is set and not empty.
    script -qec "cd '$scratch' && TMPDIR='$tmp' '$DRIFTSCOPE' '$a' '$b'" /dev/null >"$OUT_ROOT/tty.stdout" 2>&1 || true
    check "on a terminal, auto colours" grep -q $'\033\[1m\033\[31mDIFFERENT' "$OUT_ROOT/tty.stdout"
    script -qec "cd '$scratch' && NO_COLOR=1 TMPDIR='$tmp' '$DRIFTSCOPE' '$a' '$b'" /dev/null >"$OUT_ROOT/nocolor.stdout" 2>&1 || true
    assert_file_contains "$OUT_ROOT/nocolor.stdout" "driftscope: DIFFERENT"
    check "on a terminal with NO_COLOR=1, no colour" bash -c "! grep -q $'\033\[3' '$OUT_ROOT/nocolor.stdout'"
else
    not_ok "script(1) is missing (util-linux): the terminal case is not tested"
fi
nothing_left "colours"

# No image can write a terminal escape: a file name and content with ESC are escaped.
mkdir -p "$OUT_ROOT/tree-a" "$OUT_ROOT/tree-b"
printf 'one\n\033[2J\n' >"$OUT_ROOT/tree-a/name"$'\033'"[31m"
printf 'two\n\033[2J\n' >"$OUT_ROOT/tree-b/name"$'\033'"[31m"
ds_here "$OUT_ROOT/hostile" --color=never "$OUT_ROOT/tree-a" "$OUT_ROOT/tree-b"
expect_status 1
assert_file_contains "$OUT_ROOT/hostile.stdout" 'name\x1b[31m'
check "hostile names and contents: no raw escape on stdout" bash -c "! grep -q $'\033' '$OUT_ROOT/hostile.stdout'"

# The named limits: 20 lines of each excerpt, 50 root differences, each saying what was left
# out. Two squashfs images (mksquashfs, as the fixtures) of 60 text files, 40 lines each.
mkdir -p "$OUT_ROOT/many-a" "$OUT_ROOT/many-b"
for i in $(seq 1 60); do
    seq 1 40 | sed "s/^/line $i /" >"$OUT_ROOT/many-a/file-$i.txt"
    seq 1 40 | sed "s/^/LINE $i /" >"$OUT_ROOT/many-b/file-$i.txt"
done
for s in a b; do
    mksquashfs "$OUT_ROOT/many-$s" "$OUT_ROOT/many-$s.squashfs" -noappend -all-time 1700000000 -quiet >/dev/null
done
ds_here "$OUT_ROOT/many" "$OUT_ROOT/many-a.squashfs" "$OUT_ROOT/many-b.squashfs"
expect_status 1
check "50 root differences shown" test "$(grep -c '^  - /file-' "$OUT_ROOT/many.stdout")" = 50
assert_file_contains "$OUT_ROOT/many.stdout" "... 10 more root differences not shown"
check "20 lines of /file-1.txt's excerpt shown (its hunk header and 19 lines)" test "$(grep -c '^      -line 1 ' "$OUT_ROOT/many.stdout")" = 19
check "the lines left out are counted" test "$(grep -c '^      \.\.\. (61 more lines)$' "$OUT_ROOT/many.stdout")" = 50

# An identical pair: exit 0 and the verdict; trouble cleans up too.
ds_here "$OUT_ROOT/same" "$a" "$same"
expect_status 0
check "identical: the verdict on stdout" grep -qx "driftscope: IDENTICAL" "$OUT_ROOT/same.stdout"
ds_here "$OUT_ROOT/trouble" "$a" "$scratch/missing.iso"
expect_status 2
assert_file_contains "$OUT_ROOT/trouble.stdout" "driftscope: TROUBLE"
nothing_left "identical and trouble"
# The private directory is made under $TMPDIR (so the checks above look at the right place).
set +e
(cd "$scratch" && TMPDIR=$OUT_ROOT/no-such-dir "$DRIFTSCOPE" "$a" "$b" >"$OUT_ROOT/notmp.stdout" 2>"$OUT_ROOT/notmp.stderr")
status=$?
set -e
expect_status 2
assert_file_contains "$OUT_ROOT/notmp.stderr" "cannot create a temporary directory in $OUT_ROOT/no-such-dir"
finish
