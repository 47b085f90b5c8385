#!/usr/bin/env bash
# Builds two live-build images of one configuration (Debian bookworm, xz squashfs, a package
# list like a small SilverMetal live system), one after the other in one build directory with
# SOURCE_DATE_EPOCH fixed, and keeps them: the "live pair" bench/run.sh --live measures.
#
#   bench/make-live.sh OUTDIR        -> OUTDIR/live-a.iso, OUTDIR/live-b.iso
#
# Needs root and Debian's mirror (deb.debian.org, or LIVE_MIRROR). The second build reuses the
# first build's package cache (lb clean keeps cache/), so it downloads nothing; what differs
# between the two images is what live-build and Debian's packages do not make reproducible.
set -euo pipefail
out=${1:?usage: make-live.sh OUTDIR}
mirror=${LIVE_MIRROR:-http://deb.debian.org/debian}
epoch=${SOURCE_DATE_EPOCH:-1764547200}
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [[ -s $out/live-a.iso && -s $out/live-b.iso ]]; then
    echo "make-live: $out/live-a.iso and live-b.iso are there; kept" >&2
    exit 0
fi
command -v lb >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq live-build >/dev/null
build=$out/lb
mkdir -p "$build"
cd "$build"
export SOURCE_DATE_EPOCH=$epoch
configure() {
    lb config --mode debian --distribution bookworm --archive-areas main \
        --mirror-bootstrap "$mirror" --mirror-chroot "$mirror" --mirror-binary "$mirror" \
        --security false --updates false --apt-recommends false \
        --binary-images iso-hybrid --bootloaders grub-efi,syslinux \
        --debian-installer none --firmware-binary false --firmware-chroot false \
        --chroot-squashfs-compression-type xz --iso-volume SILVERMETAL \
        --linux-flavours amd64 --memtest none >/dev/null
    # A small desktop-less live system: networking, the hardening tools the gates look at,
    # and enough libraries and locales to give the squashfs tens of thousands of files.
    cat >config/package-lists/silvermetal.list.chroot <<'LIST'
live-boot
live-config
live-config-systemd
systemd-sysv
apparmor
apparmor-profiles
network-manager
openssh-client
curl
wget
ca-certificates
iproute2
iptables
nftables
less
vim-tiny
sudo
locales
man-db
manpages
python3
perl
gnupg
tor
LIST
}
for side in a b; do
    [[ -s $out/live-$side.iso ]] && continue
    echo "make-live: building image $side (lb build, SOURCE_DATE_EPOCH=$epoch)" >&2
    # lb clean forgets the configuration stage (not the cache): configure again, the same way
    lb clean >/dev/null 2>&1 || true
    configure
    lb build >"$out/lb-build-$side.log" 2>&1 || { echo "make-live: lb build failed; see $out/lb-build-$side.log" >&2; tail -20 "$out/lb-build-$side.log" >&2; exit 1; }
    iso=$(ls -1 ./*.iso | head -n 1)
    mv "$iso" "$out/live-$side.iso"
done
ls -l "$out"/live-?.iso >&2
