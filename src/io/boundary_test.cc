// SPDX-License-Identifier: Apache-2.0
// Tests for io::ReadBoundary and io::ReadAreas (boundary.cc) on inputs the fuzzer (fuzz/
// fuzz_boundary.cc) found or probes: non-finite coordinates, a case table of files that are not
// boundaries, each with its code and the file named in the message, and files without a CRS.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/test_temp.h"
#include "io/projection.h"
#include "placecast/io/ingest.h"

namespace placecast::io {
namespace {

std::string Write(const std::string& name, const std::string& text) {
  const auto dir = placecast::testing::ProcessTempDir("boundary");
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string Polygon(const std::string& ring) {
  return R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},)"
         R"("geometry":{"type":"Polygon","coordinates":[)" +
         ring + "]}}]}";
}

TEST(BoundaryTest, FiniteSquareIsRead) {
  const std::string path =
      Write("square.geojson", Polygon("[[-75.1,39.9],[-75.0,39.9],[-75.0,40.0],[-75.1,39.9]]"));
  for (const char* crs : {"EPSG:4326", "EPSG:32618"}) {
    auto b = ReadBoundary(path, crs);
    ASSERT_TRUE(b.ok()) << crs << ": " << b.status().ToString();
    ASSERT_EQ(b->rings.size(), 1u) << crs;
    EXPECT_EQ(b->rings[0].x_m.size(), 3u) << crs;  // the closing point is dropped
  }
}

// Found by fuzz_boundary: GDAL reads NaN and 1e400 as coordinates and a transformation to a
// geographic CRS passes them through, so ReadBoundary returned a study area with a NaN vertex.
TEST(BoundaryTest, Issue12FuzzNonFiniteCoordinateIsInvalidInput) {
  const struct {
    const char* name;
    const char* ring;
  } kCases[] = {
      {"nan.geojson", "[[-75.1,39.9],[NaN,39.9],[-75.0,40.0],[-75.1,39.9]]"},
      {"inf.geojson", "[[-75.1,39.9],[1e400,39.9],[-75.0,40.0],[-75.1,39.9]]"},
      {"neg_inf.geojson", "[[-75.1,39.9],[-75.0,-1e400],[-75.0,40.0],[-75.1,39.9]]"},
  };
  for (const auto& c : kCases) {
    const std::string path = Write(c.name, Polygon(c.ring));
    for (const char* crs : {"EPSG:4326", "EPSG:32618", "EPSG:3857"}) {
      auto b = ReadBoundary(path, crs);
      ASSERT_FALSE(b.ok()) << c.name << " " << crs;
      EXPECT_EQ(b.status().code(), ErrorCode::kInvalidInput) << c.name << " " << crs;
      EXPECT_NE(b.status().message().find(c.name), std::string::npos) << b.status().ToString();
      auto areas = ReadAreas(path, "name", crs);
      EXPECT_FALSE(areas.ok()) << c.name << " " << crs;
    }
  }
}

TEST(BoundaryTest, FilesThatAreNotBoundaries) {
  const struct {
    const char* name;
    std::string text;
    ErrorCode code;
  } kCases[] = {
      {"empty.geojson", "", ErrorCode::kInvalidInput},
      {"not_json.geojson", "{\"type\":", ErrorCode::kInvalidInput},
      {"points.geojson",
       R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},)"
       R"("geometry":{"type":"Point","coordinates":[-75.1,39.9]}}]})",
       ErrorCode::kInvalidInput},
      {"two_points.geojson", Polygon("[[-75.1,39.9],[-75.0,39.9],[-75.1,39.9]]"),
       ErrorCode::kInvalidInput},
      {"garbage.gpkg", std::string("SQLite format 3\0garbage", 23), ErrorCode::kInvalidInput},
      {"garbage.shp.zip", "PK\x03\x04garbage", ErrorCode::kInvalidInput},
  };
  for (const auto& c : kCases) {
    const std::string path = Write(c.name, c.text);
    auto b = ReadBoundary(path, "EPSG:32618");
    ASSERT_FALSE(b.ok()) << c.name;
    EXPECT_EQ(b.status().code(), c.code) << c.name << ": " << b.status().ToString();
    EXPECT_NE(b.status().message().find(c.name), std::string::npos) << b.status().ToString();
  }
  EXPECT_EQ(ReadBoundary(Write("x.geojson", "") + ".missing", "EPSG:32618").status().code(),
            ErrorCode::kIo);
}

// Issue 14: a shapefile without .prj was read as lon/lat, and failed with hundreds of PROJ lines on
// stderr. It is refused asking for --boundary-crs, which places it; GDAL and PROJ print nothing.
TEST(BoundaryTest, Issue14FileWithoutCrsNeedsBoundaryCrs) {
  const std::string shp = std::string(PLACECAST_TEST_DATA_DIR) + "/cli/phl_box_2272_noprj.shp";
  ::testing::internal::CaptureStderr();
  auto refused = ReadBoundary(shp, "EPSG:32618");
  auto feet_as_degrees = ReadBoundary(shp, "EPSG:32618", "EPSG:4326");
  auto unknown = ReadBoundary(shp, "EPSG:32618", "EPSG:99999");
  auto areas = ReadAreas(shp, "name", "EPSG:32618");
  auto placed = ReadBoundary(shp, "EPSG:32618", "EPSG:2272");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");

  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(refused.status().message(),
            shp +
                ": no CRS (a shapefile without its .prj file?): its coordinates cannot be "
                "placed; give its CRS with --boundary-crs EPSG:NNNN (see docs/cli.md)");
  ASSERT_FALSE(feet_as_degrees.ok());
  EXPECT_EQ(feet_as_degrees.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(feet_as_degrees.status().message().find("cannot be transformed to EPSG:32618"),
            std::string::npos)
      << feet_as_degrees.status().message();
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            "--boundary-crs: not a CRS GDAL/PROJ knows (got \"EPSG:99999\")");
  ASSERT_FALSE(areas.ok());
  EXPECT_NE(areas.status().message().find("ogr2ogr -a_srs"), std::string::npos);

  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  ASSERT_EQ(placed->rings.size(), 1u);
  ASSERT_EQ(placed->rings[0].x_m.size(), 4u);
  std::vector<double> x = {2640000}, y = {190000};  // the first corner, in US feet
  ASSERT_TRUE(Transform("EPSG:2272", "EPSG:32618", x, y).ok());
  EXPECT_NEAR(placed->rings[0].x_m[0], x[0], 0.01);
  EXPECT_NEAR(placed->rings[0].y_m[0], y[0], 0.01);
}

}  // namespace
}  // namespace placecast::io
