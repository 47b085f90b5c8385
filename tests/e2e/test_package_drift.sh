#!/usr/bin/env bash
# Package drift first: two live ISOs built by make-live-iso.sh from one tree, silver-doc 1.0 in
# one and 1.1 in the other (two .debs built by dpkg-deb, installed into the rootfs with their
# dpkg status stanza, .list and .md5sums; live/filesystem.packages written by dpkg-query -W).
# The one root difference is the package's version, at ["@packages", "/silver-doc"]; the files it
# owns, its dpkg info files, the status file and filesystem.packages are its consequences.
source "$(dirname "$0")/lib.sh"
a=$(image pkg 1700000000 pkg)
b=$(image pkg-1.1 1700000000 pkg-1.1)
again=$(image pkg-again 1700000000 pkg)
other=$(image pkg-rootfs-file 1700000000 pkg rootfs-file)
sq=/live/filesystem.squashfs
doc=/usr/share/doc/silver-doc

# The fixture, checked with the real tools: dpkg-query reads the installed database, and the two
# root file systems differ in silver-doc's files, its md5sums and the status file, nothing else.
x=$OUT_ROOT/extracted
for side in a b; do
    iso=$a
    [[ $side == b ]] && iso=$b
    mkdir -p "$x/$side"
    osirrox -indev "$iso" -extract /live/filesystem.packages "$x/$side/filesystem.packages" >/dev/null 2>&1
    osirrox -indev "$iso" -extract $sq "$x/$side/fs.squashfs" >/dev/null 2>&1
    unsquashfs -q -n -d "$x/$side/root" "$x/$side/fs.squashfs" >/dev/null
    dpkg-query --admindir="$x/$side/root/var/lib/dpkg" -W >"$x/$side/W.txt"
    dpkg-query --admindir="$x/$side/root/var/lib/dpkg" -L silver-doc >"$x/$side/L.txt"
done
check "dpkg-query: A has silver-doc 1.0 and base-files" \
    bash -c "printf 'base-files\t12.4+deb12u5\nsilver-doc\t1.0\n' | cmp -s - '$x/a/W.txt'"
check "dpkg-query: B has silver-doc 1.1 and the same base-files" \
    bash -c "printf 'base-files\t12.4+deb12u5\nsilver-doc\t1.1\n' | cmp -s - '$x/b/W.txt'"
check "filesystem.packages is dpkg-query -W of each image" \
    bash -c "cmp -s '$x/a/W.txt' '$x/a/filesystem.packages' && cmp -s '$x/b/W.txt' '$x/b/filesystem.packages'"
check "dpkg-query -L: silver-doc owns its changelog on both sides" \
    bash -c "grep -qx '$doc/changelog.Debian.gz' '$x/a/L.txt' && cmp -s '$x/a/L.txt' '$x/b/L.txt'"
check "the root file systems differ in exactly the changelog, the md5sums and the status" \
    bash -c "diff -rq '$x/a/root' '$x/b/root' | sed 's|$x/a/root||; s| and .*||; s|^Files ||' | sort | cmp -s - <(printf '%s\n' $doc/changelog.Debian.gz /var/lib/dpkg/info/silver-doc.md5sums /var/lib/dpkg/status)"
check "the other pair differs in /etc/os-release (owned by base-files) and has the same status" \
    bash -c "osirrox -indev '$other' -extract $sq '$x/other.squashfs' >/dev/null 2>&1 && unsquashfs -q -n -d '$x/other' '$x/other.squashfs' >/dev/null && diff -rq '$x/a/root' '$x/other' | grep -c . | grep -qx 1 && ! cmp -s '$x/a/root/etc/os-release' '$x/other/etc/os-release'"

out=$OUT_ROOT/report
run_ds "$a" "$b" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "@packages :: /silver-doc|header|package-version"
p='["@packages", "/silver-doc"]'
assert_q "$out" 'diffs(loc='"$p"')[0]["a"] == "1.0" and diffs(loc='"$p"')[0]["b"] == "1.1"'
assert_q "$out" 'diffs(loc='"$p"')[0]["confidence"] == "certain" and "1.0 -> 1.1" in diffs(loc='"$p"')[0]["detail"]'
assert_q "$out" 'r["summary"]["root_causes"] == {"package-version": 1}'
# The consequences: the package's file, its dpkg info file, the status, filesystem.packages.
for loc in '["/live/filesystem.packages"]' '["'$sq'", "'$doc'/changelog.Debian.gz"]' \
    '["'$sq'", "/var/lib/dpkg/info/silver-doc.md5sums"]' '["'$sq'", "/var/lib/dpkg/status"]'; do
    assert_q "$out" 'len(diffs(loc='"$loc"')) == 1 and diffs(loc='"$loc"')[0]["secondary"] is True and diffs(loc='"$loc"')[0]["cause"] == "package-version"'
    assert_q "$out" 'diffs(loc='"$loc"')[0]["follows"] == ["@packages", "/silver-doc"]'
done
assert_q "$out" 'len([d for d in r["differences"] if d["cause"] == "package-version" and d["secondary"]]) == 4'
assert_q "$out" 'not any("base-files" in x or "/etc/" in x for d in r["differences"] for x in d["location"])'
check "checklist: the package drift comes first" \
    grep -qx '\*\*1 package changed version: silver-doc 1.0 -> 1.1; these 4 differences follow.\*\*' "$out/checklist.md"
check "checklist: the lead is above the cause table" \
    bash -c "test \$(grep -n 'package changed version' '$out/checklist.md' | cut -d: -f1) -lt \$(grep -n '^| cause |' '$out/checklist.md' | cut -d: -f1)"

# A difference in a file of a package whose version did not change stays its own root, and no
# package is named: the status is equal, so nothing is attributed.
out=$OUT_ROOT/unchanged
run_ds "$a" "$other" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "$sq :: /etc/os-release|content|unknown"
assert_q "$out" 'not any(d["location"][0] == "@packages" for d in r["differences"])'
check "checklist: no package lead" bash -c "! grep -q 'changed version' '$out/checklist.md'"

# A damaged status (a line that is no field): dpkg-query refuses it too; driftscope names the
# input, the file, the squashfs and the offset, reports trouble and still writes its reports.
bad=$(image pkg-bad-status 1700000000 pkg-1.1 pkg-bad-status)
check "dpkg-query refuses the damaged status" bash -c "osirrox -indev '$bad' -extract $sq '$x/bad.squashfs' >/dev/null 2>&1 && unsquashfs -q -n -d '$x/bad' '$x/bad.squashfs' >/dev/null && ! dpkg-query --admindir='$x/bad/var/lib/dpkg' -W >/dev/null 2>&1"
out=$OUT_ROOT/bad-status
run_ds "$a" "$bad" "$out"
expect_status 2
validate "$out"
at=$(($(stat -c %s "$x/bad/var/lib/dpkg/status") - 25))
assert_q "$out" 'stage("report")["status"] == "failed"'
assert_q "$out" '"B (" in stage("report")["message"] and "/var/lib/dpkg/status in squashfs '$sq'" in stage("report")["message"] and "the line at byte '$at' is not" in stage("report")["message"]'
assert_q "$out" 'not any(d["location"][0] == "@packages" for d in r["differences"])'

# A package installed on one side only: its version is the root (B has none), its files, its
# dpkg info files, the status and filesystem.packages follow from it.
none=$(image pkg-none 1700000000 pkg pkg-none)
out=$OUT_ROOT/one-side
run_ds "$a" "$none" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "@packages :: /silver-doc|removed|package-version"
assert_q "$out" 'diffs(loc='"$p"')[0]["a"] == "1.0" and diffs(loc='"$p"')[0].get("b") is None'
for loc in '["/live/filesystem.packages"]' '["'$sq'", "'$doc'/changelog.Debian.gz"]' \
    '["'$sq'", "/var/lib/dpkg/info/silver-doc.md5sums"]' '["'$sq'", "/var/lib/dpkg/info/silver-doc.list"]' \
    '["'$sq'", "/var/lib/dpkg/status"]'; do
    assert_q "$out" 'len(diffs(loc='"$loc"')) == 1 and diffs(loc='"$loc"')[0]["secondary"] is True and diffs(loc='"$loc"')[0]["cause"] == "package-version"'
done
check "checklist: the removed package comes first" grep -q 'silver-doc 1.0 -> (not installed)' "$out/checklist.md"

# The same build twice: bit-identical.
out=$OUT_ROOT/identical
run_ds "$a" "$again" "$out"
expect_status 0
validate "$out"
finish
