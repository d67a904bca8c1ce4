// SPDX-License-Identifier: Apache-2.0
// Tests of the legend helpers every map shares (legend.cc): rounding to 3 significant figures,
// the units of tiny values, the scale bar's round length, the legibility rule of top-cell outlines
// and the choice of labelled areas. Known answers worked out by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "render/render_internal.h"

namespace placecast::render::internal {
namespace {

// Issue 14: legends printed "1.33e-09" and "top 0.640361 % of cells".
TEST(LegendTest, Issue14NumbersHaveThreeSignificantFiguresInPlainNotation) {
  const struct {
    double v;
    const char* want;
  } cases[] = {
      {0.640361, "0.64"},
      {12345, "12,300"},
      {1234567, "1,230,000"},
      {999.6, "1,000"},
      {5, "5"},
      {150, "150"},
      {1.5, "1.5"},
      {0.0012345, "0.00123"},
      {1.33e-9, "0.00000000133"},
      {-2.5, "-2.5"},
      {0, "0"},
      {100, "100"},
      {0.1, "0.1"},
      {1000, "1,000"},
  };
  for (const auto& c : cases) EXPECT_EQ(FormatLegendNumber(c.v), c.want) << c.v;
  EXPECT_EQ(FormatLegendNumber(std::numeric_limits<double>::quiet_NaN()), "–");
  EXPECT_EQ(FormatLegendRange(6.9e-11, 0.0213), "<0.001 – 0.0213");
  EXPECT_EQ(FormatLegendRange(0, 12345), "0 – 12,300");
  EXPECT_EQ(FormatLegendPercent(0.640361), "0.64%");
  EXPECT_EQ(FormatLegendPercent(5), "5%");
}

TEST(LegendTest, Issue14TinyValuesGetAReadableUnit) {
  // 1.33e-09 per 150 m cell over 7 days: 8.44e-09 per km² per day, shown as 8.44 in units of 10⁻⁹.
  const LegendScale s = PickLegendScale(1.33e-9, 0.0225, 7);
  EXPECT_EQ(s.power, -9);
  EXPECT_EQ(s.Describe(), "per km² per day, in units of 10⁻⁹");
  EXPECT_EQ(FormatLegendNumber(1.33e-9 * s.factor), "8.44");
  // Expected events: 0.05 per 1 km² cell over 1 day stays as it is.
  const LegendScale plain = PickLegendScale(0.05, 1, 1);
  EXPECT_EQ(plain.power, 0);
  EXPECT_EQ(plain.Describe(), "per km² per day");
  EXPECT_DOUBLE_EQ(plain.factor, 1);
  // 0.004 → 4 × 10⁻³.
  EXPECT_EQ(PickLegendScale(0.004, 1, 1).Describe(), "per km² per day, in units of 10⁻³");
  // No area or horizon known: per cell.
  EXPECT_EQ(PickLegendScale(3, 0, 0).Describe(), "");
}

TEST(LegendTest, ScaleBarIsARoundLengthNotAboveTheTarget) {
  const struct {
    double target_m, want_m;
    const char* label;
  } cases[] = {{7300, 5000, "5 km"}, {2600, 2000, "2 km"}, {1000, 1000, "1 km"},
               {999, 500, "500 m"},  {180, 100, "100 m"},  {15000, 10000, "10 km"}};
  for (const auto& c : cases) {
    EXPECT_DOUBLE_EQ(ScaleBarLengthM(c.target_m), c.want_m) << c.target_m;
    EXPECT_EQ(ScaleBarLabel(c.want_m), c.label);
  }
  EXPECT_EQ(ScaleBarLabel(1500), "1.5 km");
}

// A grid drawn as text, north up: '#' = a top cell.
struct TextTop {
  grid::Grid g;
  std::vector<uint8_t> top;
};
TextTop FromText(const std::vector<std::string>& rows, double cell_m) {
  const int32_t ny = static_cast<int32_t>(rows.size()), nx = static_cast<int32_t>(rows[0].size());
  TextTop t{*grid::Grid::Create(0, 0, cell_m, nx, ny, {}, "EPSG:32618"), {}};
  t.top.assign(t.g.num_cells(), 0);
  for (int32_t r = 0; r < ny; ++r) {
    for (int32_t c = 0; c < nx; ++c) {
      if (rows[ny - 1 - r][c] == '#') t.top[t.g.ColRowToCell(c, r)] = 1;
    }
  }
  return t;
}

// Issue 14: NYC's 4,744 top cells, each a pixel or two wide, swamped the map with outlines.
TEST(LegendTest, Issue14TopOutlinesOnlyWhereLegible) {
  const TextTop t = FromText({"#..#............",  //
                              "................",  //
                              "..##............",  //
                              "..##...#........",  //
                              "................",  //
                              "................",  //
                              "................",  //
                              "................"},
                             100);
  // 10 px cells: each group outlined as it is.
  TopOutlinePlan p = PlanTopOutline(t.g, t.top, 0.1);
  EXPECT_EQ(p.mode, TopOutlineMode::kCells);
  EXPECT_EQ(p.block_cells, 1);
  EXPECT_EQ(p.top_cells, 7);
  EXPECT_EQ(p.outlined, 7);
  // 3 px cells: too narrow alone; blocks of 2 × 2 cells (6 px) hold them: 4 of 32 blocks.
  p = PlanTopOutline(t.g, t.top, 0.03);
  EXPECT_EQ(p.mode, TopOutlineMode::kBlocks);
  EXPECT_EQ(p.block_cells, 2);
  EXPECT_EQ(p.outlined, 4);
  // 0.5 px cells: a legible block is 12 cells wide, and one of the grid's two such blocks holds
  // every top cell: an outline around half the map says nothing, so none is drawn.
  p = PlanTopOutline(t.g, t.top, 0.005);
  EXPECT_EQ(p.mode, TopOutlineMode::kNone);
  EXPECT_EQ(p.outlined, 0);
  EXPECT_EQ(p.top_cells, 7);
}

TEST(LegendTest, Issue14TooManyShapesAreMergedIntoBlocks) {
  // 484 pairs of 2 × 2 top cells (1,936 cells) on a 128 × 128 grid at 8 px: more than
  // kMaxOutlinedShapes one by one; as blocks of 2 × 2 cells, 484 of 4,096.
  std::vector<std::string> rows(128, std::string(128, '.'));
  for (int r = 0; r < 128; ++r) {
    for (int c = 0; c < 128; ++c) {
      if (r % 6 < 2 && c % 6 < 2) rows[r][c] = '#';
    }
  }
  // Text row 0 is the north row 127: shift so groups start at grid rows 0, 6, 12, ….
  std::reverse(rows.begin(), rows.end());
  const TextTop t = FromText(rows, 100);
  const TopOutlinePlan p = PlanTopOutline(t.g, t.top, 0.08);
  EXPECT_EQ(p.top_cells, 1936);
  EXPECT_EQ(p.mode, TopOutlineMode::kBlocks);
  EXPECT_EQ(p.block_cells, 2);
  EXPECT_EQ(p.outlined, 484);
  // At 24 px a cell is as wide as a block may be: 1,936 outlines or none.
  const TopOutlinePlan wide = PlanTopOutline(t.g, t.top, 0.24);
  EXPECT_EQ(wide.mode, TopOutlineMode::kNone);
  EXPECT_EQ(wide.outlined, 0);
}

// Issue 14: the hotspots map labelled all 292 areas on top of each other.
TEST(LegendTest, Issue14AtMostTwentyAreasAreLabelledBestFirst) {
  const std::vector<size_t> labels = AreasToLabel(292, 20);
  ASSERT_EQ(labels.size(), 20u);
  EXPECT_EQ(labels.front(), 0u);
  EXPECT_EQ(labels.back(), 19u);
  EXPECT_EQ(AreasToLabel(3, 20).size(), 3u);
}

}  // namespace
}  // namespace placecast::render::internal
