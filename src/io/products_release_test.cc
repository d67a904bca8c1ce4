// SPDX-License-Identifier: Apache-2.0
// Public release in the forecast products: suppressed cells publish no risk in the CSV and are null
// in the GeoJSON (the report names them: src/render/report_test.cc); a suppressed list of the
// wrong length is refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "io/products_test_fixture.h"
#include "placecast/io/products.h"
#include "placecast/privacy/privacy.h"

namespace placecast::io {
namespace {

// Rows north to south, one digit per cell.
std::vector<std::string> CountsToText(const grid::Grid& g, const std::vector<int64_t>& n) {
  std::vector<std::string> out;
  for (int row = g.ny() - 1; row >= 0; --row) {
    std::string line;
    for (int col = 0; col < g.nx(); ++col) line += std::to_string(n[g.ColRowToCell(col, row)]);
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> CsvLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) out.push_back(line);
  return out;
}

// The first `n` comma-separated fields of a line.
std::string FirstFields(const std::string& line, int n) {
  size_t pos = 0;
  for (int i = 0; i < n && pos != std::string::npos; ++i) {
    pos = line.find(',', pos == 0 && i == 0 ? 0 : pos + 1);
  }
  return pos == std::string::npos ? line : line.substr(0, pos);
}

// Risk per cell (fixture kRisk, cell ids row-major from the south-west):
//   row 2:  0 0 1 2   (cells  8  9 10 11)
//   row 1:  0 5 8 3   (cells  4  5  6  7)
//   row 0:  0 0 1 0   (cells  0  1  2  3)
// Cells 6 (risk 8) and 11 (risk 2) suppressed: they rank last, shares are over the published
// total 10, and the top 25 % (3 cells) are the top three published cells.
TEST(ProductsReleaseTest, SuppressedCellsPublishNoRiskInCsv) {
  testing::TextForecast f(testing::kRisk, 25);
  f.product.suppressed.assign(12, 0);
  f.product.suppressed[6] = f.product.suppressed[11] = 1;
  const std::string path = testing::TestDir() + "/forecast.csv";
  ASSERT_TRUE(WriteForecastCsv(path, f.product).ok());
  const auto lines = CsvLines(testing::Slurp(path));
  ASSERT_EQ(lines.size(), 13u);
  const std::vector<std::string> want = {
      "1,5,1,1,5,0.5,0.5,1", "2,7,3,1,3,0.3,0.8,1", "3,2,2,0,1,0.1,0.9,1", "4,10,2,2,1,0.1,1,0",
      "5,0,0,0,0,0,1,0",     "6,1,1,0,0,0,1,0",     "7,3,3,0,0,0,1,0",     "8,4,0,1,0,0,1,0",
      "9,8,0,2,0,0,1,0",     "10,9,1,2,0,0,1,0",    "11,6,2,1,,,,0",       "12,11,3,2,,,,0",
  };
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(FirstFields(lines[i + 1], 8), want[i]) << i;
}

TEST(ProductsReleaseTest, SuppressedCellsAreNullInGeoJson) {
  testing::TextForecast f(testing::kRisk, 25);
  f.product.suppressed.assign(12, 0);
  f.product.suppressed[6] = 1;
  f.product.privacy_note = "public release: k = 3";
  const std::string dir = testing::TestDir();
  ASSERT_TRUE(WriteForecastGeoJson(dir + "/f.geojson", f.product).ok());
  auto j = nlohmann::json::parse(testing::Slurp(dir + "/f.geojson"));
  EXPECT_EQ(j["placecast"]["privacy"], "public release: k = 3");
  int nulls = 0;
  for (const auto& feat : j["features"]) {
    const bool sup = feat["properties"]["cell_id"] == 6;
    EXPECT_EQ(feat["properties"]["risk"].is_null(), sup);
    EXPECT_EQ(feat["properties"]["risk_share"].is_null(), sup);
    nulls += feat["properties"]["risk"].is_null() ? 1 : 0;
  }
  EXPECT_EQ(nulls, 1);
}

TEST(ProductsReleaseTest, SuppressedListOfWrongLengthIsInvalidInput) {
  testing::TextForecast f(testing::kRisk, 25);
  f.product.suppressed.assign(5, 0);
  auto r = RankProductCells(f.product);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(r.status().message(),
            "forecast product: suppressed has 5 entries but the grid has 12 active cells");
}

// End to end on the library: incidents drawn on the fixture grid, k = 2, kernel support 150 m
// (one cell); every cell whose risk is published rests on at least k incidents, and every cell
// resting on fewer is withheld.
TEST(ProductsReleaseTest, PublicReleaseHasNoPublishedCellBelowK) {
  testing::TextForecast f(testing::kRisk, 25);
  EventSet ev;
  const std::vector<std::string> incidents = {"0001",  //
                                              "0200",  //
                                              "0000"};
  int n = 0;
  for (int i = 0; i < 3; ++i) {
    for (int col = 0; col < 4; ++col) {
      for (int k = 0; k < incidents[i][col] - '0'; ++k, ++n) {
        char id[16];
        std::snprintf(id, sizeof(id), "i%d", n);
        ev.Add(1000 + n, testing::kX0 + (col + 0.5) * testing::kCell,
               testing::kY0 + (2 - i + 0.5) * testing::kCell, OffenceGroup::kBurglaryResidential,
               "BURGLARY", id);
      }
    }
  }
  ev.SortByTime();
  std::vector<int64_t> counts;
  ASSERT_TRUE(privacy::SuppressSmallCells(f.grid, ev, 0, 1 << 30, testing::kCell, 2,
                                          &f.product.suppressed, &counts)
                  .ok());
  // Counts (3 × 3 box sums): north row 2 2 3 1, middle 2 2 3 1, south 2 2 2 0.
  EXPECT_EQ(CountsToText(f.grid, counts), (std::vector<std::string>{"2231", "2231", "2220"}));
  const std::string path = testing::TestDir() + "/forecast.csv";
  ASSERT_TRUE(WriteForecastCsv(path, f.product).ok());
  const auto lines = CsvLines(testing::Slurp(path));
  ASSERT_EQ(lines.size(), 13u);
  int published = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    int rank = 0, cell = -1;
    ASSERT_EQ(std::sscanf(lines[i].c_str(), "%d,%d", &rank, &cell), 2);
    const std::string risk_field = FirstFields(lines[i], 5).substr(FirstFields(lines[i], 4).size());
    const bool has_risk = risk_field != ",";
    EXPECT_EQ(has_risk, counts[cell] >= 2) << lines[i];
    published += has_risk ? 1 : 0;
  }
  EXPECT_EQ(published, 9);
}

}  // namespace
}  // namespace placecast::io
