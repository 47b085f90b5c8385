#!/usr/bin/env bash
# Injected causes in the ISO's other layers: an initrd whose cpio member differs, an efi.img
# with another FAT volume serial or file time; and two builds a day apart fully explained.
source "$(dirname "$0")/lib.sh"
base=$(image base 1700000000)

out=$OUT_ROOT/initrd
run_ds "$base" "$(image initrd-member 1700000000 initrd-member)" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/live/initrd.img :: /etc/initrd-release|content|unknown"
assert_q "$out" 'diffs(loc=["/live/initrd.img"], kind="content")[0]["secondary"] is True'
assert_q "$out" '"gzip" in diffs(loc=["/live/initrd.img"], kind="content")[0]["detail"]'

# An initrd of two segments (uncompressed early cpio, then gzip'd main cpio): both are read,
# and the member is found in the second ("/#2": segments are located by position).
out=$OUT_ROOT/initrd-early
run_ds "$(image initrd-early 1700000000 initrd-early)" "$(image initrd-early-member 1700000000 initrd-early initrd-member)" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/live/initrd.img :: /#2 :: /etc/initrd-release|content|unknown"
assert_q "$out" '"(2 segments)" in diffs(loc=["/live/initrd.img"], kind="content")[0]["detail"]'

out=$OUT_ROOT/efi-id
run_ds "$base" "$(image efi-volume-id 1700000000 efi-volume-id)" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/boot/grub/efi.img :: @fat.volume_id|header|fat-volume-id"
assert_q "$out" 'diffs(loc=["/boot/grub/efi.img", "@fat.volume_id"])[0]["a"] == "6553-F100"'

out=$OUT_ROOT/efi-time
run_ds "$base" "$(image efi-time 1700000000 efi-time)" "$out"
expect_status 1
validate "$out"
expect_roots "$out" "/boot/grub/efi.img :: /EFI/boot/bootx64.efi|mtime|fat-timestamps"
assert_q "$out" '"written 2023-11-14 21:13:20" in diffs(loc=["/boot/grub/efi.img", "/EFI/boot/bootx64.efi"])[0]["b"]'

# A larger efi.img moves isolinux.bin, whose boot-info-table xorriso patches: that change is a
# consequence of the layout, not a root.
out=$OUT_ROOT/efi-size
run_ds "$base" "$(image efi-size 1700000000 efi-size)" "$out"
expect_status 1
validate "$out"
assert_q "$out" 'diffs(loc=["/isolinux/isolinux.bin"], kind="content")[0]["secondary"] is True'
assert_q "$out" 'diffs(loc=["/isolinux/isolinux.bin"], kind="content")[0]["cause"] == "layout-shift"'
assert_q "$out" '"/boot/grub/efi.img" in [d["location"][0] for d in r["differences"] if not d["secondary"]]'
assert_q "$out" 'not any(d["location"][0] == "/isolinux/isolinux.bin" and not d["secondary"] for d in r["differences"])'
# The MBR's pointer to the boot image and the boot catalog follow the move too.
assert_q "$out" 'diffs(loc=["@iso.mbr.boot_image_lba"])[0]["secondary"] is True'
assert_q "$out" 'diffs(loc=["/isolinux/boot.cat"], kind="content")[0]["secondary"] is True'
expect_roots "$out" "/boot/grub/efi.img :: @fat.geometry|header|unknown"

# Builds a day apart: every root difference has a known cause; volume-derived ids are secondary.
# The dates are the builds' own: one root, @build.date (build_date.c); the seven causes of the
# dates stay on the differences that follow it.
out=$OUT_ROOT/day
run_ds "$base" "$(image day-later 1700086400)" "$out"
expect_status 1
validate "$out"
assert_q "$out" '"unknown" not in r["summary"]["root_causes"]'
assert_q "$out" 'set(r["summary"]["root_causes"]) == {"source-date-epoch"}'
assert_q "$out" '{d["cause"] for d in r["differences"] if d.get("follows") == ["@build.date"]} == {"iso-volume-date", "iso-file-dates", "fat-volume-id", "fat-timestamps", "cpio-metadata", "squashfs-mkfs-time", "mtime"}'
assert_q "$out" 'all(d["secondary"] for d in r["differences"] if d["location"][-1] in ("@iso.mbr.disk_id", "@gpt.disk_guid", "@gpt.partition_guid", "@gpt.crc"))'
assert_q "$out" 'diffs(loc=["@iso.mbr.disk_id"])[0]["cause"] == "iso-volume-date"'
check "checklist names 1 known root cause" grep -q "^1 known root cause explains" "$out/checklist.md"
finish
