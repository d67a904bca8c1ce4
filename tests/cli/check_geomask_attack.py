#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# The regenerate-and-subtract attack of issue 12 (finding 8) run on a real export:
#   check_geomask_attack.py STORE.gpkg EXPORT.csv GROUP FROM TO MIN_M MAX_M
# The attacker holds the code and the export. Before issue 12, row i was moved by a vector drawn
# from SplitMix64(MixSeed(1, i)); subtracting that vector gave every true point back within 6 cm.
# Checks, against the true incidents read from the store (the test plays the agency):
#   1. every released point lies between MIN_M and MAX_M of its true incident;
#   2. the old attack (seed 1, row index) and the same subtraction under a wrong key recover no
#      point within 2 m, and their median error is above MIN_M;
#   3. with the store's release key (placecast_secret), HMAC-SHA-256 of the documented message
#      reproduces every displacement to within 2 m, so the check fails if keying is broken.
# 2 m covers the local east/north approximation of the UTM 18N displacement (convergence and
# scale factor corrected to first order). Exits 1 with a message on the first failed check.
import csv
import hashlib
import hmac
import math
import sqlite3
import sys
from datetime import datetime, timezone

M64 = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & M64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def open01(self):
        return ((self.next() >> 11) + 0.5) * 2.0**-53


def mix_seed(seed, index):
    a = SplitMix64(seed)
    return SplitMix64(a.next() ^ index).next()


def donut(min_m, max_m, u_angle, u_area):
    angle = 2 * math.pi * u_angle
    r = math.sqrt(min_m * min_m + u_area * (max_m * max_m - min_m * min_m))
    return r * math.cos(angle), r * math.sin(angle)


def old_vector(i, min_m, max_m):
    rng = SplitMix64(mix_seed(1, i))
    a = rng.open01()
    u = rng.open01()
    return donut(min_m, max_m, a, u)


def exact(v):
    return "%.17g" % float(v)  # as placecast writes radii into the message


def field(s):
    b = s.encode()
    return str(len(b)).encode() + b":" + b + b";"


def keyed_vector(key, incident_id, min_m, max_m):
    msg = field("placecast/geomask/v1") + field(exact(min_m)) + field(exact(max_m)) + field(
        incident_id)
    mac = hmac.new(key, msg, hashlib.sha256).digest()
    u1 = ((int.from_bytes(mac[0:8], "big") >> 11) + 0.5) * 2.0**-53
    u2 = ((int.from_bytes(mac[8:16], "big") >> 11) + 0.5) * 2.0**-53
    return donut(min_m, max_m, u1, u2)


def grid_offset(lon0, lat0, lon1, lat1):
    """(dx, dy) in UTM 18N metres from (lon0, lat0) to (lon1, lat1), to first order."""
    a, f = 6378137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    phi = math.radians(lat0)
    s = math.sin(phi)
    n = a / math.sqrt(1 - e2 * s * s)
    m = a * (1 - e2) / (1 - e2 * s * s) ** 1.5
    east = math.radians(lon1 - lon0) * n * math.cos(phi)
    north = math.radians(lat1 - lat0) * m
    gamma = math.radians(lon0 + 75.0) * s  # grid convergence, central meridian 75° W
    k = 0.9996 * (1 + (math.radians(lon0 + 75.0) * math.cos(phi)) ** 2 / 2)
    dx = k * (east * math.cos(gamma) + north * math.sin(gamma))
    dy = k * (-east * math.sin(gamma) + north * math.cos(gamma))
    return dx, dy


def fail(msg):
    print("check_geomask_attack: " + msg)
    sys.exit(1)


def main():
    store, export, group, date_from, date_to, min_m, max_m = sys.argv[1:8]
    min_m, max_m = float(min_m), float(max_m)
    t0 = int(datetime.fromisoformat(date_from).replace(tzinfo=timezone.utc).timestamp())
    t1 = int(datetime.fromisoformat(date_to).replace(tzinfo=timezone.utc).timestamp())
    db = sqlite3.connect(store)
    rows = db.execute(
        "SELECT t_utc_s, id, lon, lat FROM incidents WHERE offence_group = ? AND t_utc_s >= ? "
        "AND t_utc_s < ?", (group, t0, t1)).fetchall()
    rows.sort(key=lambda r: (r[0], r[1].encode()))
    key = db.execute("SELECT value FROM placecast_secret WHERE key = 'release_key'").fetchone()[0]
    if len(key) != 32:
        fail("release key is %d bytes, expected 32" % len(key))
    with open(export, newline="") as fh:
        released = [(float(r["lon"]), float(r["lat"])) for r in csv.DictReader(fh)]
    if len(released) != len(rows):
        fail("export has %d rows, store %d incidents" % (len(released), len(rows)))
    wrong_key = bytes(32)
    errors = {"old seed 1": [], "wrong key": []}
    for i, ((_, incident_id, lon, lat), (rlon, rlat)) in enumerate(zip(rows, released)):
        dx, dy = grid_offset(lon, lat, rlon, rlat)
        d = math.hypot(dx, dy)
        if not (min_m - 2 <= d <= max_m + 2):
            fail("row %d moved %.1f m, outside [%g, %g]" % (i, d, min_m, max_m))
        kx, ky = keyed_vector(key, incident_id, min_m, max_m)
        if math.hypot(dx - kx, dy - ky) > 2:
            fail("row %d: the key does not reproduce its displacement (off by %.1f m)" %
                 (i, math.hypot(dx - kx, dy - ky)))
        for name, (gx, gy) in (("old seed 1", old_vector(i, min_m, max_m)),
                               ("wrong key", keyed_vector(wrong_key, incident_id, min_m, max_m))):
            errors[name].append(math.hypot(dx - gx, dy - gy))
    for name, e in errors.items():
        close = sum(1 for v in e if v < 2)
        median = sorted(e)[len(e) // 2]
        if close > 0 or median <= min_m:
            fail("%s: %d of %d points recovered within 2 m, median error %.1f m" %
                 (name, close, len(e), median))
        print("%s: 0 of %d recovered within 2 m, median error %.0f m" % (name, len(e), median))
    print("with the key: %d of %d displacements reproduced within 2 m" % (len(rows), len(rows)))


if __name__ == "__main__":
    main()
