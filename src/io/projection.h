// SPDX-License-Identifier: Apache-2.0
// Internal: coordinate transformations through PROJ's C API, with one PJ_CONTEXT per thread and
// the transformations cached per thread by (source, target) pair. Axis order is normalised for
// visualisation, so geographic coordinates are always lon, lat. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "placecast/status.h"

namespace placecast::io {

// In place: x/y in `from` → x/y in `to` ("EPSG:4326", "EPSG:32618", …). kInvalidInput when PROJ
// does not know a CRS; kInvalidInput when a point fails (the first failing index is named).
Status Transform(const std::string& from, const std::string& to, std::vector<double>& x,
                 std::vector<double>& y);

// As Transform, but a point PROJ cannot transform is left non-finite (HUGE_VAL) for the caller to
// reject; only an unknown CRS is an error.
Status TransformLenient(const std::string& from, const std::string& to, std::vector<double>& x,
                        std::vector<double>& y);

// True when `crs` is a projected CRS (metres assumed); kInvalidInput for an unknown CRS.
Result<bool> IsProjectedCrs(const std::string& crs);

// OGC WKT (WKT1_GDAL flavour, as GeoPackage's gpkg_spatial_ref_sys expects) of `crs`.
Result<std::string> CrsToWkt(const std::string& crs);

// "EPSG:32618" → 32618; 0 when `crs` is not of the form "EPSG:<n>".
int EpsgCode(const std::string& crs);

}  // namespace placecast::io
