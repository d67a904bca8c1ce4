#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, PLACECAST_FUZZ=ON) with clang-14 and ASan+UBSan in
# build-fuzz/ and runs each for a bounded time on a copy of its seed corpus (the committed corpus
# never grows here), plus fuzz/regressions/<target>/ as read-only extra inputs. Exits non-zero when
# a target crashes, leaks, times out or runs out of memory, printing the reproducer's path.
# Usage: scripts/fuzz.sh [target...]   (default: all four)
# Environment: FUZZ_SECONDS (default 60) per target; FUZZ_BUILD_DIR (default build-fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(fuzz_csv fuzz_ingest_record fuzz_boundary fuzz_ledger)

SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
SAN="$SAN -fno-omit-frame-pointer -gline-tables-only"
CC=clang-14 CXX=clang++-14 cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DPLACECAST_FUZZ=ON -DPLACECAST_BUILD_TESTS=OFF -DPLACECAST_BUILD_BENCHMARKS=OFF \
  -DPLACECAST_WARNINGS_AS_ERRORS=OFF -DPLACECAST_WITH_MIMALLOC=OFF \
  "-DCMAKE_C_FLAGS=$SAN" "-DCMAKE_CXX_FLAGS=$SAN" >/dev/null
nice -n 10 cmake --build "$BUILD_DIR" -j "$(nproc)" --target placecast_fuzz

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for t in "${TARGETS[@]}"; do
  corpus="$BUILD_DIR/corpus/$t"
  artifacts="$BUILD_DIR/artifacts/$t"
  log="$BUILD_DIR/logs/$t.log"
  rm -rf "$corpus" "$artifacts"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  cp -r fuzz/corpus/"$t"/. "$corpus"/
  extra=()
  [ -d "fuzz/regressions/$t" ] && extra+=("fuzz/regressions/$t")
  dict=()
  [ -f "fuzz/dict/$t.dict" ] && dict+=("-dict=fuzz/dict/$t.dict")
  start=$(date +%s)
  rc=0
  "$BUILD_DIR/fuzz/$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" "$corpus" "${extra[@]}" \
    >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo "fuzz: $t: ${runs:-?} executions in $(($(date +%s) - start)) s, exit $rc (log: $log)"
  if [ "$rc" -ne 0 ]; then
    failed+=("$t")
    grep -E "^(==[0-9]+==ERROR|SUMMARY|ALARM)|runtime error|terminate called|what\(\)" "$log" |
      head -5 || true
    for a in "$artifacts"/*; do
      [ -e "$a" ] && echo "fuzz: $t: reproducer: $a (rerun: $BUILD_DIR/fuzz/$t $a)"
    done
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all ${#TARGETS[@]} targets clean"
