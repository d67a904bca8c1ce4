// SPDX-License-Identifier: Apache-2.0
// Backtests of the registered models (naive, retro) through models::CreateModel: window_days from
// train_days, naive as the reference, better than chance on simulated hot cells, the same bytes for
// any thread count (each thread's models start their sliding windows at a different origin), and
// model errors with their context.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "eval/test_util.h"
#include "placecast/eval/backtest.h"

namespace placecast::eval {
namespace {

using testing_util::kDay;
using testing_util::kJan1;

BacktestRequest RealRequest() {
  BacktestRequest r;
  r.models = {"retro", "naive"};
  r.params["retro"] = {{"bandwidth_m", "150"}};
  r.from_s = kJan1;
  r.to_s = kJan1 + 40 * kDay;
  r.train_days = 45;
  r.bootstrap_reps = 300;
  r.threads = 1;
  return r;
}

Result<BacktestResult> RunReal(const BacktestRequest& r) {
  static const EventSet ev = testing_util::SimulatedEvents();
  static const grid::Grid g = testing_util::TestGrid();
  return RunBacktest(r, ev, g);
}

TEST(BacktestModelsTest, NaiveAndRetroFindTheHotCells) {
  auto r = RunReal(RealRequest());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->reference, "naive");
  EXPECT_EQ(r->origins_s.size(), 41u);
  for (const ModelBacktest& m : r->models) {
    SCOPED_TRACE(m.name);
    EXPECT_EQ(m.params.GetInt("window_days"), 45);
    EXPECT_GT(m.pai_summary[2].mean, 3);  // three hot cells of 100 hold 2/3 of the events
    EXPECT_LE(m.pei_summary[4].hi, 1 + 1e-9);
  }
  EXPECT_DOUBLE_EQ(r->models[0].params.GetDouble("bandwidth_m"), 150);
  EXPECT_EQ(r->models[0].pai_vs_reference.size(), 5u);
  EXPECT_TRUE(r->models[1].pai_vs_reference.empty());
  auto j = nlohmann::json::parse(BacktestSummaryJson(*r));
  EXPECT_EQ(j["models"]["retro"]["vs_reference"]["reference"], "naive");
  EXPECT_EQ(j["models"]["naive"]["params"]["window_days"], 45);
}

TEST(BacktestModelsTest, RealModelsGiveSameBytesForAnyThreadCount) {
  BacktestRequest req = RealRequest();
  auto one = RunReal(req);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  for (int threads : {2, 5}) {
    req.threads = threads;
    auto many = RunReal(req);
    ASSERT_TRUE(many.ok());
    EXPECT_EQ(BacktestSummaryJson(*many), BacktestSummaryJson(*one)) << threads;
    EXPECT_EQ(BacktestPerOriginCsv(*many), BacktestPerOriginCsv(*one)) << threads;
    EXPECT_EQ(HitRateCurvesCsv(*many), HitRateCurvesCsv(*one)) << threads;
  }
}

TEST(BacktestModelsTest, RegistryErrorsNameTheModel) {
  BacktestRequest req = RealRequest();
  req.models = {"naive", "nosuch"};
  req.params.clear();
  auto unknown = RunReal(req);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(unknown.status().message().rfind("model nosuch: ", 0), 0u)
      << unknown.status().message();

  req = RealRequest();
  req.params["retro"] = {{"bandwidth_m", "-5"}};
  auto bad = RunReal(req);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(bad.status().message().rfind("model retro: ", 0), 0u) << bad.status().message();
  EXPECT_NE(bad.status().message().find("bandwidth_m"), std::string::npos);
}

}  // namespace
}  // namespace placecast::eval
