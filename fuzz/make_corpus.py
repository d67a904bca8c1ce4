#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Regenerates the seed corpora under fuzz/corpus/<target>/ from the shipped data (tests/data/,
# data/philadelphia/): small slices, a few KB each. The boundary seeds in GeoPackage and Shapefile
# form need ogr2ogr (Debian gdal-bin, not needed to run the fuzzers). Provenance: fuzz/README.md.
# Usage: python3 fuzz/make_corpus.py   (from the repository root; rewrites the corpus folders)
import csv
import gzip
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
TD = os.path.join(ROOT, "tests", "data")
PHL = os.path.join(ROOT, "data", "philadelphia")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def head_lines(data, n):
    return b"".join(data.splitlines(keepends=True)[:n])


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def phl_slice(n):
    """The header and every 5,000th row of the shipped 2024 Philadelphia export (n rows)."""
    with gzip.open(os.path.join(PHL, "phl_2024_burglary_theft_robbery.csv.gz"), "rb") as f:
        lines = f.read().splitlines(keepends=True)
    return lines[0] + b"".join(lines[1::5000][:n])


def csv_seeds():
    t = "fuzz_csv"
    # byte 0: bit0 header, bit1 field-count check, bits2-3 delimiter, bit4 read-ahead,
    # bit5 gzip here, bit6 damage the gzip; byte 1: extra (batch size, cut length)
    put(t, "phl_sample", b"\x13\x02" + head_lines(read(f"{TD}/ingest/phl_sample.csv"), 20))
    put(t, "phl_sample_gz_file", b"\x13\x00" + read(f"{TD}/ingest/phl_sample.csv.gz"))
    put(t, "phl_2024_slice", b"\x03\x00" + phl_slice(10))
    put(t, "chicago_gzipped_here", b"\x33\x05" + read(f"{TD}/ingest/chicago_sample.csv"))
    put(t, "chicago_gzip_cut", b"\x73\x04" + read(f"{TD}/ingest/chicago_sample.csv"))
    put(t, "chicago_gzip_garbage", b"\x73\x83" + read(f"{TD}/ingest/chicago_sample.csv"))
    put(t, "nyc_sample", b"\x13\x01" + read(f"{TD}/ingest/nyc_sample.csv"))
    put(t, "memphis_sample", b"\x03\x00" + read(f"{TD}/ingest/memphis_sample.csv"))
    put(t, "vancouver_sample", b"\x13\x03" + read(f"{TD}/ingest/vancouver_sample.csv"))
    put(t, "arson_no_header", b"\x02\x00" + read(f"{TD}/ingest/nearrepeat_arson_sample.csv"))
    put(t, "broken_row", b"\x13\x00" + read(f"{TD}/cli/broken_row.csv"))
    put(t, "semicolons", b"\x17\x00" + read(f"{TD}/ingest/chicago_sample.csv").replace(b",", b";"))


INGEST_HEADER = b"id,when,lon,lat,what,dist\n"


def ingest_seeds():
    t = "fuzz_ingest_record"
    # byte 0 even: CSV with columns id,when,lon,lat,what,dist under a fixed mapping (bit1
    # fail_on_reject, bit2 strict); odd: MAPPING_JSON \0 CSV.
    rows = list(csv.DictReader(io.StringIO(read(f"{TD}/ingest/phl_sample.csv").decode())))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "when", "lon", "lat", "what", "dist"])
    for r in rows[:8]:
        w.writerow([r["objectid"], r["dispatch_date_time"], r["point_x"], r["point_y"],
                    r["text_general_code"], r["dc_dist"]])
    phl = out.getvalue().encode()
    put(t, "fixed_mapping_phl", b"\x00" + phl)
    put(t, "fixed_mapping_fail_on_reject", b"\x02" + head_lines(phl, 3))
    put(t, "fixed_mapping_strict", b"\x04" + head_lines(phl, 4))
    put(t, "fixed_mapping_local_time", b"\x00" + INGEST_HEADER +
        b"7,2024-03-10 02:30,-75.16,39.95,Thefts,22\n8,2024-11-03 01:30,-75.17,39.96,Thefts,9\n")

    def mapped(name, mapping, data):
        put(t, name, b"\x01" + json.dumps(mapping).encode() + b"\x00" + data)

    mapped("mapping_phl", {
        "id": "objectid", "time": "dispatch_date_time", "tz": "America/New_York",
        "x": "point_x", "y": "point_y", "offence": "text_general_code", "district": "dc_dist",
        "beat": "psa", "offences": {"Thefts": "larceny", "Burglary Residential": "burglary"},
        "lon_range": [-75.30, -74.95], "lat_range": [39.86, 40.14]},
        head_lines(read(f"{TD}/ingest/phl_sample.csv"), 6))
    mapped("mapping_chicago", {
        "time": "date", "time_format": "%Y-%m-%d %H:%M", "tz": "America/Chicago",
        "x": "longitude", "y": "latitude", "offence_constant": "aggravated assault",
        "district": "district"}, read(f"{TD}/ingest/chicago_sample.csv"))
    mapped("mapping_vancouver", {
        "year": "YEAR", "month": "MONTH", "day": "DAY", "hour": "HOUR", "minute": "MINUTE",
        "tz": "America/Vancouver", "x": "X", "y": "Y", "crs": "EPSG:32610", "offence": "TYPE",
        "district": "NEIGHBOURHOOD", "strict": False, "default_group": "other",
        "offences_without_time": ["Offence Against a Person"]},
        head_lines(read(f"{TD}/ingest/vancouver_sample.csv"), 6))
    mapped("mapping_no_header", {
        "has_header": False, "columns": ["X", "Y", "date"], "time": "date",
        "time_format": "%Y-%m-%d", "x": "X", "y": "Y", "crs": "EPSG:26971",
        "offence_constant": "arson", "zero_is_missing": True},
        read(f"{TD}/ingest/nearrepeat_arson_sample.csv"))
    mapped("mapping_date_clock_epoch", {
        "date": "d", "clock": "c", "x": "lon", "y": "lat", "offence": "o", "id": "id"},
        b"id,d,c,lon,lat,o\n1,2024-01-02,03:04:05,-75.1,39.9,Thefts\n")
    put(t, "mapping_only", b"\x01" + json.dumps({
        "time": "when", "time_format": "epoch", "x": "lon", "y": "lat", "offence": "what"}).encode())


def boundary_seeds(tmp):
    t = "fuzz_boundary"
    # byte 0: 0 GeoJSON, 1 GeoPackage, 2 zipped Shapefile, 3 Shapefile triple
    # (u16 shp length, u16 shx length, shp, shx, dbf); byte 1: target CRS
    for name in ["displacement_target", "displacement_buffer", "displacement_empty_area"]:
        put(t, f"geojson_{name}", b"\x00\x00" + read(f"{TD}/cli/{name}.geojson"))
    # Police district 24 (the first feature) simplified to ~20 m, as GeoJSON and each GDAL format.
    src = os.path.join(PHL, "police_districts.geojson")
    one = os.path.join(tmp, "district.geojson")
    subprocess.run(["ogr2ogr", "-f", "GeoJSON", "-where", "objectid IN (1, 2)", "-simplify",
                    "0.0002", "-select", "dist_num", "-lco", "COORDINATE_PRECISION=5", one, src],
                   check=True)
    put(t, "geojson_districts", b"\x00\x01" + read(one))
    gpkg = os.path.join(tmp, "district.gpkg")
    subprocess.run(["ogr2ogr", "-f", "GPKG", "-lco", "SPATIAL_INDEX=NO", gpkg, one], check=True)
    subprocess.run(["sqlite3", gpkg, "PRAGMA page_size=512; VACUUM;"], check=True)
    put(t, "gpkg_districts", b"\x01\x00" + read(gpkg))
    shp_dir = os.path.join(tmp, "shp")
    subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", shp_dir, one, "-nln", "area"], check=True)
    shp, shx, dbf = (read(os.path.join(shp_dir, "area." + e)) for e in ("shp", "shx", "dbf"))
    put(t, "shp_triple_districts", b"\x03\x00" + struct.pack("<HH", len(shp), len(shx)) +
        shp + shx + dbf)
    zpath = os.path.join(tmp, "area.shp.zip")
    subprocess.run(["zip", "-q", "-j", "-X", zpath] +
                   [os.path.join(shp_dir, "area." + e) for e in ("shp", "shx", "dbf", "prj")],
                   check=True)
    put(t, "shp_zip_districts", b"\x02\x00" + read(zpath))


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def ledger_seeds():
    t = "fuzz_ledger"
    # byte 0: 0 CanonicalJson, 1 LedgerFilesFromJson, 2 record fields split at NUL, 3 records
    params = {"store": "phl.gpkg", "preset": "philadelphia", "inputs": ["phl.csv.gz"],
              "cell_size_m": 150, "bandwidth_m": 400.5, "note": "caf\u00e9 \"q\" \\ \u2603"}
    put(t, "canonical_params", b"\x00" + json.dumps(params, indent=1).encode())
    put(t, "canonical_nested", b"\x00" + b'{"b":[1,2.5e3,-0.0,null,true],"a":{"z":{},"y":[]}}')
    files = [{"path": "out/forecast.gpkg", "sha256": "ab" * 32},
             {"path": "/tmp/summary.json", "sha256": "00" * 32}]
    put(t, "files", b"\x01" + json.dumps(files).encode())
    put(t, "record_fields", b"\x02" + b"\x00".join([
        b"2025-01-02T03:04:05Z", b"ingest", canonical(params).encode(), b"placecast 0.1.0",
        b"0" * 64, json.dumps(files[:1]).encode(), json.dumps(files[1:]).encode()]))
    # A valid two-record chain (hashes computed as LedgerRecordCanonical does), the second record
    # naming a relative output that does not exist under the empty root.
    prev = "0" * 64
    records = []
    for seq, (cmd, outs) in enumerate([("ingest", []), ("forecast", files[:1])], start=1):
        body = {"seq": seq, "time_utc": f"2025-01-0{seq}T00:00:00Z", "command": cmd,
                "params": params, "inputs": [], "outputs": outs,
                "code_version": "placecast 0.1.0", "prev_hash": prev}
        h = hashlib.sha256(canonical(body).encode()).hexdigest()
        records.append(dict(body, hash=h))
        prev = h
    put(t, "records_chain", b"\x03" + json.dumps(records).encode())


def main():
    for t in ["fuzz_csv", "fuzz_ingest_record", "fuzz_boundary", "fuzz_ledger"]:
        shutil.rmtree(os.path.join(CORPUS, t), ignore_errors=True)
    csv_seeds()
    ingest_seeds()
    with tempfile.TemporaryDirectory() as tmp:
        boundary_seeds(tmp)
    ledger_seeds()


if __name__ == "__main__":
    main()
