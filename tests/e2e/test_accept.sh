#!/usr/bin/env bash
# --accept: known, documented differences do not fail the gate. A file of rules that covers
# every root difference turns the exit status into 0 (nothing else); one that covers only some
# leaves it 1; a malformed file is an error naming its line; a rule that matches nothing is
# pointed out.
source "$(dirname "$0")/lib.sh"
a=$(image base 1700000000)
b=$(image rootfs-file 1700000000 rootfs-file)
rules=$OUT_ROOT/accept.txt
cat >"$rules" <<'RULES'
# SilverMetal release gate: accepted drift
/live/filesystem.squashfs :: /etc/os-release kind=content -- version bump in this release
/var/log/* -- logs are not shipped (rule kept for the next release)
RULES
out=$OUT_ROOT/all
run_ds "$a" "$b" "$out" --accept "$rules"
expect_status 0
validate "$out"
assert_q "$out" 'r["identical"] is False and r["exit_status"] == 0 and r["summary"]["accepted"] >= 1'
assert_q "$out" 'diffs(loc=["/live/filesystem.squashfs", "/etc/os-release"])[0]["accept_reason"] == "version bump in this release"'
assert_file_contains "$out/checklist.md" "Verdict: ACCEPTED"
assert_file_contains "$out/checklist.md" "(matched nothing: is the rule still needed?)"
check "stdout says what was accepted" grep -q "^accepted: " "$out.stdout"

printf '/live/filesystem.squashfs :: /etc/hostname -- not the file that differs\n' >"$OUT_ROOT/partial.txt"
out=$OUT_ROOT/partial
run_ds "$a" "$b" "$out" --accept "$OUT_ROOT/partial.txt"
expect_status 1
validate "$out"

printf '# fine\n/etc/* -- fine\n/etc/passwd kind=content\n' >"$OUT_ROOT/bad.txt"
out=$OUT_ROOT/bad
run_ds "$a" "$b" "$out" --accept "$OUT_ROOT/bad.txt"
expect_status 2
check "a malformed accept file is an error with its line number" grep -q "bad.txt, line 3" "$out.stderr"

# Without --accept the same pair fails the gate.
out=$OUT_ROOT/none
run_ds "$a" "$b" "$out"
expect_status 1
finish
