#!/usr/bin/env bash
# Seed corpora for the fuzz harnesses, cut from real images built by the test fixtures.
set -euo pipefail
out=$(realpath -m "${1:?usage: make-seeds.sh DIR}")
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../tests/fixtures
mkdir -p "$out"/{iso_header,iso_tree,squashfs,fat,archive,gzip,elf,classify,signatures}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1700000000 DS_FIXTURE_CACHE=$work
bash "$fixtures/make-live-iso.sh" "$work/a.iso"
bash "$fixtures/make-squashfs.sh" "$work/a.squashfs"
# ISO: the system area, descriptors, directories and boot catalog are in the first 160 KiB.
head -c 163840 "$work/a.iso" >"$out/iso_header/live-head.iso"
cp "$out/iso_header/live-head.iso" "$out/iso_tree/live-head.iso"
xorriso -as mkisofs -R -J -V SMALL -o "$work/small.iso" "$fixtures" 2>/dev/null
head -c 400000 "$work/small.iso" >"$out/iso_tree/small.iso"
cp "$work/a.squashfs" "$out/squashfs/rootfs.squashfs"
mkdir -p "$work/tiny"
printf 'tiny\n' >"$work/tiny/file"
ln -s file "$work/tiny/link"
mksquashfs "$work/tiny" "$out/squashfs/tiny.squashfs" -noappend -no-progress -quiet -comp xz >/dev/null
# FAT: a small image with a directory and a long name.
mkfs.fat -C -i 12345678 "$work/small.fat" 256 >/dev/null
mkdir -p "$work/esp/EFI/boot"
printf 'boot\n' >"$work/esp/EFI/boot/bootx64.efi"
printf 'long\n' >"$work/esp/a long file name.txt"
mcopy -s -m -i "$work/small.fat" "$work/esp/EFI" "$work/esp/a long file name.txt" ::/
cp "$work/small.fat" "$out/fat/small.fat"
# Archives: a gzip'd newc cpio and a tar.
(cd "$work/tiny" && find . | sort | cpio -o -H newc --quiet | gzip -n) >"$out/archive/initrd.cpio.gz"
tar -C "$work/tiny" -cf "$out/archive/tiny.tar" .
printf 'changelog\n' | gzip -c >"$out/gzip/changelog.gz"
cp "$out/archive/initrd.cpio.gz" "$out/gzip/"
printf 'int main(void){return 0;}\n' >"$work/m.c"
gcc -O2 -o "$out/elf/hello" "$work/m.c"
# Classifier pairs: 4 bytes (path hint, split point) then A then B.
pair() { # name hint fileA fileB
    local n
    n=$(stat -c %s "$3")
    { printf "\\x$(printf %02x "$2")\\x$(printf %02x $((n >> 16 & 255)))\\x$(printf %02x $((n >> 8 & 255)))\\x$(printf %02x $((n & 255)))"; cat "$3" "$4"; } >"$out/classify/$1"
}
printf 'root:x:19675:0:::\n' >"$work/s1"; printf 'root:x:19676:0:::\n' >"$work/s2"
pair shadow 1 "$work/s1" "$work/s2"
printf 'Built 2023-11-14 10:00\nb\n' >"$work/t1"; printf 'b\nBuilt 2023-11-15 10:00\n' >"$work/t2"
pair text 3 "$work/t1" "$work/t2"
pair gzip 3 "$out/gzip/changelog.gz" "$out/archive/initrd.cpio.gz"
pair fat 3 "$out/fat/small.fat" "$out/fat/small.fat"
printf 'x = 1\n' >"$work/m.py"
env -u SOURCE_DATE_EPOCH /usr/bin/python3 -c 'import py_compile; py_compile.compile("'"$work"'/m.py", cfile="'"$work"'/m.pyc")'
pair pyc 0 "$work/m.pyc" "$work/m.pyc"
pair elf 3 "$out/elf/hello" "$out/elf/hello"
# One directory a format harness (fuzz_format_<name>): real files made by the real tools.
mkdir -p "$out"/format_{zip,ar}
(cd "$work/tiny" && zip -q -X "$out/format_zip/tiny.zip" file)
printf 'x\n' >"$work/m.txt"
(cd "$work" && ar rc "$out/format_ar/tiny.a" m.txt)
mkdir -p "$out"/format_{zlib,iso9660}
/usr/bin/python3 -c 'import sys, zlib; sys.stdout.buffer.write(zlib.compress(b"tiny\n" * 40, 9))' >"$out/format_zlib/tiny.zz"
head -c 400000 "$work/small.iso" >"$out/format_iso9660/small.iso"
# pe: grub-mkimage's EFI core image, the same signed by sbsign (a certificate table), and a GNU
# ld EFI application with a CodeView debug record (--build-id) and a long section name.
mkdir -p "$out/format_pe"
grub-mkimage -O x86_64-efi -p /EFI/boot -o "$out/format_pe/grub.efi"
openssl req -new -x509 -newkey rsa:2048 -nodes -subj /CN=seed -days 3650 -keyout "$work/pe.key" \
    -out "$work/pe.crt" 2>/dev/null
sbsign --key "$work/pe.key" --cert "$work/pe.crt" --output "$out/format_pe/grub-signed.efi" \
    "$out/format_pe/grub.efi" 2>/dev/null
printf '    .text\n    .globl start\nstart:\n    ret\n    .section .silvermetal_notes,"dr"\n    .ascii "n\\0"\n' >"$work/pe.s"
x86_64-w64-mingw32-as -o "$work/pe.o" "$work/pe.s"
x86_64-w64-mingw32-ld --subsystem 10 -e start --build-id --enable-long-section-names -o "$out/format_pe/app.efi" "$work/pe.o"
# rpm: two tiny packages built by rpmbuild (gzip and zstd payloads).
mkdir -p "$out/format_rpm" "$work/rpm/root/usr/share/seed"
printf 'seed\n' >"$work/rpm/root/usr/share/seed/file"
for payload in gzip:w9.gzdio zstd:w19.zstdio; do
    printf '%s\n' 'Name: seed' 'Version: 1' 'Release: 1' 'Summary: seed' 'License: MIT' 'BuildArch: noarch' \
        "%global _binary_payload ${payload#*:}" '%description' 'seed' '%install' \
        "cp -a $work/rpm/root/. %{buildroot}/" '%files' '/usr/share/seed' >"$work/rpm/seed.spec"
    rpmbuild -bb --quiet --define "_topdir $work/rpm/top" --define "_tmppath $work/rpm/tmp" "$work/rpm/seed.spec" >/dev/null 2>&1
    cp "$work/rpm/top/RPMS/noarch/seed-1-1.noarch.rpm" "$out/format_rpm/seed-${payload%%:*}.rpm"
done
# mo: a catalog with a header, a plural, a context and a system-dependent string (revision 1.1),
# by msgfmt in both byte orders and by polib.
mkdir -p "$out/format_mo"
printf '%s\n' 'msgid ""' 'msgstr ""' '"Project-Id-Version: seed 1\n"' '"POT-Creation-Date: 2023-11-14 10:00+0000\n"' \
    '"Content-Type: text/plain; charset=UTF-8\n"' '"Plural-Forms: nplurals=2; plural=(n != 1);\n"' '' \
    'msgid "Hello"' 'msgstr "Hallo"' '' 'msgctxt "menu"' 'msgid "File"' 'msgstr "Datei"' '' \
    'msgid "one file"' 'msgid_plural "%d files"' 'msgstr[0] "eine Datei"' 'msgstr[1] "%d Dateien"' '' \
    '#, c-format' 'msgid "%<PRIu64> bytes"' 'msgstr "%<PRIu64> Bytes"' >"$work/seed.po"
msgfmt -o "$out/format_mo/seed-le.mo" "$work/seed.po"
msgfmt --endianness=big -o "$out/format_mo/seed-be.mo" "$work/seed.po"
/usr/bin/python3 -c 'import sys, polib; polib.pofile(sys.argv[1]).save_as_mofile(sys.argv[2])' "$work/seed.po" \
    "$out/format_mo/seed-polib.mo"
# zip and ar headers (fmt-zipdeb): Info-ZIP with its UT and ux extra fields, member and archive
# comments, stored and ZIP64 members; Python's zipfile; a .deb (dpkg-deb) and a GNU ar with its
# symbol and long-name tables.
mkdir -p "$work/zipdeb/pkg/DEBIAN"
printf 'zip seed one\n' >"$work/zipdeb/one.txt"
seq 1 300 >"$work/zipdeb/two.txt"
(cd "$work/zipdeb" && zip -q "$out/format_zip/ut-ux.zip" one.txt two.txt &&
    printf 'member note\n' | zip -q -c -z "$out/format_zip/comments.zip" one.txt &&
    zip -q -X -0 -fz "$out/format_zip/zip64-stored.zip" one.txt two.txt)
/usr/bin/python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
    z.writestr("a/b.txt", "python zipfile\n")' "$out/format_zip/python.jar"
printf 'Package: seed\nVersion: 1\nArchitecture: all\nMaintainer: s <s@example.org>\nDescription: seed\n' \
    >"$work/zipdeb/pkg/DEBIAN/control"
dpkg-deb --root-owner-group -Zgzip --build "$work/zipdeb/pkg" "$out/format_ar/seed-gzip.deb" >/dev/null
printf 'int a_rather_long_function_name(void) { return 1; }\n' >"$work/zipdeb/a_rather_long_object_name.c"
gcc -c -o "$work/zipdeb/a_rather_long_object_name.o" "$work/zipdeb/a_rather_long_object_name.c"
(cd "$work/zipdeb" && ar rcs "$out/format_ar/gnu-tables.a" a_rather_long_object_name.o one.txt)
# disk: a GPT disk (sgdisk, 8 entries, two partitions) and an MBR one with an extended
# partition and two logical ones along its EBR chain (sfdisk).
mkdir -p "$out/format_disk"
rm -f "$out/format_disk/gpt.img" "$out/format_disk/mbr.img" # sgdisk would add to an old table
truncate -s 96K "$out/format_disk/gpt.img"
sgdisk -a 1 -S 8 -U 11111111-2222-3333-4444-555555555555 -n 1:6:+40K -t 1:ef00 -c 1:ESP \
    -u 1:aaaaaaaa-0000-0000-0000-000000000001 -n 2:0:0 -c 2:root "$out/format_disk/gpt.img" >/dev/null
truncate -s 64K "$out/format_disk/mbr.img"
printf 'label: dos\nlabel-id: 0x12345678\nunit: sectors\n\nstart=1, size=31, type=c\nstart=32, size=96, type=5\nstart=34, size=30, type=83\nstart=66, size=62, type=83\n' |
    sfdisk -q "$out/format_disk/mbr.img"
# dtb: blobs compiled by dtc: nodes, properties, a reservation, a node named as a property.
mkdir -p "$out/format_dtb"
printf '/dts-v1/;\n/memreserve/ 0x10000000 0x4000;\n/ {\n\tmodel = "board";\n\t#address-cells = <1>;\n\tbus = "simple";\n\tbus { id = <1>; };\n\tsoc {\n\t\tranges;\n\t\tuart@1000 { compatible = "ns16550a"; reg = <0x1000 0x100>; };\n\t};\n};\n' |
    dtc -q -I dts -O dtb -b 1 -o "$out/format_dtb/board.dtb" -
printf '/dts-v1/;\n/ { chosen { bootargs = "console=ttyS0"; }; };\n' | dtc -q -I dts -O dtb -V 16 -o "$out/format_dtb/v16.dtb" -
# ext4: small images (1 KiB blocks) made by mke2fs from a directory: ext4 with and without
# metadata checksums, ext2, inline data; a symlink too long for its inode, a device node and an
# xattr (debugfs), a nested directory.
mkdir -p "$out/format_ext4" "$work/ext4/sub/deeper"
printf 'tiny\n' >"$work/ext4/file"
printf 'deep\n' >"$work/ext4/sub/deeper/file"
ln -s file "$work/ext4/link"
ln -s "$(printf 'long/%.0s' $(seq 1 20))target" "$work/ext4/longlink"
mkext4() { # NAME MKFS-OPTION...
    local name=$1
    shift
    E2FSPROGS_FAKE_TIME=1700000000 mkfs.ext4 -q -b 1024 -N 32 -U 0b1e55ed-0000-4000-8000-000000000001 \
        -E hash_seed=0b1e55ed-0000-4000-8000-000000000002,root_owner=0:0 -d "$work/ext4" -F "$@" \
        "$out/format_ext4/$name.img" 256k >/dev/null 2>&1
}
mkext4 ext4
mkext4 ext4-nocsum -O ^metadata_csum,^has_journal
mkext4 ext2 -t ext2
mkext4 inline -O inline_data,^has_journal,^metadata_csum
E2FSPROGS_FAKE_TIME=1700000000 debugfs -w -f - "$out/format_ext4/ext4-nocsum.img" >/dev/null 2>&1 <<'DEBUGFS'
mknod /dev-null c 1 3
ea_set /file user.note seed
DEBUGFS
# Signatures and the dpkg manifests: the first byte picks a rule (or, past the last rule, a
# manifest reader), the next three split the rest into A and B (fuzz/fuzz_signatures.c).
sig_seed() { # name pick fileA fileB
    local n
    n=$(stat -c %s "$3")
    { printf "\\x$(printf %02x "$2")\\x$(printf %02x $((n >> 16 & 255)))\\x$(printf %02x $((n >> 8 & 255)))\\x$(printf %02x $((n & 255)))"; cat "$3" "$4"; } >"$out/signatures/$1"
}
printf 'Package: silver-doc\nStatus: install ok installed\nVersion: 1.0\n\nPackage: silver-tools\nStatus: install ok installed\nVersion: 2:1.2-3\n' >"$work/status"
printf '/.\n/usr\n/usr/share/doc/silver-doc\n/usr/share/doc/silver-doc/changelog.Debian.gz\n' >"$work/silver-doc.list"
printf 'silver-doc\t1.0\nsilver-tools\t2:1.2-3\n' >"$work/filesystem.packages"
# Pairs of the files the rules read, made by the tools that make them, each offered to every rule.
mkdir -p "$work/sig/icons/hicolor/16x16/apps"
printf '[Icon Theme]\nName=Hicolor\nDirectories=16x16/apps\n[16x16/apps]\nSize=16\n' >"$work/sig/icons/hicolor/index.theme"
printf 'P1\n1 1\n0\n' >"$work/sig/icons/hicolor/16x16/apps/a.png"
gtk-update-icon-cache -q -f "$work/sig/icons/hicolor" 2>/dev/null && cp "$work/sig/icons/hicolor/icon-theme.cache" "$work/sig/icon-a"
cp "$work/sig/icons/hicolor/16x16/apps/a.png" "$work/sig/icons/hicolor/16x16/apps/b.png"
gtk-update-icon-cache -q -f "$work/sig/icons/hicolor" 2>/dev/null && cp "$work/sig/icons/hicolor/icon-theme.cache" "$work/sig/icon-b"
ssh-keygen -q -t ed25519 -N '' -C root@a -f "$work/sig/key-a" && ssh-keygen -q -t ed25519 -N '' -C root@b -f "$work/sig/key-b"
printf 'ARRAY /dev/md0 UUID=1:2:3:4\n# This configuration was auto-generated on %s by mkconf\n' "$(date -u -R -d @1700000000)" >"$work/sig/mdadm-a"
printf 'ARRAY /dev/md0 UUID=1:2:3:4\n# This configuration was auto-generated on %s by mkconf\n' "$(date -u -R -d @1700086400)" >"$work/sig/mdadm-b"
printf 'Debian GNU/Linux 12 LIVE Binary 20231114-22:13\n' >"$work/sig/info-a"
printf 'Debian GNU/Linux 12 LIVE Binary 20231115-22:13\n' >"$work/sig/info-b"
(cd "$work/tiny" && md5sum file) >"$work/sig/md5-a" && printf 'changed\n' >"$work/tiny/file" && (cd "$work/tiny" && md5sum file) >"$work/sig/md5-b"
/usr/bin/python3 - "$work/sig" <<'PYEOF'
import struct, sys, zlib
d = sys.argv[1]
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
for side, t in (("a", (2023, 11, 14, 22, 13, 20)), ("b", (2023, 11, 15, 22, 13, 20))):
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    png += chunk(b"tIME", struct.pack(">HBBBBB", *t)) + chunk(b"IDAT", zlib.compress(b"\0\0")) + chunk(b"IEND", b"")
    open(f"{d}/png-{side}", "wb").write(png)
PYEOF
for pick in $(seq 0 99); do
    sig_seed "pick-$pick-manifests" "$pick" "$work/status" "$work/silver-doc.list"
    for pair in icon key mdadm info md5 png; do
        [[ -f $work/sig/$pair-a ]] && sig_seed "pick-$pick-$pair" "$pick" "$work/sig/$pair-a" "$work/sig/$pair-b"
    done
done
sig_seed packages 255 "$work/filesystem.packages" "$work/status"
# gate_kspp: one selector byte (0 kconfig, 1 grub, 2 syslinux, 3 /etc/default/grub, 4 sysctl,
# 5 rules and waivers) then the text: live-build's boot loader templates, systemd's sysctl.d
# files, a kernel config excerpt, the rules file.
mkdir -p "$out/gate_kspp"
kspp_seed() { # name selector file
    { printf "\\x$(printf %02x "$2")"; cat "$3"; } >"$out/gate_kspp/$1"
}
lb=/usr/share/live/build/bootloaders
for f in "$lb"/grub-pc/*.cfg; do [[ -f $f ]] && kspp_seed "grub-$(basename "$f")" 1 "$f"; done
for f in "$lb"/isolinux/isolinux.cfg "$lb"/syslinux_common/*.cfg "$lb"/syslinux_common/live.cfg.in; do
    [[ -f $f ]] && kspp_seed "syslinux-$(basename "$f")" 2 "$f"
done
for f in /usr/lib/sysctl.d/*.conf /etc/sysctl.conf; do [[ -f $f ]] && kspp_seed "sysctl-$(basename "$f")" 4 "$f"; done
[[ -f /etc/default/grub ]] && kspp_seed default-grub 3 /etc/default/grub
printf '%s\n' '#' '# Automatically generated file; DO NOT EDIT.' 'CONFIG_CC_VERSION_TEXT="gcc-12 (Debian 12.2.0-14) 12.2.0"' \
    'CONFIG_X86_64=y' '# CONFIG_DEVMEM is not set' 'CONFIG_LSM="landlock,lockdown,yama,loadpin,safesetid,integrity,apparmor,selinux,smack,tomoyo,bpf"' \
    'CONFIG_ILLEGAL_POINTER_VALUE=0xdead000000000000' 'CONFIG_DEFAULT_MMAP_MIN_ADDR=65536' 'CONFIG_MODULE_SIG=m' >"$work/config"
kspp_seed kconfig 0 "$work/config"
printf 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX="init_on_alloc=1 lsm=\x27a,b\x27"\n' >"$work/default-grub"
kspp_seed default-grub-made 3 "$work/default-grub"
[[ -f $here/../data/kspp-rules.txt ]] && kspp_seed rules 5 "$here/../data/kspp-rules.txt"
printf '%s\n' 'CONFIG_BUG | kconfig CONFIG_BUG=y |  | KSPP wiki (2026-11) | oopses stop the faulting task' \
    'cmdline.init_on_alloc | kconfig CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y or cmdline init_on_alloc=1 | kconfig CONFIG_X86_64=y | kernel-hardening-checker v0.6.10 (kspp) | zeroes pages' \
    'sysctl.kernel.kptr_restrict | sysctl kernel.kptr_restrict>=1 and sysctl k.p!=4 4 1 7 |  | KSPP wiki (2026-11) | hides pointers' \
    'CONFIG_BUG -- vendor kernel' >"$work/rules"
kspp_seed rules-made 5 "$work/rules"
# AppArmor: real profiles and abstractions (apparmor-profiles), a path to match on the last line.
mkdir -p "$out/gate_apparmor"
for f in /etc/apparmor.d/bin.ping /etc/apparmor.d/usr.sbin.dnsmasq /etc/apparmor.d/usr.bin.man \
         /etc/apparmor.d/abstractions/base /etc/apparmor.d/tunables/home; do
    [ -f "$f" ] && { cat "$f"; printf '\n/usr/bin/ping'; } >"$out/gate_apparmor/$(basename "$f")"
done
printf '/{usr/,}bin/{,iputils-}p[a-z]ng\nprofile p /usr/** {\n}\n/usr/bin/ping' >"$out/gate_apparmor/glob"

# gate_elf: gcc-built programs and a shared library from tests/fixtures/gate (socket, getaddrinfo,
# DT_NEEDED with RUNPATH $ORIGIN), and a system library with many imports.
mkdir -p "$out/gate_elf"
gcc -O2 -o "$out/gate_elf/netclient" "$fixtures/gate/netclient.c"
gcc -O2 -o "$out/gate_elf/resolver" "$fixtures/gate/resolver.c"
gcc -O2 -shared -fPIC -Wl,-soname,libphone.so.1 -o "$out/gate_elf/libphone.so.1" "$fixtures/gate/libphone.c"
gcc -O2 -o "$out/gate_elf/usesphone" "$fixtures/gate/usesphone.c" -L"$out/gate_elf" -l:libphone.so.1 -Wl,-rpath,'$ORIGIN/../lib'
gcc -O2 -m32 -o "$out/gate_elf/quiet32" "$fixtures/gate/quiet.c" 2>/dev/null || true
for f in /usr/lib/x86_64-linux-gnu/libcurl.so.4 /usr/bin/ls; do [ -f "$f" ] && cp "$(realpath "$f")" "$out/gate_elf/"; done

# gate_packets: the e2e captures (tests/fixtures/make-telemetry-captures.py, written by scapy), each turned
# into the harness's input: byte 0 the link type's index, then [2-byte length][frame] per packet.
mkdir -p "$out/gate_packets" "$out/captures"
if /usr/bin/python3 "$fixtures/make-telemetry-captures.py" "$out/captures" >/dev/null 2>&1; then
    /usr/bin/python3 - "$out/captures" "$out/gate_packets" <<'PY'
import os, struct, sys
from scapy.utils import RawPcapReader, RawPcapNgReader
links = [1, 113, 276, 101, 228, 229, 0, 108]  # the harness's table, LINKTYPE_RAW for DLT_RAW
for name in sorted(os.listdir(sys.argv[1])):
    try:
        reader = RawPcapReader(os.path.join(sys.argv[1], name))
        link = reader.linktype
        frames = [bytes(p) for p, _ in reader]
    except Exception:
        continue  # the truncated and the mixed-link captures
    if link not in links:
        continue
    out = bytes([links.index(link)]) + b"".join(struct.pack(">H", len(f)) + f for f in frames)
    open(os.path.join(sys.argv[2], name + ".bin"), "wb").write(out)
PY
fi
true
