// SPDX-License-Identifier: Apache-2.0
// Tests of the forecast tables (CSV, GeoJSON, GeoPackage) on a 4×3 grid drawn as text
// (products_test_fixture.h); the map and the HTML report are tested in src/render.
#include "placecast/io/products.h"

#include <gdal.h>
#include <gtest/gtest.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/products_internal.h"
#include "io/products_test_fixture.h"
#include "placecast/io/calendar.h"

namespace placecast::io {
namespace {

using testing::kRisk;
using testing::Slurp;
using testing::TestDir;
using testing::TextForecast;

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream ss(s);
  std::string line;
  while (std::getline(ss, line)) out.push_back(line);
  return out;
}

// The first n comma-separated fields of a line.
std::string Fields(const std::string& line, int n) {
  size_t pos = 0;
  for (int i = 0; i < n; ++i) {
    pos = line.find(',', pos);
    if (pos == std::string::npos) return line;
    ++pos;
  }
  return line.substr(0, pos - 1);
}

TEST(ProductsTest, Issue14ProductTimesAreLocalDays) {
  ForecastProduct p;
  auto ny = LoadCalendar("America/New_York");
  ASSERT_TRUE(ny.ok()) << ny.status().ToString();
  p.calendar = *ny;
  // 2024-12-01 00:00 in Philadelphia is 05:00 UTC: a date, not "2024-12-01T05:00:00Z".
  EXPECT_EQ(products_internal::FormatLocal(p, 1733029200), "2024-12-01");
  EXPECT_EQ(products_internal::FormatLocal(p, 1733029200 - 5 * 3600), "2024-11-30T19:00:00-05:00");
  EXPECT_EQ(products_internal::FormatLocal(p, 1719806400), "2024-07-01");  // EDT midnight
  ForecastProduct utc;
  EXPECT_EQ(products_internal::FormatLocal(utc, 1709251200), "2024-03-01");
  EXPECT_EQ(products_internal::FormatLocal(utc, 1709272800), "2024-03-01T06:00:00Z");
  EXPECT_EQ(products_internal::FormatUtcMillis(1709272800), "2024-03-01T06:00:00.000Z");
}

TEST(ProductsTest, RankProductCellsKnownAnswer) {
  TextForecast f(kRisk, 25);
  auto cells = RankProductCells(f.product);
  ASSERT_TRUE(cells.ok()) << cells.status().ToString();
  ASSERT_EQ(cells->size(), 12u);
  // Descending risk; the two 1s (cells 2 and 10) and the zeros in ascending cell id.
  std::vector<int32_t> order;
  for (const auto& c : *cells) order.push_back(c.cell);
  EXPECT_EQ(order, (std::vector<int32_t>{6, 5, 7, 11, 2, 10, 0, 1, 3, 4, 8, 9}));
  EXPECT_EQ((*cells)[0].rank, 1);
  EXPECT_EQ((*cells)[0].col, 2);
  EXPECT_EQ((*cells)[0].row, 1);
  EXPECT_DOUBLE_EQ((*cells)[0].risk_share, 0.4);
  EXPECT_DOUBLE_EQ((*cells)[1].cumulative_share, 0.65);
  EXPECT_EQ((*cells)[11].cumulative_share, 1.0);
  EXPECT_TRUE((*cells)[2].in_top);
  EXPECT_FALSE((*cells)[3].in_top);
  EXPECT_DOUBLE_EQ((*cells)[0].x_m, 485375);
  EXPECT_DOUBLE_EQ((*cells)[0].y_m, 4425225);
}

TEST(ProductsTest, Issue14TiesRankByTheTieKeysAndSuppressedCellsById) {
  // kRisk's two 1s (cells 2 and 10) and its zeros, with tie keys: cell 10 has the longer history,
  // so it ranks before cell 2; among the zeros cell 9 (history 2), then 4 and 8 (history 1; 8 has
  // the larger smoothed sum), then the rest by id. Without keys: 2, 10, 0, 1, 3, 4, 8, 9.
  TextForecast f(kRisk, 25);
  f.product.ties.history = {0, 0, 1, 0, 1, 0, 0, 0, 1, 2, 3, 0};
  f.product.ties.smoothed = {0, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0};
  auto cells = RankProductCells(f.product);
  ASSERT_TRUE(cells.ok()) << cells.status().ToString();
  std::vector<int32_t> order;
  for (const auto& c : *cells) order.push_back(c.cell);
  EXPECT_EQ(order, (std::vector<int32_t>{6, 5, 7, 11, 10, 2, 9, 8, 4, 0, 1, 3}));
  // A suppressed cell ranks last by id whatever its history: its place says nothing about it.
  f.product.suppressed.assign(12, 0);
  f.product.suppressed[9] = f.product.suppressed[1] = 1;
  auto sup = RankProductCells(f.product);
  ASSERT_TRUE(sup.ok()) << sup.status().ToString();
  order.clear();
  for (const auto& c : *sup) order.push_back(c.cell);
  EXPECT_EQ(order, (std::vector<int32_t>{6, 5, 7, 11, 10, 2, 8, 4, 0, 3, 1, 9}));
}

TEST(ProductsTest, Issue14TopAreaFlagsTheLargestCountWithinTheArea) {
  // 12 cells of 150 m (0.0225 km² each). 0.07 km² holds 3 whole cells (0.0675), not 4 (0.09).
  TextForecast f(kRisk, 25);
  f.product.top_area_km2 = 0.07;
  auto cells = RankProductCells(f.product);
  ASSERT_TRUE(cells.ok()) << cells.status().ToString();
  int flagged = 0;
  for (const auto& c : *cells) flagged += c.in_top ? 1 : 0;
  EXPECT_EQ(flagged, 3);
  EXPECT_EQ(TopCellCount(f.product), 3);
  EXPECT_TRUE((*cells)[2].in_top);
  EXPECT_FALSE((*cells)[3].in_top);
  EXPECT_EQ(TopCellsText(f.product), "top 3 cells, 0.0675 km² (of 0.07 km² asked)");
  // Exactly four cells' area: four, despite binary rounding.
  f.product.top_area_km2 = 4 * 0.0225;
  EXPECT_EQ(TopCellCount(f.product), 4);
  // In square miles: 0.03 sq mi = 0.0776996 km² holds 3 cells.
  f.product.top_area_km2 = 0.03 * kKm2PerSqMi;
  f.product.top_area_in_sqmi = true;
  EXPECT_EQ(TopCellCount(f.product), 3);
  EXPECT_EQ(TopCellsText(f.product),
            "top 3 cells, 0.0675 km² = 0.0261 sq mi (of 0.03 sq mi asked)");
  // More than the grid: every cell.
  f.product.top_area_km2 = 5;
  EXPECT_EQ(TopCellCount(f.product), 12);
  f.product.top_area_km2 = 0;
  EXPECT_EQ(TopCellsText(f.product), "top 25 % of cells (3)");
}

TEST(ProductsTest, AllZeroSurfaceHasZeroShares) {
  TextForecast f({"0 0", "0 0"}, 50);
  auto cells = RankProductCells(f.product);
  ASSERT_TRUE(cells.ok()) << cells.status().ToString();
  for (const auto& c : *cells) {
    EXPECT_EQ(c.risk_share, 0);
    EXPECT_EQ(c.cumulative_share, 0);
  }
  EXPECT_EQ((*cells)[0].cell, 0);
  EXPECT_TRUE((*cells)[1].in_top);
  EXPECT_FALSE((*cells)[2].in_top);
}

TEST(ProductsTest, CsvKnownAnswer) {
  TextForecast f(kRisk, 25);
  const std::string path = TestDir() + "/forecast.csv";
  ASSERT_TRUE(WriteForecastCsv(path, f.product).ok());
  const auto lines = Lines(Slurp(path));
  ASSERT_EQ(lines.size(), 13u);
  EXPECT_EQ(lines[0],
            "rank,cell_id,col,row,risk,risk_share,cumulative_share,in_top,x_m,y_m,lon,lat");
  const std::vector<std::string> want = {
      "1,6,2,1,8,0.4,0.4,1,485375.000,4425225.000",
      "2,5,1,1,5,0.25,0.65,1,485225.000,4425225.000",
      "3,7,3,1,3,0.15,0.8,1,485525.000,4425225.000",
      "4,11,3,2,2,0.1,0.9,0,485525.000,4425375.000",
      "5,2,2,0,1,0.05,0.95,0,485375.000,4425075.000",
      "6,10,2,2,1,0.05,1,0,485375.000,4425375.000",
      "7,0,0,0,0,0,1,0,485075.000,4425075.000",
      "8,1,1,0,0,0,1,0,485225.000,4425075.000",
      "9,3,3,0,0,0,1,0,485525.000,4425075.000",
      "10,4,0,1,0,0,1,0,485075.000,4425225.000",
      "11,8,0,2,0,0,1,0,485075.000,4425375.000",
      "12,9,1,2,0,0,1,0,485225.000,4425375.000",
  };
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(Fields(lines[i + 1], 10), want[i]) << i;
  // lon/lat of the top cell's centre: UTM 18N easting 485375 is ~14.6 km west of -75°.
  double lon = 0, lat = 0;
  ASSERT_EQ(std::sscanf(lines[1].c_str() + Fields(lines[1], 10).size() + 1, "%lf,%lf", &lon, &lat),
            2);
  EXPECT_NEAR(lon, -75.171, 0.01);
  EXPECT_NEAR(lat, 39.975, 0.01);
}

TEST(ProductsTest, CsvSkipsMaskedCells) {
  TextForecast f({". 2 .", "1 . 3"}, 5);
  const std::string path = TestDir() + "/forecast.csv";
  ASSERT_TRUE(WriteForecastCsv(path, f.product).ok());
  const auto lines = Lines(Slurp(path));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(Fields(lines[1], 8), "1,1,2,0,3,0.5,0.5,1");
  EXPECT_EQ(Fields(lines[2], 8), "2,2,1,1,2,0.333333333,0.833333333,0");
  EXPECT_EQ(Fields(lines[3], 8), "3,0,0,0,1,0.166666667,1,0");
}

TEST(ProductsTest, GeoJsonParsesWithRankedPolygonsInWgs84) {
  TextForecast f(kRisk, 25);
  const std::string path = TestDir() + "/forecast.geojson";
  ASSERT_TRUE(WriteForecastGeoJson(path, f.product).ok());
  const auto j = nlohmann::json::parse(Slurp(path));
  EXPECT_EQ(j["type"], "FeatureCollection");
  EXPECT_EQ(j["placecast"]["model"], "kde");
  EXPECT_EQ(j["placecast"]["offence"], "burglary");
  EXPECT_EQ(j["placecast"]["origin"], "2024-03-01");
  EXPECT_EQ(j["placecast"]["horizon_days"], 7);
  EXPECT_EQ(j["placecast"]["params"]["bandwidth_m"], 200);
  EXPECT_EQ(j["placecast"]["top_cells"], 3);
  EXPECT_EQ(j["placecast"]["grid"]["crs"], "EPSG:32618");
  const auto& features = j["features"];
  ASSERT_EQ(features.size(), 12u);
  const std::vector<int> want_cells = {6, 5, 7, 11, 2, 10, 0, 1, 3, 4, 8, 9};
  for (size_t i = 0; i < features.size(); ++i) {
    const auto& props = features[i]["properties"];
    EXPECT_EQ(props["rank"], static_cast<int>(i) + 1);
    EXPECT_EQ(props["cell_id"], want_cells[i]);
    EXPECT_EQ(props["in_top"], i < 3 ? 1 : 0);
    const auto& ring = features[i]["geometry"]["coordinates"][0];
    ASSERT_EQ(ring.size(), 5u);
    EXPECT_EQ(ring[0], ring[4]);
    // lon/lat order, near Philadelphia, rounded to 7 decimals.
    for (const auto& pt : ring) {
      const double lon = pt[0], lat = pt[1];
      EXPECT_NEAR(lon, -75.17, 0.02);
      EXPECT_NEAR(lat, 39.97, 0.02);
      EXPECT_NEAR(lon * 1e7, std::round(lon * 1e7), 1e-3);
    }
    // Counter-clockwise (RFC 7946 right-hand rule): positive shoelace area.
    double area2 = 0;
    for (int k = 0; k < 4; ++k) {
      area2 += ring[k][0].get<double>() * ring[k + 1][1].get<double>() -
               ring[k + 1][0].get<double>() * ring[k][1].get<double>();
    }
    EXPECT_GT(area2, 0);
    // 150 m is about 0.00176° of longitude and 0.00135° of latitude here.
    EXPECT_NEAR(ring[1][0].get<double>() - ring[0][0].get<double>(), 0.00176, 0.00005);
    EXPECT_NEAR(ring[3][1].get<double>() - ring[0][1].get<double>(), 0.00135, 0.00005);
  }
  // The top cell (col 2, row 1) lies east and north of cell 0 (col 0, row 0).
  EXPECT_GT(features[0]["geometry"]["coordinates"][0][0][0].get<double>(),
            features[6]["geometry"]["coordinates"][0][0][0].get<double>());
  EXPECT_GT(features[0]["geometry"]["coordinates"][0][0][1].get<double>(),
            features[6]["geometry"]["coordinates"][0][0][1].get<double>());
}

struct GpkgSummary {
  int64_t features = 0;
  std::vector<std::string> fields;
  std::vector<int> ranks, cells;
  double first_area_m2 = 0;
  std::string srs_code;
};

GpkgSummary ReadGpkg(const std::string& path) {
  GDALAllRegister();
  GpkgSummary s;
  const char* drivers[] = {"GPKG", nullptr};
  GDALDatasetH ds =
      GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, nullptr, nullptr);
  EXPECT_NE(ds, nullptr) << path;
  if (ds == nullptr) return s;
  OGRLayerH layer = GDALDatasetGetLayerByName(ds, "forecast");
  EXPECT_NE(layer, nullptr);
  if (layer != nullptr) {
    s.features = OGR_L_GetFeatureCount(layer, TRUE);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) {
      s.fields.push_back(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
    }
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
    if (srs != nullptr && OSRGetAuthorityCode(srs, nullptr) != nullptr) {
      s.srs_code =
          std::string(OSRGetAuthorityName(srs, nullptr)) + ":" + OSRGetAuthorityCode(srs, nullptr);
    }
    OGR_L_ResetReading(layer);
    while (OGRFeatureH feat = OGR_L_GetNextFeature(layer)) {
      s.ranks.push_back(OGR_F_GetFieldAsInteger(feat, OGR_F_GetFieldIndex(feat, "rank")));
      s.cells.push_back(OGR_F_GetFieldAsInteger(feat, OGR_F_GetFieldIndex(feat, "cell_id")));
      if (s.ranks.size() == 1) s.first_area_m2 = OGR_G_Area(OGR_F_GetGeometryRef(feat));
      OGR_F_Destroy(feat);
    }
  }
  GDALClose(ds);
  return s;
}

TEST(ProductsTest, GeoPackageReopensThroughOgr) {
  TextForecast f(kRisk, 25);
  const std::string path = TestDir() + "/forecast.gpkg";
  const Status st = WriteForecastGeoPackage(path, f.product);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  const GpkgSummary s = ReadGpkg(path);
  EXPECT_EQ(s.features, 12);
  EXPECT_EQ(s.fields,
            (std::vector<std::string>{"cell_id", "col", "row", "risk", "rank", "risk_share",
                                      "cumulative_share", "in_top", "x_m", "y_m", "lon", "lat"}));
  EXPECT_EQ(s.cells, (std::vector<int>{6, 5, 7, 11, 2, 10, 0, 1, 3, 4, 8, 9}));
  EXPECT_EQ(s.ranks, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  EXPECT_DOUBLE_EQ(s.first_area_m2, 150.0 * 150.0);  // polygons in the grid CRS (metres)
  EXPECT_EQ(s.srs_code, "EPSG:32618");
}

TEST(ProductsTest, GeoPackageTakesQuotesInNames) {
  TextForecast f(kRisk, 25);
  f.product.model = "o'brien \"quoted\"; DROP TABLE forecast; --";
  f.product.title = "it's a '<title>'";
  const std::string path = TestDir() + "/forecast.gpkg";
  const Status st = WriteForecastGeoPackage(path, f.product);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(ReadGpkg(path).features, 12);
}

TEST(ProductsTest, GeoPackageIsByteReproducible) {
  TextForecast f(kRisk, 25);
  const std::string dir = TestDir();
  ASSERT_TRUE(WriteForecastGeoPackage(dir + "/a.gpkg", f.product).ok());
  ASSERT_TRUE(WriteForecastGeoPackage(dir + "/b.gpkg", f.product).ok());
  const std::string a = Slurp(dir + "/a.gpkg"), b = Slurp(dir + "/b.gpkg");
  ASSERT_GT(a.size(), 1000u);
  EXPECT_TRUE(a == b) << "two writes of one forecast differ";
  // gpkg_contents.last_change is the origin, not the clock.
  GDALAllRegister();
  GDALDatasetH ds = GDALOpenEx((dir + "/a.gpkg").c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                               nullptr, nullptr, nullptr);
  ASSERT_NE(ds, nullptr);
  OGRLayerH rows = GDALDatasetExecuteSQL(
      ds, "SELECT last_change FROM gpkg_contents WHERE table_name = 'forecast'", nullptr, nullptr);
  ASSERT_NE(rows, nullptr);
  OGRFeatureH row = OGR_L_GetNextFeature(rows);
  ASSERT_NE(row, nullptr);
  EXPECT_STREQ(OGR_F_GetFieldAsString(row, 0), "2024/03/01 00:00:00+00");  // OGR DateTime form
  OGR_F_Destroy(row);
  GDALDatasetReleaseResultSet(ds, rows);
  GDALClose(ds);
  // The pinned date is the origin's, not the clock's: another origin changes the bytes.
  f.product.origin_s += 86400;
  ASSERT_TRUE(WriteForecastGeoPackage(dir + "/c.gpkg", f.product).ok());
  EXPECT_FALSE(a == Slurp(dir + "/c.gpkg"));
  // Overwriting an existing product replaces it.
  ASSERT_TRUE(WriteForecastGeoPackage(dir + "/a.gpkg", f.product).ok());
  EXPECT_TRUE(Slurp(dir + "/a.gpkg") == Slurp(dir + "/c.gpkg"));
}

TEST(ProductsTest, TextProductsAreByteReproducible) {
  TextForecast f(kRisk, 25);
  const std::string dir = TestDir();
  using Writer = std::function<Status(const std::string&)>;
  const std::vector<std::pair<std::string, Writer>> writers = {
      {"csv", [&](const std::string& p) { return WriteForecastCsv(p, f.product); }},
      {"geojson", [&](const std::string& p) { return WriteForecastGeoJson(p, f.product); }},
  };
  for (const auto& [ext, write] : writers) {
    ASSERT_TRUE(write(dir + "/a." + ext).ok()) << ext;
    ASSERT_TRUE(write(dir + "/b." + ext).ok()) << ext;
    EXPECT_EQ(Slurp(dir + "/a." + ext), Slurp(dir + "/b." + ext)) << ext;
  }
}

// Every product writer, for the shared failure cases.
using ProductWriter = std::function<Status(const std::string&, const ForecastProduct&)>;
std::vector<std::pair<std::string, ProductWriter>> AllWriters() {
  return {
      {"forecast.csv", WriteForecastCsv},
      {"forecast.geojson", WriteForecastGeoJson},
      {"forecast.gpkg", WriteForecastGeoPackage},
  };
}

TEST(ProductsTest, UnwritablePathIsIoErrorNamingPathWithNoPartialFile) {
  TextForecast f(kRisk, 25);
  const std::string dir = TestDir() + "/no-such-dir";
  for (const auto& [name, write] : AllWriters()) {
    const std::string path = dir + "/" + name;
    const Status st = write(path, f.product);
    EXPECT_EQ(st.code(), ErrorCode::kIo) << name << ": " << st.ToString();
    EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
    EXPECT_FALSE(std::filesystem::exists(path)) << name;
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp")) << name;
  }
}

TEST(ProductsTest, InvalidProductsAreInvalidInput) {
  const std::string dir = TestDir();
  for (const testing::InvalidProductCase& c : testing::InvalidProductCases()) {
    for (const auto& [name, write] : AllWriters()) {
      TextForecast f(kRisk, 25);
      c.mutate(f.product, f.surface);
      const std::string path = dir + "/" + name;
      const Status st = write(path, f.product);
      EXPECT_EQ(st.code(), ErrorCode::kInvalidInput) << c.what << ", " << name;
      EXPECT_EQ(st.message(), c.message) << c.what << ", " << name;
      EXPECT_FALSE(std::filesystem::exists(path)) << c.what << ", " << name;
    }
  }
}

TEST(ProductsTest, BadParamsJsonIsInvalidInput) {
  TextForecast f(kRisk, 25);
  const std::string dir = TestDir();
  for (const char* bad : {"{\"bandwidth_m\":", "[1,2]", "not json"}) {
    f.product.params_json = bad;
    const Status a = WriteForecastGeoJson(dir + "/f.geojson", f.product);
    EXPECT_EQ(a.code(), ErrorCode::kInvalidInput) << bad;
    EXPECT_NE(a.message().find("params_json: expected a JSON object (got \"" + std::string(bad)),
              std::string::npos)
        << a.message();
  }
  f.product.params_json = "";
  EXPECT_TRUE(WriteForecastGeoJson(dir + "/f.geojson", f.product).ok());
  EXPECT_EQ(nlohmann::json::parse(Slurp(dir + "/f.geojson"))["placecast"]["params"],
            nlohmann::json::object());
}

TEST(ProductsTest, UnknownCrsIsInvalidInput) {
  TextForecast f(kRisk, 25);
  auto g = grid::Grid::Create(testing::kX0, testing::kY0, 150, 4, 3, {}, "EPSG:999999");
  ASSERT_TRUE(g.ok());
  f.product.grid = &g.value();
  const Status st = WriteForecastCsv(TestDir() + "/f.csv", f.product);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidInput) << st.ToString();
}

}  // namespace
}  // namespace placecast::io
