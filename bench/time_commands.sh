#!/usr/bin/env bash
# Times whole placecast commands on the full Philadelphia file in ../shared/data (not shipped in the
# repo: 553k rows). Each command runs RUNS times (default 5); the median wall time and the peak
# resident memory of the last run are printed as a Markdown table row.
# Usage: bench/time_commands.sh [BUILD_DIR]   (needs GNU time: apt-get install time)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
PC=$BUILD/src/cli/placecast
DATA=${PLACECAST_SHARED_DATA:-../shared/data}
PHL=$DATA/philadelphia_incidents/phl_incidents_2022-01_2025-06.csv.gz
AREA=$DATA/philadelphia_areas/police_districts.geojson
RUNS=${RUNS:-5}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
[ -f "$PHL" ] || { echo "no $PHL: nothing to time"; exit 0; }

# median_of CMD...: runs CMD RUNS times, prints "median_s peak_MiB"
median_of() {
  local times=() peak=0
  for _ in $(seq "$RUNS"); do
    [ -n "${BEFORE:-}" ] && eval "$BEFORE"
    /usr/bin/time -f "%e %M" -o "$W/t" "$@" >/dev/null 2>"$W/err" || { cat "$W/err"; exit 1; }
    read -r s kb < "$W/t"; times+=("$s"); peak=$((kb / 1024))
  done
  printf '%s\n' "${times[@]}" | sort -g | awk -v p="$peak" '{a[NR]=$1} END {printf "%.2f %d\n", a[int((NR+1)/2)], p}'
}

echo "| command | median wall time (s) | peak RSS (MiB) | runs |"
echo "|---|---|---|---|"
BEFORE="rm -f $W/phl.gpkg $W/phl.gpkg.*"
read -r s m < <(median_of "$PC" ingest "$PHL" --preset philadelphia --boundary "$AREA" --store "$W/phl.gpkg")
echo "| ingest, full Philadelphia file (553k rows, gzip) | $s | $m | $RUNS |"
BEFORE=""
"$PC" ingest "$PHL" --preset philadelphia --boundary "$AREA" --store "$W/phl.gpkg" >/dev/null
for model in naive retro prospective; do
  read -r s m < <(median_of "$PC" backtest --store "$W/phl.gpkg" --models "$model" --offence theft \
    --from 2024-07-01 --to 2025-06-30 --train-days 365 --cell-size-m 150 --bootstrap 2000 --out "$W/bt")
  echo "| backtest $model, theft, 365 daily origins, 150 m cells | $s | $m | $RUNS |"
done
