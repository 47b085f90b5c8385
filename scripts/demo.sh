#!/usr/bin/env bash
# Builds driftscope, makes a demo pair of live-style ISOs (same tree and SOURCE_DATE_EPOCH, one
# file changed inside live/filesystem.squashfs) and runs driftscope on them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
bash scripts/build.sh
mkdir -p demo
export SOURCE_DATE_EPOCH=1700000000
bash tests/fixtures/make-live-iso.sh demo/a.iso
bash tests/fixtures/make-live-iso.sh demo/b.iso rootfs-file
set +e
build/driftscope demo/a.iso demo/b.iso -o demo/report
status=$?
set -e
echo
echo "driftscope exited with $status (0 identical, 1 different, 2 trouble)."
echo "Open demo/report/report.html, or read demo/report/checklist.md; demo/report/report.json is the machine-readable form."
[[ $status == 1 ]] # the demo pair differs by construction
