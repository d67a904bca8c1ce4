#!/usr/bin/env bash
# Every subcommand on malformed input (issues 12 and 13): damaged, foreign, empty, truncated and
# special-file stores; garbage, truncated and binary exports and boundaries; impossible dates and
# values; invalid UTF-8. Each run must end with an exit code from docs/cli.md's table (2..5, never
# a signal, never `terminate called`), one `placecast:` line on stderr naming the subject, and no
# product left in its output folder.
# Usage: malformed_inputs.sh PLACECAST_BINARY SOURCE_DIR
set -uo pipefail
PC=$(realpath "$1"); SRC=$(realpath "$2")
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T"
export CI=1
fails=0; runs=0
SAMPLE=$SRC/tests/data/cli/mini.csv
"$PC" ingest "$SAMPLE" --preset philadelphia --store good.gpkg > /dev/null 2>&1 || { echo "setup"; exit 1; }

# Damaged and foreign stores.
head -c 300000 /dev/urandom > garbage.gpkg
: > empty.gpkg
echo "hello, not a database" > text.gpkg
head -c 8192 good.gpkg > truncated.gpkg
python3 -c "import sqlite3; c=sqlite3.connect('foreign.gpkg'); c.execute('create table foo(x)'); c.commit()"
cp good.gpkg flipped.gpkg
python3 - <<'PY'
import os
size = os.path.getsize('flipped.gpkg')
with open('flipped.gpkg', 'r+b') as f:
    for k in range(200):
        f.seek((size // 3 + k * 97) % size)
        f.write(bytes([0x5A ^ (k & 0xFF)]))
PY
mkdir adir
STORES=(garbage.gpkg empty.gpkg text.gpkg truncated.gpkg foreign.gpkg flipped.gpkg adir /dev/null
        missing.gpkg)

# Malformed inputs for ingest and boundaries.
head -c 20000 /dev/urandom > garbage.csv
gzip -c "$SAMPLE" | head -c 300 > truncated.csv.gz
printf 'a,b,a\n1,2,3\n' > dupheader.csv
printf '\xff\xfe,x\n1,2\n' > badutf8.csv
echo '{"type": "FeatureCollection", "features": [' > broken.geojson
echo '{"type": "FeatureCollection", "features": []}' > emptyfc.geojson

# check NAME SUBJECT ARGS...: runs placecast ARGS in a fresh output folder and checks the ending;
# the error line must name SUBJECT (the file, flag or value at fault).
check() {
  local name=$1 subject=$2; shift 2
  runs=$((runs + 1))
  rm -rf out; mkdir out
  "$PC" "$@" > stdout.txt 2> stderr.txt
  local rc=$?
  local why=""
  if [ "$rc" -ge 128 ]; then why="killed by signal $((rc - 128))";
  elif [ "$rc" -lt 2 ] || [ "$rc" -gt 5 ]; then why="exit $rc (expected 2..5)";
  elif grep -q "terminate called\|Aborted\|Segmentation" stderr.txt; then why="crash text on stderr";
  elif ! grep -q "^placecast: " stderr.txt; then why="no 'placecast:' error line";
  elif ! grep -qF -- "$subject" stderr.txt; then why="the error does not name $subject";
  elif [ -n "$(find out -type f 2>/dev/null | head -1)" ]; then why="left $(find out -type f | head -1)"; fi
  if [ -n "$why" ]; then
    fails=$((fails + 1))
    echo "FAIL $name: $why: placecast $*"; sed 's/^/  | /' stderr.txt | head -5
  fi
}

for s in "${STORES[@]}"; do
  check "forecast/$s" "$s" forecast --store "$s" --model naive --offence theft --origin 2024-12-01 --out out/f
  check "backtest/$s" "$s" backtest --store "$s" --models naive --offence theft --from 2024-12-01 --to 2024-12-02 --out out/b
  check "scan/$s" "$s" scan --store "$s" --offence theft --date 2024-12-01 --out out/s
  check "predictability/$s" "$s" predictability --store "$s" --from 2024-06-01 --to 2024-12-01 --out out/p
  check "audit/$s" "$s" audit --store "$s" --offence theft --from 2024-11-01 --to 2024-11-03 --models naive \
    --areas "$SRC/data/philadelphia/police_districts.geojson" --area-field dist_num \
    --population "$SRC/data/philadelphia/police_district_race_2020.csv" --out out/a
  check "explain/$s" "$s" explain --store "$s" --model naive --offence theft --origin 2024-12-01 --cell 0
  check "export/$s" "$s" export-incidents --store "$s" --offence theft --from 2024-01-01 --to 2024-12-01 --out out/e.csv
  check "hotspots/$s" "$s" hotspots --store "$s" --model naive --offence theft --origin 2024-12-01 --out out/h
  check "allocate/$s" "$s" allocate --store "$s" --model naive --offence theft --origin 2024-12-01 --points auto:5 --out out/al
  check "nearrepeat/$s" "$s" nearrepeat --store "$s" --offence theft --out out/n
  check "displacement/$s" "$s" displacement --store "$s" --offence theft \
    --target "$SRC/data/philadelphia/police_districts.geojson" \
    --control "$SRC/data/philadelphia/police_districts.geojson" --buffer-m 200 \
    --pre 2024-01-01:2024-03-31 --post 2024-04-01:2024-06-30 --out out/d
  check "retention/$s" "$s" retention --store "$s" --older-than 1y
  check "ledger-verify/$s" "$s" ledger verify --store "$s"
  check "ledger-replay/$s" "$s" ledger replay 1 --store "$s" --out out/r
done

for input in garbage.csv truncated.csv.gz dupheader.csv badutf8.csv adir /dev/zero /dev/null missing.csv; do
  check "ingest/$input" "$input" ingest "$input" --preset philadelphia --store out/s.gpkg --fail-on-reject
done
for b in broken.geojson emptyfc.geojson garbage.csv adir /dev/null; do
  check "ingest-boundary/$b" "$b" ingest "$SAMPLE" --preset philadelphia --boundary "$b" --store out/s.gpkg
  check "forecast-boundary/$b" "$b" forecast --store good.gpkg --model naive --offence theft \
    --origin 2024-12-01 --boundary "$b" --out out/f
done
for d in 2024-13-01 2024-02-30 0000-01-01 99999-01-01 yesterday $'2024-01-0\xff'; do
  check "forecast-origin/$d" "--origin" forecast --store good.gpkg --model naive --offence theft --origin "$d" --out out/f
  check "scan-date/$d" "--date" scan --store good.gpkg --offence theft --date "$d" --out out/s
done
for v in -1 0 nan inf 1e308; do
  check "forecast-cell/$v" "--cell-size-m" forecast --store good.gpkg --model naive --offence theft \
    --origin 2024-12-01 --cell-size-m "$v" --out out/f
done
check "forecast-offence" "nosuch" forecast --store good.gpkg --model naive --offence nosuch --origin 2024-12-01 --out out/f
check "forecast-model" "nosuch" forecast --store good.gpkg --model nosuch --offence theft --origin 2024-12-01 --out out/f
check "forecast-param" "nosuch" forecast --store good.gpkg --model naive --offence theft --origin 2024-12-01 --param nosuch=1 --out out/f
check "forecast-load-fitted" "garbage.csv" forecast --store good.gpkg --model sepp_grid --offence theft --origin 2024-12-01 --load-fitted garbage.csv --out out/f
check "forecast-out-device" "/dev/null" forecast --store good.gpkg --model naive --offence theft --origin 2024-12-01 --out /dev/null
check "export-out-device" "/dev/full" export-incidents --store good.gpkg --offence theft --from 2024-01-01 --to 2024-12-01 --out /dev/full
check "explain-out-device" "/dev/full" explain --store good.gpkg --model naive --offence theft --origin 2024-12-01 --cell 0 --out /dev/full
check "ingest-rejects-device" "/dev/full" ingest "$SAMPLE" --preset philadelphia --store out/s.gpkg --rejects /dev/full
check "ingest-map-tz" "America" ingest "$SAMPLE" --preset generic --map time=dispatch_date_time --map x=point_x \
  --map y=point_y --map offence=text_general_code --map tz=America --store out/s.gpkg
check "retention-period" "3x" retention --store good.gpkg --older-than 3x
check "ledger-anchor" "garbage.csv" ledger verify --store good.gpkg --anchor garbage.csv
check "simulate-feedback-days" "--days" simulate-feedback --days -5 --out out/sf

echo "malformed inputs: $runs runs, $fails failed"
[ "$fails" = 0 ]
