// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the boundary reader io::ReadBoundary(path, crs) (placecast/io/ingest.h).
// The first byte picks the format of the rest (a fixed file name per format, reused):
//  0: GeoJSON, 1: GeoPackage (SQLite), 2: zipped Shapefile (.shp.zip),
//  3: a plain Shapefile triple, the rest split by two 16-bit little-endian lengths into
//     .shp, .shx and the .dbf (whatever is left).
// The second byte picks the target CRS. GDAL is not instrumented: coverage comes from placecast's
// own code, and a crash inside GDAL is still a crash. GDAL's messages are silenced. A boundary
// that is read must have rings of at least 3 points with finite coordinates.
#include <cpl_conv.h>
#include <cpl_error.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "placecast/io/ingest.h"

namespace {

std::string_view Take(std::string_view* rest, size_t n) {
  n = std::min(n, rest->size());
  std::string_view out = rest->substr(0, n);
  rest->remove_prefix(n);
  return out;
}

size_t Length16(std::string_view* rest) {
  if (rest->size() < 2) return 0;
  const size_t n = static_cast<uint8_t>((*rest)[0]) | (static_cast<uint8_t>((*rest)[1]) << 8);
  rest->remove_prefix(2);
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  CPLSetErrorHandler(CPLQuietErrorHandler);
  // No network access.
  CPLSetConfigOption("GDAL_HTTP_TIMEOUT", "1");
  CPLSetConfigOption("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", "none");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t format = data[0] % 4;
  static constexpr const char* kCrs[] = {"EPSG:32618", "EPSG:2272", "EPSG:3857", "EPSG:4326"};
  const std::string crs = kCrs[data[1] % 4];
  std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
  using placecast::fuzz::WriteTempFile;

  std::string path;
  switch (format) {
    case 0:
      path = WriteTempFile("area.geojson", rest);
      break;
    case 1:
      path = WriteTempFile("area.gpkg", rest);
      break;
    case 2:
      path = WriteTempFile("area.shp.zip", rest);
      break;
    default: {
      const size_t shp_len = Length16(&rest);
      const size_t shx_len = Length16(&rest);
      path = WriteTempFile("area.shp", Take(&rest, shp_len));
      WriteTempFile("area.shx", Take(&rest, shx_len));
      WriteTempFile("area.dbf", rest);
      break;
    }
  }
  auto boundary = placecast::io::ReadBoundary(path, crs);
  if (boundary.ok()) {
    for (const auto& ring : boundary->rings) {
      if (ring.x_m.size() != ring.y_m.size() || ring.x_m.size() < 3) std::abort();
      for (size_t i = 0; i < ring.x_m.size(); ++i) {
        if (!std::isfinite(ring.x_m[i]) || !std::isfinite(ring.y_m[i])) std::abort();
      }
    }
  }
  return 0;
}
