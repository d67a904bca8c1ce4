#!/usr/bin/env bash
# Reproduces the boost rows of docs/results.md (issue 15): the daily rolling backtests of
# bench/results.sh (365 origins 2024-07-01 .. 2025-06-30, 365-day windows, 150 m cells over the
# police districts) with `boost` at its defaults beside the classic models that matter for each
# offence. Needs out/results/phl.gpkg from bench/results.sh. Writes out/results/boost/<offence>/.
# About 6 to 17 minutes per offence on the shared 2-core machine (2026-12-08, load 4-8).
# Usage: bench/boost_results.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
PC=$BUILD/src/cli/placecast
OUT=out/results/boost
STORE=out/results/phl.gpkg
[ -f "$STORE" ] || { echo "run bench/results.sh first (it makes $STORE)" >&2; exit 2; }
mkdir -p "$OUT"
run() {  # run OFFENCE MODELS
  "$PC" backtest --store "$STORE" --models "$2" --offence "$1" --from 2024-07-01 --to 2025-06-30 \
    --train-days 365 --cell-size-m 150 --out "$OUT/$1" | tee "$OUT/$1.txt"
}
run burglary_residential naive,retro,sepp,boost
run robbery naive,retro,sepp,boost
run theft naive,boost
python3 bench/results_table.py "$OUT"/{burglary_residential,robbery,theft}/summary.json \
  > "$OUT/tables.md"
echo "tables for docs/results.md: $OUT/tables.md"
