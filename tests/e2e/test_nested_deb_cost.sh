#!/usr/bin/env bash
# What the depth-five .deb difference costs (the pair of test_nested_deb.sh: ISO -> squashfs ->
# .deb -> data.tar.xz -> changelog.Debian.gz, only the gzip MTIME differs): the squashfs
# stage's counters show that the files with data blocks of their own were settled from their
# stored bytes, and that exactly the four layers on the way down were opened (the .deb, its
# data.tar.xz, the tar inside, the changelog's gzip): debian-binary and control.tar.xz, equal,
# were settled by their digests and never decompressed.
source "$(dirname "$0")/lib.sh"
a=$(image deb 1700000000 deb)
b=$(image deb-changelog-mtime 1700000000 deb-changelog-mtime)
x=$OUT_ROOT/extracted
mkdir -p "$x"
for side in a b; do
    iso=$a
    [[ $side == b ]] && iso=$b
    osirrox -indev "$iso" -extract /live/filesystem.squashfs "$x/$side.squashfs" >/dev/null 2>&1
done
# The fixture: two files larger than a block (their own data blocks), and the squashfs images
# differ (in the fragment block holding the .deb).
unsquashfs -lls "$x/a.squashfs" | awk '$3 > 131072 { print $NF }' >"$x/big.txt"
check "two files have data blocks of their own (unsquashfs -lls)" test "$(wc -l <"$x/big.txt")" = 2
check "the squashfs images differ" bash -c "! cmp -s '$x/a.squashfs' '$x/b.squashfs'"
check "the big files are equal" bash -c "for f in \$(cat '$x/big.txt'); do cmp -s <(unsquashfs -cat '$x/a.squashfs' \"\${f#squashfs-root/}\") <(unsquashfs -cat '$x/b.squashfs' \"\${f#squashfs-root/}\") || exit 1; done"

out=$OUT_ROOT/report
run_ds "$a" "$b" "$out"
expect_status 1
validate "$out"
expect_roots "$out" \
    "/live/filesystem.squashfs :: /var/cache/apt/archives/silver-doc_1.0_all.deb :: /data.tar.xz :: /usr/share/doc/silver-doc/changelog.Debian.gz :: @gzip.mtime|header|gzip-mtime"
assert_q "$out" 'len(r["squashfs"]) == 1 and r["squashfs"][0]["location"] == "/live/filesystem.squashfs"'
assert_q "$out" 'r["squashfs"][0]["settled_without_decompression"] == 2'
assert_q "$out" 'r["squashfs"][0]["layers_opened"] == 4'
# The same pair with --max-depth 2: the .deb and data.tar.xz's xz stream are opened, not the
# tar inside it.
out=$OUT_ROOT/shallow
run_ds "$a" "$b" "$out" --max-depth 2
expect_status 1
validate "$out"
assert_q "$out" 'r["squashfs"][0]["layers_opened"] == 2'
assert_q "$out" 'max(len(d["location"]) for d in r["differences"]) == 3'
finish
