#!/usr/bin/env bash
# End to end on the shipped Philadelphia sample: ingest -> re-ingest (idempotent) -> forecast twice
# (byte-identical products) -> backtest (summary schema, plausible values).
# Usage: end_to_end.sh PLACECAST_BINARY SOURCE_DIR
set -euo pipefail
PC=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$SRC"
check() { python3 -c "$1" || { echo "check failed: $2"; exit 1; }; }

$PC ingest data/philadelphia/phl_2024_burglary_theft_robbery.csv.gz --preset philadelphia \
  --boundary data/philadelphia/police_districts.geojson --store "$T/s.gpkg" > "$T/ingest1.txt"
check "
import json; s=json.load(open('$T/s.gpkg.ingest.json'))
assert s['rows_read'] == 49787, s['rows_read']
assert s['ingested'] + s['rejected'] + s.get('already_in_store', 0) == 49787, s
assert 47000 < s['ingested'] < 49787, s['ingested']
assert s['rejected_by_reason'].get('missing_coordinates', 0) > 0, s['rejected_by_reason']
for col in ('location_block', 'dc_key', 'cartodb_id'):
    assert col in s['columns_dropped'], (col, s['columns_dropped'])
" "ingest summary"
rejects=$(($(wc -l < "$T/s.gpkg.rejects.csv") - 1))
check "
import json; s=json.load(open('$T/s.gpkg.ingest.json'))
assert s['rejected'] == $rejects, (s['rejected'], $rejects)
" "every rejected row is in the rejects file"

cp "$T/s.gpkg" "$T/before.gpkg"
$PC ingest data/philadelphia/phl_2024_burglary_theft_robbery.csv.gz --preset philadelphia \
  --boundary data/philadelphia/police_districts.geojson --store "$T/s.gpkg" > "$T/ingest2.txt"
check "
import json, sqlite3
s=json.load(open('$T/s.gpkg.ingest.json'))
assert s['ingested'] == 0 and s['already_in_store'] > 47000, s
n1=sqlite3.connect('$T/before.gpkg').execute('select count(*) from incidents').fetchone()[0]
n2=sqlite3.connect('$T/s.gpkg').execute('select count(*) from incidents').fetchone()[0]
assert n1 == n2, (n1, n2)
" "re-ingest is idempotent"

for run in a b; do
  $PC forecast --store "$T/s.gpkg" --model retro --offence burglary_residential \
    --origin 2024-12-01 --horizon-days 7 --param window_days=300 --out "$T/f_$run" > "$T/f_$run.txt"
done
for f in forecast.csv forecast.geojson forecast.gpkg map.png report.html run.json; do
  [ -s "$T/f_a/$f" ] || { echo "missing product $f"; exit 1; }
  cmp "$T/f_a/$f" "$T/f_b/$f" || { echo "$f differs between identical runs"; exit 1; }
done
check "
import json, csv
g=json.load(open('$T/f_a/forecast.geojson'))
rows=list(csv.DictReader(open('$T/f_a/forecast.csv')))
r=json.load(open('$T/f_a/run.json'))
assert len(g['features']) == len(rows) == r['grid']['cells'], (len(g['features']), len(rows))
assert 15000 < r['grid']['cells'] < 20000, r['grid']['cells']
assert r['training']['events'] > 2000, r['training']
" "forecast products agree"

$PC backtest --store "$T/s.gpkg" --models naive,retro,prospective --offence burglary \
  --from 2024-11-01 --to 2024-11-20 --train-days 300 --out "$T/bt" > "$T/bt.txt"
check "
import json; s=json.load(open('$T/bt/summary.json'))
assert s['origins'] == 20, s['origins']
assert s['events'] > 100, s['events']
for m in ('naive', 'retro', 'prospective'):
    for metric in ('hit_rate', 'pai'):
        for c in ('1', '2', '5', '10', '20'):
            v = s['models'][m][metric][c]
            assert v['lo'] <= v['mean'] <= v['hi'], (m, metric, c, v)
    hr = s['models'][m]['hit_rate']
    assert 0 < hr['5']['mean'] < hr['20']['mean'] <= 1, (m, hr)
    assert s['models'][m]['pai']['5']['mean'] > 1.5, (m, s['models'][m]['pai']['5'])
" "backtest summary"
[ -s "$T/bt/hit_rate_curves.png" ] && [ -s "$T/bt/per_origin.csv" ]
# A self-exciting fit saved in run.json is reloaded without refitting and gives the same bytes.
$PC forecast --store "$T/s.gpkg" --model sepp_grid --offence burglary_residential \
  --origin 2024-12-01 --out "$T/sg_fit" > /dev/null 2>&1
$PC forecast --store "$T/s.gpkg" --model sepp_grid --offence burglary_residential \
  --origin 2024-12-01 --load-fitted "$T/sg_fit/run.json" --out "$T/sg_load" > /dev/null 2>&1
cmp "$T/sg_fit/forecast.csv" "$T/sg_load/forecast.csv" || { echo "reloaded fit differs"; exit 1; }
check "
import json; r=json.load(open('$T/sg_fit/run.json'))
f=r['fitted']; assert f['model'] == 'sepp_grid' and f['converged'] and 0 <= f['theta'] < 1, f
" "sepp_grid fit saved in run.json"
echo "end to end: ok"
