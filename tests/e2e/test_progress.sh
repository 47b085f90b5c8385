#!/usr/bin/env bash
# Progress on stderr when it is a terminal, nothing of it otherwise or with --quiet; a summary
# with the root causes on stdout at the end.
source "$(dirname "$0")/lib.sh"
a=$(image base 1700000000)
b=$(image day-later 1700086400)
out=$OUT_ROOT/tty
# script(1) gives driftscope a terminal; its output (stdout and stderr together) is the typescript.
script -qfec "'$DRIFTSCOPE' '$a' '$b' -o '$out'" "$OUT_ROOT/typescript" >/dev/null 2>&1 || true
check "progress lines on a terminal" grep -q "driftscope: hash" "$OUT_ROOT/typescript"
run_ds "$a" "$b" "$OUT_ROOT/pipe"
expect_status 1
check "no progress when stderr is not a terminal" bash -c "! grep -q 'driftscope: hash' '$OUT_ROOT/pipe.stderr'"
check "the summary names the root cause (the build date of each side)" grep -q "^  source-date-epoch  *1 " "$OUT_ROOT/pipe.stdout"
check "the summary says where the reports are" grep -q "^reports: .*checklist.md" "$OUT_ROOT/pipe.stdout"
run_ds "$a" "$b" "$OUT_ROOT/quiet" --quiet
check "--quiet prints nothing" test ! -s "$OUT_ROOT/quiet.stdout" -a ! -s "$OUT_ROOT/quiet.stderr"
finish
