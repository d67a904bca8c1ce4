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

# median_of CMD...: runs CMD RUNS times, prints "median_wall_s peak_MiB median_cpu_s" (CPU = user
# + system time of the process: less sensitive than wall time to other work on a shared machine).
median_of() {
  local times=() cpus=() peak=0
  for _ in $(seq "$RUNS"); do
    [ -n "${BEFORE:-}" ] && eval "$BEFORE"
    /usr/bin/time -f "%e %M %U %S" -o "$W/t" "$@" >/dev/null 2>"$W/err" || { cat "$W/err"; exit 1; }
    read -r s kb u sy < "$W/t"; times+=("$s"); cpus+=("$(echo "$u + $sy" | bc)"); peak=$((kb / 1024))
  done
  local cpu
  cpu=$(printf '%s\n' "${cpus[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]}')
  printf '%s\n' "${times[@]}" | sort -g | awk -v p="$peak" -v c="$cpu" '{a[NR]=$1} END {printf "%.2f %d %s\n", a[int((NR+1)/2)], p, c}'
}

echo "| command | median wall time (s) | median CPU time (s) | peak RSS (MiB) | runs |"
echo "|---|---|---|---|---|"
BEFORE="rm -f $W/phl.gpkg $W/phl.gpkg.*"
read -r s m c < <(median_of "$PC" ingest "$PHL" --preset philadelphia --boundary "$AREA" --store "$W/phl.gpkg")
echo "| ingest, full Philadelphia file (553k rows, gzip) | $s | $c | $m | $RUNS |"
BEFORE=""
"$PC" ingest "$PHL" --preset philadelphia --boundary "$AREA" --store "$W/phl.gpkg" >/dev/null
for model in naive retro prospective sepp_grid; do
  read -r s m c < <(median_of "$PC" backtest --store "$W/phl.gpkg" --models "$model" --offence theft \
    --from 2024-07-01 --to 2025-06-30 --train-days 365 --cell-size-m 150 --bootstrap 2000 --out "$W/bt")
  echo "| backtest $model, theft, 365 daily origins, 150 m cells | $s | $c | $m | $RUNS |"
done
