#!/usr/bin/env python3
# Golden-case helper: fails when a patrol area of hotspots.csv (argv[2], column cell_ids) holds a
# cell that the public forecast.csv (argv[1]) suppressed (empty risk). Also fails when nothing is
# suppressed or no area exists, so the check cannot pass vacuously.
import csv
import sys

with open(sys.argv[1], newline="") as f:
    suppressed = {int(r["cell_id"]) for r in csv.DictReader(f) if r["risk"] == ""}
with open(sys.argv[2], newline="") as f:
    cells = [int(c) for r in csv.DictReader(f) for c in r["cell_ids"].split()]
bad = sorted(set(cells) & suppressed)
if not suppressed or not cells or bad:
    sys.exit(f"suppressed {len(suppressed)}, area cells {len(cells)}, suppressed in areas {bad[:10]}")
