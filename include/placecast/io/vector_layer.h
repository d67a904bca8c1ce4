// SPDX-License-Identifier: Apache-2.0
// One polygon layer with typed attribute columns, written as a GeoPackage through GDAL's GPKG
// driver: the single writer behind every polygon GeoPackage placecast produces (forecast cells,
// hotspot patrol areas, scan clusters). The file is written under "<path>.tmp" and renamed, so
// readers never see a partial file, and it is byte-reproducible: the only date GDAL stores
// (gpkg_contents.last_change) is pinned to the layer's timestamp, never the clock.
// Thread-safe: GDAL's date option and error handler are set per thread; two calls must not write
// the same path.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "placecast/grid/geometry.h"
#include "placecast/status.h"

namespace placecast::io {

// Attribute column types. kInt32 is stored as GeoPackage MEDIUMINT (GDAL OFTInteger), kInt64 as
// INTEGER (OFTInteger64), kDouble as REAL, kString as TEXT.
enum class LayerFieldType { kInt32, kInt64, kDouble, kString };

struct LayerField {
  std::string name;
  LayerFieldType type = LayerFieldType::kDouble;
};

// One attribute value: std::monostate is SQL NULL; an int64_t fills kInt32 and kInt64 columns (a
// kInt32 column accepts only values that fit in 32 bits), a double a kDouble column and a string a
// kString column.
using LayerValue = std::variant<std::monostate, int64_t, double, std::string>;

// One polygon: rings[0] is the exterior ring, the others are holes. Rings are closed implicitly
// (the writer repeats the first vertex at the end) and need at least 3 vertices.
struct LayerPolygon {
  std::vector<grid::Ring> rings;
};

struct LayerFeature {
  std::vector<LayerPolygon> polygons;  // exactly 1 for a kPolygon layer; >= 1 for kMultiPolygon
  std::vector<LayerValue> values;      // one per field, in field order
};

enum class LayerGeometry { kPolygon, kMultiPolygon };

struct PolygonLayer {
  std::string name;  // table name ("forecast")
  std::string crs;   // CRS of the coordinates, anything GDAL's SetFromUserInput accepts
  LayerGeometry geometry = LayerGeometry::kPolygon;
  // gpkg_contents.description and .identifier; "" leaves GDAL's default ("" and the table name).
  std::string description;
  std::string identifier;
  std::vector<LayerField> fields;      // after the "fid" key and the "geom" geometry column
  std::vector<LayerFeature> features;  // written in order; fid = 1, 2, ...
  // The date stored as gpkg_contents.last_change, UTC seconds since 1970 (e.g. a forecast origin).
  int64_t timestamp_s = 0;
};

// Writes `layer` as the only table of a new GeoPackage at `path` (replacing any file there).
// On success the same layer always gives the same bytes. Errors, with nothing left at `path` or
// "<path>.tmp": kInvalidInput when the name is empty, a field name is empty or repeated, a feature
// has the wrong number of values or polygons, a value has the wrong type for its column (naming
// the feature, 1-based, and the field), an int32 value does not fit, or a ring has fewer than 3
// vertices or unequal x/y lengths; kInternal when GDAL lacks the GPKG driver, kInvalidInput when it
// does not know the CRS; kIo naming `path` when GDAL cannot create, fill or close the file or the
// rename fails.
Status WriteGeoPackageLayer(const std::string& path, const PolygonLayer& layer);

}  // namespace placecast::io
