// SPDX-License-Identifier: Apache-2.0
// Tests for patrollable hotspots: tiny grids drawn as text whose components, splits, ranks, shares
// and outlines are worked out by hand in the comments; a brute-force check of the outlines'
// areas; invalid inputs.
#include "placecast/deploy/hotspots.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace placecast::deploy {
namespace {

// A grid of 100 m cells (10 000 m² each) from the south-west corner (0, 0).
grid::Grid MakeGrid(int32_t nx, int32_t ny) {
  return grid::Grid::Create(0, 0, 100, nx, ny, {}, "EPSG:32618").value();
}

// Values given as rows from north to south (as drawn), stored by cell id (south-west first).
grid::Surface Drawn(int32_t nx, const std::vector<std::vector<double>>& rows_north_first) {
  grid::Surface s;
  const int32_t ny = static_cast<int32_t>(rows_north_first.size());
  s.value.resize(static_cast<size_t>(nx) * ny);
  for (int32_t r = 0; r < ny; ++r) {
    for (int32_t c = 0; c < nx; ++c) s.value[r * nx + c] = rows_north_first[ny - 1 - r][c];
  }
  return s;
}

std::vector<double> Xs(const grid::Ring& r) { return r.x_m; }
std::vector<double> Ys(const grid::Ring& r) { return r.y_m; }

// 5 × 3 grid, ids in brackets:      row 2:  0[10] 0[11] 0[12] 0[13] 9[14]
//                                   row 1:  5[5]  4[6]  0[7]  0[8]  8[9]
//                                   row 0:  3[0]  0[1]  0[2]  1[3]  0[4]
// Non-zero cells: 0, 3, 5, 6, 9, 14; total risk 3+1+5+4+8+9 = 30.
// Rook components: {0, 5, 6} (0 under 5, 5 beside 6) = 12; {9, 14} = 17; {3} = 1.
// Ranked: {9,14} 17/30 = 0.5667, {0,5,6} 12/30 = 0.4, {3} 1/30; cumulative 0.5667, 0.9667, 1.
const std::vector<std::vector<double>> kFiveByThree = {
    {0, 0, 0, 0, 9}, {5, 4, 0, 0, 8}, {3, 0, 0, 1, 0}};

TEST(HotspotsTest, ComponentsRankedByExpectedEvents) {
  const grid::Grid g = MakeGrid(5, 3);
  HotspotOptions o;
  o.coverage_pct = 100;
  auto r = FindHotspots(g, Drawn(5, kFiveByThree), {}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->cells_considered, 15);
  EXPECT_EQ(r->cells_selected, 6);  // zero-risk cells are never included
  EXPECT_EQ(r->components, 3);
  EXPECT_EQ(r->max_cells_per_area, 25);  // 250 000 m² / 10 000 m²
  EXPECT_DOUBLE_EQ(r->total_risk, 30);
  ASSERT_EQ(r->areas.size(), 3u);
  const PatrolArea& a1 = r->areas[0];
  EXPECT_EQ(a1.rank, 1);
  EXPECT_EQ(a1.seed_cell, 14);
  EXPECT_EQ(a1.cells, (std::vector<grid::CellId>{9, 14}));
  EXPECT_DOUBLE_EQ(a1.expected_events, 17);
  EXPECT_NEAR(a1.risk_share, 17.0 / 30, 1e-12);
  EXPECT_DOUBLE_EQ(a1.area_m2, 20000);
  // Centres (450, 150) and (450, 250).
  EXPECT_DOUBLE_EQ(a1.centroid_x_m, 450);
  EXPECT_DOUBLE_EQ(a1.centroid_y_m, 200);
  ASSERT_EQ(a1.outline.size(), 1u);
  ASSERT_EQ(a1.outline[0].rings.size(), 1u);
  EXPECT_EQ(Xs(a1.outline[0].rings[0]), (std::vector<double>{400, 500, 500, 400}));
  EXPECT_EQ(Ys(a1.outline[0].rings[0]), (std::vector<double>{100, 100, 300, 300}));
  const PatrolArea& a2 = r->areas[1];
  EXPECT_EQ(a2.seed_cell, 5);
  EXPECT_EQ(a2.cells, (std::vector<grid::CellId>{0, 5, 6}));
  EXPECT_NEAR(a2.cumulative_share, 29.0 / 30, 1e-12);
  // The L of cells 0, 5, 6: (0,0) → (100,0) → (100,100) → (200,100) → (200,200) → (0,200).
  EXPECT_EQ(Xs(a2.outline[0].rings[0]), (std::vector<double>{0, 100, 100, 200, 200, 0}));
  EXPECT_EQ(Ys(a2.outline[0].rings[0]), (std::vector<double>{0, 0, 100, 100, 200, 200}));
  EXPECT_EQ(r->areas[2].cells, (std::vector<grid::CellId>{3}));
  EXPECT_NEAR(r->areas[2].cumulative_share, 1, 1e-12);
  EXPECT_NEAR(r->captured_share, 1, 1e-12);
}

TEST(HotspotsTest, CoverageMinRiskAndMaxAreasCutTheCandidates) {
  const grid::Grid g = MakeGrid(5, 3);
  const grid::Surface s = Drawn(5, kFiveByThree);
  struct Case {
    double coverage_pct, min_risk;
    int32_t max_areas;
    std::vector<std::vector<grid::CellId>> want;
  };
  const Case cases[] = {
      // ceil(20 % × 15) = 3 cells: 14 (9), 9 (8), 5 (5) → {9, 14} and {5}.
      {20, 0, 0, {{9, 14}, {5}}},
      // 100 % but min risk 4: 14, 9, 5, 6 → {9, 14} = 17, {5, 6} = 9.
      {100, 4, 0, {{9, 14}, {5, 6}}},
      // min risk 9 keeps cell 14 alone.
      {100, 9, 0, {{14}}},
      // max_areas 2 keeps the first two areas of the first test.
      {100, 0, 2, {{9, 14}, {0, 5, 6}}},
      // 1 % of 15 cells is ceil(0.15) = 1 cell: 14.
      {1, 0, 0, {{14}}},
  };
  for (const Case& c : cases) {
    HotspotOptions o;
    o.coverage_pct = c.coverage_pct;
    o.min_risk = c.min_risk;
    o.max_areas = c.max_areas;
    auto r = FindHotspots(g, s, {}, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::vector<grid::CellId>> got;
    for (const auto& a : r->areas) got.push_back(a.cells);
    EXPECT_EQ(got, c.want) << "coverage " << c.coverage_pct << " min_risk " << c.min_risk
                           << " max_areas " << c.max_areas;
  }
}

// A 4 × 1 row: values 1 2 3 4 (ids 0..3), at most 2 cells per area (20 000 m²).
// Seed 3 (4), grows to 2 → {2, 3} = 7; seed 1 (2), grows to 0 → {0, 1} = 3.
TEST(HotspotsTest, SplitsAComponentLargerThanTheMaximumArea) {
  const grid::Grid g = MakeGrid(4, 1);
  HotspotOptions o;
  o.coverage_pct = 100;
  o.max_area_m2 = 20000;
  auto r = FindHotspots(g, Drawn(4, {{1, 2, 3, 4}}), {}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->components, 1);
  EXPECT_EQ(r->max_cells_per_area, 2);
  ASSERT_EQ(r->areas.size(), 2u);
  EXPECT_EQ(r->areas[0].cells, (std::vector<grid::CellId>{2, 3}));
  EXPECT_EQ(r->areas[0].seed_cell, 3);
  EXPECT_DOUBLE_EQ(r->areas[0].expected_events, 7);
  EXPECT_EQ(r->areas[1].cells, (std::vector<grid::CellId>{0, 1}));
  EXPECT_DOUBLE_EQ(r->areas[1].risk_share, 0.3);
  // An area limit that is not a whole number of cells rounds down: 29 999 m² holds 2 cells.
  o.max_area_m2 = 29999;
  EXPECT_EQ(FindHotspots(g, Drawn(4, {{1, 2, 3, 4}}), {}, o)->max_cells_per_area, 2);
}

// The default limit (max_area_m2 = 0) is 250 000 m², or one cell when cells are larger: 25 cells
// of 100 m, 11 of 150 m (250 000 / 22 500 = 11.1), 1 of 1000 m.
TEST(HotspotsTest, DefaultMaximumArea) {
  for (const auto& [size_m, cells] : {std::pair{100.0, 25}, {150.0, 11}, {1000.0, 1}}) {
    const grid::Grid g = grid::Grid::Create(0, 0, size_m, 2, 1, {}, "EPSG:32618").value();
    auto r = FindHotspots(g, Drawn(2, {{1, 1}}), {}, HotspotOptions{});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->max_cells_per_area, cells) << size_m;
    EXPECT_DOUBLE_EQ(r->max_area_m2, std::max(250000.0, size_m * size_m));
  }
}

// 3 × 3, at most 4 cells per area:   row 2:  1[6] 1[7] 1[8]
//                                    row 1:  2[3] 9[4] 8[5]
//                                    row 0:  6[0] 7[1] 1[2]
// Seed 4; every neighbour touches on one side, 5 (8) is hottest → {4, 5}; then 1 (7) → {4, 5, 1}.
// Now 2 touches 5 and 1 (two sides) while 0 (6) touches one: compactness first takes 2, closing
// the 2 × 2 square {1, 2, 4, 5} = 25 (the risk-only rule would have taken 0).
// Next seed 0 (6): 3 (2) → {0, 3}; 6 (1, one side) → {0, 3, 6}; 7 (touches 6 only) → 10.
// Left: {8} = 1. Total 36.
TEST(HotspotsTest, RegionGrowingPrefersCellsTouchingOnMoreSides) {
  const grid::Grid g = MakeGrid(3, 3);
  HotspotOptions o;
  o.coverage_pct = 100;
  o.max_area_m2 = 40000;
  auto r = FindHotspots(g, Drawn(3, {{1, 1, 1}, {2, 9, 8}, {6, 7, 1}}), {}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->areas.size(), 3u);
  EXPECT_EQ(r->areas[0].cells, (std::vector<grid::CellId>{1, 2, 4, 5}));
  EXPECT_DOUBLE_EQ(r->areas[0].expected_events, 25);
  EXPECT_EQ(Xs(r->areas[0].outline[0].rings[0]), (std::vector<double>{100, 300, 300, 100}));
  EXPECT_EQ(Ys(r->areas[0].outline[0].rings[0]), (std::vector<double>{0, 0, 200, 200}));
  EXPECT_EQ(r->areas[1].cells, (std::vector<grid::CellId>{0, 3, 6, 7}));
  EXPECT_EQ(r->areas[1].seed_cell, 0);
  EXPECT_DOUBLE_EQ(r->areas[1].expected_events, 10);
  EXPECT_EQ(r->areas[2].cells, (std::vector<grid::CellId>{8}));
  EXPECT_NEAR(r->areas[2].risk_share, 1.0 / 36, 1e-12);
}

// Ties in risk follow the tie rule: the longer history first, for the candidates, the seed and
// the areas; cell id only when the history ties too (next test).
TEST(HotspotsTest, Issue14TiesFollowTheLongerHistory) {
  const grid::Grid g = MakeGrid(5, 1);
  const grid::TieBreak ties{{0, 0, 1, 0, 3}, {0, 1, 1, 4, 3}};
  HotspotOptions o;
  o.coverage_pct = 100;
  auto r = FindHotspots(g, Drawn(5, {{2, 0, 2, 0, 2}}), ties, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->areas.size(), 3u);
  EXPECT_EQ(r->areas[0].seed_cell, 4);
  EXPECT_EQ(r->areas[1].seed_cell, 2);
  EXPECT_EQ(r->areas[2].seed_cell, 0);
  // One candidate (20 % of 5 cells): the tied cell with the longest history, not cell 0.
  o.coverage_pct = 20;
  auto one = FindHotspots(g, Drawn(5, {{2, 0, 2, 0, 2}}), ties, o);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->areas.size(), 1u);
  EXPECT_EQ(one->areas[0].cells, (std::vector<grid::CellId>{4}));
  auto bad = FindHotspots(g, Drawn(5, {{2, 0, 2, 0, 2}}), grid::TieBreak{{1, 2}, {}}, o);
  EXPECT_EQ(bad.status().message(), "hotspots: tie keys: 2 values for a grid of 5 active cells");
}

// Ties in risk with no history: equal values rank by ascending cell id, for the seed and for the
// areas.
TEST(HotspotsTest, TiesGoToTheLowerCellId) {
  const grid::Grid g = MakeGrid(5, 1);
  HotspotOptions o;
  o.coverage_pct = 100;
  auto r = FindHotspots(g, Drawn(5, {{2, 0, 2, 0, 2}}), {}, o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->areas.size(), 3u);
  EXPECT_EQ(r->areas[0].seed_cell, 0);
  EXPECT_EQ(r->areas[1].seed_cell, 2);
  EXPECT_EQ(r->areas[2].seed_cell, 4);
}

// A masked cell is never a neighbour: 3 × 1 grid with the middle cell masked, so the active cells
// are 0 (column 0) and 1 (column 2); both hot, they form two areas of one cell each.
TEST(HotspotsTest, MaskedCellsSeparateComponents) {
  const grid::Grid g = grid::Grid::Create(0, 0, 100, 3, 1, {1, 0, 1}, "EPSG:32618").value();
  grid::Surface s;
  s.value = {5, 5};
  HotspotOptions o;
  o.coverage_pct = 100;
  auto r = FindHotspots(g, s, {}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->components, 2);
  ASSERT_EQ(r->areas.size(), 2u);
  EXPECT_EQ(Xs(r->areas[1].outline[0].rings[0]), (std::vector<double>{200, 300, 300, 200}));
  EXPECT_DOUBLE_EQ(r->areas[1].centroid_x_m, 250);
}

// 3 × 3 ring around an unselected centre: one polygon, exterior 0..300 square, hole 100..200
// clockwise from its lowest vertex: (100,100) → (100,200) → (200,200) → (200,100).
TEST(HotspotsTest, OutlineKeepsHoles) {
  const grid::Grid g = MakeGrid(3, 3);
  auto p = CellsToOutline(g, {0, 1, 2, 3, 5, 6, 7, 8});
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->size(), 1u);
  ASSERT_EQ((*p)[0].rings.size(), 2u);
  EXPECT_EQ(Xs((*p)[0].rings[0]), (std::vector<double>{0, 300, 300, 0}));
  EXPECT_EQ(Ys((*p)[0].rings[0]), (std::vector<double>{0, 0, 300, 300}));
  EXPECT_EQ(Xs((*p)[0].rings[1]), (std::vector<double>{100, 100, 200, 200}));
  EXPECT_EQ(Ys((*p)[0].rings[1]), (std::vector<double>{100, 200, 200, 100}));
}

// Corners: cells 0 and 3 of a 2 × 2 grid meet at (100,100) only → two squares.
// The 3 × 3 ring without its centre 4 and its corner 8 is one piece whose hole (cell 4) touches
// the outside at (200,200): exterior (0,0) (300,0) (300,200) (200,200) (200,300) (0,300) and the
// hole (100,100) (100,200) (200,200) (200,100), split at the shared corner.
TEST(HotspotsTest, OutlineSplitsRingsAtCorners) {
  auto two = CellsToOutline(MakeGrid(2, 2), {0, 3});
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ(Xs((*two)[0].rings[0]), (std::vector<double>{0, 100, 100, 0}));
  EXPECT_EQ(Xs((*two)[1].rings[0]), (std::vector<double>{100, 200, 200, 100}));
  EXPECT_EQ(Ys((*two)[1].rings[0]), (std::vector<double>{100, 100, 200, 200}));

  auto pinch = CellsToOutline(MakeGrid(3, 3), {0, 1, 2, 3, 5, 6, 7});
  ASSERT_TRUE(pinch.ok());
  ASSERT_EQ(pinch->size(), 1u);
  ASSERT_EQ((*pinch)[0].rings.size(), 2u);
  EXPECT_EQ(Xs((*pinch)[0].rings[0]), (std::vector<double>{0, 300, 300, 200, 200, 0}));
  EXPECT_EQ(Ys((*pinch)[0].rings[0]), (std::vector<double>{0, 0, 200, 200, 300, 300}));
  EXPECT_EQ(Xs((*pinch)[0].rings[1]), (std::vector<double>{100, 100, 200, 200}));
  EXPECT_EQ(Ys((*pinch)[0].rings[1]), (std::vector<double>{100, 200, 200, 100}));
}

double SignedArea(const grid::Ring& r) {
  double a = 0;
  for (size_t i = 0; i < r.x_m.size(); ++i) {
    const size_t j = (i + 1) % r.x_m.size();
    a += r.x_m[i] * r.y_m[j] - r.x_m[j] * r.y_m[i];
  }
  return a / 2;
}

// Brute force: for random cell sets, the outline's area (exteriors minus holes) equals the cell
// count × 10 000 m², every exterior is counter-clockwise and every hole clockwise, no ring repeats
// a vertex, and every cell centre is inside the outline (even-odd) exactly when it is selected.
TEST(HotspotsTest, OutlineMatchesBruteForceOnRandomSets) {
  const grid::Grid g = MakeGrid(8, 7);
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<grid::CellId> cells;
    std::vector<char> in(g.num_cells(), 0);
    for (grid::CellId c = 0; c < g.num_cells(); ++c) {
      if (rng() % 100 < 55) {
        cells.push_back(c);
        in[c] = 1;
      }
    }
    auto p = CellsToOutline(g, cells);
    ASSERT_TRUE(p.ok());
    double area = 0;
    grid::Boundary all;
    for (const auto& poly : *p) {
      for (size_t k = 0; k < poly.rings.size(); ++k) {
        const double a = SignedArea(poly.rings[k]);
        EXPECT_EQ(k == 0, a > 0) << "trial " << trial;
        area += a;
        std::vector<std::pair<double, double>> seen;
        for (size_t i = 0; i < poly.rings[k].x_m.size(); ++i) {
          seen.emplace_back(poly.rings[k].x_m[i], poly.rings[k].y_m[i]);
        }
        std::sort(seen.begin(), seen.end());
        EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end()) << "trial " << trial;
        all.rings.push_back(poly.rings[k]);
      }
    }
    EXPECT_DOUBLE_EQ(area, 10000.0 * cells.size()) << "trial " << trial;
    for (grid::CellId c = 0; c < g.num_cells(); ++c) {
      EXPECT_EQ(all.Contains(g.CellCenterX(c), g.CellCenterY(c)), in[c] != 0)
          << "trial " << trial << " cell " << c;
    }
  }
}

TEST(HotspotsTest, InvalidInputs) {
  const grid::Grid g = MakeGrid(5, 3);
  const grid::Surface s = Drawn(5, kFiveByThree);
  struct Case {
    const char* name;
    HotspotOptions o;
    std::string want;
  };
  auto with = [](auto f) {
    HotspotOptions o;
    f(o);
    return o;
  };
  const Case cases[] = {
      {"zero coverage", with([](HotspotOptions& o) { o.coverage_pct = 0; }),
       "coverage_pct: expected a value in (0, 100] (got 0)"},
      {"coverage above 100", with([](HotspotOptions& o) { o.coverage_pct = 101; }),
       "coverage_pct: expected a value in (0, 100] (got 101)"},
      {"area below one cell", with([](HotspotOptions& o) { o.max_area_m2 = 9999; }),
       "max_area_m2: must hold at least one cell of 10000 m² (got 9999)"},
      {"negative min risk", with([](HotspotOptions& o) { o.min_risk = -1; }),
       "min_risk: expected a finite value >= 0 (got -1)"},
      {"negative max areas", with([](HotspotOptions& o) { o.max_areas = -2; }),
       "max_areas: expected 0 (all) or more (got -2)"},
  };
  for (const Case& c : cases) {
    auto r = FindHotspots(g, s, {}, c.o);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput) << c.name;
    EXPECT_NE(r.status().message().find(c.want), std::string::npos)
        << c.name << ": " << r.status().message();
  }
  grid::Surface bad = s;
  bad.value[7] = -0.5;
  auto r = FindHotspots(g, bad, {}, HotspotOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cell 7: risk must be finite and >= 0 (got -0.5)"),
            std::string::npos);
  bad.value.pop_back();
  EXPECT_EQ(FindHotspots(g, bad, {}, HotspotOptions{}).status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(CellsToOutline(g, {1, 1}).status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(CellsToOutline(g, {15}).status().code(), ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace placecast::deploy
