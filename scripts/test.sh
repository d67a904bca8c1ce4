#!/usr/bin/env bash
# Set up, build and run every test (unit, CLI golden cases, integration). Slow tests (labelled
# `slow`) run too unless PLACECAST_SKIP_SLOW=1.
# --sanitize: the same suite (but the fault-injection test) built with AddressSanitizer +
# UndefinedBehaviorSanitizer (g++, -O1) in build-asan/ (benchmarks off, mimalloc off so ASan owns
# malloc); any report fails the test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --sanitize ]; then
  # -O1 with line tables only (-g1): about a third less compile time than RelWithDebInfo, stack
  # traces still name file and line; asserts stay on (no NDEBUG). The build type "Sanitize" has no
  # flags of its own, so these are all the flags.
  SAN="-O1 -g1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
  PLACECAST_BUILD_DIR=${PLACECAST_BUILD_DIR:-build-asan} nice -n 10 bash scripts/build.sh \
    -DCMAKE_BUILD_TYPE=Sanitize -DPLACECAST_BUILD_TESTS=ON \
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
if [ "${PLACECAST_SKIP_SLOW:-0}" = 1 ]; then
  args+=(-LE slow)
elif [ "${1:-}" = --sanitize ]; then
  # The fault-injection test kills the binary at random moments: it tests the store's locking and
  # transactions, which the plain run covers; under ASan it only takes 3.5 minutes longer.
  args+=(-LE fault)
fi
ctest "${args[@]}"
