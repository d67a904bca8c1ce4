#!/usr/bin/env python3
"""Runs SQL on a store as a GeoPackage client other than placecast would: with the ST_ functions
the R-tree triggers of `incidents` call (GeoPackage 1.3, annex F.3), which the sqlite3 shell
lacks. For tests that edit a store outside placecast.
Usage: gpkg_sql.py STORE SQL"""
import math, sqlite3, struct, sys


def envelope(blob):
    """(min_x, max_x, min_y, max_y), "empty", or None for what is not a GeoPackage geometry."""
    if blob is None or len(blob) < 8 or blob[:2] != b"GP":
        return None
    flags = blob[3]
    order = "<" if flags & 1 else ">"
    kind = (flags >> 1) & 7
    size = [0, 32, 48, 48, 64][kind] if kind <= 4 else None
    if size is None or len(blob) < 8 + size:
        return None
    if flags & 0x10:
        return "empty"
    if kind:
        return struct.unpack(order + "4d", blob[8:40])
    wkb = blob[8:]
    if len(wkb) < 21 or wkb[0] > 1:
        return None
    worder = "<" if wkb[0] == 1 else ">"
    if struct.unpack(worder + "I", wkb[1:5])[0] % 1000 != 1:
        return None
    x, y = struct.unpack(worder + "2d", wkb[5:21])
    return "empty" if math.isnan(x) and math.isnan(y) else (x, x, y, y)


def bound(i):
    def f(blob):
        e = envelope(blob)
        return e[i] if isinstance(e, tuple) else None
    return f


db = sqlite3.connect(sys.argv[1])
for i, name in enumerate(["ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"]):
    db.create_function(name, 1, bound(i), deterministic=True)
db.create_function("ST_IsEmpty", 1,
                   lambda b: None if b is None else int(envelope(b) == "empty"), deterministic=True)
db.executescript(sys.argv[2])
db.commit()
db.close()
