#!/usr/bin/env bash
# Builds driftscope, makes a demo pair of live-style ISOs and runs driftscope on them. The pair
# differs as two real builds of one config do: B was built a day later (another
# SOURCE_DATE_EPOCH), with another version of one package (silver-doc 1.0 -> 1.1), and one file
# of the root file system changed by hand (/etc/os-release). The answer: three roots (the build
# date of each side, the package, the file), everything else their consequences.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
bash scripts/build.sh
mkdir -p demo
SOURCE_DATE_EPOCH=1700000000 bash tests/fixtures/make-live-iso.sh demo/a.iso pkg
SOURCE_DATE_EPOCH=1700086400 bash tests/fixtures/make-live-iso.sh demo/b.iso pkg-1.1 rootfs-file
set +e
build/driftscope demo/a.iso demo/b.iso -o demo/report
status=$?
set -e
echo
echo "driftscope exited with $status (0 identical, 1 different, 2 trouble)."
echo "Open demo/report/report.html, or read demo/report/checklist.md; demo/report/report.json is the machine-readable form."
[[ $status == 1 ]] # the demo pair differs by construction
