#!/usr/bin/env bash
# The main job on the sample shipped in data/philadelphia: set up, build, ingest the 2024 sample,
# forecast residential burglary for 2024-12-01 (map + report), group its top 5% of cells into
# patrol areas, audit November 2024's daily hotspots against the districts' residents, and
# backtest three models over November 2024. Everything lands in out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { echo "demo: [$1/7] $2" >&2; }
step 1 "setting up and building placecast (only the program; the tests are scripts/test.sh's)"
bash scripts/build.sh --target placecast
PC=build/src/cli/placecast
OUT=out/demo
rm -rf "$OUT" && mkdir -p "$OUT"
step 2 "ingesting the Philadelphia 2024 sample"
$PC ingest data/philadelphia/phl_2024_burglary_theft_robbery.csv.gz --preset philadelphia \
  --boundary data/philadelphia/police_districts.geojson --store "$OUT/phl.gpkg"
step 3 "forecasting residential burglary for the week from 2024-12-01"
$PC forecast --store "$OUT/phl.gpkg" --model retro --offence burglary_residential \
  --origin 2024-12-01 --horizon-days 7 --cell-size-m 150 --param window_days=300 --out "$OUT/forecast"
step 4 "grouping the forecast's top cells into patrol areas"
$PC hotspots --store "$OUT/phl.gpkg" --model retro --offence burglary_residential \
  --origin 2024-12-01 --horizon-days 7 --cell-size-m 150 --param window_days=300 --out "$OUT/hotspots"
step 5 "auditing November's daily hotspots against the districts' residents"
$PC audit --store "$OUT/phl.gpkg" --offence burglary_residential --from 2024-11-01 --to 2024-11-30 \
  --models retro --train-days 300 --areas data/philadelphia/police_districts.geojson \
  --area-field dist_num --population data/philadelphia/police_district_race_2020.csv \
  --out "$OUT/audit"
step 6 "backtesting three models over November 2024"
$PC backtest --store "$OUT/phl.gpkg" --models naive,retro,prospective --offence burglary \
  --from 2024-11-01 --to 2024-11-30 --train-days 300 --cell-size-m 150 --out "$OUT/backtest"
step 7 "verifying the ledger that vouches for all of it"
$PC ledger verify --store "$OUT/phl.gpkg"
echo
echo "Open $OUT/forecast/report.html (map: $OUT/forecast/map.png; layers: $OUT/forecast/forecast.gpkg)"
echo "Patrol areas: $OUT/hotspots/map.png, $OUT/hotspots/hotspots.gpkg; audit: $OUT/audit/report.html"
echo "Backtest: $OUT/backtest/report.html (curves and calibration); summary: $OUT/backtest/summary.json"
