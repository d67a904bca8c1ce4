#!/usr/bin/env bash
# Set up, build and run every test (unit, CLI golden cases, integration). Slow tests (labelled
# `slow`) run too unless PLACECAST_SKIP_SLOW=1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh -DPLACECAST_BUILD_TESTS=ON -DPLACECAST_WARNINGS_AS_ERRORS=ON
BUILD_DIR=${PLACECAST_BUILD_DIR:-build}
args=(--test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)")
[ "${PLACECAST_SKIP_SLOW:-0}" = 1 ] && args+=(-LE slow)
ctest "${args[@]}"
