// SPDX-License-Identifier: Apache-2.0
// Static environment layers (issue 15): point, line or polygon features of the city (transit
// stations, schools, licensed premises) kept in a store beside the incidents, in the store's CRS,
// as a snapshot of a known local date. Only the geometry is kept: attributes never reach a store.
// The `boost` model turns each layer into per-cell features (docs/models.md). Plain values and
// functions; ReadEnvLayerFile opens its own GDAL dataset, so calls are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/grid/geometry.h"
#include "placecast/status.h"

namespace placecast::io {

// The geometry kind of a layer. Persisted by name ("point", "line", "polygon"); never renumber.
enum class EnvLayerKind { kPoint = 1, kLine = 2, kPolygon = 3 };

// "point", "line" or "polygon".
std::string_view EnvLayerKindName(EnvLayerKind kind);

// One feature: for a point layer each part holds one vertex (a multipoint has several parts); for
// a line layer each part is a polyline (>= 2 vertices); for a polygon layer the parts are rings
// (closing vertex dropped, >= 3 vertices) read with the even-odd rule, as grid::Boundary.
struct EnvFeature {
  std::vector<grid::Ring> parts;
  bool operator==(const EnvFeature& other) const;  // same parts, vertex for vertex
};

struct EnvLayer {
  std::string name;  // [a-z0-9_]{1,40}, starting with a letter: it names boost's columns
  EnvLayerKind kind = EnvLayerKind::kPoint;
  std::string source_file;           // the file name as given (no directory)
  std::string source_sha256;         // lower-case hex SHA-256 of the file's bytes
  std::string snapshot_date;         // local date the data describes, "YYYY-MM-DD"
  std::vector<EnvFeature> features;  // in the store CRS; empty when listed without geometry
  int64_t feature_count = 0;         // features.size() when the geometry is loaded

  bool operator==(const EnvLayer&) const = default;
};

// kInvalidInput naming `field` unless `name` is a valid layer name (see EnvLayer::name).
Status CheckEnvLayerName(std::string_view name, std::string_view field);

// The attribute names placecast refuses in anything it stores or learns from: protected
// characteristics (race, ethnicity, sex, gender, age, religion, …). Matching ignores case and
// treats the name's words (split on anything not a letter) separately, so "VIC_RACE" and
// "Vict Sex" match and "carriage" does not. The list is docs/formats.md's.
bool IsProtectedAttributeName(std::string_view field_name);
const std::vector<std::string>& ProtectedAttributeWords();

// Reads the layer `layer_name` ("" = the file's first layer) of the vector file `path` (GeoJSON,
// Shapefile, GeoPackage: anything GDAL/OGR reads) reprojected to `crs`, from the file's CRS or
// `source_crs` when given. Fills kind, features, feature_count, source_file and source_sha256;
// the caller sets name and snapshot_date. Errors: kIo when the file is missing or unreadable;
// kInvalidInput when GDAL cannot open it, the layer is missing, the file has no CRS and
// `source_crs` is empty ("give --crs"), an attribute field is protected (naming the field: drop
// it from the file), geometries mix kinds, a coordinate is not finite, or no feature has a
// geometry.
Result<EnvLayer> ReadEnvLayerFile(const std::string& path, const std::string& layer_name,
                                  const std::string& crs, const std::string& source_crs);

}  // namespace placecast::io
