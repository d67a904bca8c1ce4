// SPDX-License-Identifier: Apache-2.0
// Tests for the fairness audit: a 4 × 1 grid drawn as text with two areas and two groups whose
// exposures, needs, ratios and flags are worked out by hand below; invalid inputs; the bootstrap;
// cells to areas; and the daily flagging with a real model.
#include "placecast/audit/audit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace placecast::audit {
namespace {

// Areas over a 4 × 1 grid of 100 m cells:   cells  0 1 | 2 3
//                                            areas  A A | B B
// Day 0 flags cells {0, 2}; day 1 flags {0, 1}.  Exposure: A = 1 + 2 = 3, B = 1 + 0 = 1.
// Residents: A = 100 g1 + 300 g2 = 400; B = 300 g1 + 100 g2 = 400.
// Exposure per 1k residents: A = 7.5, B = 2.5.
//   g1: (100·7.5 + 300·2.5) / 400 = 3.75;  g2: (300·7.5 + 100·2.5) / 400 = 6.25;  ratio 5/3.
// Need (victim-reported offences): day 0 A 2 B 0; day 1 A 2 B 2 → A = 4 (10 per 1k), B = 2 (5).
//   g1: (100·10 + 300·5) / 400 = 6.25;  g2: (300·10 + 100·5) / 400 = 8.75;  ratio 1.4.
// Disparity beyond need for g2: (5/3) / 1.4 = 1.1904762 — inside 0.8–1.25, while the raw
// exposure ratio 1.667 is outside.
AuditInput HandWorked() {
  AuditInput in;
  in.area_names = {"A", "B"};
  in.group_names = {"g1", "g2"};
  in.residents = {{100, 300}, {300, 100}};
  in.area_residents = {400, 400};
  in.cell_area = {0, 0, 1, 1};
  in.flagged = {{0, 2}, {0, 1}};
  in.need = {{2, 0}, {2, 2}};
  in.reference_group = "g1";
  in.bootstrap_reps = 0;
  return in;
}

TEST(AuditTest, HandWorkedTwoAreasTwoGroups) {
  auto r = RunAudit(HandWorked());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->days, 2);
  EXPECT_EQ(r->flagged_cell_days, 4);
  EXPECT_EQ(r->unassigned_flagged_cell_days, 0);
  EXPECT_EQ(r->need_events, 6);
  ASSERT_EQ(r->areas.size(), 2u);
  const AreaAudit& a = r->areas[0];
  EXPECT_EQ(a.cells, 2);
  EXPECT_EQ(a.flagged_cell_days, 3);
  EXPECT_DOUBLE_EQ(a.exposure_share, 0.75);
  EXPECT_DOUBLE_EQ(a.exposure_per_1k_residents, 7.5);
  EXPECT_EQ(a.need_events, 4);
  EXPECT_DOUBLE_EQ(a.need_share, 4.0 / 6);
  EXPECT_DOUBLE_EQ(a.need_per_1k_residents, 10);
  EXPECT_DOUBLE_EQ(r->areas[1].exposure_per_1k_residents, 2.5);
  ASSERT_EQ(r->groups.size(), 2u);
  const GroupAudit& g1 = r->groups[0];
  const GroupAudit& g2 = r->groups[1];
  EXPECT_DOUBLE_EQ(g1.exposure_per_1k_residents, 3.75);
  EXPECT_DOUBLE_EQ(g2.exposure_per_1k_residents, 6.25);
  EXPECT_DOUBLE_EQ(g1.need_per_1k_residents, 6.25);
  EXPECT_DOUBLE_EQ(g2.need_per_1k_residents, 8.75);
  EXPECT_DOUBLE_EQ(g1.exposure_ratio.value, 1);
  EXPECT_NEAR(g2.exposure_ratio.value, 5.0 / 3, 1e-12);
  EXPECT_NEAR(g2.need_ratio.value, 1.4, 1e-12);
  EXPECT_NEAR(g2.disparity_beyond_need.value, 1.1904761904761905, 1e-12);
  EXPECT_TRUE(g2.exposure_outside_band);
  EXPECT_FALSE(g2.disparity_outside_band);
  EXPECT_FALSE(g1.exposure_outside_band);
  EXPECT_EQ(g2.statement,
            "Group g2: the areas its residents live in are flagged 1.67× as often as those of "
            "group g1 (no interval: no bootstrap), OUTSIDE the 0.8–1.25 band. Victim-reported "
            "offences per resident are 1.40× the reference's, so the disparity beyond need is "
            "1.19 (no interval: no bootstrap): within the band.");
}

TEST(AuditTest, DefaultReferenceIsTheLargestGroup) {
  AuditInput in = HandWorked();
  in.reference_group = "";
  in.residents = {{100, 300}, {300, 200}};  // g2 has 500 residents, g1 400
  in.area_residents = {400, 500};
  auto r = RunAudit(in);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->reference_group, "g2");
  EXPECT_DOUBLE_EQ(r->groups[1].exposure_ratio.value, 1);
}

TEST(AuditTest, DisparityBeyondNeedIsFlagged) {
  // The same exposure, but need equal per resident in both areas: the whole 5/3 is beyond need.
  AuditInput in = HandWorked();
  in.need = {{1, 1}, {1, 1}};
  auto r = RunAudit(in);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->groups[1].need_ratio.value, 1, 1e-12);
  EXPECT_NEAR(r->groups[1].disparity_beyond_need.value, 5.0 / 3, 1e-12);
  EXPECT_TRUE(r->groups[1].disparity_outside_band);
  EXPECT_NE(r->groups[1].statement.find("OUTSIDE the band, FLAGGED."), std::string::npos);
  // A flag whose interval reaches into the band says so.
  in.need = {{1, 1}, {1, 1}, {1, 1}, {1, 1}};
  in.flagged = {{0, 1}, {0, 1}, {0, 1}, {2, 3}};  // 5/3 again, but one day reverses it
  in.bootstrap_reps = 200;
  auto w = RunAudit(in);
  ASSERT_TRUE(w.ok());
  const GroupAudit& g2 = w->groups[1];
  ASSERT_TRUE(g2.disparity_outside_band) << g2.statement;
  ASSERT_LE(g2.disparity_beyond_need.lo, 1.25) << g2.statement;
  EXPECT_NE(g2.statement.find("FLAGGED (but its 95% interval reaches into the band"),
            std::string::npos)
      << g2.statement;
}

TEST(AuditTest, CellsOutsideAreasAndEmptyAreas) {
  AuditInput in = HandWorked();
  in.cell_area = {0, 0, 1, -1};   // cell 3 lies in no area
  in.flagged = {{3, 2}, {0, 3}};  // 2 of 4 flagged cell-days unassigned
  in.area_names.push_back("airport");
  in.residents.push_back({0, 0});
  in.area_residents.push_back(0);
  for (auto& row : in.need) row.push_back(0);
  auto r = RunAudit(in);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->unassigned_flagged_cell_days, 2);
  EXPECT_DOUBLE_EQ(r->areas[0].exposure_share, 0.5);
  EXPECT_TRUE(std::isnan(r->areas[2].exposure_per_1k_residents));
  EXPECT_EQ(AuditAreasCsv(*r, "m").find("m,airport,0,0,0,0,,0,0,\n") != std::string::npos, true)
      << AuditAreasCsv(*r, "m");
}

TEST(AuditTest, BootstrapIsSeededAndBracketsTheEstimate) {
  AuditInput in = HandWorked();
  // 40 days: the two hand-worked days repeated, plus noise-free structure.
  auto f = in.flagged;
  auto n = in.need;
  in.flagged.clear();
  in.need.clear();
  for (int i = 0; i < 20; ++i) {
    in.flagged.insert(in.flagged.end(), f.begin(), f.end());
    in.need.insert(in.need.end(), n.begin(), n.end());
  }
  in.bootstrap_reps = 500;
  in.seed = 7;
  auto a = RunAudit(in);
  auto b = RunAudit(in);
  ASSERT_TRUE(a.ok());
  const Estimate& e = a->groups[1].exposure_ratio;
  EXPECT_NEAR(e.value, 5.0 / 3, 1e-12);
  EXPECT_LT(e.lo, e.value);
  EXPECT_GT(e.hi, e.value);
  EXPECT_EQ(AuditJson(*a), AuditJson(*b));
  in.seed = 8;
  EXPECT_NE(AuditJson(*RunAudit(in)), AuditJson(*a));
  // Identical days: every resample is the same, the interval collapses.
  in.flagged.assign(40, {0, 2});
  in.need.assign(40, {1, 1});
  auto c = RunAudit(in);
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(c->groups[1].exposure_ratio.lo, c->groups[1].exposure_ratio.value);
  EXPECT_DOUBLE_EQ(c->groups[1].exposure_ratio.hi, c->groups[1].exposure_ratio.value);
}

TEST(AuditTest, InvalidInputsNameTheField) {
  struct Case {
    const char* what;
    void (*edit)(AuditInput&);
    const char* message;
  } cases[] = {
      {"unknown reference", [](AuditInput& in) { in.reference_group = "g9"; },
       "audit: --reference-group: unknown group \"g9\" (groups: g1, g2)"},
      {"negative count", [](AuditInput& in) { in.residents[1][0] = -3; },
       "audit: area B, group g1: expected a count >= 0 (got -3)"},
      {"short row", [](AuditInput& in) { in.residents[0] = {1}; },
       "audit: residents[A]: expected 2 groups (got 1)"},
      {"empty group",
       [](AuditInput& in) {
         in.residents = {{0, 300}, {0, 100}};
       },
       "audit: group g1: no residents in any area with residents"},
      {"bad cell", [](AuditInput& in) { in.flagged[1] = {9}; },
       "audit: flagged cell 9 on day 1 is not an active cell"},
      {"need rows", [](AuditInput& in) { in.need.pop_back(); },
       "audit: need: expected one row per day (2, got 1)"},
      {"no reference need",
       [](AuditInput& in) {
         in.need = {{0, 0}, {0, 0}};
       },
       "audit: reference group g1: no victim-reported offence in any area where its residents "
       "live; need ratios are undefined"},
      {"band", [](AuditInput& in) { in.band_lo = 2; },
       "audit: band: expected 0 < band_lo < band_hi"},
  };
  for (const auto& c : cases) {
    AuditInput in = HandWorked();
    c.edit(in);
    auto r = RunAudit(in);
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput) << c.what;
    EXPECT_EQ(r.status().message(), c.message) << c.what;
  }
}

TEST(AuditTest, CellsToAreasUsesCellCentres) {
  // 4 × 2 grid of 100 m cells from (0, 0). Area L covers x < 200 exactly; area R covers
  // 200 <= x < 350, so the centre of column 3 (x = 350) is on R's edge and column 3 may fall
  // either side -- we stop R at 340 so column 3 is outside both.
  auto g = grid::Grid::Create(0, 0, 100, 4, 2, {}, "EPSG:32618");
  ASSERT_TRUE(g.ok());
  grid::Boundary l{"L", {grid::Ring{{0, 200, 200, 0}, {0, 0, 200, 200}}}};
  grid::Boundary r{"R", {grid::Ring{{200, 340, 340, 200}, {0, 0, 200, 200}}}};
  auto ca = CellsToAreas(*g, {l, r});
  ASSERT_TRUE(ca.ok());
  EXPECT_EQ(*ca, (std::vector<int32_t>{0, 0, 1, -1, 0, 0, 1, -1}));
  auto none = CellsToAreas(*g, {});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(), "areas: no area polygon");
}

TEST(AuditTest, FlagsTheCellsWhereTheModelPutsRisk) {
  // 4 × 1 grid; all past events in cell 2, so `naive` flags cell 2 every day (25% = 1 cell).
  auto g = grid::Grid::Create(0, 0, 100, 4, 1, {}, "EPSG:32618");
  ASSERT_TRUE(g.ok());
  EventSet ev;
  const int64_t day0 = 20000 * kSecondsPerDay;
  for (int i = 0; i < 10; ++i)
    ev.Add(day0 - (i + 1) * 3600, 250, 50, OffenceGroup::kTheft, "t", "e" + std::to_string(i));
  ev.Add(day0 + 3600, 50, 50, OffenceGroup::kTheft, "t", "late");  // day 0, cell 0
  ev.SortByTime();
  FlagRequest req;
  req.model = "naive";
  req.from_s = day0;
  req.to_s = day0 + 2 * kSecondsPerDay;
  req.coverage_pct = 25;
  auto f = FlagCellsByDay(req, ev, *g);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->cells.size(), 3u);
  EXPECT_EQ(f->cells[0], (std::vector<grid::CellId>{2}));
  EXPECT_EQ(f->cells[2], (std::vector<grid::CellId>{2}));
  auto need = NeedByDay(ev, *g, {0, 0, 1, 1}, 2, f->origins_s, 1);
  EXPECT_EQ(need, (std::vector<std::vector<int64_t>>{{1, 0}, {0, 0}, {0, 0}}));
  req.coverage_pct = 0;
  auto bad = FlagCellsByDay(req, ev, *g);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "audit: --coverage-pct: expected a value in (0, 100] (got 0)");
  req.coverage_pct = 5;
  req.model = "nope";
  bad = FlagCellsByDay(req, ev, *g);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(bad.status().message().rfind("model nope: ", 0), 0u) << bad.status().message();
}

}  // namespace
}  // namespace placecast::audit

namespace placecast::audit {
namespace {

// A withheld need count (negative, a public release) is empty in the areas CSV and null in the
// JSON, for the area and the total; a published one is written as is.
TEST(AuditTest, WithheldNeedCountsAreEmptyAndNull) {
  AuditResult r;
  r.need_events = -1;
  AreaAudit a;
  a.name = "A";
  a.residents = 100;
  a.need_events = -1;
  AreaAudit b;
  b.name = "B";
  b.residents = 200;
  b.need_events = 7;
  r.areas = {a, b};
  const std::string csv = AuditAreasCsv(r, "m");
  EXPECT_NE(csv.find("m,A,100,0,0,0,0,,0,0\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("m,B,200,0,0,0,0,7,0,0\n"), std::string::npos) << csv;
  const std::string json = AuditJson(r);
  EXPECT_NE(json.find("\"need_events\": null,\n  \"reference_group\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"area\": \"A\""), std::string::npos);
  EXPECT_EQ(json.find("-1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"need_events\": 7"), std::string::npos);
}

}  // namespace
}  // namespace placecast::audit
