#!/usr/bin/env bash
# One build-level root (issue 11 item 5; CAUSES.md 1c "file mtimes *older* than SDE", 1d "initrd
# built from a root tree with non-reproducible mtimes", 1f "checksum file order").
# Two live-style ISOs of one tree built by the real tools (mksquashfs, cpio, mkfs.fat + mtools,
# xorriso, md5sum/sha256sum, date) with SOURCE_DATE_EPOCH a day apart: the build date is one
# root at ["@build.date"] (cause source-date-epoch) and every date that follows from it names it
# in "follows". What does not follow from it stays a root: mtimes older than the build date on
# both sides (unclamped-mtime), an initrd member an hour after it (left unclamped by cpio). The
# checksum lists differ only for files that differ: they follow the first of them. The same
# lists in another order (same SDE) are their own root, sort-order.
source "$(dirname "$0")/lib.sh"
inject=(checksums old-mtimes new-mtime fixed-mtime build-stamp)
a=$(image bd-a 1700000000 "${inject[@]}")
b=$(image bd-b 1700086400 "${inject[@]}")
A=2023-11-14T22:13:20Z
B=2023-11-15T22:13:20Z

# --- the fixture itself: what differs is what the injections say ----------------------------
fx=$OUT_ROOT/fixture
mkdir -p "$fx/a" "$fx/b"
for side in a b; do
    iso=${!side}
    xorriso -indev "$iso" -osirrox on -extract /md5sum.txt "$fx/$side/md5sum.txt" \
        -extract /live/filesystem.squashfs "$fx/$side/fs.squashfs" >/dev/null 2>&1
    unsquashfs -cat "$fx/$side/fs.squashfs" /etc/silvermetal-build >"$fx/$side/stamp" 2>/dev/null
    unsquashfs -lln "$fx/$side/fs.squashfs" /etc/hostname 2>/dev/null | grep hostname >"$fx/$side/hostname.ls" || true
    unsquashfs -lln "$fx/$side/fs.squashfs" /etc/apt/sources.list 2>/dev/null | grep sources >"$fx/$side/sources.ls" || true
    unsquashfs -cat "$fx/$side/fs.squashfs" /usr/share/doc/base-files/changelog.gz >"$fx/$side/changelog.gz" 2>/dev/null
    unsquashfs -cat "$fx/$side/fs.squashfs" /usr/lib/silver/build.pyc >"$fx/$side/build.pyc" 2>/dev/null
done
# sources.list (mtime 2023-11-15 09:20 in both trees): clamped to SDE by mksquashfs on side A only.
check "sources.list clamped on side A" grep -q '2023-11-14 22:13' "$fx/a/sources.ls"
check "sources.list kept on side B" grep -q '2023-11-15 09:20' "$fx/b/sources.ls"
# gzip's MTIME (bytes 4-7) and the .pyc's source mtime (bytes 8-11) are each side's SDE, and
# the rest of the two files is equal.
check "changelog.gz MTIME is each side's SDE" test "$(od -An -tu4 -j4 -N4 "$fx/a/changelog.gz" | tr -d ' ')|$(od -An -tu4 -j4 -N4 "$fx/b/changelog.gz" | tr -d ' ')" = "1700000000|1700086400"
check "build.pyc source mtime is each side's SDE" test "$(od -An -tu4 -j8 -N4 "$fx/a/build.pyc" | tr -d ' ')|$(od -An -tu4 -j8 -N4 "$fx/b/build.pyc" | tr -d ' ')" = "1700000000|1700086400"
check "changelog.gz and build.pyc differ in those 4 bytes only" test "$(cmp -l "$fx/a/changelog.gz" "$fx/b/changelog.gz" | awk '{print $1}' | tr '\n' ' ')|$(cmp -l "$fx/a/build.pyc" "$fx/b/build.pyc" | awk '$1 < 9 || $1 > 12' | wc -l)" = "$(cmp -l "$fx/a/changelog.gz" "$fx/b/changelog.gz" | awk '$1 >= 5 && $1 <= 8 {print $1}' | tr '\n' ' ')|0"
# The lists' lines differ for exactly these three files (their hashes), the rest is equal.
changed=$({ diff <(sort "$fx/a/md5sum.txt") <(sort "$fx/b/md5sum.txt") || true; } | sed -n 's/^[<>] [0-9a-f]*  //p' | sort -u | tr '\n' ' ')
check ".disk/info, efi.img, the squashfs and the initrd only (got: $changed)" \
    test "$changed" = "./.disk/info ./boot/grub/efi.img ./live/filesystem.squashfs ./live/initrd.img "
check "md5sum.txt lists more files than those (vmlinuz the same on both)" grep -q ' ./live/vmlinuz$' "$fx/a/md5sum.txt"
check "the stamp is the build date of each side" test "$(cat "$fx/a/stamp")|$(cat "$fx/b/stamp")" = "built $A|built $B"
xorriso -indev "$a" -osirrox on -extract /.disk/info "$fx/a/info" -indev "$b" -extract /.disk/info "$fx/b/info" >/dev/null 2>&1
check ".disk/info differs in its date only" cmp -s <(sed 's/20231114-22:13/DATE/' "$fx/a/info") <(sed 's/20231115-22:13/DATE/' "$fx/b/info")
check ".disk/info differs" bash -c "! cmp -s '$fx/a/info' '$fx/b/info'"
check "/etc/hostname is older than SDE on side A (2023-11-04)" grep -q '2023-11-04 22:13' "$fx/a/hostname.ls"
check "/etc/hostname is older than SDE on side B (2023-11-05)" grep -q '2023-11-05 22:13' "$fx/b/hostname.ls"

# --- two builds a day apart --------------------------------------------------------------------
out=$OUT_ROOT/out
run_ds "$a" "$b" "$out"
expect_status 1
validate "$out"
# One source-date-epoch root with both dates, and how it was inferred.
assert_q "$out" 'len(diffs(cause="source-date-epoch")) == 1'
assert_q "$out" 'diffs(loc=["@build.date"], kind="header", cause="source-date-epoch")[0]["a"] == "'$A'"'
assert_q "$out" 'diffs(loc=["@build.date"])[0]["b"] == "'$B'" and diffs(loc=["@build.date"])[0]["secondary"] is False'
assert_q "$out" '"independent fields" in diffs(loc=["@build.date"])[0]["detail"] and "@squashfs.mkfs_time" in diffs(loc=["@build.date"])[0]["detail"]'
assert_q "$out" '"notes_tag" not in diffs(loc=["@build.date"])[0] and diffs(loc=["@build.date"])[0]["fix"].startswith("build both with the same SOURCE_DATE_EPOCH")'
# The roots are that one and the independent ones only.
expect_roots "$out" "@build.date|header|source-date-epoch" \
    "/live/filesystem.squashfs :: /etc/hostname|mtime|unclamped-mtime" \
    "/live/initrd.img :: /etc/initrd-release|mtime|unclamped-mtime" \
    "/live/initrd.img :: /bin/busybox|mtime|cpio-metadata"
# Every difference that carries the two instants follows it, whatever layer and spelling.
assert_q "$out" 'all(d["secondary"] and d.get("follows") == ["@build.date"] for d in r["differences"] if d["kind"] in ("mtime", "header") and d["location"] != ["@build.date"] and all(t in str(d.get("a")) for t in ("'${A:0:10}'", "'${A:11:8}'")) and all(t in str(d.get("b")) for t in ("'${B:0:10}'", "'${B:11:8}'")))'
assert_q "$out" 'len([d for d in r["differences"] if d.get("follows") == ["@build.date"]]) >= 90'
for loc in '"@iso.pvd.creation_date"' '"@iso.pvd.modification_date"' '"@iso.joliet.creation_date"' \
    '"/live/filesystem.squashfs", "@squashfs.mkfs_time"' '"/live/vmlinuz"' '"/md5sum.txt"' \
    '"/live/filesystem.squashfs", "/etc/os-release"' '"/live/initrd.img", "/init"' \
    '"/boot/grub/efi.img", "/EFI/boot/bootx64.efi"' '"/boot/grub/efi.img", "@fat.volume_id"' \
    '"@iso.mbr.disk_id"' '"@gpt.disk_guid"' '"@gpt.partition_guid"' '"@iso.pvd.root_directory"'; do
    assert_q "$out" 'len(diffs(loc=['"$loc"'])) >= 1 and all(d["secondary"] and d["follows"] == ["@build.date"] for d in diffs(loc=['"$loc"']) if d["kind"] != "content")'
done
# Their own causes stay (the @build.date root is what to fix; they say what each one is).
assert_q "$out" 'diffs(loc=["@iso.pvd.creation_date"])[0]["cause"] == "iso-volume-date"'
assert_q "$out" 'diffs(loc=["/live/filesystem.squashfs", "@squashfs.mkfs_time"])[0]["cause"] == "squashfs-mkfs-time"'
assert_q "$out" 'diffs(loc=["/live/initrd.img", "/init"])[0]["cause"] == "cpio-metadata"'
# A text that writes the build date (date -u): its one changed line goes from A to B.
assert_q "$out" 'diffs(loc=["/live/filesystem.squashfs", "/etc/silvermetal-build"], kind="content")[0]["cause"] == "embedded-timestamp"'
assert_q "$out" 'diffs(loc=["/live/filesystem.squashfs", "/etc/silvermetal-build"], kind="content")[0]["follows"] == ["@build.date"]'
# Header times inside files: gzip's MTIME (gzip without -n), a timestamp-mode .pyc's source mtime.
assert_q "$out" 'diffs(loc=["/live/filesystem.squashfs", "/usr/share/doc/base-files/changelog.gz", "@gzip.mtime"])[0]["follows"] == ["@build.date"]'
assert_q "$out" 'diffs(loc=["/live/filesystem.squashfs", "/usr/share/doc/base-files/changelog.gz", "@gzip.mtime"])[0]["cause"] == "gzip-mtime"'
assert_q "$out" 'diffs(loc=["/live/filesystem.squashfs", "/usr/lib/silver/build.pyc", "@pyc.source_mtime"])[0]["follows"] == ["@build.date"]'
assert_q "$out" 'diffs(loc=["/live/filesystem.squashfs", "/usr/lib/silver/build.pyc", "@pyc.source_mtime"])[0]["cause"] == "pyc-timestamp"'
# .disk/info as live-build's binary_disk writes it: the build date to the minute.
assert_q "$out" 'diffs(loc=["/.disk/info"], kind="content")[0]["cause"] == "embedded-timestamp" and diffs(loc=["/.disk/info"], kind="content")[0]["follows"] == ["@build.date"]'
assert_q "$out" '"20231114-22:13" in diffs(loc=["/.disk/info"], kind="content")[0]["detail"]'
# An mtime clamped on one side only (one input mtime between the two build dates) follows too.
assert_q "$out" 'diffs(loc=["/live/filesystem.squashfs", "/etc/apt/sources.list"], kind="mtime")[0]["a"] == "'$A'" and diffs(loc=["/live/filesystem.squashfs", "/etc/apt/sources.list"], kind="mtime")[0]["b"] == "2023-11-15T09:20:00Z"'
assert_q "$out" 'diffs(loc=["/live/filesystem.squashfs", "/etc/apt/sources.list"], kind="mtime")[0]["follows"] == ["@build.date"]'
assert_q "$out" '"1 mtimes clamped to one side" in diffs(loc=["@build.date"])[0]["detail"]'
# Older mtimes on both sides: not the build's clock (1c, 1d), a root each with its fix.
assert_q "$out" 'diffs(loc=["/live/filesystem.squashfs", "/etc/hostname"], kind="mtime")[0]["a"] == "2023-11-04T22:13:20Z"'
assert_q "$out" 'diffs(loc=["/live/initrd.img", "/etc/initrd-release"], kind="mtime")[0]["b"] == "2023-11-05T22:13:20Z"'
assert_q "$out" 'all("follows" not in d and "-all-time" in d["fix"] for d in diffs(cause="unclamped-mtime"))'
# An mtime after the build date (cpio does not clamp): neither older nor the build's: no
# unclamped-mtime, no follows.
assert_q "$out" 'diffs(loc=["/live/initrd.img", "/bin/busybox"], kind="mtime")[0]["a"] == "2023-11-14T23:13:20Z"'
assert_q "$out" '"follows" not in diffs(loc=["/live/initrd.img", "/bin/busybox"], kind="mtime")[0]'
# The checksum lists: lines that differ only for files that differ follow the first of them.
for list in md5sum sha256sum; do
    assert_q "$out" 'diffs(loc=["/'$list'.txt"], kind="content")[0]["cause"] == "checksum-list"'
    assert_q "$out" 'diffs(loc=["/'$list'.txt"], kind="content")[0]["follows"] == ["/.disk/info"]'
    assert_q "$out" '"4 files: ./.disk/info, ./boot/grub/efi.img, ./live/filesystem.squashfs, ./live/initrd.img" in diffs(loc=["/'$list'.txt"], kind="content")[0]["detail"]'
done
# checklist.md: the root table shows the one build-level root, with every difference that
# follows from it (directly, or through another that does: the checksum lists follow .disk/info).
following=$(q "$out" 'len([d for d in r["differences"] if d["secondary"] and (lambda f: [f := next((e.get("follows") for e in r["differences"] if e["location"] == f), None) or f for _ in range(16)][-1])(d.get("follows")) == ["@build.date"]])')
check "more than 100 differences follow the build date (got $following)" test "$following" -gt 100
assert_file_contains "$out/checklist.md" "| source-date-epoch | 1 | $following | \`@build.date\` |"
assert_file_contains "$out/checklist.md" "| unclamped-mtime | 2 | 0 |"

# --- the pair of test_source_date_epoch.sh: the build date is the only root -------------------
out=$OUT_ROOT/sde
run_ds "$(image base 1700000000)" "$(image day-later 1700086400)" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "@build.date|header|source-date-epoch"
assert_q "$out" 'diffs(loc=["@build.date"])[0]["a"] == "'$A'" and diffs(loc=["@build.date"])[0]["b"] == "'$B'"'

# --- an odd second: the FAT keeps times in 2-second steps (22:13:21 is written 22:13:20) ------
out=$OUT_ROOT/odd
run_ds "$(image bd-odd-a 1700000001)" "$(image bd-odd-b 1700086401)" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "@build.date|header|source-date-epoch"
assert_q "$out" 'diffs(loc=["@build.date"])[0]["a"] == "2023-11-14T22:13:21Z" and diffs(loc=["@build.date"])[0]["b"] == "2023-11-15T22:13:21Z"'
assert_q "$out" 'diffs(loc=["/boot/grub/efi.img", "/EFI/boot/bootx64.efi"], kind="mtime")[0]["a"].startswith("written 2023-11-14 22:13:20")'
assert_q "$out" 'all(d["follows"] == ["@build.date"] for d in diffs(kind="mtime") if d["location"][0] == "/boot/grub/efi.img")'

# Checksum lists of one SOURCE_DATE_EPOCH: as live-build writes them, reordered, stale.
c=$(image bd-sums 1700000000 checksums)
d=$(image bd-sums-reordered 1700000000 checksums checksums-reordered)
for side in c d; do
    xorriso -indev "${!side}" -osirrox on -extract /md5sum.txt "$fx/$side.md5" >/dev/null 2>&1
done

# --- a list whose line differs for a file that does not differ: its own root -----------------
e=$(image bd-sums-stale 1700000000 checksums checksums-stale)
xorriso -indev "$e" -osirrox on -extract /md5sum.txt "$fx/e.md5" >/dev/null 2>&1
check "the stale list differs from the list in the vmlinuz line only" \
    test "$({ diff "$fx/c.md5" "$fx/e.md5" || true; } | grep -c '^[<>]')|$({ diff "$fx/c.md5" "$fx/e.md5" || true; } | grep -c 'vmlinuz$')" = "2|2"
out=$OUT_ROOT/stale
run_ds "$c" "$e" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/md5sum.txt|content|checksum-list" "/sha256sum.txt|content|checksum-list"
assert_q "$out" '"follows" not in diffs(loc=["/md5sum.txt"], kind="content")[0] and "1 files: ./live/vmlinuz" in diffs(loc=["/md5sum.txt"], kind="content")[0]["detail"]'

# --- one file's dates alone are no build date: the rootfs a day earlier, the ISO the same -------
out=$OUT_ROOT/one-file
run_ds "$(image base 1700000000)" "$(image bd-rootfs-earlier 1700000000 rootfs-earlier)" "$out"
expect_status 1
validate "$out"
assert_q "$out" 'diffs(loc=["@build.date"]) == [] and diffs(cause="source-date-epoch") == []'
assert_q "$out" 'len(diffs(kind="mtime", cause="mtime")) >= 40 and all(not d["secondary"] and d["location"][0] == "/live/filesystem.squashfs" for d in diffs(kind="mtime"))'
assert_q "$out" 'diffs(loc=["@iso.pvd.creation_date"]) == [] and diffs(loc=["/live/filesystem.squashfs", "@squashfs.mkfs_time"]) == []'

# --- the same lists in another order (one SOURCE_DATE_EPOCH): sort-order, no build date --------
check "the reordered list has the same lines" cmp -s <(sort "$fx/c.md5") <(sort "$fx/d.md5")
check "the reordered list is another order" bash -c "! cmp -s '$fx/c.md5' '$fx/d.md5'"
out=$OUT_ROOT/order
run_ds "$c" "$d" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/md5sum.txt|content|sort-order" "/sha256sum.txt|content|sort-order"
assert_q "$out" 'diffs(loc=["@build.date"]) == [] and diffs(cause="checksum-list") == []'
assert_q "$out" 'diffs(loc=["/md5sum.txt"], kind="content")[0]["notes_tag"] == "collation_order_varies_by_locale"'
finish
