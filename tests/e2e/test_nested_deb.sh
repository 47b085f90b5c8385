#!/usr/bin/env bash
# Five layers deep: ISO -> live/filesystem.squashfs -> a .deb (ar) -> data.tar.xz (xz, tar) ->
# changelog.Debian.gz, whose gzip header MTIME is the only difference between the builds.
# The one root difference is that header field, five location elements deep; every layer
# above it has a content difference that is a consequence (secondary).
source "$(dirname "$0")/lib.sh"
a=$(image deb 1700000000 deb)
b=$(image deb-changelog-mtime 1700000000 deb-changelog-mtime)
deb=/var/cache/apt/archives/silver-doc_1.0_all.deb
changelog=/usr/share/doc/silver-doc/changelog.Debian.gz

# The fixture, checked with the real tools: the two .debs differ only in the gzip MTIME of one
# member of data.tar.xz.
x=$OUT_ROOT/extracted
for side in a b; do
    mkdir -p "$x/$side/deb"
    iso=$a
    [[ $side == b ]] && iso=$b
    osirrox -indev "$iso" -extract /live/filesystem.squashfs "$x/$side/fs.squashfs" >/dev/null 2>&1
    unsquashfs -q -n -d "$x/$side/root" "$x/$side/fs.squashfs" "${deb#/}" >/dev/null
    cp "$x/$side/root$deb" "$x/$side/pkg.deb"
    (cd "$x/$side/deb" && ar x ../pkg.deb)
    ar t "$x/$side/pkg.deb" >"$x/$side/ar-t.txt"
    TZ=UTC dpkg-deb -c "$x/$side/pkg.deb" >"$x/$side/contents.txt"
    xz -dc "$x/$side/deb/data.tar.xz" >"$x/$side/data.tar"
    mkdir -p "$x/$side/data"
    tar -xf "$x/$side/data.tar" -C "$x/$side/data"
done
check "the .deb members are debian-binary, control.tar.xz, data.tar.xz" \
    bash -c "printf 'debian-binary\ncontrol.tar.xz\ndata.tar.xz\n' | cmp -s - '$x/a/ar-t.txt'"
check "ar members listed alike" cmp -s "$x/a/ar-t.txt" "$x/b/ar-t.txt"
check "the .debs differ" bash -c "! cmp -s '$x/a/pkg.deb' '$x/b/pkg.deb'"
check "the .debs have the same size" test "$(stat -c %s "$x/a/pkg.deb")" = "$(stat -c %s "$x/b/pkg.deb")"
check "the squashfs images have the same size" \
    test "$(stat -c %s "$x/a/fs.squashfs")" = "$(stat -c %s "$x/b/fs.squashfs")"
check "debian-binary equal" cmp -s "$x/a/deb/debian-binary" "$x/b/deb/debian-binary"
check "control.tar.xz equal" cmp -s "$x/a/deb/control.tar.xz" "$x/b/deb/control.tar.xz"
check "data.tar.xz differs" bash -c "! cmp -s '$x/a/deb/data.tar.xz' '$x/b/deb/data.tar.xz'"
check "dpkg-deb -c lists the same members, times, owners and modes" cmp -s "$x/a/contents.txt" "$x/b/contents.txt"
check "the changelog is in data.tar.xz" grep -q "\.$changelog\$" "$x/a/contents.txt"
check "the decompressed changelogs are equal" \
    bash -c "cmp -s <(gzip -dc '$x/a/data$changelog') <(gzip -dc '$x/b/data$changelog')"
# cmp -l counts from 1: bytes 5-8 are gzip's MTIME field (offsets 4-7).
check "the changelog.Debian.gz files differ only in bytes 5-8 (gzip MTIME)" \
    bash -c "cmp -l '$x/a/data$changelog' '$x/b/data$changelog' | awk '\$1 < 5 || \$1 > 8 { bad = 1 } END { exit bad || NR == 0 }'"
check "the decompressed data.tar files differ only inside the changelog's gzip header" \
    bash -c "test \$(cmp -l '$x/a/data.tar' '$x/b/data.tar' | wc -l) -ge 1 && test \$(cmp -l '$x/a/data.tar' '$x/b/data.tar' | wc -l) -le 4"

out=$OUT_ROOT/report
run_ds "$a" "$b" "$out"
expect_status 1
validate "$out"
expect_roots "$out" \
    "/live/filesystem.squashfs :: $deb :: /data.tar.xz :: $changelog :: @gzip.mtime|header|gzip-mtime"
m='["/live/filesystem.squashfs", "'$deb'", "/data.tar.xz", "'$changelog'", "@gzip.mtime"]'
assert_q "$out" 'diffs(loc='"$m"')[0]["a"] == "2023-11-14T22:13:20Z"'
assert_q "$out" 'diffs(loc='"$m"')[0]["b"] == "2023-11-14T23:13:20Z"'
# Every layer above the field: a content difference, a consequence of the one below.
for n in 1 2 3 4; do
    assert_q "$out" 'len(diffs(loc='"$m"'['":$n], kind=\"content\")) == 1 and diffs(loc=$m[:$n], kind=\"content\")[0][\"secondary\"] is True"
done
# Nothing in the equal members of the .deb or the tar is reported.
assert_q "$out" 'not any(d["location"][2:3] in (["/debian-binary"], ["/control.tar.xz"]) for d in r["differences"])'
assert_q "$out" 'not any(len(d["location"]) > 3 and d["location"][3] != "'$changelog'" for d in r["differences"])'
assert_q "$out" 'r["summary"]["root_causes"] == {"gzip-mtime": 1}'
# The checklist's next step sees the root five levels down, not "no file inside it differs".
check "checklist: the squashfs has a difference inside it" grep -q 'filesystem.squashfs` differs: 1 differences inside it' "$out/checklist.md"
finish
