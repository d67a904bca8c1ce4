#!/usr/bin/env bash
# Fault injection on the real binary (issue 12): kill -9 at random moments of ingest and forecast,
# two concurrent creators of one store, readers during a write, a full disk (a small tmpfs) and a
# read-only store. After every fault: SQLite integrity_check is ok, `ledger verify` passes, the
# store holds the rows before or after the interrupted write (never some of them, never twice),
# no temporary file or staging folder is left once a later run has gone through, and a re-run
# succeeds. Counts of what was tried are printed at the end (docs/reliability.md quotes them).
# Usage: fault_injection.sh PLACECAST_BINARY SOURCE_DIR [KILLS]
set -euo pipefail
PC=$(realpath "$1"); SRC=$(realpath "$2"); KILLS=${3:-20}
T=$(mktemp -d); MNT=""
cleanup() {
  if [ -n "$MNT" ]; then umount "$MNT" 2>/dev/null || true; fi
  rm -rf "$T"
}
trap cleanup EXIT
cd "$T"
fail() { echo "FAIL: $*" >&2; exit 1; }
export CI=1  # no progress lines

DATA=$SRC/data/philadelphia/phl_2024_burglary_theft_robbery.csv.gz
BOUNDARY=$SRC/data/philadelphia/police_districts.geojson
# The first half of the year (the base store) and the whole year (what an interrupted ingest adds).
zcat "$DATA" > full.csv
head -n 25000 full.csv > half.csv

rows() { sqlite3 "$1" "SELECT COUNT(*) FROM incidents" 2>/dev/null || echo 0; }
intact() {
  local s=$1
  [ "$(sqlite3 "$s" "PRAGMA integrity_check")" = ok ] || fail "$s: integrity_check"
  "$PC" ledger verify --store "$s" > verify.out 2>&1 || { cat verify.out >&2; fail "$s: ledger verify"; }
}
# A store is copied with the files beside it that its ledger records name (the ingest summary and
# rejects file): records hold paths relative to the store's folder, so a store copied alone would
# rightly verify with missing outputs.
copy_store() {  # FROM_DIR TO_DIR
  cp -p "$1"/s.gpkg* "$2"/
}
no_leftovers() {  # DIR...
  local found
  found=$(find "$@" -maxdepth 1 -name '.*.tmp-*' -o -maxdepth 1 -name '.placecast-stage-*' | head -5)
  [ -z "$found" ] || fail "temporary files left: $found"
}

# kill_during MS SCALE -- COMMAND...: starts COMMAND, kills it with SIGKILL at a random moment in
# [0.3, 1.2] x MS milliseconds (scaled by SCALE), and waits for it.
kill_during() {
  local ms=$1 scale=$2
  shift 3
  "$@" > /dev/null 2>&1 &
  local pid=$!
  sleep "$(awk -v r="$RANDOM" -v ms="$ms" -v k="$scale" \
    'BEGIN { printf "%.3f", (0.3 + 0.9 * r / 32768) * ms * k / 1000 }')"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

ingest() {  # STORE INPUT
  "$PC" ingest "$2" --preset philadelphia --boundary "$BOUNDARY" --store "$1" > /dev/null 2>&1
}

# ---- timings -----------------------------------------------------------------------------------
mkdir base
ingest base/s.gpkg half.csv || fail "base ingest"
BEFORE=$(rows base/s.gpkg)
mkdir ref; copy_store base ref
t0=$(date +%s%N); ingest ref/s.gpkg full.csv || fail "reference ingest"; t1=$(date +%s%N)
AFTER=$(rows ref/s.gpkg)
INGEST_MS=$(( (t1 - t0) / 1000000 ))
[ "$AFTER" -gt "$BEFORE" ] || fail "the full file adds nothing ($BEFORE -> $AFTER)"
echo "ingest of the second half: ${INGEST_MS} ms; rows $BEFORE -> $AFTER"

# ---- kill -9 during ingest into an existing store --------------------------------------------
kills=0; saw_before=0; saw_after=0
for i in $(seq 1 "$KILLS"); do
  rm -rf k; mkdir k; copy_store base k
  kill_during "$INGEST_MS" 1 -- \
    "$PC" ingest full.csv --preset philadelphia --boundary "$BOUNDARY" --store k/s.gpkg
  kills=$((kills + 1))
  n=$(rows k/s.gpkg)
  if [ "$n" = "$BEFORE" ]; then saw_before=$((saw_before + 1));
  elif [ "$n" = "$AFTER" ]; then saw_after=$((saw_after + 1));
  else fail "kill $i: $n rows, neither $BEFORE nor $AFTER"; fi
  intact k/s.gpkg
  ingest k/s.gpkg full.csv || fail "kill $i: re-run failed"
  [ "$(rows k/s.gpkg)" = "$AFTER" ] || fail "kill $i: re-run gave $(rows k/s.gpkg) rows"
  intact k/s.gpkg
  no_leftovers k
done
echo "ingest: $kills kill -9 (store before: $saw_before, after: $saw_after), all intact"

# ---- kill -9 during the creating ingest ------------------------------------------------------
ckills=0
for i in $(seq 1 "$KILLS"); do
  rm -rf c; mkdir c
  "$PC" ingest half.csv --preset philadelphia --boundary "$BOUNDARY" --store c/s.gpkg \
    > /dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v r="$RANDOM" -v ms="$INGEST_MS" 'BEGIN { printf "%.3f", r / 32768 * ms * 0.8 / 1000 }')"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  ckills=$((ckills + 1))
  if [ -s c/s.gpkg ] && [ "$(sqlite3 c/s.gpkg "SELECT COUNT(*) FROM sqlite_master")" != 0 ]; then
    [ "$(rows c/s.gpkg)" = "$BEFORE" ] || fail "creating kill $i: $(rows c/s.gpkg) rows"
    intact c/s.gpkg
  fi
  ingest c/s.gpkg half.csv || fail "creating kill $i: re-run failed"
  [ "$(rows c/s.gpkg)" = "$BEFORE" ] || fail "creating kill $i: re-run gave $(rows c/s.gpkg) rows"
  intact c/s.gpkg
  no_leftovers c
done
echo "creating ingest: $ckills kill -9, all recovered"

# ---- kill -9 during forecast -----------------------------------------------------------------
forecast() {  # STORE OUT
  "$PC" forecast --store "$1" --model retro --offence theft --origin 2024-12-01 --out "$2" \
    > /dev/null 2>&1
}
t0=$(date +%s%N); forecast ref/s.gpkg fref || fail "reference forecast"; t1=$(date +%s%N)
FC_MS=$(( (t1 - t0) / 1000000 ))
echo "forecast: ${FC_MS} ms"
fkills=0; with_record=0; without=0
for i in $(seq 1 "$KILLS"); do
  rm -rf f; mkdir f; copy_store ref f
  records_before=$(sqlite3 f/s.gpkg "SELECT COUNT(*) FROM ledger")
  kill_during "$FC_MS" 1.15 -- \
    "$PC" forecast --store f/s.gpkg --model retro --offence theft --origin 2024-12-01 --out f/out
  fkills=$((fkills + 1))
  intact f/s.gpkg
  records_after=$(sqlite3 f/s.gpkg "SELECT COUNT(*) FROM ledger")
  products=$( (find f/out -maxdepth 1 -type f 2>/dev/null || true) | wc -l)
  if [ "$records_after" = "$records_before" ]; then
    without=$((without + 1))
    [ "$products" = 0 ] || fail "forecast kill $i: $products product(s) without a ledger record"
  else
    with_record=$((with_record + 1))
  fi
  forecast f/s.gpkg f/out || fail "forecast kill $i: re-run failed"
  intact f/s.gpkg
  no_leftovers f/out
  cmp -s f/out/forecast.csv fref/forecast.csv || fail "forecast kill $i: re-run differs"
done
echo "forecast: $fkills kill -9 ($with_record recorded and complete, $without left nothing)"

# ---- two creators of one store at once ---------------------------------------------------------
head -n 1 full.csv > a.csv; cp a.csv b.csv
sed -n '2,20000p' full.csv >> a.csv
sed -n '20001,40000p' full.csv >> b.csv
races=0
for i in 1 2 3 4 5; do
  rm -rf r; mkdir r
  ingest r/s.gpkg a.csv & p1=$!
  ingest r/s.gpkg b.csv & p2=$!
  wait $p1 || fail "race $i: first creator failed"
  wait $p2 || fail "race $i: second creator failed"
  races=$((races + 1))
  ra=$(sqlite3 r/s.gpkg "SELECT COUNT(*) FROM ledger WHERE command='ingest'")
  [ "$ra" = 2 ] || fail "race $i: $ra ingest records"
  n=$(rows r/s.gpkg)
  rm -rf r1; mkdir r1; ingest r1/s.gpkg a.csv; ingest r1/s.gpkg b.csv
  [ "$n" = "$(rows r1/s.gpkg)" ] || fail "race $i: $n rows, one after the other gives $(rows r1/s.gpkg)"
  intact r/s.gpkg
done
echo "concurrent creators: $races races, no row lost"

# ---- readers during a write ----------------------------------------------------------------------
rm -rf w; mkdir w; copy_store base w
"$PC" ingest full.csv --preset philadelphia --boundary "$BOUNDARY" --store w/s.gpkg > /dev/null 2>&1 &
pid=$!
readers=0
while kill -0 "$pid" 2>/dev/null; do
  "$PC" ledger verify --store w/s.gpkg > /dev/null 2>&1 || { kill -0 "$pid" 2>/dev/null && fail "verify failed during a write"; }
  "$PC" forecast --store w/s.gpkg --model naive --offence theft --origin 2024-06-01 \
    --out w/out > /dev/null 2> w/err || {
    kill -0 "$pid" 2>/dev/null && { cat w/err >&2; fail "forecast failed during a write"; }
  }
  readers=$((readers + 1))
done
wait "$pid" || fail "the ingest during readers failed"
intact w/s.gpkg
# A longer write: another connection holds an open write transaction for 3 s; verify reads the
# last committed state meanwhile, and a forecast waits for the lock to record itself.
python3 -c "
import sqlite3, time
c = sqlite3.connect('w/s.gpkg', isolation_level=None)
c.execute('BEGIN IMMEDIATE')
c.execute(\"UPDATE placecast_metadata SET value = value WHERE key = 'crs'\")
open('w/locked', 'w').close()
time.sleep(3)
c.execute('ROLLBACK')
" &
holder=$!
while [ ! -e w/locked ]; do sleep 0.05; done
"$PC" forecast --store w/s.gpkg --model naive --offence theft --origin 2024-06-01 --out w/out2 \
  > /dev/null 2>&1 &
waiting=$!
while kill -0 "$holder" 2>/dev/null; do
  "$PC" ledger verify --store w/s.gpkg > /dev/null 2>&1 || fail "verify failed during an open write"
  readers=$((readers + 1))
done
wait "$waiting" || fail "a forecast started during an open write failed (it should wait)"
[ -s w/out2/forecast.csv ] || fail "the waiting forecast published nothing"
wait "$holder"
intact w/s.gpkg
echo "readers during a write: $readers verify runs (and forecasts) during an ingest and an open write transaction, all succeeded"

# ---- full disk and read-only store (need a tmpfs: root) -----------------------------------------
MNT=$T/mnt; mkdir -p "$MNT"
if mount -t tmpfs -o size=9m tmpfs "$MNT" 2>/dev/null; then
  copy_store base "$MNT"
  # Fill the disk but for a little room, so the ingest fails midway.
  free_kb=$(df -k --output=avail "$MNT" | tail -1)
  dd if=/dev/zero of="$MNT/fill" bs=1k count=$((free_kb - 600)) status=none 2>/dev/null || true
  if "$PC" ingest full.csv --preset philadelphia --boundary "$BOUNDARY" --store "$MNT/s.gpkg" \
      > full.out 2> full.err; then
    fail "ingest on a full disk exited 0"
  else
    rc=$?
    [ "$rc" = 4 ] || { cat full.err >&2; fail "ingest on a full disk: exit $rc, expected 4"; }
  fi
  grep -q "disk full\|No space" full.err || { cat full.err >&2; fail "full disk: unclear message"; }
  rm -f "$MNT/fill"
  [ "$(rows "$MNT/s.gpkg")" = "$BEFORE" ] || fail "full disk: rows changed"
  intact "$MNT/s.gpkg"
  no_leftovers "$MNT"
  echo "full disk: ingest exits 4 ($(head -c 120 full.err)), store unchanged"
  # Read-only: the forecast can read, but cannot record, so it publishes nothing.
  mount -o remount,ro "$MNT"
  rm -rf ro; mkdir ro
  rc=0
  "$PC" forecast --store "$MNT/s.gpkg" --model naive --offence theft --origin 2024-06-01 \
    --out ro/out > ro.out 2> ro.err || rc=$?
  [ "$rc" = 4 ] || { cat ro.err >&2; fail "forecast on a read-only store: exit $rc, expected 4"; }
  [ "$( (find ro/out -maxdepth 1 -type f 2>/dev/null || true) | wc -l)" = 0 ] \
    || fail "read-only store: products written without a record"
  if "$PC" ingest full.csv --preset philadelphia --store "$MNT/s.gpkg" > /dev/null 2> roi.err; then
    fail "ingest into a read-only store exited 0"
  fi
  echo "read-only store: forecast and ingest fail ($(grep -v warning ro.err | head -c 160)), nothing published"
  umount "$MNT"; MNT=""
else
  echo "SKIP full disk and read-only store: cannot mount a tmpfs here (needs root)"
fi
echo "fault injection: ok"
