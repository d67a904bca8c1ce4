#!/usr/bin/env bash
# Reproduces the figures of docs/results.md: daily rolling backtests (365 origins, 2024-07-01 ..
# 2025-06-30, 365-day training window, 150 m cells, study area = the police districts) on the full
# Philadelphia file in ../shared/data. Writes out/results/<offence>/summary.json and prints a table.
# Usage: bench/results.sh [BUILD_DIR] [MODELS]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
MODELS=${2:-naive,retro,prospective,sepp_grid,sepp}
PC=$BUILD/src/cli/placecast
DATA=${PLACECAST_SHARED_DATA:-../shared/data}
OUT=out/results
mkdir -p "$OUT"
[ -f "$OUT/phl.gpkg" ] || "$PC" ingest "$DATA/philadelphia_incidents/phl_incidents_2022-01_2025-06.csv.gz" \
  --preset philadelphia --boundary "$DATA/philadelphia_areas/police_districts.geojson" \
  --store "$OUT/phl.gpkg" > "$OUT/ingest.txt"
for offence in ${OFFENCES:-burglary_residential theft robbery}; do
  "$PC" backtest --store "$OUT/phl.gpkg" --models "$MODELS" --offence "$offence" \
    --from 2024-07-01 --to 2025-06-30 --train-days 365 --cell-size-m 150 --out "$OUT/$offence" \
    | tee "$OUT/$offence.txt"
done
python3 bench/results_table.py $(for o in ${OFFENCES:-burglary_residential theft robbery}; do echo "$OUT/$o/summary.json"; done) > "$OUT/tables.md"
echo "tables for docs/results.md: $OUT/tables.md"
