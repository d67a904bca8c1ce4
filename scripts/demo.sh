#!/usr/bin/env bash
# The main job on the sample shipped in data/philadelphia: set up, build, ingest the 2024 sample,
# forecast residential burglary for 2024-12-01 (map + report), group its top 5% of cells into
# patrol areas, audit November 2024's daily hotspots against the districts' residents, and
# backtest three models over November 2024. Everything lands in out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
PC=build/src/cli/placecast
OUT=out/demo
rm -rf "$OUT" && mkdir -p "$OUT"
$PC ingest data/philadelphia/phl_2024_burglary_theft_robbery.csv.gz --preset philadelphia \
  --boundary data/philadelphia/police_districts.geojson --store "$OUT/phl.gpkg"
$PC forecast --store "$OUT/phl.gpkg" --model retro --offence burglary_residential \
  --origin 2024-12-01 --horizon-days 7 --cell-size-m 150 --param window_days=300 --out "$OUT/forecast"
$PC hotspots --store "$OUT/phl.gpkg" --model retro --offence burglary_residential \
  --origin 2024-12-01 --horizon-days 7 --cell-size-m 150 --param window_days=300 --out "$OUT/hotspots"
$PC audit --store "$OUT/phl.gpkg" --offence burglary_residential --from 2024-11-01 --to 2024-11-30 \
  --models retro --train-days 300 --areas data/philadelphia/police_districts.geojson \
  --area-field dist_num --population data/philadelphia/police_district_race_2020.csv \
  --out "$OUT/audit"
$PC backtest --store "$OUT/phl.gpkg" --models naive,retro,prospective --offence burglary \
  --from 2024-11-01 --to 2024-11-30 --train-days 300 --cell-size-m 150 --out "$OUT/backtest"
echo
echo "Open $OUT/forecast/report.html (map: $OUT/forecast/map.png; layers: $OUT/forecast/forecast.gpkg)"
echo "Patrol areas: $OUT/hotspots/map.png, $OUT/hotspots/hotspots.gpkg; audit: $OUT/audit/report.html"
echo "Backtest summary: $OUT/backtest/summary.json; curves: $OUT/backtest/hit_rate_curves.png"
