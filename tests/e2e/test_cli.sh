#!/usr/bin/env bash
# The command line: help, version, usage errors (exit 2), and OUTDIR handling: files are
# replaced atomically, nothing else in OUTDIR is touched, a symlink planted at an artifact's
# name is replaced, not followed.
source "$(dirname "$0")/lib.sh"
set +e
"$DRIFTSCOPE" --help >"$OUT_ROOT/help" 2>&1; s_help=$?
"$DRIFTSCOPE" --version >"$OUT_ROOT/version" 2>&1; s_version=$?
"$DRIFTSCOPE" onlyone -o "$OUT_ROOT/x" >/dev/null 2>"$OUT_ROOT/usage1"; s_one=$?
(cd "$OUT_ROOT" && "$DRIFTSCOPE" missing-a missing-b >"$OUT_ROOT/noout.stdout" 2>"$OUT_ROOT/usage2"); s_noout=$?
"$DRIFTSCOPE" --stage-timeout=abc a b -o x >/dev/null 2>"$OUT_ROOT/usage3"; s_bad=$?
"$DRIFTSCOPE" --frobnicate a b -o x >/dev/null 2>"$OUT_ROOT/usage4"; s_unknown=$?
set -e
check "--help exits 0" test $s_help = 0
check "--help explains the exit status" grep -q "0 identical (or every difference accepted), 1 different, 2 trouble" "$OUT_ROOT/help"
"$DRIFTSCOPE" --list-causes >"$OUT_ROOT/causes" 2>&1
check "docs/causes.md is what --list-causes prints" bash -c "tail -n +\$(grep -n '^| cause |' '$DS_SOURCE_DIR/docs/causes.md' | cut -d: -f1) '$DS_SOURCE_DIR/docs/causes.md' | cmp -s - '$OUT_ROOT/causes'"
check "every cause id the issue names is in the catalogue" bash -c 'for id in iso-volume-date iso-volume-id iso-file-dates iso-tool-version mbr-disk-id gpt-guid fat-volume-id fat-timestamps fat-order squashfs-mkfs-time squashfs-layout compression-only mtime umask owner cpio-metadata archive-order gzip-mtime pyc-timestamp build-id embedded-timestamp random-id crypto-key shadow-lastchange ldconfig-aux-cache fontconfig-cache man-db-index log-file sort-order package-version layout-shift unknown; do grep -q "^| $id |" "'"$OUT_ROOT/causes"'" || exit 1; done'
"$DRIFTSCOPE" --list-formats >"$OUT_ROOT/formats" 2>&1
check "the README's formats table is what --list-formats prints" bash -c "sed -n '/^<!-- formats:/,/^<!-- \/formats -->/p' '$DS_SOURCE_DIR/README.md' | sed '1d;\$d' | cmp -s - '$OUT_ROOT/formats'"
check "--list-formats names every registered format with what it compares" bash -c "test \$(grep -c '^| [a-z0-9]* | \(container\|stream\|document\) | ..........' '$OUT_ROOT/formats') -ge 18"
check "--version exits 0 and prints it" grep -q "^driftscope [0-9]" "$OUT_ROOT/version"
check "one input is a usage error (2)" test $s_one = 2
# Without -o the answer goes to stdout (tests/e2e/test_stdout_answer.sh): unreadable inputs are trouble.
check "no -o with unreadable inputs is trouble (2)" test $s_noout = 2
check "no -o: the trouble answer names the unreadable input" grep -q "missing-a.*cannot open" "$OUT_ROOT/noout.stdout"
check "bad --stage-timeout is a usage error (2)" test $s_bad = 2
check "unknown option is a usage error (2)" test $s_unknown = 2

a=$(image base 1700000000)
b=$(image disk-info-bytes 1700000000 iso-file-bytes)
out=$OUT_ROOT/out
mkdir -p "$out"
echo keep >"$out/unrelated.txt"
echo secret >"$OUT_ROOT/outside.txt"
ln -s "$OUT_ROOT/outside.txt" "$out/report.json"
run_ds "$a" "$b" "$out" --quiet
expect_status 1
check "--quiet prints nothing on stdout" test ! -s "$out.stdout"
check "unrelated file in OUTDIR untouched" grep -qx keep "$out/unrelated.txt"
check "the planted symlink was replaced by a file" test -f "$out/report.json" -a ! -L "$out/report.json"
check "the symlink's target outside OUTDIR is unchanged" grep -qx secret "$OUT_ROOT/outside.txt"
check "no temporary files left" bash -c "! ls -A '$out' | grep -q '\.tmp$'"
validate "$out"
# A second run replaces the reports.
run_ds "$a" "$a" "$out"
expect_status 0
assert_q "$out" 'r["identical"] is True'
finish
