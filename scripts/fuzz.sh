#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan+UBSan) and runs each for a bounded time, two at a
# time, seeded with corpora made from real images by the test fixtures.
#
#   bash scripts/fuzz.sh [SECONDS] [HARNESS ...]      default: 60 s each, every harness
#
# Crashes land in fuzz/work/crashes/<harness>/. The RSS limit is 4 GiB and single allocations
# are not limited by libFuzzer: libsquashfs and libarchive ask calloc/malloc for memory sized
# from on-disk counts, which the release build never touches but AddressSanitizer zeroes (see
# fuzz/regressions/README.md); what driftscope itself allocates is bounded by --max-memory. Keep each fixed one as a regression input in
# fuzz/regressions/<harness>/ with a line in fuzz/regressions/README.md; CI replays those.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
harnesses=("$@")
if ((${#harnesses[@]} == 0)); then
    harnesses=(iso_header iso_tree squashfs fat archive gzip elf classify signatures gate_kspp gate_apparmor gate_elf)
    # and one harness a format, as listed in fuzz/CMakeLists.txt's DS_FUZZ_FORMATS
    for f in $(sed -n '/^set(DS_FUZZ_FORMATS/,/^)/{/^  /p}' fuzz/CMakeLists.txt); do harnesses+=("format_$f"); done
fi
bash scripts/setup-deps.sh
command -v clang >/dev/null || apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
CC=clang cmake -S . -B build-fuzz -DDS_FUZZ=ON -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j "$(nproc)" >/dev/null
work=fuzz/work
# As in the sanitizer test run: impossible allocations fail (NULL) instead of aborting, and
# freed memory is not hoarded.
export ASAN_OPTIONS=allocator_may_return_null=1:quarantine_size_mb=64
bash fuzz/make-seeds.sh "$work/seeds"
running=0
for h in "${harnesses[@]}"; do
    mkdir -p "$work/corpus/$h" "$work/crashes/$h"
    cp -n "$work/seeds/$h"/* "$work/corpus/$h/" 2>/dev/null || true
    (
        status=0
        build-fuzz/fuzz/fuzz_"$h" "$work/corpus/$h" -max_total_time="$seconds" -rss_limit_mb=4096 -malloc_limit_mb=2147483647 \
            -timeout=20 -max_len=1048576 -artifact_prefix="$work/crashes/$h/" -print_final_stats=1 \
            >"$work/$h.log" 2>&1 || status=$?
        echo "fuzz: $h: exit $status, $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$work/$h.log" || echo 'stopped early'), $(ls "$work/crashes/$h" | wc -l) crash files"
    ) &
    running=$((running + 1))
    if ((running >= 2)); then
        wait -n || true
        running=$((running - 1))
    fi
done
wait
crashes=$(find "$work/crashes" -type f | wc -l)
echo "fuzz: $crashes crash files in $work/crashes"
((crashes == 0))
