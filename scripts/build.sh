#!/usr/bin/env bash
# Installs the Debian packages (scripts/setup.sh), configures placecast in build/ and builds it.
# Usage: scripts/build.sh [--target TARGET] [extra cmake args]
# The configuration is the one scripts/test.sh uses (tests defined, warnings as errors), so the
# demo's build of `placecast` is reused by the test run instead of being compiled again.
set -euo pipefail
cd "$(dirname "$0")/.."
target=()
if [ "${1:-}" = --target ]; then
  target=(--target "$2")
  shift 2
fi
bash scripts/setup.sh
BUILD_DIR=${PLACECAST_BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPLACECAST_BUILD_TESTS=ON \
  -DPLACECAST_WARNINGS_AS_ERRORS=ON "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" "${target[@]}"
