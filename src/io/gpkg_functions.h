// SPDX-License-Identifier: Apache-2.0
// The GeoPackage SQL functions the R-tree spatial index triggers call (ST_MinX, ST_MaxX, ST_MinY,
// ST_MaxY, ST_IsEmpty; GeoPackage 1.3, annex F.3), for a plain SQLite connection. GDAL registers
// them on its own connections (the product layers); the store's connection needs them too, and so
// does any other program that inserts or updates `incidents` (tests that edit a store). Internal
// to io. Thread-safe: the functions are pure.
#pragma once

struct sqlite3;

namespace placecast::io::internal {

// Registers the five functions on `db`. Returns SQLITE_OK or SQLite's error code.
// ST_MinX … ST_MaxY give a geometry's envelope: its header's when it has one, else the point of a
// WKB point; NULL for an empty geometry, a blob that is not a GeoPackage geometry, and a geometry
// other than a point without an envelope. ST_IsEmpty gives 1 or 0 (NULL for no geometry).
int RegisterGpkgFunctions(sqlite3* db);

}  // namespace placecast::io::internal
