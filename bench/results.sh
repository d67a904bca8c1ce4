#!/usr/bin/env bash
# Reproduces the figures of docs/results.md: daily rolling backtests (365 origins, 2024-07-01 ..
# 2025-06-30, 365-day training window, 150 m cells, study area = the police districts) on the full
# Philadelphia file in ../shared/data. Writes out/results/<offence>/summary.json and
# out/results/tables.md.
# `sepp` refits its full model at every origin (seconds per fit on a year of thefts, ~35k events):
# the theft run takes about 11 minutes on 2 cores, the whole script about 16 (2026-12-08).
# Usage: [FORCE=1] bench/results.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
PC=$BUILD/src/cli/placecast
DATA=${PLACECAST_SHARED_DATA:-../shared/data}
OUT=out/results
mkdir -p "$OUT"
[ -f "$OUT/phl.gpkg" ] || "$PC" ingest "$DATA/philadelphia_incidents/phl_incidents_2022-01_2025-06.csv.gz" \
  --preset philadelphia --boundary "$DATA/philadelphia_areas/police_districts.geojson" \
  --store "$OUT/phl.gpkg" > "$OUT/ingest.txt"
run() {  # run NAME OFFENCE MODELS FROM TO; kept when out/results/NAME exists (FORCE=1 redoes it)
  if [ -f "$OUT/$1/summary.json" ] && [ -z "${FORCE:-}" ]; then cat "$OUT/$1.txt"; return; fi
  "$PC" backtest --store "$OUT/phl.gpkg" --models "$3" --offence "$2" --from "$4" --to "$5" \
    --train-days 365 --cell-size-m 150 --out "$OUT/$1" | tee "$OUT/$1.txt"
}
ALL=naive,retro,prospective,sepp_grid,sepp
run burglary_residential burglary_residential "$ALL" 2024-07-01 2025-06-30
run robbery robbery "$ALL" 2024-07-01 2025-06-30
run theft theft "$ALL" 2024-07-01 2025-06-30
python3 bench/results_table.py "$OUT"/{burglary_residential,robbery,theft}/summary.json \
  > "$OUT/tables.md"
echo "tables for docs/results.md: $OUT/tables.md"
