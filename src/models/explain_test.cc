// SPDX-License-Identifier: Apache-2.0
// Tests of ExplainCell: hand-computed contributions on a tiny grid drawn as text, every cell's
// explained value against the model's own Predict() (retro exactly), the background and triggered
// parts of sepp_grid and sepp (hand-worked and on a simulated case), explanations of a reloaded
// fit, what an explanation may show (no ids, no coordinates), and invalid input.
#include "placecast/models/explain.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/sepp_internal.h"
#include "models/sepp_sim.h"
#include "models/test_util.h"
#include "placecast/models/model.h"
#include "placecast/models/sepp.h"

namespace placecast::models {
namespace {

using testing::GridFromText;
using testing::RandomEvents;

constexpr int64_t kOrigin = 1'000 * kSecondsPerDay;

// A small, fast boost for tests.
const std::map<std::string, std::string> kFastBoost = {
    {"trees", "20"}, {"train_origins", "14"}, {"window_days", "200"}};

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
  for (const char* model : {"naive", "retro", "prospective", "sepp_grid", "sepp", "boost"}) {
    SCOPED_TRACE(model);
    const std::string name = model;
    std::map<std::string, std::string> given;
    if (name == "sepp_grid" || name == "sepp") given = {{"window_days", "200"}};
    if (name == "boost") given = kFastBoost;
    const ParamValues p = Params(model, given);
    EXPECT_TRUE(IsExplainable(model));
    auto all = ExplainCells(model, p, ev, g, kOrigin, cells, 3, 2.5);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    ASSERT_EQ(all->size(), cells.size());
    for (size_t k = 0; k < cells.size(); ++k) {
      auto one = ExplainCell(model, p, ev, g, kOrigin, cells[k], 3, 2.5);
      ASSERT_TRUE(one.ok());
      EXPECT_EQ(CellExplanationToJson((*all)[k]), CellExplanationToJson(*one)) << cells[k];
    }
  }
  // Every registered model can be explained (adding one without an explanation fails here).
  // The ensemble is not yet: its forecast is a member's, or a mix of members'.
  for (const ModelInfo& m : ListModels()) {
    EXPECT_EQ(IsExplainable(m.name), m.name != "ensemble") << m.name;
  }
  EXPECT_FALSE(IsExplainable("nosuch"));
  // The first bad cell is named; nothing is fitted for it.
  auto bad = ExplainCells("retro", Params("retro", {}), ev, g, kOrigin, {3, 99, -1}, 3);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("(got 99, expected 0..24)"), std::string::npos);
  auto none = ExplainCells("retro", Params("retro", {}), ev, g, kOrigin, {}, 3);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// A sepp fit with a hand-made kernel, reloaded: θ 0.5, h uniform on (0, 10] days, f uniform on
// the 200 m square centred on the one triggering event, background μ per day in every cell.
// Built from a real fit of `ev` (so the triggering event is ev's) with its kernel replaced.
std::unique_ptr<Model> HandSepp(const EventSet& ev, const grid::Grid& g, double mu_per_day) {
  auto fitted = CreateModel("sepp", {{"max_trigger_days", "10"}, {"max_trigger_m", "100"}}).value();
  EXPECT_TRUE(fitted->Fit(ev, g, kOrigin).ok());
  nlohmann::json j = nlohmann::json::parse(fitted->FittedJson());
  j["theta"] = 0.5;
  j["time_density"] = std::vector<double>(sepp_internal::kTimeBins, 1 / 10.0);
  j["space_density"] = std::vector<double>(
      static_cast<size_t>(sepp_internal::kSpaceBins) * sepp_internal::kSpaceBins, 1 / 40000.0);
  j["mu_per_day"] = std::vector<double>(static_cast<size_t>(g.num_cells()), mu_per_day);
  auto loaded = CreateModel("sepp", {{"max_trigger_days", "10"}, {"max_trigger_m", "100"}}).value();
  EXPECT_TRUE(loaded->LoadFitted(j.dump(), g).ok());
  return loaded;
}

TEST(ExplainTest, SeppKnownAnswerOnFiveByFive) {
  // 100 m cells. One robbery 2 days old at the centre of the middle cell (2, 2) = id 12, one
  // theft 20 days old (older than max_trigger_days = 10: it cannot trigger). Horizon 4 days:
  // h's mass over ages 2..6 = 0.4. f covers [150, 350]^2: cell 12 holds 1/4 of it, cell 13 (east)
  // 1/8, cell 18 (north-east) 1/16. Background 0.01 per day x 4 days = 0.04 in every cell.
  //   cell 12: triggered 0.5 x 0.4 x 0.25 = 0.05, risk 0.09, the event at 0 m;
  //   cell 13: triggered 0.5 x 0.4 x 0.125 = 0.025, risk 0.065, at 100 m;
  //   cell 18: triggered 0.5 x 0.4 x 0.0625 = 0.0125, at 141 m -> 140 m;
  //   cell 0: no triggering, risk 0.04.
  const grid::Grid g = GridFromText(kFiveByFive, 100);
  EventSet ev;
  ev.Add(kOrigin - 20 * kSecondsPerDay, 50, 50, OffenceGroup::kTheft, "theft", "old");
  ev.Add(kOrigin - 2 * kSecondsPerDay, 250, 250, OffenceGroup::kRobbery, "robbery", "young");
  ev.SortByTime();
  const auto model = HandSepp(ev, g, 0.01);
  auto e = ExplainFittedCells(*model, ev, g, kOrigin, {12, 13, 18, 0}, 5, 4);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  const grid::Surface s = model->Predict(4).value();
  struct Want {
    double triggered, distance_m;
  } want[] = {{0.05, 0}, {0.025, 100}, {0.0125, 140}, {0, 0}};
  for (size_t k = 0; k < 4; ++k) {
    const CellExplanation& c = (*e)[k];
    SCOPED_TRACE("cell " + std::to_string(c.cell));
    EXPECT_EQ(c.model, "sepp");
    EXPECT_EQ(c.risk, s.value[static_cast<size_t>(c.cell)]);
    EXPECT_NEAR(c.risk, 0.04 + want[k].triggered, 1e-12);
    ASSERT_EQ(c.parts.size(), 2u);
    EXPECT_EQ(c.parts[0].name, "background");
    EXPECT_NEAR(c.parts[0].value, 0.04, 1e-15);
    EXPECT_EQ(c.parts[1].name, "triggered");
    EXPECT_NEAR(c.parts[1].value, want[k].triggered, 1e-12);
    EXPECT_NEAR(c.parts[1].share, want[k].triggered / c.risk, 1e-12);
    if (want[k].triggered == 0) {
      EXPECT_EQ(c.events_contributing, 0);
      EXPECT_TRUE(c.bands.empty());
      EXPECT_TRUE(c.top_events.empty());
      continue;
    }
    EXPECT_EQ(c.events_contributing, 1);
    ASSERT_EQ(c.top_events.size(), 1u);
    EXPECT_EQ(c.top_events[0].offence, "robbery");
    EXPECT_EQ(c.top_events[0].age_days, 2);
    EXPECT_EQ(c.top_events[0].distance_m, want[k].distance_m);
    EXPECT_NEAR(c.top_events[0].contribution, want[k].triggered, 1e-12);
    ASSERT_EQ(c.bands.size(), 1u);
    EXPECT_EQ(c.bands[0].age_from_days, 0);
    EXPECT_EQ(c.bands[0].age_to_days, 7);
    EXPECT_EQ(c.bands[0].events, 1);
  }
  EXPECT_EQ((*e)[0].bands[0].distance_to_m, 50);     // 0 m: 0-50 m
  EXPECT_EQ((*e)[1].bands[0].distance_from_m, 100);  // 100 m: 100-200 m
  EXPECT_EQ((*e)[2].bands[0].distance_from_m, 100);  // 141 m: 100-200 m
}

TEST(ExplainTest, SeppEveryCellSumsToPredictOnASimulation) {
  // A clustered simulation (3 background events a day in a 2 km box, 200 days) fitted by sepp;
  // every cell of a 150 m grid, for two horizons: background + triggered is the forecast's own
  // value, and the bands and the events add up to the triggered part.
  SeppSimSpec spec;  // θ 0.3, ω 0.1 per day, σ 50 m
  spec.background_per_day = 3;
  spec.x1_m = spec.y1_m = 2000;
  spec.start_s = kOrigin - 200 * kSecondsPerDay;
  spec.duration_days = 200;
  spec.seed = 9;
  const EventSet ev = SimulateSepp(spec).value();
  const auto g = grid::Grid::FromExtent(0, 0, 2000, 2000, 150, "EPSG:32618").value();
  const std::map<std::string, std::string> given = {{"window_days", "200"}};
  auto model = CreateModel("sepp", given).value();
  ASSERT_TRUE(model->Fit(ev, g, kOrigin).ok());
  std::vector<grid::CellId> all_cells;
  for (grid::CellId c = 0; c < g.num_cells(); ++c) all_cells.push_back(c);
  int64_t cells_triggered = 0;
  for (double horizon_days : {1.0, 7.0}) {
    const grid::Surface s = model->Predict(horizon_days).value();
    auto e = ExplainFittedCells(*model, ev, g, kOrigin, all_cells, 100000, horizon_days);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    for (const CellExplanation& c : *e) {
      SCOPED_TRACE("horizon " + std::to_string(horizon_days) + " cell " + std::to_string(c.cell));
      const double value = s.value[static_cast<size_t>(c.cell)];
      EXPECT_EQ(c.risk, value);
      EXPECT_NEAR(Sum(c), value, 1e-9 * value);
      const double triggered = c.parts[1].value;
      EXPECT_NEAR(BandSum(c), triggered, 1e-9 * triggered);
      double events_sum = 0;
      for (const ExplainEvent& t : c.top_events) events_sum += t.contribution;
      EXPECT_NEAR(events_sum, triggered, 1e-9 * triggered);
      EXPECT_EQ(static_cast<int64_t>(c.top_events.size()), c.events_contributing);
      for (const ExplainBand& b : c.bands) EXPECT_LE(b.age_to_days, 60);  // cut at the window
      for (const ExplainEvent& t : c.top_events) {
        EXPECT_GT(t.age_days, 0);
        EXPECT_LT(t.age_days, 60);  // max_trigger_days
        EXPECT_EQ(t.distance_m, std::round(t.distance_m / 10) * 10);
      }
      cells_triggered += triggered > 0;
    }
  }
  EXPECT_GT(cells_triggered, g.num_cells());  // the case does exercise triggering
  // ExplainCell fits the same model and agrees with the caller's fit.
  auto one = ExplainCell("sepp", Params("sepp", given), ev, g, kOrigin, 40, 5, 7);
  auto fitted = ExplainFittedCells(*model, ev, g, kOrigin, {40}, 5, 7);
  ASSERT_TRUE(one.ok() && fitted.ok());
  EXPECT_EQ(CellExplanationToJson(*one), CellExplanationToJson(fitted->front()));
}

TEST(ExplainTest, BoostContributionsSumToTheLogOfEveryCellsPrediction) {
  // bias + the contributions of all features = the margin = log(expected events per label
  // window) for poisson, and exp(margin - largest margin) is the pairwise score; for every cell.
  const grid::Grid g = GridFromText(kFiveByFive, 200);
  const EventSet ev = RandomEvents(600, 1000, 1000, kOrigin - 200 * kSecondsPerDay, kOrigin, 21);
  std::vector<grid::CellId> cells;
  for (grid::CellId c = 0; c < g.num_cells(); ++c) cells.push_back(c);
  for (const char* objective : {"poisson", "pairwise"}) {
    SCOPED_TRACE(objective);
    auto given = kFastBoost;
    given["objective"] = objective;
    given["label_days"] = "2";
    auto model = CreateModel("boost", given).value();
    ASSERT_TRUE(model->Fit(ev, g, kOrigin).ok());
    const double horizon_days = 7;
    const grid::Surface s = model->Predict(horizon_days).value();
    auto all = ExplainFittedCells(*model, ev, g, kOrigin, cells, 1000, horizon_days);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    double max_margin = -1e300;
    int nonzero = 0;
    for (const CellExplanation& e : *all) max_margin = std::max(max_margin, e.margin);
    for (const CellExplanation& e : *all) {
      SCOPED_TRACE("cell " + std::to_string(e.cell));
      EXPECT_EQ(e.risk, s.value[static_cast<size_t>(e.cell)]);
      ASSERT_EQ(e.num_features, static_cast<int64_t>(e.features.size()));
      EXPECT_EQ(e.other_features, 0);
      EXPECT_TRUE(e.parts.empty());
      double sum = e.bias;
      for (size_t k = 0; k < e.features.size(); ++k) {
        sum += e.features[k].contribution;
        EXPECT_FALSE(e.features[k].words.empty());
        // By absolute contribution, descending.
        if (k > 0) {
          EXPECT_GE(std::fabs(e.features[k - 1].contribution),
                    std::fabs(e.features[k].contribution));
        }
      }
      EXPECT_NEAR(sum, e.margin, 1e-5);
      const double log_value = std::string(objective) == "poisson"
                                   ? std::log(e.risk / horizon_days * 2)
                                   : std::log(e.risk) + max_margin;
      EXPECT_NEAR(sum, log_value, 1e-5);
      for (const ExplainFeature& f : e.features) nonzero += f.contribution != 0 ? 1 : 0;
    }
    EXPECT_GT(nonzero, 0);  // the trees did split on features
    // top_n limits the features listed; the rest are summed.
    auto three = ExplainFittedCells(*model, ev, g, kOrigin, {12}, 3, horizon_days);
    ASSERT_TRUE(three.ok());
    const CellExplanation& e = three->front();
    ASSERT_EQ(e.features.size(), 3u);
    double sum = e.bias + e.other_features;
    for (const ExplainFeature& f : e.features) sum += f.contribution;
    EXPECT_NEAR(sum, e.margin, 1e-5);
  }
}

TEST(ExplainTest, ReloadedFitGivesTheSameExplanations) {
  // A fit saved with FittedJson() and reloaded explains every cell as the original does, for
  // both models with fitted state, without the events being refitted.
  const grid::Grid g = GridFromText(kFiveByFive, 200);
  const EventSet ev = RandomEvents(300, 1000, 1000, kOrigin - 200 * kSecondsPerDay, kOrigin, 13);
  std::vector<grid::CellId> cells;
  for (grid::CellId c = 0; c < g.num_cells(); ++c) cells.push_back(c);
  for (const char* name : {"sepp_grid", "sepp", "boost"}) {
    SCOPED_TRACE(name);
    const std::map<std::string, std::string> given =
        std::string(name) == "boost" ? kFastBoost
                                     : std::map<std::string, std::string>{{"window_days", "200"}};
    auto a = CreateModel(name, given).value();
    ASSERT_TRUE(a->Fit(ev, g, kOrigin).ok());
    auto b = CreateModel(name, given).value();
    ASSERT_TRUE(b->LoadFitted(a->FittedJson(), g).ok());
    for (double horizon_days : {1.0, 3.0}) {
      auto ea = ExplainFittedCells(*a, ev, g, kOrigin, cells, 5, horizon_days);
      auto eb = ExplainFittedCells(*b, ev, g, kOrigin, cells, 5, horizon_days);
      ASSERT_TRUE(ea.ok() && eb.ok());
      for (size_t k = 0; k < cells.size(); ++k) {
        EXPECT_EQ(CellExplanationToJson((*ea)[k]), CellExplanationToJson((*eb)[k])) << k;
      }
    }
  }
}

TEST(ExplainTest, FittedModelsRejectAnotherOriginOtherEventsAndNoFit) {
  const grid::Grid g = GridFromText(kFiveByFive, 200);
  const EventSet ev = RandomEvents(200, 1000, 1000, kOrigin - 100 * kSecondsPerDay, kOrigin, 17);
  // The same events but the last one of the triggering window: no longer the fit's.
  EventSet fewer;
  for (size_t i = 0; i + 1 < ev.size(); ++i) {
    fewer.Add(ev.t_s[i], ev.x_m[i], ev.y_m[i], ev.group[i], ev.offence_names[ev.offence[i]],
              ev.id[i]);
  }
  auto sepp = CreateModel("sepp", {{"window_days", "100"}}).value();
  auto sepp_grid = CreateModel("sepp_grid", {{"window_days", "100"}}).value();
  auto boost =
      CreateModel("boost", {{"trees", "20"}, {"train_origins", "14"}, {"window_days", "100"}})
          .value();
  struct Case {
    const Model* model;
    const EventSet* events;
    int64_t origin_s;
    std::string message;
  } before_fit[] = {
      {sepp.get(), &ev, kOrigin, "explain sepp: sepp: Predict() called before a successful Fit()"},
      {sepp_grid.get(), &ev, kOrigin,
       "explain sepp_grid: sepp_grid: Predict() called before a successful Fit()"},
      {boost.get(), &ev, kOrigin,
       "explain boost: boost: Predict() called before a successful Fit()"},
  };
  for (const Case& c : before_fit) {
    auto e = ExplainFittedCells(*c.model, *c.events, g, c.origin_s, {0}, 5, 1);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(e.status().message(), c.message);
  }
  ASSERT_TRUE(sepp->Fit(ev, g, kOrigin).ok());
  ASSERT_TRUE(sepp_grid->Fit(ev, g, kOrigin).ok());
  ASSERT_TRUE(boost->Fit(ev, g, kOrigin).ok());
  const Case after_fit[] = {
      {sepp.get(), &ev, kOrigin - kSecondsPerDay,
       "explain sepp: origin: the fitted sepp is for 1972-09-27T00:00:00Z (got "
       "1972-09-26T00:00:00Z)"},
      {sepp_grid.get(), &ev, kOrigin + kSecondsPerDay,
       "explain sepp_grid: origin: the fitted sepp_grid is for 1972-09-27T00:00:00Z (got "
       "1972-09-28T00:00:00Z)"},
      {sepp.get(), &fewer, kOrigin, "explain sepp: sepp: events: not the events the fit was made"},
      {boost.get(), &ev, kOrigin - kSecondsPerDay,
       "explain boost: origin: the fitted boost is for 1972-09-27T00:00:00Z (got "
       "1972-09-26T00:00:00Z)"},
      {boost.get(), &fewer, kOrigin,
       "explain boost: boost: events: not the events the fit was made from: their features "
       "predict "},
  };
  for (const Case& c : after_fit) {
    auto e = ExplainFittedCells(*c.model, *c.events, g, c.origin_s, {0}, 5, 1);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(e.status().message().rfind(c.message, 0), 0u) << e.status().message();
  }
  auto bad_horizon = ExplainFittedCells(*sepp, ev, g, kOrigin, {0}, 5, 0);
  ASSERT_FALSE(bad_horizon.ok());
  EXPECT_EQ(bad_horizon.status().message(),
            "explain: horizon_days: expected a positive number (got 0)");
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
      {"nosuch", 0, 5, ErrorCode::kInvalidInput, "explain: unknown model \"nosuch\""},
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
  // Events without their offence columns (t, x, y only) cannot be shown.
  EventSet bare;
  bare.t_s = ev.t_s;
  bare.x_m = ev.x_m;
  bare.y_m = ev.y_m;
  auto no_offence = ExplainCell("naive", ParamValues(), bare, g, kOrigin, 0, 5);
  ASSERT_FALSE(no_offence.ok());
  EXPECT_EQ(no_offence.status().message(),
            "explain: events: the offence columns differ in length from t_s (0 groups, 0 "
            "offences, 1 times)");
  // Parameters of another model are named.
  auto wrong = ExplainCell("naive", Params("retro", {}), ev, g, kOrigin, 0, 5);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(wrong.status().message().find("bandwidth_m"), std::string::npos)
      << wrong.status().message();
}

}  // namespace
}  // namespace placecast::models
