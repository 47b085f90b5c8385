#!/usr/bin/env bash
# Runs the end-to-end tests with driftscope under valgrind (memcheck: invalid accesses,
# uninitialised values, definite leaks; any error fails the run). Slow: the three tests that
# push hundreds of megabytes or a million entries through (limits, huge_directory,
# damaged_images) are left to the ASan+UBSan run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
bash scripts/build.sh
export DS_VALGRIND=1
cd build
ctest -R '^e2e_' -E 'limits|huge_directory|damaged_images' -j "$(nproc)" --output-on-failure --timeout 3000
