#!/usr/bin/env bash
# Builds driftscope twice (plain, and with ASan+UBSan) and runs every test in both builds:
# unit tests (cmocka) and end-to-end tests on real images. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh || exit 2
bash scripts/build.sh --sanitize || exit 2
# allocator_may_return_null: an impossible allocation a hostile image asks a library for
# (libsquashfs sizes buffers from on-disk counts) fails as it does in the release build.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:allocator_may_return_null=1:quarantine_size_mb=64
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
passed=0
failed=0
for dir in build build-asan; do
    echo "== tests in $dir =="
    (cd "$dir" && ctest -j "$(nproc 2>/dev/null || echo 2)" --output-on-failure) | tee "$dir/ctest.log"
    line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$dir/ctest.log" | tail -n 1)
    if [[ $line =~ ([0-9]+)\ tests\ failed\ out\ of\ ([0-9]+) ]]; then
        failed=$((failed + BASH_REMATCH[1]))
        passed=$((passed + BASH_REMATCH[2] - BASH_REMATCH[1]))
    else
        echo "$dir: ctest printed no summary" >&2
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
((failed == 0 && passed > 0))
