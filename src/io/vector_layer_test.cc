// SPDX-License-Identifier: Apache-2.0
// Tests of the polygon-layer GeoPackage writer: a two-feature layer with every column type read
// back through OGR (geometry, values, nulls, CRS), byte-identical rewrites, and invalid layers
// rejected before any file is made.
#include "placecast/io/vector_layer.h"

#include <gdal.h>
#include <gtest/gtest.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <filesystem>
#include <functional>

#include "io/products_test_fixture.h"

namespace placecast::io {
namespace {

using testing::Slurp;
using testing::TestDir;

// Two features in UTM 18N: a 100 m × 50 m rectangle, and a 200 m square with a 100 m square hole.
PolygonLayer TwoPolygons() {
  PolygonLayer l;
  l.name = "areas";
  l.crs = "EPSG:32618";
  l.description = "two test areas";
  l.timestamp_s = 1709251200;  // 2024-03-01T00:00:00Z
  l.fields = {{"name", LayerFieldType::kString},
              {"count", LayerFieldType::kInt64},
              {"small", LayerFieldType::kInt32},
              {"score", LayerFieldType::kDouble}};
  LayerFeature a;
  a.polygons = {LayerPolygon{
      {grid::Ring{{500000, 500100, 500100, 500000}, {4400000, 4400000, 4400050, 4400050}}}}};
  a.values = {std::string("o'brien \"a\""), int64_t{5000000000}, int64_t{-7}, 0.25};
  LayerFeature b;
  b.polygons = {LayerPolygon{
      {grid::Ring{{501000, 501200, 501200, 501000}, {4401000, 4401000, 4401200, 4401200}},
       grid::Ring{{501050, 501050, 501150, 501150}, {4401050, 4401150, 4401150, 4401050}}}}};
  b.values = {std::string("b"), LayerValue(), int64_t{3}, LayerValue()};
  l.features = {a, b};
  return l;
}

TEST(VectorLayerTest, TwoPolygonsReadBackThroughOgr) {
  const std::string path = TestDir() + "/areas.gpkg";
  const Status st = WriteGeoPackageLayer(path, TwoPolygons());
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  GDALAllRegister();
  GDALDatasetH ds =
      GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
  ASSERT_NE(ds, nullptr);
  ASSERT_EQ(GDALDatasetGetLayerCount(ds), 1);
  OGRLayerH layer = GDALDatasetGetLayerByName(ds, "areas");
  ASSERT_NE(layer, nullptr);
  EXPECT_EQ(OGR_L_GetFeatureCount(layer, TRUE), 2);
  EXPECT_EQ(wkbFlatten(OGR_L_GetGeomType(layer)), wkbPolygon);
  OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
  ASSERT_NE(srs, nullptr);
  EXPECT_STREQ(OSRGetAuthorityCode(srs, nullptr), "32618");

  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
  ASSERT_EQ(OGR_FD_GetFieldCount(defn), 4);
  const OGRFieldType types[] = {OFTString, OFTInteger64, OFTInteger, OFTReal};
  const char* names[] = {"name", "count", "small", "score"};
  for (int k = 0; k < 4; ++k) {
    OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, k);
    EXPECT_STREQ(OGR_Fld_GetNameRef(fd), names[k]);
    EXPECT_EQ(OGR_Fld_GetType(fd), types[k]) << names[k];
  }

  OGR_L_ResetReading(layer);
  OGRFeatureH f = OGR_L_GetNextFeature(layer);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(OGR_F_GetFID(f), 1);
  EXPECT_STREQ(OGR_F_GetFieldAsString(f, 0), "o'brien \"a\"");
  EXPECT_EQ(OGR_F_GetFieldAsInteger64(f, 1), 5000000000LL);  // needs 64 bits
  EXPECT_EQ(OGR_F_GetFieldAsInteger(f, 2), -7);
  EXPECT_DOUBLE_EQ(OGR_F_GetFieldAsDouble(f, 3), 0.25);
  OGRGeometryH g = OGR_F_GetGeometryRef(f);
  ASSERT_NE(g, nullptr);
  EXPECT_DOUBLE_EQ(OGR_G_Area(g), 100.0 * 50.0);  // 100 m × 50 m, in the layer CRS
  // The ring is closed by the writer: 4 vertices in, 5 points out, the last equal to the first.
  OGRGeometryH ring = OGR_G_GetGeometryRef(g, 0);
  ASSERT_EQ(OGR_G_GetPointCount(ring), 5);
  EXPECT_DOUBLE_EQ(OGR_G_GetX(ring, 4), 500000);
  EXPECT_DOUBLE_EQ(OGR_G_GetY(ring, 4), 4400000);
  OGR_F_Destroy(f);

  f = OGR_L_GetNextFeature(layer);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(OGR_F_GetFID(f), 2);
  EXPECT_STREQ(OGR_F_GetFieldAsString(f, 0), "b");
  EXPECT_TRUE(OGR_F_IsFieldNull(f, 1));
  EXPECT_EQ(OGR_F_GetFieldAsInteger(f, 2), 3);
  EXPECT_TRUE(OGR_F_IsFieldNull(f, 3));
  g = OGR_F_GetGeometryRef(f);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(OGR_G_GetGeometryCount(g), 2);                     // exterior + hole
  EXPECT_DOUBLE_EQ(OGR_G_Area(g), 200.0 * 200 - 100.0 * 100);  // 40000 − 10000 = 30000 m2
  OGR_F_Destroy(f);
  EXPECT_EQ(OGR_L_GetNextFeature(layer), nullptr);
  GDALClose(ds);
}

TEST(VectorLayerTest, MultiPolygonLayerKeepsEveryPart) {
  PolygonLayer l = TwoPolygons();
  l.geometry = LayerGeometry::kMultiPolygon;
  // Feature 1 gets feature 2's polygon as a second part: 5000 + 30000 = 35000 m2.
  l.features[0].polygons.push_back(l.features[1].polygons[0]);
  const std::string path = TestDir() + "/multi.gpkg";
  ASSERT_TRUE(WriteGeoPackageLayer(path, l).ok());
  GDALAllRegister();
  GDALDatasetH ds =
      GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
  ASSERT_NE(ds, nullptr);
  OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
  EXPECT_EQ(wkbFlatten(OGR_L_GetGeomType(layer)), wkbMultiPolygon);
  OGRFeatureH f = OGR_L_GetNextFeature(layer);
  ASSERT_NE(f, nullptr);
  OGRGeometryH g = OGR_F_GetGeometryRef(f);
  EXPECT_EQ(OGR_G_GetGeometryCount(g), 2);
  EXPECT_DOUBLE_EQ(OGR_G_Area(g), 35000.0);
  OGR_F_Destroy(f);
  GDALClose(ds);
}

TEST(VectorLayerTest, RewriteIsByteIdentical) {
  const std::string dir = TestDir();
  ASSERT_TRUE(WriteGeoPackageLayer(dir + "/a.gpkg", TwoPolygons()).ok());
  ASSERT_TRUE(WriteGeoPackageLayer(dir + "/b.gpkg", TwoPolygons()).ok());
  const std::string a = Slurp(dir + "/a.gpkg");
  ASSERT_GT(a.size(), 1000u);
  EXPECT_TRUE(a == Slurp(dir + "/b.gpkg")) << "two writes of one layer differ";
  // Overwriting in place gives the same bytes again.
  ASSERT_TRUE(WriteGeoPackageLayer(dir + "/a.gpkg", TwoPolygons()).ok());
  EXPECT_TRUE(a == Slurp(dir + "/a.gpkg"));
  // The timestamp is part of the file: another one changes the bytes.
  PolygonLayer later = TwoPolygons();
  later.timestamp_s += 86400;
  ASSERT_TRUE(WriteGeoPackageLayer(dir + "/c.gpkg", later).ok());
  EXPECT_FALSE(a == Slurp(dir + "/c.gpkg"));
}

TEST(VectorLayerTest, InvalidLayersLeaveNoFile) {
  struct Case {
    const char* what;
    std::function<void(PolygonLayer&)> mutate;
    ErrorCode code;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"empty name", [](PolygonLayer& l) { l.name.clear(); }, ErrorCode::kInvalidInput,
       "layer name is empty"},
      {"repeated field", [](PolygonLayer& l) { l.fields[1].name = "name"; },
       ErrorCode::kInvalidInput, "field \"name\" appears twice"},
      {"too few values", [](PolygonLayer& l) { l.features[1].values.pop_back(); },
       ErrorCode::kInvalidInput, "feature 2: 3 values for 4 fields"},
      {"string in a double column",
       [](PolygonLayer& l) { l.features[0].values[3] = std::string("x"); },
       ErrorCode::kInvalidInput, "feature 1: field score: expected a double or null"},
      {"int32 overflow", [](PolygonLayer& l) { l.features[1].values[2] = int64_t{1} << 31; },
       ErrorCode::kInvalidInput, "feature 2: field small: expected an int32 (got 2147483648)"},
      {"two-vertex ring",
       [](PolygonLayer& l) {
         l.features[0].polygons[0].rings[0] = grid::Ring{{0, 1}, {0, 1}};
       },
       ErrorCode::kInvalidInput, "feature 1: a ring needs at least 3 vertices"},
      {"two polygons in a Polygon layer",
       [](PolygonLayer& l) { l.features[0].polygons.push_back(l.features[0].polygons[0]); },
       ErrorCode::kInvalidInput, "feature 1: expected one polygon (got 2)"},
      {"unknown CRS", [](PolygonLayer& l) { l.crs = "EPSG:999999"; }, ErrorCode::kInvalidInput,
       "crs: GDAL does not know \"EPSG:999999\""},
  };
  const std::string dir = TestDir();
  for (const Case& c : cases) {
    PolygonLayer l = TwoPolygons();
    c.mutate(l);
    const std::string path = dir + "/bad.gpkg";
    const Status st = WriteGeoPackageLayer(path, l);
    EXPECT_EQ(st.code(), c.code) << c.what << ": " << st.ToString();
    EXPECT_NE(st.message().find(c.message), std::string::npos) << c.what << ": " << st.message();
    EXPECT_NE(st.message().find(path), std::string::npos) << c.what << ": " << st.message();
    EXPECT_FALSE(std::filesystem::exists(path)) << c.what;
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp")) << c.what;
  }
  // An unwritable directory is kIo naming the path, with no partial file.
  const std::string path = dir + "/no-such-dir/a.gpkg";
  const Status st = WriteGeoPackageLayer(path, TwoPolygons());
  EXPECT_EQ(st.code(), ErrorCode::kIo) << st.ToString();
  EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

}  // namespace
}  // namespace placecast::io
