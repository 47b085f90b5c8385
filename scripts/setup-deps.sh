#!/usr/bin/env bash
# Installs, with apt-get, whatever driftscope's build, tests and demo need and this Debian 12
# machine lacks. Run as root (or with sudo available). Installs nothing when all is present.
set -euo pipefail
packages=(
    build-essential cmake pkg-config
    libssl-dev zlib1g-dev libcmocka-dev
    libsquashfs-dev libarchive-dev liblzma-dev libzstd-dev liblz4-dev libext2fs-dev comerr-dev
    xorriso isolinux syslinux-common squashfs-tools squashfs-tools-ng dosfstools mtools cpio gzip
    xz-utils zstd e2fsprogs
    dpkg binutils tar unzip zip rpm rpm2cpio gettext python3-polib
    openssl python3 python3-jsonschema python3-html5lib util-linux attr diffoscope-minimal time
    gdisk fdisk device-tree-compiler
    chromium
    grub-common grub-efi-amd64-bin sbsigntool binutils-mingw-w64-x86-64
    # test_signatures_image: apt-ftparchive release (the on-image repository's Release file)
    apt-utils
    # test_signatures_files.sh: machine ids, host keys, the snakeoil pair, backups, cracklib
    dbus-bin systemd openssh-client ssl-cert passwd cracklib-runtime
    # test_signatures_caches: the tools that write the generated caches
    fontconfig fonts-dejavu-core man-db apt-utils gtk-update-icon-cache appstream libgdk-pixbuf-2.0-0
    db5.3-util uuid-runtime xxd bsdextrautils
    # test_deb_package: dpkg-buildpackage (dpkg-dev) with debhelper, then lintian and man -l
    dpkg-dev debhelper lintian man-db
    # imagegate telemetry: libpcap to read captures; scapy and cryptography write the test
    # captures (QUIC Initials encrypted in Python); tshark/mergecap check them and the bench
    libpcap-dev python3-scapy python3-cryptography tshark
)
missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if ((${#missing[@]} == 0)); then
    exit 0
fi
echo "driftscope: installing ${missing[*]}" >&2
sudo=()
if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || { echo "driftscope: run as root to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
# wireshark-common asks whether non-root users may capture: no (nothing here captures live)
echo "wireshark-common wireshark-common/install-setuid boolean false" | "${sudo[@]}" debconf-set-selections 2>/dev/null || true
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
