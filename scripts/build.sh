#!/usr/bin/env bash
# Configures and builds driftscope into build/ (and, with --sanitize, an ASan+UBSan build into
# build-asan/). Used by demo.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs" >/dev/null
if [[ ${1:-} == --sanitize ]]; then
    cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DDS_SANITIZE=ON >/dev/null
    cmake --build build-asan -j "$jobs" >/dev/null
fi
