// SPDX-License-Identifier: Apache-2.0
// The ranking and its tie rule (issue 14, point 5): risk, then the five-year history, then the
// 3 × 3 smoothed history, then the cell id; causal; and the top-cell counts by share and by area.
#include "placecast/grid/ranking.h"

#include <gtest/gtest.h>

#include <vector>

namespace placecast::grid {
namespace {

constexpr int64_t kOrigin = 1'700'006'400;  // 2023-11-15, a UTC midnight
constexpr int64_t kDay = kSecondsPerDay;

// A row of `n` cells of 100 m (cell id = column).
Grid Row(int32_t n) { return Grid::Create(0, 0, 100, n, 1, {}, "EPSG:32618").value(); }

// `count` events in the cell at (col, row) of 100 m cells, `days_before` the origin.
void AddEvents(EventSet* e, int32_t col, int32_t row, int count, double days_before) {
  for (int i = 0; i < count; ++i) {
    e->Add(kOrigin - static_cast<int64_t>(days_before * kDay), col * 100 + 50, row * 100 + 50,
           OffenceGroup::kBurglaryResidential, "burglary", "e");
  }
}

std::vector<CellId> Ranked(const Surface& s, const EventSet& e, const Grid& g) {
  return RankCells(s, TieBreakFromEvents(e, g, kOrigin)).cells;
}

TEST(RankingTest, Issue14TiedCellsRankByLongerHistory) {
  // Cells 0 and 1 tie on risk; cell 1 (east of 0) has the longer history, so it comes first. The
  // old rule put cell 0 first (south-west first).
  const Grid g = Row(4);
  EventSet e;
  AddEvents(&e, 0, 0, 1, 700);
  AddEvents(&e, 1, 0, 3, 700);
  e.SortByTime();
  const Surface s{{2, 2, 5, 0}};
  EXPECT_EQ(Ranked(s, e, g), (std::vector<CellId>{2, 1, 0, 3}));
  // Risk always comes first: history never lifts a cell over a higher risk.
  const Surface t{{2, 1, 5, 0}};
  EXPECT_EQ(Ranked(t, e, g), (std::vector<CellId>{2, 0, 1, 3}));
}

TEST(RankingTest, Issue14TieRuleIsCausal) {
  // Events at and after the origin, and those older than kTieHistoryDays, never break ties.
  const Grid g = Row(3);
  EventSet e;
  AddEvents(&e, 0, 0, 1, 10);
  AddEvents(&e, 1, 0, 5, 0);                        // at the origin
  AddEvents(&e, 1, 0, 5, -3);                       // after it
  AddEvents(&e, 2, 0, 5, kTieHistoryDays + 0.001);  // just too old
  e.SortByTime();
  const TieBreak t = TieBreakFromEvents(e, g, kOrigin);
  EXPECT_EQ(t.history, (std::vector<int64_t>{1, 0, 0}));
  const Surface zero{{0, 0, 0}};
  EXPECT_EQ(Ranked(zero, e, g), (std::vector<CellId>{0, 1, 2}));
  // The oldest event still counted is exactly kTieHistoryDays before the origin.
  AddEvents(&e, 2, 0, 2, kTieHistoryDays);
  e.SortByTime();
  EXPECT_EQ(TieBreakFromEvents(e, g, kOrigin).history, (std::vector<int64_t>{1, 0, 2}));
  EXPECT_EQ(Ranked(zero, e, g), (std::vector<CellId>{2, 0, 1}));
}

TEST(RankingTest, Issue14SmoothedHistoryBreaksEqualHistory) {
  // 3 × 3 grid, the north-west corner masked (#):   # . .
  // history drawn per cell:                         . . 4
  //                                                 1 . .
  // Cells of equal risk and history 0: the ones next to the 4 come first (smoothed 4), then the
  // ones next to the 1 only, then the rest by cell id.
  std::vector<uint8_t> mask = {1, 1, 1, 1, 1, 1, 0, 1, 1};
  const Grid g = Grid::Create(0, 0, 100, 3, 3, mask, "EPSG:32618").value();
  EventSet e;
  AddEvents(&e, 0, 0, 1, 30);
  AddEvents(&e, 2, 1, 4, 30);
  e.SortByTime();
  const TieBreak t = TieBreakFromEvents(e, g, kOrigin);
  // Cell ids, row by row from the south-west: row 0 = 0 1 2, row 1 = 3 4 5, row 2 = 6 7 (col 1, 2).
  EXPECT_EQ(t.history, (std::vector<int64_t>{1, 0, 0, 0, 0, 4, 0, 0}));
  EXPECT_EQ(t.smoothed, (std::vector<int64_t>{1, 5, 4, 1, 5, 4, 4, 4}));
  const Surface zero{std::vector<double>(8, 0)};
  const CellRanking r = RankCells(zero, t);
  EXPECT_EQ(r.cells, (std::vector<CellId>{5, 0, 1, 4, 2, 6, 7, 3}));
  // Blocks: {5} {0} {1, 4} {2, 6, 7} {3}: cells in one block differ only by their id.
  EXPECT_EQ(r.block_start, (std::vector<int32_t>{0, 1, 2, 2, 4, 4, 4, 7}));
}

TEST(RankingTest, Issue14NoHistoryFallsToCellId) {
  const Surface s{{1, 3, 1, 3, 0.5}};
  const CellRanking r = RankCells(s, {});
  EXPECT_EQ(r.cells, (std::vector<CellId>{1, 3, 0, 2, 4}));
  EXPECT_EQ(r.block_start, (std::vector<int32_t>{0, 0, 2, 2, 4}));
}

TEST(RankingTest, Issue14SameInputSameRanking) {
  const Grid g = Row(50);
  EventSet e;
  for (int32_t c = 0; c < 50; ++c) AddEvents(&e, c, 0, (c * 7) % 4, 1 + (c * 13) % 900);
  e.SortByTime();
  std::vector<double> v(50);
  for (int32_t c = 0; c < 50; ++c) v[c] = (c * 5) % 3;
  const Surface s{v};
  const CellRanking a = RankCells(s, TieBreakFromEvents(e, g, kOrigin));
  const CellRanking b = RankCells(s, TieBreakFromEvents(e, g, kOrigin));
  EXPECT_EQ(a.cells, b.cells);
  EXPECT_EQ(a.block_start, b.block_start);
}

TEST(RankingTest, TopCellsForShareRoundsUp) {
  struct Case {
    double pct;
    int32_t cells, want;
  } cases[] = {{5, 12, 1},   {25, 12, 3},  {5, 20, 1},    {10, 20, 2},   {100, 7, 7},
               {0.1, 12, 1}, {50, 3, 2},   {5, 1000, 50}, {5, 1001, 51}, {5, 100, 5},
               {5, 101, 6},  {0.1, 10, 1}, {5, 0, 0},     {10, 820, 82}};
  for (const Case& c : cases) {
    EXPECT_EQ(TopCellsForShare(c.pct, c.cells), c.want) << c.pct << " % of " << c.cells;
  }
}

TEST(RankingTest, Issue14TopCellsForAreaIsTheLargestCountWithin) {
  // 150 m cells are 0.0225 km²; 1 sq mi = 2.589988110336 km².
  constexpr double kSqMi = 2.589988110336;
  struct Case {
    double area_km2, cell_km2;
    int32_t cells, want;
  } cases[] = {
      {0.0225 * 10, 0.0225, 1000, 10},  // exactly ten cells: ten, despite rounding
      {0.0225 * 10.99, 0.0225, 1000, 10},
      {0.0224, 0.0225, 1000, 0},         // smaller than one cell
      {0.75 * kSqMi, 0.0225, 1000, 86},  // NIJ's cap: 1.94249 km² / 0.0225
      {0.25 * kSqMi, 0.0225, 1000, 28},  // NIJ's floor: 0.647497 km²
      {5, 0.0225, 100, 100},             // at most every cell
      {1, 1, 1, 1},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(TopCellsForArea(c.area_km2, c.cell_km2, c.cells), c.want)
        << c.area_km2 << " km2 of cells of " << c.cell_km2;
  }
}

}  // namespace
}  // namespace placecast::grid
