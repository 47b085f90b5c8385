#!/usr/bin/env bash
# The squashfs walk reads one directory at a time yet must list in bytewise order of the full
# paths (names with '.', '-', ' ' or '!' sort before '/': /etc/foo, /etc/foo.conf, /etc/foo/a),
# list exactly what unsquashfs lists, pair the two images' entries right, and compare more
# differing files than one chunk holds (2 048): 2 500 changed files in one directory, every one
# reported, once.
source "$(dirname "$0")/lib.sh"
work=$OUT_ROOT/work
mkdir -p "$work/a/etc/foo" "$work/a/etc/a b" "$work/a/big" "$work/a/empty" "$work/a/var/lib"
a=$work/a
printf 'one\n' >"$a/etc/foo/a"
printf 'z\n' >"$a/etc/foo/z"
printf 'conf\n' >"$a/etc/foo.conf"
printf 'bar\n' >"$a/etc/foo-bar"
printf 'space\n' >"$a/etc/foo bar"
printf 'bang\n' >"$a/etc/foo!x"
printf 'c\n' >"$a/etc/a b/c"
printf 'accent\n' >"$a/etc/caf$(printf '\303\251')"
ln -s foo.conf "$a/etc/foo.link"
deep=$a/var/lib
for i in $(seq 1 40); do deep=$deep/d$i; done
mkdir -p "$deep"
printf 'deep\n' >"$deep/leaf"
for i in $(seq 1 2500); do printf 'file %d\n' "$i" >"$a/big/f$i.txt"; done
cp -a "$a" "$work/b"
b=$work/b
printf 'two\n' >"$b/etc/foo/a"
printf 'zz\n' >"$b/etc/foo/zz"
rm "$b/etc/foo.conf"
chmod 0600 "$b/etc/foo-bar"
for i in $(seq 1 2500); do printf 'changed %d\n' "$i" >"$b/big/f$i.txt"; done
find "$a" "$b" -exec touch -h -d @1700000000 {} +
for side in a b; do
    mksquashfs "$work/$side" "$work/$side.sqfs" -noappend -quiet -no-progress -all-root -mkfs-time 1700000000 \
        -comp gzip >/dev/null
done

out=$OUT_ROOT/pair
run_ds "$work/a.sqfs" "$work/b.sqfs" "$out"
expect_status 1
validate "$out"

# The listing is in bytewise path order and holds exactly what unsquashfs lists.
grep -v '^#' "$out/sqfs-ls-a.txt" | cut -f1 >"$work/listed-a"
LC_ALL=C sort "$work/listed-a" >"$work/sorted-a"
check "sqfs-ls-a.txt is in bytewise path order" cmp -s "$work/listed-a" "$work/sorted-a"
unsquashfs -l -d '' "$work/a.sqfs" | grep '^/' | LC_ALL=C sort >"$work/unsquashfs-a"
echo / | cat - "$work/unsquashfs-a" | LC_ALL=C sort >"$work/expected-a"
check "sqfs-ls-a.txt lists what unsquashfs -l lists" cmp -s "$work/sorted-a" "$work/expected-a"
check "/etc/foo.conf sorts between /etc/foo and /etc/foo/a" \
    bash -c "grep -n -x -e /etc/foo -e /etc/foo.conf -e /etc/foo/a '$work/listed-a' | cut -d: -f2 | tr '\n' ' ' | grep -qx '/etc/foo /etc/foo.conf /etc/foo/a '"
check "the 41-level path is listed" grep -qx "${deep#"$a"}/leaf" "$work/listed-a"

# Pairs: each change where it is, and the 2 500 changed files each once.
assert_q "$out" 'len(diffs(loc=["/etc/foo/a"], kind="content")) == 1'
assert_q "$out" 'len(diffs(loc=["/etc/foo/zz"], kind="added")) == 1'
assert_q "$out" 'len(diffs(loc=["/etc/foo.conf"], kind="removed")) == 1'
assert_q "$out" 'len(diffs(loc=["/etc/foo-bar"], kind="mode")) == 1'
assert_q "$out" 'len([d for d in r["differences"] if d["kind"] == "content" and d["location"][0].startswith("/big/")]) == 2500'
assert_q "$out" 'len(set(tuple(d["location"]) for d in r["differences"] if d["kind"] == "content")) == len([d for d in r["differences"] if d["kind"] == "content"])'
assert_q "$out" 'not diffs(loc=["/etc/foo bar"]) and not diffs(loc=["/etc/foo!x"]) and not diffs(loc=["/etc/a b/c"])'
assert_q "$out" 'r["squashfs"][0]["files_compared"] == 2508'
assert_file_contains "$out/sqfs-ls-diff.txt" '-/etc/foo.conf'
assert_file_contains "$out/sqfs-ls-diff.txt" '+/etc/foo/zz'
check "no temporary file is left in OUTDIR" bash -c "! ls -A '$out' | grep -q tmp"
finish
