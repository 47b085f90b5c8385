#!/usr/bin/env bash
# CAUSES.md table 1f (image-level files on the ISO) and the kernel rows of 1g: one ISO pair made
# with xorriso, as live-build lays a live image out, each row's difference at its own path and
# made by the tool that makes it where Debian has one:
#   /.disk/info                 date(1), as live-build's binary_disk writes it  -> embedded-timestamp
#   /.disk/archive_trace        crafted: ftpsync/dak write it on the mirror; no tool makes one
#                               offline (the master trace's Date:/Archive serial: lines) -> package-version
#   /isolinux/menu.cfg, /boot/grub/grub.cfg, /isolinux/splash.svg
#                               `date -R`, as binary_syslinux / binary_bootloader_splash -> embedded-timestamp
#   /boot/grub/live-theme/theme.txt  the same bytes, the mtime left unclamped -> iso-file-dates
#   /.disk/mkisofs              the xorriso command line as binary_iso records it -> iso-build-options
#   /dists/bookworm/Release     apt-ftparchive release with two SOURCE_DATE_EPOCHs -> embedded-timestamp
#   /live-image-source.debian.tar, /live-image-source.live.tar
#                               GNU tar: other mtimes; other member order -> mtime, archive-order
#   /live/vmlinuz               crafted: a bzImage-shaped file following the Linux/x86 boot protocol
#                               (setup header, kernel_version at 0x20E, a gzip payload holding the
#                               banner), since building a kernel is out of reach -> kernel-build-stamp
#   silver.ko (in the squashfs) gcc -c, signed as scripts/sign-file does (openssl cms, two
#                               throw-away keys; struct module_signature and the magic) -> module-signature
# Inside live/filesystem.squashfs the same paths hold files that do NOT show the signatures
# (other words, another kernel release, other code): none of them gets the row's cause.
source "$(dirname "$0")/lib.sh"
export TZ=UTC LC_ALL=C
work=$OUT_ROOT/work
SA=1700000000
SB=1700086400
for tool in xorriso mksquashfs apt-ftparchive openssl gcc tar gzip; do
    command -v "$tool" >/dev/null || { echo "missing $tool (scripts/setup-deps.sh)" >&2; exit 1; }
done

# bzimage OUT VERSION BANNER_DATE [efi]: setup_sects 4, the version string at 0x600 (pointer
# 0x400), protocol 2.15, then the "protected-mode" payload: gzip -n of the banner and fixed
# filler. With efi, the EFI stub's headers as Debian's kernels carry them: "MZ", e_lfanew 0x40,
# a PE32+ header and two sections (.setup, .text) in the sector before the setup header, so that
# the file opens as PE (objdump -h reads it as pei-x86-64).
bzimage() {
    "$PY" - "$@" <<'PYEOF'
import gzip, struct, sys
out, version, date = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
efi = len(sys.argv) > 4
setup = bytearray(5 * 512)
setup[0x1F1] = 4                                  # setup_sects
setup[0x1FE:0x200] = b"\x55\xaa"                  # boot_flag
setup[0x200:0x202] = b"\xeb\x66"                  # jump over the header
setup[0x202:0x206] = b"HdrS"
struct.pack_into("<H", setup, 0x206, 0x020F)      # protocol 2.15
struct.pack_into("<H", setup, 0x20E, 0x400)       # kernel_version - 0x200
setup[0x600:0x600 + len(version) + 1] = version + b"\0"
banner = b"Linux version " + version + b"\n" + date + b"\n"
payload = gzip.compress(banner + bytes(range(256)) * 64, mtime=0)
if efi:
    payload += bytes(-len(payload) % 512)
struct.pack_into("<I", setup, 0x1F4, (len(payload) + 15) // 16)  # syssize
if efi:  # PE/COFF (Microsoft PE format spec): MS-DOS header, COFF header, PE32+ optional header
    setup[0:2] = b"MZ"
    struct.pack_into("<I", setup, 0x3C, 0x40)
    setup[0x40:0x44] = b"PE\0\0"
    struct.pack_into("<HHIIIHH", setup, 0x44, 0x8664, 2, 0, 0, 0, 0xF0, 0x0206)
    opt = 0x58
    struct.pack_into("<HBBIIIII", setup, opt, 0x20B, 2, 20, len(payload), 0, 0, 0xA00, 0x200)
    struct.pack_into("<QII", setup, opt + 24, 0, 0x20, 0x20)
    struct.pack_into("<II", setup, opt + 56, 0xA00 + len(payload), 0x200)  # SizeOfImage, SizeOfHeaders
    struct.pack_into("<H", setup, opt + 68, 10)                             # EFI application
    struct.pack_into("<I", setup, opt + 108, 16)                            # data directories
    for i, (name, at, size) in enumerate([(b".setup", 0x200, 0x800), (b".text", 0xA00, len(payload))]):
        s = opt + 0xF0 + 40 * i
        setup[s:s + 8] = name.ljust(8, b"\0")
        struct.pack_into("<IIII", setup, s + 8, size, at, size, at)
        struct.pack_into("<I", setup, s + 36, 0x60000020)
open(out, "wb").write(bytes(setup) + payload)
PYEOF
}

# signed_module OUT OBJECT KEY: what scripts/sign-file appends (PKCS#7 signature, detached, no
# attributes, no certificates; struct module_signature with id_type 2 and sig_len; the magic).
signed_module() {
    local out=$1 obj=$2 key=$3
    openssl cms -sign -binary -noattr -nocerts -md sha256 -signer "$key" -inkey "$key" -in "$obj" \
        -outform DER -out "$out.sig" 2>/dev/null
    local n
    n=$(stat -c %s "$out.sig")
    { cat "$obj" "$out.sig"
      printf '\0\0\2\0\0\0\0\0'
      printf "\\$(printf %03o $((n >> 24 & 255)))\\$(printf %03o $((n >> 16 & 255)))\\$(printf %03o $((n >> 8 & 255)))\\$(printf %03o $((n & 255)))"
      printf '~Module signature appended~\n'; } >"$out"
    rm -f "$out.sig"
}

M=usr/lib/modules/6.1.0-13-amd64/kernel/drivers/misc
build_side() { # build_side DIR SDE SIDE(a|b)
    local dir=$1 sde=$2 side=$3 iso=$1/binary rfs=$1/rootfs
    mkdir -p "$iso"/{.disk,isolinux,boot/grub/live-theme,live,dists/bookworm/main/binary-amd64,dists/other}
    printf 'Debian GNU/Linux 12 "Bookworm" - Official amd64 LIVE Binary %s\n' "$(date -d "@$sde" +%Y%m%d-%H:%M)" \
        >"$iso/.disk/info"
    printf 'Date: %s\nArchive serial: %s\nCreator: dak\nRunning on host: fasolo\n' \
        "$(date -R -d "@$((sde - 7200))")" "$(date -d "@$((sde - 7200))" +%Y%m%d)01" >"$iso/.disk/archive_trace"
    printf 'menu hshift 0\nmenu width 82\nmenu title Boot menu (built %s)\ninclude stdmenu.cfg\n' \
        "$(date -R -d "@$sde")" >"$iso/isolinux/menu.cfg"
    printf 'set default=0\nmenuentry "Live system (built %s)" {\n  linux /live/vmlinuz boot=live\n}\n' \
        "$(date -R -d "@$sde")" >"$iso/boot/grub/grub.cfg"
    printf '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">\n<text x="10" y="470">%s</text>\n</svg>\n' \
        "$(date -R -d "@$sde")" >"$iso/isolinux/splash.svg"
    printf 'title-text: ""\ndesktop-image: "splash.png"\n' >"$iso/boot/grub/live-theme/theme.txt"
    printf 'xorriso -as mkisofs -R -r -J -joliet-long -l -iso-level 3 -V "Debian 12 amd64" --modification-date=%s -o live-image-amd64.hybrid.iso binary\n' \
        "$(date -d "@$sde" +%Y%m%d%H%M%S00)" >"$iso/.disk/mkisofs"
    printf 'Package: silver\nVersion: 1.0\nArchitecture: all\n' >"$iso/dists/bookworm/main/binary-amd64/Packages"
    cp "$iso/dists/bookworm/main/binary-amd64/Packages" "$iso/dists/other/Packages"
    # apt-ftparchive writes Date: from the clock (apt 2.6 has no option for it): B a second later
    [[ $side == b ]] && sleep 1.1
    (cd "$iso/dists/bookworm" && SOURCE_DATE_EPOCH=$sde apt-ftparchive \
        -o APT::FTPArchive::Release::Origin=Debian -o APT::FTPArchive::Release::Suite=bookworm \
        -o "APT::FTPArchive::Release::Description=Last updated: $(date -R -d "@$sde")" release . >Release.new &&
        mv Release.new Release)
    # the negative: one build date, another Origin
    (cd "$iso/dists/other" && SOURCE_DATE_EPOCH=$SA apt-ftparchive \
        -o "APT::FTPArchive::Release::Origin=Debian-$side" release . >Release.new && mv Release.new Release)
    # the source image's tarballs: other mtimes; other order
    mkdir -p "$dir/src/debian/silver" "$dir/src/live/config"
    printf 'silver source\n' >"$dir/src/debian/silver/README"
    printf 'LB_DISTRIBUTION="bookworm"\n' >"$dir/src/live/config/common"
    printf 'LB_MODE="debian"\n' >"$dir/src/live/config/bootstrap"
    find "$dir/src" -exec touch -h -d "@$SA" {} +
    find "$dir/src/debian" -exec touch -h -d "@$sde" {} +
    (cd "$dir/src" && tar --format=gnu --owner=0 --group=0 --numeric-owner -cf "$iso/live-image-source.debian.tar" debian)
    if [[ $side == a ]]; then order=(live/config/bootstrap live/config/common); else order=(live/config/common live/config/bootstrap); fi
    (cd "$dir/src" && tar --format=gnu --owner=0 --group=0 --numeric-owner --no-recursion -cf "$iso/live-image-source.live.tar" \
        live live/config "${order[@]}")
    local host=builder-$side when
    when=$(date -d "@$sde" '+%a %b %e %H:%M:%S UTC %Y')
    bzimage "$iso/live/vmlinuz" "6.1.0-13-amd64 (root@$host) #1 SMP PREEMPT_DYNAMIC $when" "$when"
    # the root file system: the module, and the negatives at the rows' paths
    mkdir -p "$rfs/usr/lib/modules/6.1.0-13-amd64/kernel/drivers/misc" "$rfs/.disk" "$rfs/boot/grub"
    signed_module "$rfs/usr/lib/modules/6.1.0-13-amd64/kernel/drivers/misc/silver.ko" "$work/silver.o" "$dir/key.pem"
    signed_module "$rfs/usr/lib/modules/6.1.0-13-amd64/kernel/drivers/misc/other.ko" "$work/other-$side.o" "$work/key-common.pem"
    local word=Official
    [[ $side == b ]] && word=Unofficial
    printf 'Debian GNU/Linux 12 "Bookworm" - %s amd64 LIVE Binary 20231114-22:13\n' "$word" >"$rfs/.disk/info"
    printf 'Date: Tue, 14 Nov 2023 20:13:20 +0000\nArchive serial: 2023111401\nCreator: dak\nRunning on host: host-%s\n' \
        "$side" >"$rfs/.disk/archive_trace"
    printf 'this is no command line: %s\n' "$side" >"$rfs/.disk/mkisofs"
    printf 'set default=0\nmenuentry "Live system (%s)" {\n  linux /live/vmlinuz\n}\n' "$word" >"$rfs/boot/grub/grub.cfg"
    local release=6.1.0-13-amd64
    [[ $side == b ]] && release=6.1.0-14-amd64
    bzimage "$rfs/boot/vmlinuz-6.1.0-13-amd64-efi" "6.1.0-13-amd64 (root@$host) #1 SMP PREEMPT_DYNAMIC $when" "$when" efi
    bzimage "$rfs/boot/vmlinuz-6.1.0-13-amd64" "$release (root@builder) #1 SMP PREEMPT_DYNAMIC Tue Nov 14 22:13:20 UTC 2023" x
    # hostile shapes at the rows' paths: a version pointer past the setup sectors, a header cut
    # short, a signature length past the start of the file
    "$PY" - "$rfs/boot/vmlinuz-bad" "$rfs/boot/vmlinuz-short" "$rfs/$M/bad.ko" "$side" <<'PYEOF'
import struct, sys
bad, short, ko, side = sys.argv[1:]
h = bytearray(0x270)
h[0x1F1] = 1
h[0x1FE:0x200] = b"\x55\xaa"
h[0x202:0x206] = b"HdrS"
struct.pack_into("<HH", h, 0x206, 0x020F, 0)
struct.pack_into("<H", h, 0x20E, 0xFFF0)
h[0x260] = ord(side)
open(bad, "wb").write(bytes(h))
open(short, "wb").write(bytes(h[:0x205]) + side.encode())
open(ko, "wb").write(b"\x7fELF" + side.encode() + b"\0\0\2\0\0\0\0\0\xff\xff\xff\xff~Module signature appended~\n")
PYEOF
    find "$rfs" -exec touch -h -d "@$SA" {} +
    mksquashfs "$rfs" "$iso/live/filesystem.squashfs" -noappend -comp gzip -no-progress -quiet -mkfs-time "$SA" \
        -all-root >/dev/null
    find "$iso" -exec touch -h -d "@$SA" {} +
    # theme.txt: its mtime left unclamped in B
    [[ $side == b ]] && touch -d "@$((SA + 4242))" "$iso/boot/grub/live-theme/theme.txt"
    xorriso -as mkisofs -R -J -l -iso-level 3 -V "Debian 12 amd64" --set_all_file_dates set_to_mtime \
        --modification-date="$(date -d "@$SA" +%Y%m%d%H%M%S00)" -o "$dir/image.iso" "$iso" 2>"$dir/xorriso.log" ||
        { cat "$dir/xorriso.log" >&2; exit 1; }
}

mkdir -p "$work/a" "$work/b"
printf 'int silver_init(void) { return 0; }\nint silver_exit(void) { return 1; }\n' >"$work/silver.c"
gcc -O2 -c -o "$work/silver.o" "$work/silver.c"
printf 'int other_init(void) { return 2; }\n' >"$work/other-a.c"
printf 'int other_init(void) { return 3; }\n' >"$work/other-b.c"
gcc -O2 -c -o "$work/other-a.o" "$work/other-a.c"
gcc -O2 -c -o "$work/other-b.o" "$work/other-b.c"
for k in a/key b/key key-common; do
    openssl req -new -nodes -utf8 -sha256 -days 36500 -batch -x509 -subj "/CN=Build time autogenerated kernel key" \
        -newkey rsa:2048 -outform PEM -out "$work/$k.pem" -keyout "$work/$k.pem" 2>/dev/null
done
build_side "$work/a" "$SA" a
build_side "$work/b" "$SB" b
A=$work/a/binary
B=$work/b/binary

# --- the fixture itself: the files differ where the rows say, and only there --------------
check "fixture: .disk/info differs only in the Binary stamp" \
    bash -c "diff <(sed 's/Binary [0-9]*-[0-9:]*//' '$A/.disk/info') <(sed 's/Binary [0-9]*-[0-9:]*//' '$B/.disk/info') >/dev/null && ! cmp -s '$A/.disk/info' '$B/.disk/info'"
check "fixture: Release files differ only in Date: and Description: lines" \
    bash -c "diff <(grep -v '^Date:\|^Description:' '$A/dists/bookworm/Release') <(grep -v '^Date:\|^Description:' '$B/dists/bookworm/Release') >/dev/null && ! cmp -s '$A/dists/bookworm/Release' '$B/dists/bookworm/Release'"
check "fixture: the Release files' Date: lines differ" \
    bash -c "! cmp -s <(grep '^Date:' '$A/dists/bookworm/Release') <(grep '^Date:' '$B/dists/bookworm/Release')"
check "fixture: the negative Release differs in Origin:" \
    bash -c "diff '$A/dists/other/Release' '$B/dists/other/Release' | grep -q '^< Origin: Debian-a'"
check "fixture: theme.txt bytes equal" cmp -s "$A/boot/grub/live-theme/theme.txt" "$B/boot/grub/live-theme/theme.txt"
check "fixture: the source tar members differ in mtime only" \
    bash -c "cmp -s <(tar -tf '$A/live-image-source.debian.tar') <(tar -tf '$B/live-image-source.debian.tar') && ! cmp -s '$A/live-image-source.debian.tar' '$B/live-image-source.debian.tar'"
check "fixture: the other source tar has the same members in another order" \
    bash -c "cmp -s <(tar -tf '$A/live-image-source.live.tar' | sort) <(tar -tf '$B/live-image-source.live.tar' | sort) && ! cmp -s <(tar -tf '$A/live-image-source.live.tar') <(tar -tf '$B/live-image-source.live.tar')"
check "fixture: vmlinuz version strings differ" \
    bash -c "[[ \$(dd if='$A/live/vmlinuz' bs=1 skip=1536 count=60 2>/dev/null | tr -d '\0') != \$(dd if='$B/live/vmlinuz' bs=1 skip=1536 count=60 2>/dev/null | tr -d '\0') ]]"
check "fixture: silver.ko's module bytes equal, signatures differ" \
    bash -c "n=\$(stat -c %s '$work/silver.o'); cmp -s <(head -c \$n '$work/a/rootfs/$M/silver.ko') <(head -c \$n '$work/b/rootfs/$M/silver.ko') && ! cmp -s '$work/a/rootfs/$M/silver.ko' '$work/b/rootfs/$M/silver.ko' && tail -c 28 '$work/a/rootfs/$M/silver.ko' | grep -q 'Module signature appended'"

out=$OUT_ROOT/out
run_ds "$work/a/image.iso" "$work/b/image.iso" "$out"
expect_status 1
validate "$out"
SQ="/live/filesystem.squashfs :: "
MK="/usr/lib/modules/6.1.0-13-amd64/kernel/drivers/misc"
# Each row's difference is a root with the row's cause; the negatives stay unknown; nothing else.
expect_roots "$out" \
    "/.disk/info|content|embedded-timestamp" \
    "/.disk/archive_trace|content|package-version" \
    "/.disk/mkisofs|content|iso-build-options" \
    "/isolinux/menu.cfg|content|embedded-timestamp" \
    "/isolinux/splash.svg|content|embedded-timestamp" \
    "/boot/grub/grub.cfg|content|embedded-timestamp" \
    "/boot/grub/live-theme/theme.txt|mtime|iso-file-dates" \
    "/dists/bookworm/Release|content|embedded-timestamp" \
    "/dists/other/Release|content|unknown" \
    "/live-image-source.debian.tar :: /debian|mtime|mtime" \
    "/live-image-source.debian.tar :: /debian/silver|mtime|mtime" \
    "/live-image-source.debian.tar :: /debian/silver/README|mtime|mtime" \
    "/live-image-source.live.tar :: @tar.order|order|archive-order" \
    "/live/vmlinuz|content|kernel-build-stamp" \
    "$SQ$MK/silver.ko|content|module-signature" \
    "$SQ/.disk/info|content|unknown" \
    "$SQ/.disk/archive_trace|content|unknown" \
    "$SQ/.disk/mkisofs|content|unknown" \
    "$SQ/boot/grub/grub.cfg|content|unknown" \
    "$SQ/boot/vmlinuz-6.1.0-13-amd64|content|unknown" \
    "$SQ/boot/vmlinuz-6.1.0-13-amd64-efi|content|kernel-build-stamp" \
    "$SQ$MK/other.ko|content|unknown" \
    "$SQ/boot/vmlinuz-bad|content|unknown" \
    "$SQ/boot/vmlinuz-short|content|unknown" \
    "$SQ$MK/bad.ko|content|unknown" \
    "$SQ$MK/other.ko :: @elf.section..text|header|unknown" \
    "$SQ$MK/other.ko :: @elf.section..strtab|header|unknown"
# The evidence is each rule's own (the generic date classifier would say less), with the fix and
# the notes tag of the cause.
d() { printf 'diffs(loc=%s, kind="%s")[0]' "$1" "${2:-content}"; }
assert_q "$out" "'only the build stamp after \"Binary\" differs: 20231114-22:13 / 20231115-22:13' in $(d '["/.disk/info"]')['detail']"
assert_q "$out" "$(d '["/.disk/info"]')['confidence'] == 'certain'"
assert_q "$out" "$(d '["/.disk/info"]')['notes_tag'] == 'timestamps_manually_added_needs_further_investigation'"
assert_q "$out" "'the archive\'s trace: only 2 dated lines differ' in $(d '["/.disk/archive_trace"]')['detail']"
assert_q "$out" "$(d '["/.disk/archive_trace"]').get('notes_tag') is None and 'snapshot' in $(d '["/.disk/archive_trace"]')['fix']"
assert_q "$out" "'differ first at \'--modification-date=2023111422132000\' / \'--modification-date=2023111522132000\'' in $(d '["/.disk/mkisofs"]')['detail']"
assert_q "$out" "'lb config' in $(d '["/.disk/mkisofs"]')['fix']"
for f in /isolinux/menu.cfg /isolinux/splash.svg /boot/grub/grub.cfg; do
    assert_q "$out" "$(d "[\"$f\"]")['detail'].count(\"a boot menu's build date: line\") == 1"
done
assert_q "$out" "'Tue, 14 Nov 2023 22:13:20 +0000' in $(d '["/isolinux/menu.cfg"]')['detail']"
assert_q "$out" "$(d '["/boot/grub/live-theme/theme.txt"]' mtime)['notes_tag'] == 'timestamps_in_directories'"
assert_q "$out" "'an APT Release file: only 2 dated lines differ (the first: Date:)' in $(d '["/dists/bookworm/Release"]')['detail']"
assert_q "$out" "$(d '["/live-image-source.live.tar", "@tar.order"]' order)['notes_tag'] == 'random_order_in_tarball'"
assert_q "$out" "$(d '["/live-image-source.debian.tar", "/debian/silver/README"]' mtime)['fix'].startswith('clamp file mtimes')"
assert_q "$out" "'release 6.1.0-13-amd64 differ only in user@host and the build date' in $(d '["/live/vmlinuz"]')['detail']"
assert_q "$out" "$(d '["/live/vmlinuz"]')['notes_tag'] == 'timestamps_from_cpp_macros'"
# An EFI-stub kernel opens as PE: its sections differ (the version string sits in .setup, the
# banner in the compressed .text); the build stamp explains the file, the sections follow.
e='["/live/filesystem.squashfs", "/boot/vmlinuz-6.1.0-13-amd64-efi"'
assert_q "$out" "'differ only in user@host and the build date' in $(d "$e]")['detail']"
assert_q "$out" "len(diffs(loc=$e, \"@pe.section..setup\"])) == 1 and all(x['secondary'] for x in r['differences'] if x['location'][:2] == $e] and len(x['location']) > 2)"
check "fixture: the EFI-stub kernel is a PE file" bash -c "objdump -h '$work/a/rootfs/boot/vmlinuz-6.1.0-13-amd64-efi' 2>/dev/null | grep -q pei-x86-64"
assert_q "$out" "'KBUILD_BUILD_TIMESTAMP' in $(d '["/live/vmlinuz"]')['fix']"
assert_q "$out" "'only the appended PKCS#7 signatures differ' in $(d "[\"/live/filesystem.squashfs\", \"$MK/silver.ko\"]")['detail']"
assert_q "$out" "$(d "[\"/live/filesystem.squashfs\", \"$MK/silver.ko\"]")['notes_tag'] == 'cryptographic_signature'"
# The signature rules do not fire on files at their paths without the signature.
for f in /.disk/info /.disk/archive_trace /.disk/mkisofs /boot/grub/grub.cfg /boot/vmlinuz-6.1.0-13-amd64 $MK/other.ko; do
    assert_q "$out" "$(d "[\"/live/filesystem.squashfs\", \"$f\"]")['cause'] == 'unknown'"
done
assert_q "$out" "$(d '["/dists/other/Release"]')['cause'] == 'unknown'"
finish
