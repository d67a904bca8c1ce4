// SPDX-License-Identifier: Apache-2.0
#include "placecast/io/env_layer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/test_temp.h"

namespace placecast::io {
namespace {

std::string WriteText(const std::string& name, const std::string& text) {
  const std::string path = (placecast::testing::ProcessTempDir("env_layer") / name).string();
  std::ofstream(path) << text;
  return path;
}

TEST(EnvLayerTest, ProtectedNamesMatchWholeWordsIgnoringCase) {
  for (const char* name :
       {"race", "VIC_RACE", "Vict Sex", "owner_gender", "Age", "religion", "ethnicity"}) {
    EXPECT_TRUE(IsProtectedAttributeName(name)) << name;
  }
  for (const char* name : {"carriage", "name", "usage", "station", "sextant", "address"}) {
    EXPECT_FALSE(IsProtectedAttributeName(name)) << name;
  }
}

TEST(EnvLayerTest, ReadsGeoJsonPointsReprojected) {
  const std::string path = WriteText("stations.geojson",
                                     R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"name":"A"},"geometry":{"type":"Point","coordinates":[-75.16,39.95]}},
{"type":"Feature","properties":{"name":"B"},"geometry":{"type":"Point","coordinates":[-75.15,39.96]}}]})");
  auto l = ReadEnvLayerFile(path, "", "EPSG:32618", "");
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->kind, EnvLayerKind::kPoint);
  EXPECT_EQ(l->feature_count, 2);
  EXPECT_EQ(l->source_file, "stations.geojson");
  EXPECT_EQ(l->source_sha256.size(), 64u);
  ASSERT_EQ(l->features[0].parts.size(), 1u);
  // UTM 18N metres, not degrees.
  EXPECT_GT(l->features[0].parts[0].x_m[0], 400000);
  EXPECT_GT(l->features[0].parts[0].y_m[0], 4400000);
}

TEST(EnvLayerTest, RefusesAProtectedFieldNamingIt) {
  const std::string path = WriteText("licences.geojson",
                                     R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"owner_race":"x"},"geometry":{"type":"Point","coordinates":[-75.16,39.95]}}]})");
  auto l = ReadEnvLayerFile(path, "", "EPSG:32618", "");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(l.status().message().find("licences.geojson: owner_race: a protected attribute"),
            std::string::npos)
      << l.status().message();
  EXPECT_NE(l.status().message().find("drop the field"), std::string::npos);
}

TEST(EnvLayerTest, InvalidInputs) {
  EXPECT_EQ(ReadEnvLayerFile("/nonexistent.geojson", "", "EPSG:32618", "").status().code(),
            ErrorCode::kIo);
  const std::string path = WriteText("one.geojson",
                                     R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[-75.16,39.95]}}]})");
  auto missing = ReadEnvLayerFile(path, "nope", "EPSG:32618", "");
  EXPECT_EQ(missing.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(missing.status().message().find("layer: no such layer (got \"nope\")"),
            std::string::npos);
  auto bad_crs = ReadEnvLayerFile(path, "", "EPSG:32618", "not a crs");
  EXPECT_NE(bad_crs.status().message().find("--crs: not a CRS"), std::string::npos);
  EXPECT_TRUE(CheckEnvLayerName("liquor_licences", "name").ok());
  Status st = CheckEnvLayerName("Liquor", "--name");
  EXPECT_NE(st.message().find("--name: not a layer name"), std::string::npos);
  EXPECT_FALSE(CheckEnvLayerName("", "name").ok());
  EXPECT_FALSE(CheckEnvLayerName("1abc", "name").ok());
}

}  // namespace
}  // namespace placecast::io
