// SPDX-License-Identifier: Apache-2.0
// Tests for io::ReadPoints: names from an attribute or the feature id, reprojection to the store
// CRS, and the errors for missing files, non-point features and empty layers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/test_temp.h"
#include "placecast/io/ingest.h"

namespace placecast::io {
namespace {

std::string Write(const std::string& name, const std::string& text) {
  const auto dir = placecast::testing::ProcessTempDir("points");
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

std::string Feature(const std::string& props, const std::string& geom) {
  return R"({"type":"Feature","properties":)" + props + R"(,"geometry":)" + geom + "}";
}

std::string Collection(const std::vector<std::string>& features) {
  std::string s = R"({"type":"FeatureCollection","features":[)";
  for (size_t i = 0; i < features.size(); ++i) s += (i ? "," : "") + features[i];
  return s + "]}";
}

TEST(ReadPointsTest, NamesAndProjectionMatchProjectFromLonLat) {
  const std::string path = Write(
      "named.geojson",
      Collection({Feature(R"({"id":"P1"})", R"({"type":"Point","coordinates":[-75.16,39.95]})"),
                  Feature(R"({"id":"P2"})", R"({"type":"Point","coordinates":[-75.10,40.01]})")}));
  auto pts = ReadPoints(path, "id", "EPSG:32618");
  ASSERT_TRUE(pts.ok()) << pts.status().ToString();
  ASSERT_EQ(pts->size(), 2u);
  std::vector<double> x = {-75.16, -75.10}, y = {39.95, 40.01};
  ASSERT_TRUE(ProjectFromLonLat("EPSG:32618", x, y).ok());
  EXPECT_EQ((*pts)[0].name, "P1");
  EXPECT_EQ((*pts)[1].name, "P2");
  EXPECT_DOUBLE_EQ((*pts)[0].x_m, x[0]);
  EXPECT_DOUBLE_EQ((*pts)[0].y_m, y[0]);
  EXPECT_DOUBLE_EQ((*pts)[1].x_m, x[1]);
  EXPECT_DOUBLE_EQ((*pts)[1].y_m, y[1]);
  // Philadelphia lies in UTM zone 18N, about 486 km east and 4.42e6 m north.
  EXPECT_NEAR((*pts)[0].x_m, 486300, 1000);
  EXPECT_NEAR((*pts)[0].y_m, 4421700, 1000);
  // Without the attribute, the feature id names the point.
  auto by_fid = ReadPoints(path, "no_such_field", "EPSG:32618");
  ASSERT_TRUE(by_fid.ok());
  EXPECT_EQ((*by_fid)[0].name, "0");
}

TEST(ReadPointsTest, Errors) {
  EXPECT_EQ(ReadPoints("/nonexistent/p.geojson", "id", "EPSG:32618").status().code(),
            ErrorCode::kIo);
  const std::string line = Write(
      "line.geojson",
      Collection({Feature(R"({"id":"A"})", R"({"type":"Point","coordinates":[-75.16,39.95]})"),
                  Feature(R"({"id":"L"})",
                          R"({"type":"LineString","coordinates":[[-75.1,39.9],[-75.2,39.9]]})")}));
  auto r = ReadPoints(line, "id", "EPSG:32618");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(r.status().message().find(line + ": feature L: not a point"), std::string::npos)
      << r.status().ToString();
  auto empty = ReadPoints(Write("empty.geojson", Collection({})), "id", "EPSG:32618");
  EXPECT_EQ(empty.status().code(), ErrorCode::kInvalidInput);
  auto junk = ReadPoints(Write("junk.geojson", "not a vector file"), "id", "EPSG:32618");
  EXPECT_EQ(junk.status().code(), ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace placecast::io
