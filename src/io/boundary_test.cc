// SPDX-License-Identifier: Apache-2.0
// Tests for io::ReadBoundary and io::ReadAreas (boundary.cc) on inputs the fuzzer (fuzz/
// fuzz_boundary.cc) found or probes: non-finite coordinates, and a case table of files that are
// not boundaries, each with its code and the file named in the message.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/test_temp.h"
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
            ErrorCode::kNotFound);
}

}  // namespace
}  // namespace placecast::io
