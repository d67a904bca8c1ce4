#!/usr/bin/env bash
# Set up, build and run every test (unit, CLI golden cases, integration). Slow tests (labelled
# `slow`) run too unless PLACECAST_SKIP_SLOW=1.
# --sanitize: the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer (g++) in
# build-asan/ (benchmarks off, mimalloc off so ASan owns malloc); any report fails the test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --sanitize ]; then
  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
  PLACECAST_BUILD_DIR=${PLACECAST_BUILD_DIR:-build-asan} nice -n 10 bash scripts/build.sh \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPLACECAST_BUILD_TESTS=ON \
    -DPLACECAST_BUILD_BENCHMARKS=OFF -DPLACECAST_WARNINGS_AS_ERRORS=OFF \
    -DPLACECAST_WITH_MIMALLOC=OFF "-DCMAKE_C_FLAGS=$SAN" "-DCMAKE_CXX_FLAGS=$SAN" \
    "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined" \
    "-DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=address,undefined"
  BUILD_DIR=${PLACECAST_BUILD_DIR:-build-asan}
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:check_initialization_order=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan.supp:print_suppressions=0}
else
  bash scripts/build.sh -DPLACECAST_BUILD_TESTS=ON -DPLACECAST_WARNINGS_AS_ERRORS=ON
  BUILD_DIR=${PLACECAST_BUILD_DIR:-build}
fi
args=(--test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)")
[ "${PLACECAST_SKIP_SLOW:-0}" = 1 ] && args+=(-LE slow)
ctest "${args[@]}"
