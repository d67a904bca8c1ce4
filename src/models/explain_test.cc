// SPDX-License-Identifier: Apache-2.0
// Tests of ExplainCell: hand-computed contributions on a tiny grid drawn as text, every cell's
// explained value against the model's own Predict() (retro exactly), sepp_grid's background and
// triggered parts, what an explanation may show (no ids, no coordinates), and invalid input.
#include "placecast/models/explain.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "models/test_util.h"
#include "placecast/models/model.h"

namespace placecast::models {
namespace {

using testing::GridFromText;
using testing::RandomEvents;

constexpr int64_t kOrigin = 1'000 * kSecondsPerDay;

constexpr std::string_view kFiveByFive = R"(
    . . . . .
    . . . . .
    . . . . .
    . . . . .
    . . . . .)";

ParamValues Params(std::string_view model, const std::map<std::string, std::string>& given) {
  for (const ModelInfo& m : ListModels()) {
    if (m.name == model) return ParamValues::Resolve(m.params, given, model).value();
  }
  ADD_FAILURE() << "no model " << model;
  return {};
}

double Sum(const CellExplanation& e) {
  double s = 0;
  for (const ExplainPart& p : e.parts) s += p.value;
  return s;
}

double BandSum(const CellExplanation& e) {
  double s = 0;
  for (const ExplainBand& b : e.bands) s += b.value;
  return s;
}

TEST(ExplainTest, RetroKnownAnswerOnFiveByFive) {
  // 100 m cells, bandwidth 200 m, quartic. Middle cell (2, 2) = id 12. One event at its centre
  // 3 days old (K = 1), one at the centre of the cell east of it 40 days old (d = 100 m,
  // u^2 = 1/4, K = 0.5625), one two cells north 10 days old (d = 200 m: outside, K = 0).
  const grid::Grid g = GridFromText(kFiveByFive, 100);
  EventSet ev;
  ev.Add(kOrigin - 40 * kSecondsPerDay, 350, 250, OffenceGroup::kBurglaryResidential, "burglary",
         "id-east");
  ev.Add(kOrigin - 10 * kSecondsPerDay, 250, 450, OffenceGroup::kTheftFromVehicle, "theft",
         "id-north");
  ev.Add(kOrigin - 3 * kSecondsPerDay, 250, 250, OffenceGroup::kRobbery, "robbery", "id-centre");
  ev.SortByTime();
  auto e = ExplainCell("retro", Params("retro", {{"bandwidth_m", "200"}, {"window_days", "365"}}),
                       ev, g, kOrigin, 12, 10);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->model, "retro");
  EXPECT_EQ(e->cell, 12);
  EXPECT_DOUBLE_EQ(e->risk, 1.5625);
  EXPECT_EQ(e->events_contributing, 2);
  ASSERT_EQ(e->parts.size(), 3u);
  EXPECT_EQ(e->parts[0].name, "0-50 m");
  EXPECT_DOUBLE_EQ(e->parts[0].value, 1.0);
  EXPECT_EQ(e->parts[1].name, "50-100 m");
  EXPECT_DOUBLE_EQ(e->parts[1].value, 0.0);
  EXPECT_EQ(e->parts[2].name, "100-200 m");
  EXPECT_DOUBLE_EQ(e->parts[2].value, 0.5625);
  EXPECT_DOUBLE_EQ(e->parts[2].share, 0.5625 / 1.5625);
  ASSERT_EQ(e->bands.size(), 2u);
  EXPECT_EQ(e->bands[0].distance_to_m, 50);
  EXPECT_EQ(e->bands[0].age_to_days, 7);
  EXPECT_EQ(e->bands[1].distance_from_m, 100);
  EXPECT_EQ(e->bands[1].age_from_days, 30);
  EXPECT_EQ(e->bands[1].age_to_days, 90);
  EXPECT_EQ(e->bands[1].events, 1);
  ASSERT_EQ(e->top_events.size(), 2u);
  EXPECT_EQ(e->top_events[0].offence, "robbery");
  EXPECT_EQ(e->top_events[0].distance_m, 0);
  EXPECT_EQ(e->top_events[0].age_days, 3);
  EXPECT_EQ(e->top_events[1].offence, "burglary");
  EXPECT_EQ(e->top_events[1].distance_m, 100);
  EXPECT_EQ(e->top_events[1].age_days, 40);

  auto one = ExplainCell("retro", Params("retro", {}), ev, g, kOrigin, 12, 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->top_events.size(), 1u);
}

TEST(ExplainTest, RetroEveryCellSumsToPredictExactly) {
  const grid::Grid g = GridFromText(R"(
    . . . . . . . .
    . . # # . . . .
    . . . . . . . .
    . . . . . . # .
    . . . . . . . .
    . . . . . . . .)",
                                    100);
  const EventSet ev = RandomEvents(400, 800, 600, kOrigin - 120 * kSecondsPerDay, kOrigin, 7);
  for (const char* kernel : {"quartic", "gaussian"}) {
    const std::map<std::string, std::string> given = {
        {"bandwidth_m", "230"}, {"window_days", "90"}, {"kernel", kernel}};
    auto model = CreateModel("retro", given).value();
    ASSERT_TRUE(model->Fit(ev, g, kOrigin).ok());
    const double horizon_days = 7;
    const grid::Surface s = model->Predict(horizon_days).value();
    for (grid::CellId c = 0; c < g.num_cells(); ++c) {
      auto e = ExplainCell("retro", Params("retro", given), ev, g, kOrigin, c, 5);
      ASSERT_TRUE(e.ok()) << e.status().ToString();
      SCOPED_TRACE(std::string(kernel) + " cell " + std::to_string(c));
      // Same fixed-point sum, same scaling: the same bits.
      EXPECT_EQ(e->risk * (horizon_days / 90.0), s.value[static_cast<size_t>(c)]);
      EXPECT_NEAR(Sum(*e), e->risk, 1e-12 * std::max(1.0, e->risk));
      EXPECT_NEAR(BandSum(*e), e->risk, 1e-12 * std::max(1.0, e->risk));
      EXPECT_LE(e->top_events.size(), 5u);
      for (size_t k = 1; k < e->top_events.size(); ++k) {
        EXPECT_GE(e->top_events[k - 1].contribution, e->top_events[k].contribution);
      }
    }
  }
}

TEST(ExplainTest, ProspectiveAndNaiveEveryCellEqualsPredict) {
  const grid::Grid g = GridFromText(kFiveByFive, 120);
  const EventSet ev = RandomEvents(150, 600, 600, kOrigin - 100 * kSecondsPerDay, kOrigin, 11);
  for (const char* distance : {"cells", "metres"}) {
    const std::map<std::string, std::string> given = {{"bandwidth_m", "300"},
                                                      {"distance", distance}};
    auto model = CreateModel("prospective", given).value();
    ASSERT_TRUE(model->Fit(ev, g, kOrigin).ok());
    const grid::Surface s = model->Predict(1).value();
    for (grid::CellId c = 0; c < g.num_cells(); ++c) {
      auto e = ExplainCell("prospective", Params("prospective", given), ev, g, kOrigin, c, 3);
      ASSERT_TRUE(e.ok()) << e.status().ToString();
      EXPECT_EQ(e->risk, s.value[static_cast<size_t>(c)]) << distance << " cell " << c;
      EXPECT_NEAR(Sum(*e), e->risk, 1e-12 * std::max(1.0, e->risk));
    }
  }
  const std::map<std::string, std::string> given = {{"window_days", "30"}};
  auto naive = CreateModel("naive", given).value();
  ASSERT_TRUE(naive->Fit(ev, g, kOrigin).ok());
  const grid::Surface s = naive->Predict(30).value();
  for (grid::CellId c = 0; c < g.num_cells(); ++c) {
    auto e = ExplainCell("naive", Params("naive", given), ev, g, kOrigin, c, 100);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->risk, s.value[static_cast<size_t>(c)]) << "cell " << c;
    EXPECT_EQ(e->events_contributing, static_cast<int64_t>(e->risk));
    EXPECT_EQ(static_cast<double>(e->top_events.size()), e->risk);
  }
}

TEST(ExplainTest, SeppGridBackgroundPlusTriggeredIsPredict) {
  const grid::Grid g = GridFromText(kFiveByFive, 200);
  EventSet ev = RandomEvents(300, 1000, 1000, kOrigin - 200 * kSecondsPerDay, kOrigin, 3);
  for (const char* nw : {"0", "0.4"}) {
    const std::map<std::string, std::string> given = {{"window_days", "200"},
                                                      {"neighbour_weight", nw}};
    auto model = CreateModel("sepp_grid", given).value();
    ASSERT_TRUE(model->Fit(ev, g, kOrigin).ok());
    const grid::Surface s = model->Predict(1).value();
    for (grid::CellId c = 0; c < g.num_cells(); ++c) {
      auto e = ExplainCell("sepp_grid", Params("sepp_grid", given), ev, g, kOrigin, c, 1000);
      ASSERT_TRUE(e.ok()) << e.status().ToString();
      SCOPED_TRACE(std::string("neighbour_weight ") + nw + " cell " + std::to_string(c));
      EXPECT_EQ(e->risk, s.value[static_cast<size_t>(c)]);
      ASSERT_EQ(e->parts.size(), 2u);
      EXPECT_EQ(e->parts[0].name, "background");
      EXPECT_EQ(e->parts[1].name, "triggered");
      EXPECT_EQ(e->parts[0].value + e->parts[1].value, e->risk);
      // The events' own triggering terms add up to the triggered part.
      double events_sum = 0;
      for (const ExplainEvent& t : e->top_events) events_sum += t.contribution;
      EXPECT_NEAR(events_sum, e->parts[1].value, 1e-9 * e->parts[1].value + 1e-20);
      EXPECT_NEAR(BandSum(*e), e->parts[1].value, 1e-9 * e->parts[1].value + 1e-20);
    }
  }
}

TEST(ExplainTest, ExplainCellsIsExplainCellForEachCell) {
  const grid::Grid g = GridFromText(kFiveByFive, 200);
  EventSet ev = RandomEvents(200, 1000, 1000, kOrigin - 200 * kSecondsPerDay, kOrigin, 5);
  const std::vector<grid::CellId> cells = {12, 0, 24, 12};
  for (const char* model : {"naive", "retro", "prospective", "sepp_grid"}) {
    SCOPED_TRACE(model);
    const std::map<std::string, std::string> given =
        std::string(model) == "sepp_grid" ? std::map<std::string, std::string>{{"window_days",
                                                                                  "200"}}
                                          : std::map<std::string, std::string>{};
    const ParamValues p = Params(model, given);
    EXPECT_TRUE(IsExplainable(model));
    auto all = ExplainCells(model, p, ev, g, kOrigin, cells, 3);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    ASSERT_EQ(all->size(), cells.size());
    for (size_t k = 0; k < cells.size(); ++k) {
      auto one = ExplainCell(model, p, ev, g, kOrigin, cells[k], 3);
      ASSERT_TRUE(one.ok());
      EXPECT_EQ(CellExplanationToJson((*all)[k]), CellExplanationToJson(*one)) << cells[k];
    }
  }
  EXPECT_FALSE(IsExplainable("sepp"));
  // The first bad cell is named; nothing is fitted for it.
  auto bad = ExplainCells("retro", Params("retro", {}), ev, g, kOrigin, {3, 99, -1}, 3);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("(got 99, expected 0..24)"), std::string::npos);
  auto none = ExplainCells("retro", Params("retro", {}), ev, g, kOrigin, {}, 3);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(ExplainTest, JsonShowsNoIdsOrCoordinates) {
  const grid::Grid g = GridFromText(kFiveByFive, 100);
  EventSet ev;
  ev.Add(kOrigin - 2 * kSecondsPerDay, 263.25, 241.75, OffenceGroup::kRobbery, "robbery",
         "SECRET-RECORD-42");
  auto e = ExplainCell("retro", Params("retro", {}), ev, g, kOrigin, 12, 10);
  ASSERT_TRUE(e.ok());
  const std::string json = CellExplanationToJson(*e);
  EXPECT_EQ(json.find("SECRET"), std::string::npos) << json;
  EXPECT_EQ(json.find("263"), std::string::npos) << json;
  EXPECT_EQ(json.find("241"), std::string::npos) << json;
  EXPECT_NE(json.find("\"time_utc\": \"1972-09-25T00:00:00Z\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"distance_m\": 20.0"), std::string::npos) << json;
}

TEST(ExplainTest, InvalidInputs) {
  const grid::Grid g = GridFromText(kFiveByFive, 100);
  EventSet ev;
  ev.Add(kOrigin - kSecondsPerDay, 250, 250, OffenceGroup::kRobbery, "robbery", "a");
  struct Case {
    std::string model;
    grid::CellId cell;
    int top_n;
    ErrorCode code;
    std::string message;
  } cases[] = {
      {"sepp", 0, 5, ErrorCode::kUnsupported, "explain: model \"sepp\" cannot be explained"},
      {"nosuch", 0, 5, ErrorCode::kNotFound, "explain: unknown model \"nosuch\""},
      {"retro", 25, 5, ErrorCode::kInvalidInput,
       "explain: cell: not an active cell of the grid (got 25, expected 0..24)"},
      {"retro", -1, 5, ErrorCode::kInvalidInput, "(got -1, expected 0..24)"},
      {"naive", 0, -1, ErrorCode::kInvalidInput, "explain: top_n: expected a number >= 0 (got -1)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.model + " cell " + std::to_string(c.cell));
    auto e = ExplainCell(c.model, ParamValues(), ev, g, kOrigin, c.cell, c.top_n);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.status().code(), c.code);
    EXPECT_NE(e.status().message().find(c.message), std::string::npos) << e.status().message();
  }
  // Parameters of another model are named.
  auto wrong = ExplainCell("naive", Params("retro", {}), ev, g, kOrigin, 0, 5);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(wrong.status().message().find("bandwidth_m"), std::string::npos)
      << wrong.status().message();
}

}  // namespace
}  // namespace placecast::models
