// SPDX-License-Identifier: Apache-2.0
// Tests of the backtest driver with test-only models (an oracle that reads the future, a flat
// surface, a sliding-window count, one that fails on a given day, fixed rate surfaces): request
// validation, PEI = 1 for the oracle, thread-count independence, bootstrap determinism, error
// context, window_days from train_days, zero-event origins, the output formats' contract keys, and
// calibration by decile (sums by hand; a simulated Poisson process recovered, and its doubling
// detected).
#include "placecast/eval/backtest.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "eval/test_util.h"

namespace placecast::eval {
namespace {

using models::Model;
using testing_util::SimulatedEvents;
using testing_util::TestGrid;

using testing_util::kDay;
using testing_util::kJan1;

constexpr ParamSpec kWindowSpec[] = {
    {"window_days", ParamType::kInt, "30", 1, 36500, "days", "training window"},
    {"fail_on_day", ParamType::kInt, "-1", -1, 1e9, "days", "Fit fails at this origin (epoch day)"},
};

// Risk = events per cell in [origin - window_days, origin). Keeps a running count and slides it
// forward when fitted again with a later origin, like the real models; refits from scratch when
// the origin moves back.
class WindowCountModel final : public Model {
 public:
  WindowCountModel(std::string name, ParamValues p) : name_(std::move(name)), p_(std::move(p)) {}
  std::string_view name() const override { return name_; }
  const ParamValues& params() const override { return p_; }
  Status Fit(const EventSet& events, const grid::Grid& grid, int64_t origin_s) override {
    if (p_.GetInt("fail_on_day") == origin_s / kDay) return Status::InvalidInput("boom");
    const int64_t start = origin_s - p_.GetInt("window_days") * kDay;
    if (&events != events_ || origin_s < origin_s_ || counts_.empty()) {
      counts_.assign(grid.num_cells(), 0);
      const auto [a, b] = events.TimeRange(start, origin_s);
      for (size_t i = a; i < b; ++i) Bump(events, grid, i, 1);
    } else {
      const int64_t old_start = origin_s_ - p_.GetInt("window_days") * kDay;
      const auto [a, b] = events.TimeRange(origin_s_, origin_s);
      for (size_t i = a; i < b; ++i) Bump(events, grid, i, 1);
      const auto [c, d] = events.TimeRange(old_start, start);
      for (size_t i = c; i < d; ++i) Bump(events, grid, i, -1);
    }
    events_ = &events;
    origin_s_ = origin_s;
    return Status::Ok();
  }
  Result<grid::Surface> Predict(double) const override {
    grid::Surface s;
    s.value.assign(counts_.begin(), counts_.end());
    return s;
  }
  std::vector<std::string> Warnings() const override {
    int64_t total = 0;
    for (int64_t c : counts_) total += c;
    if (total < 5) return {"window holds only " + std::to_string(total) + " events"};
    return {};
  }

 private:
  void Bump(const EventSet& e, const grid::Grid& g, size_t i, int64_t by) {
    const grid::CellId c = g.PointToCell(e.x_m[i], e.y_m[i]);
    if (c != grid::kNoCell) counts_[c] += by;
  }
  std::string name_;
  ParamValues p_;
  const EventSet* events_ = nullptr;
  int64_t origin_s_ = 0;
  std::vector<int64_t> counts_;
};

// Risk = the events that will happen in the horizon (it cheats by reading the future).
class OracleModel final : public Model {
 public:
  std::string_view name() const override { return "oracle"; }
  const ParamValues& params() const override { return p_; }
  Status Fit(const EventSet& events, const grid::Grid& grid, int64_t origin_s) override {
    events_ = &events;
    grid_ = &grid;
    origin_s_ = origin_s;
    return Status::Ok();
  }
  Result<grid::Surface> Predict(double horizon_days) const override {
    auto counts = CountEventsPerCell(*events_, *grid_, origin_s_,
                                     origin_s_ + static_cast<int64_t>(horizon_days * kDay));
    return grid::Surface{{counts.begin(), counts.end()}};
  }
  std::vector<std::string> Warnings() const override { return {}; }

 private:
  ParamValues p_;
  const EventSet* events_ = nullptr;
  const grid::Grid* grid_ = nullptr;
  int64_t origin_s_ = 0;
};

// Every cell equal.
class FlatModel final : public Model {
 public:
  std::string_view name() const override { return "flat"; }
  const ParamValues& params() const override { return p_; }
  Status Fit(const EventSet&, const grid::Grid& grid, int64_t) override {
    cells_ = grid.num_cells();
    return Status::Ok();
  }
  Result<grid::Surface> Predict(double) const override {
    return grid::Surface{std::vector<double>(cells_, 1.0)};
  }
  std::vector<std::string> Warnings() const override { return {}; }

 private:
  ParamValues p_;
  int32_t cells_ = 0;
};

// "window", "history" and "naive" are WindowCountModels (naive here is only a name, to test the
// reference rule); "oracle" and "flat" take no parameters.
Result<std::unique_ptr<Model>> TestFactory(std::string_view name,
                                           const std::map<std::string, std::string>& params) {
  if (name == "window" || name == "history" || name == "naive") {
    PLACECAST_ASSIGN_OR_RETURN(ParamValues p, ParamValues::Resolve(kWindowSpec, params, name));
    return std::unique_ptr<Model>(new WindowCountModel(std::string(name), std::move(p)));
  }
  if (!params.empty()) return Status::InvalidInput(std::string(name) + ": takes no parameters");
  if (name == "oracle") return std::unique_ptr<Model>(new OracleModel());
  if (name == "flat") return std::unique_ptr<Model>(new FlatModel());
  return Status::InvalidInput("unknown model \"" + std::string(name) + "\"");
}

BacktestRequest BaseRequest() {
  BacktestRequest r;
  r.models = {"window", "oracle", "flat"};
  r.from_s = kJan1;
  r.to_s = kJan1 + 30 * kDay;
  r.train_days = 28;
  r.bootstrap_reps = 500;
  r.seed = 7;
  r.threads = 1;
  return r;
}

Result<BacktestResult> RunTest(const BacktestRequest& r) {
  static const EventSet ev = SimulatedEvents();
  static const grid::Grid g = TestGrid();
  return RunBacktest(r, ev, g, TestFactory);
}

TEST(BacktestTest, ValidateRejectsBadRequests) {
  struct Case {
    std::function<void(BacktestRequest&)> edit;
    std::string message;
  } cases[] = {
      {[](auto& r) { r.models.clear(); }, "models (--models): no model given"},
      {[](auto& r) {
         r.models = {"a", ""};
       },
       "models (--models): empty model name"},
      {[](auto& r) {
         r.models = {"a", "b", "a"};
       },
       "model \"a\" given twice"},
      {[](auto& r) { r.params["zzz"] = {}; }, "parameters given for model \"zzz\""},
      {[](auto& r) { r.from_s += 3600; },
       "from (--from): the first origin must start a day (UTC days) (got 2024-01-01T01:00:00Z)"},
      {[](auto& r) { r.to_s += 1; }, "to (--to): the last origin must start a day (UTC days)"},
      {[](auto& r) { r.from_s = r.to_s + kDay; },
       "from (--from) 2024-02-01 is after to (--to) 2024-01-31"},
      {[](auto& r) { r.to_s = r.from_s + 40000 * kDay; }, "spans more than 36600 daily origins"},
      {[](auto& r) { r.train_days = 0; }, "train_days (--train-days) must be at least 1 (got 0)"},
      {[](auto& r) { r.horizon_days = 0; }, "horizon_days (--horizon-days) must be in (0, 3650]"},
      {[](auto& r) { r.horizon_days = 1e-9; }, "and at least one second (got 1e-09)"},
      {[](auto& r) { r.coverages_pct.clear(); }, "coverages_pct: no coverage given"},
      {[](auto& r) {
         r.coverages_pct = {5, 0};
       },
       "each coverage must be in (0, 100] (got 0)"},
      {[](auto& r) {
         r.coverages_pct = {5, 120};
       },
       "each coverage must be in (0, 100] (got 120)"},
      {[](auto& r) {
         r.coverages_pct = {5, 10, 5};
       },
       "coverage 5 given twice"},
      {[](auto& r) { r.bootstrap_reps = -1; }, "bootstrap_reps (--bootstrap) must be in"},
      {[](auto& r) { r.threads = -2; },
       "threads (--threads) must be 0 (all cores) or more (got -2)"},
  };
  EXPECT_TRUE(BaseRequest().Validate().ok());
  for (const Case& c : cases) {
    BacktestRequest r = BaseRequest();
    c.edit(r);
    Status s = r.Validate();
    EXPECT_EQ(s.code(), ErrorCode::kInvalidInput) << c.message;
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.message();
    EXPECT_EQ(s.message().rfind("backtest: ", 0), 0u) << s.message();
    // RunBacktest validates too.
    auto run = RunTest(r);
    ASSERT_FALSE(run.ok());
    EXPECT_EQ(run.status().message(), s.message());
  }
}

TEST(BacktestTest, Issue14OriginsAndHorizonsAreLocalDays) {
  // Eastern time without daylight saving until 2024-03-10 07:00 UTC, then EDT.
  const int64_t spring = DaysFromCivil(2024, 3, 10) * kDay + 7 * 3600;
  const Calendar east("Test/Eastern", {{spring - 400 * kDay, -5 * 3600}, {spring, -4 * 3600}});
  const int64_t jan2 = DaysFromCivil(2024, 1, 2) * kDay;  // 00:00 UTC
  EventSet ev;
  int id = 0;
  auto add = [&](int64_t t) {
    ev.Add(t, 150, 150, OffenceGroup::kTheft, "theft", std::to_string(id++));
  };
  for (int d = 0; d < 40; ++d) add(jan2 - 40 * kDay + d * kDay + 12 * 3600);  // history
  add(jan2 + 3 * 3600);         // 1 January 22:00 local: not on the 2nd
  add(jan2 + 4 * 3600 + 1800);  // 1 January 23:30 local: not on the 2nd (it is in UTC)
  add(jan2 + 6 * 3600);         // 2 January 01:00 local
  add(jan2 + kDay + 4 * 3600);  // 2 January 23:00 local (3 January in UTC)
  add(jan2 + kDay + 6 * 3600);  // 3 January 01:00 local
  ev.SortByTime();
  const grid::Grid g = TestGrid();
  BacktestRequest r;
  r.models = {"window"};
  r.calendar = east;
  r.from_s = *east.ParseDate("2024-01-02", "--from");
  r.to_s = r.from_s;
  r.train_days = 28;
  r.bootstrap_reps = 0;
  r.threads = 1;
  EXPECT_EQ(r.from_s, jan2 + 5 * 3600);
  auto res = RunBacktest(r, ev, g, TestFactory);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  ASSERT_EQ(res->origins_s.size(), 1u);
  EXPECT_EQ(res->events_per_origin[0], 2);  // UTC days would score 3 other events
  EXPECT_NE(BacktestPerOriginCsv(*res).find("window,2024-01-02,2,"), std::string::npos)
      << BacktestPerOriginCsv(*res);
  EXPECT_NE(BacktestSummaryJson(*res).find("local days in Test/Eastern"), std::string::npos);

  // Across the spring change: origins at local midnights, 24 then 23 hours apart.
  r.from_s = *east.ParseDate("2024-03-09", "--from");
  r.to_s = *east.ParseDate("2024-03-11", "--to");
  EventSet march;
  for (int d = 0; d < 20; ++d) {
    march.Add(DaysFromCivil(2024, 2, 25) * kDay + d * kDay + 17 * 3600, 150, 150,
              OffenceGroup::kTheft, "theft", std::to_string(d));
  }
  auto spring_res = RunBacktest(r, march, g, TestFactory);
  ASSERT_TRUE(spring_res.ok()) << spring_res.status().ToString();
  ASSERT_EQ(spring_res->origins_s.size(), 3u);
  EXPECT_EQ(spring_res->origins_s[1] - spring_res->origins_s[0], 24 * 3600);
  EXPECT_EQ(spring_res->origins_s[2] - spring_res->origins_s[1], 23 * 3600);
  EXPECT_EQ(spring_res->origins_s[2], DaysFromCivil(2024, 3, 11) * kDay + 4 * 3600);
}

TEST(BacktestTest, Issue14OracleHasPeiOneAndFlatScoresAsItsHistory) {
  auto r = RunTest(BaseRequest());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->models.size(), 3u);
  EXPECT_EQ(r->origins_s.size(), 31u);
  EXPECT_EQ(r->origins_with_events, 30);  // 2024-01-10 has no event
  const ModelBacktest& oracle = r->models[1];
  const ModelBacktest& flat = r->models[2];
  for (size_t c = 0; c < r->coverages_pct.size(); ++c) {
    SCOPED_TRACE(r->coverages_pct[c]);
    EXPECT_NEAR(oracle.pei_summary[c].mean, 1, 1e-12);
    EXPECT_NEAR(oracle.pei_summary[c].lo, 1, 1e-12);
    EXPECT_LE(r->models[0].pei_summary[c].hi, 1 + 1e-12);
  }
  // A flat surface ties everywhere, so the tie rule alone ranks it: it scores exactly as a model
  // whose risk is the tie rule's history (the events of the last kTieHistoryDays days per cell),
  // and far better than chance (PAI 1) on this clustered data.
  BacktestRequest hreq = BaseRequest();
  hreq.models = {"history"};
  hreq.params["history"] = {{"window_days", std::to_string(grid::kTieHistoryDays)}};
  auto h = RunTest(hreq);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  const ModelBacktest& history = h->models[0];
  for (size_t c = 0; c < r->coverages_pct.size(); ++c) {
    SCOPED_TRACE(r->coverages_pct[c]);
    EXPECT_EQ(flat.hit_rate_summary[c].mean, history.hit_rate_summary[c].mean);
    EXPECT_EQ(flat.pai_summary[c].mean, history.pai_summary[c].mean);
    EXPECT_EQ(flat.pooled_hit_rate[c], history.pooled_hit_rate[c]);
  }
  EXPECT_GT(flat.pai_summary[2].mean, 3);
  // The window model finds the hot cells: far better than chance at 5%.
  EXPECT_GT(r->models[0].pai_summary[2].mean, 3);
  // The curve ends at hit rate 1.
  EXPECT_NEAR(oracle.curve_hit_rate.back(), 1, 1e-12);
  EXPECT_EQ(oracle.curve_hit_rate.size(), CurveCoveragesPct().size());
}

TEST(BacktestTest, ZeroEventOriginsAreCountedButExcludedFromMeans) {
  auto r = RunTest(BaseRequest());
  ASSERT_TRUE(r.ok());
  const size_t o = 9;  // 2024-01-10
  EXPECT_EQ(FormatDate(r->origins_s[o]), "2024-01-10");
  EXPECT_EQ(r->events_per_origin[o], 0);
  EXPECT_TRUE(std::isnan(r->models[0].hit_rate[o * 5 + 2]));
  // The mean over the 30 origins with events, by hand.
  double s = 0;
  for (size_t i = 0; i < r->origins_s.size(); ++i) {
    if (i != o) s += r->models[0].hit_rate[i * 5 + 2];
  }
  EXPECT_NEAR(r->models[0].hit_rate_summary[2].mean, s / 30, 1e-12);
  int64_t events = 0;
  for (int64_t e : r->events_per_origin) events += e;
  EXPECT_EQ(r->events, events);

  const std::string csv = BacktestPerOriginCsv(*r);
  EXPECT_NE(csv.find("\nwindow,2024-01-10,0,,,,,,,,,,,,,,,\n"), std::string::npos) << csv;
}

TEST(BacktestTest, ResultDoesNotDependOnThreadCount) {
  BacktestRequest req = BaseRequest();
  req.models = {"window", "oracle", "naive"};
  req.params["naive"] = {{"window_days", "1"}};  // short: warns at some origins
  auto one = RunTest(req);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  // A warning that differs only in its numbers is reported once, at its first origin.
  const auto& w = one->models[2].warnings;
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].rfind("2024-01-0", 0), 0u) << w[0];
  EXPECT_NE(w[0].find(": window holds only "), std::string::npos) << w[0];
  for (int threads : {2, 3, 31, 64}) {
    req.threads = threads;
    auto many = RunTest(req);
    ASSERT_TRUE(many.ok());
    EXPECT_EQ(BacktestSummaryJson(*many), BacktestSummaryJson(*one)) << threads;
    EXPECT_EQ(BacktestPerOriginCsv(*many), BacktestPerOriginCsv(*one)) << threads;
    EXPECT_EQ(HitRateCurvesCsv(*many), HitRateCurvesCsv(*one)) << threads;
    EXPECT_EQ(CalibrationCsv(*many), CalibrationCsv(*one)) << threads;
    EXPECT_EQ(many->models[2].warnings, one->models[2].warnings) << threads;
  }
}

TEST(BacktestTest, BootstrapIsDeterministicPerSeed) {
  BacktestRequest req = BaseRequest();
  const std::string a = BacktestSummaryJson(*RunTest(req));
  EXPECT_EQ(BacktestSummaryJson(*RunTest(req)), a);
  req.seed = 8;
  const std::string b = BacktestSummaryJson(*RunTest(req));
  EXPECT_NE(b, a);
  // Only the intervals and p-values move: the means stay.
  auto ja = nlohmann::json::parse(a), jb = nlohmann::json::parse(b);
  EXPECT_EQ(ja["models"]["window"]["hit_rate"]["5"]["mean"],
            jb["models"]["window"]["hit_rate"]["5"]["mean"]);
  EXPECT_NE(ja["models"]["window"]["hit_rate"]["5"]["lo"],
            jb["models"]["window"]["hit_rate"]["5"]["lo"]);
}

TEST(BacktestTest, NoBootstrapCollapsesIntervalsAndNullsPValues) {
  BacktestRequest req = BaseRequest();
  req.bootstrap_reps = 0;
  auto r = RunTest(req);
  ASSERT_TRUE(r.ok());
  const Interval& iv = r->models[0].hit_rate_summary[2];
  EXPECT_EQ(iv.lo, iv.mean);
  EXPECT_EQ(iv.hi, iv.mean);
  auto j = nlohmann::json::parse(BacktestSummaryJson(*r));
  EXPECT_TRUE(j["models"]["oracle"]["vs_reference"]["hit_rate"]["5"]["p"].is_null());
}

TEST(BacktestTest, PairedComparisonAgainstNaiveWhenPresent) {
  BacktestRequest req = BaseRequest();
  req.models = {"flat", "oracle", "naive"};
  req.bootstrap_reps = 999;
  auto r = RunTest(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->reference, "naive");
  EXPECT_TRUE(r->models[2].hit_rate_vs_reference.empty());
  const PairedDiff& d = r->models[1].hit_rate_vs_reference[2];  // oracle - naive at 5%
  EXPECT_GT(d.diff, 0);
  EXPECT_LE(d.lo, d.diff);
  EXPECT_GE(d.hi, d.diff);
  EXPECT_NEAR(d.diff, r->models[1].hit_rate_summary[2].mean - r->models[2].hit_rate_summary[2].mean,
              1e-12);
  EXPECT_LT(d.p, 0.01);  // 30 origins, the oracle wins nearly all of them
  EXPECT_GE(d.p, 1.0 / 1000);

  // Without naive the first model is the reference.
  req.models = {"flat", "oracle"};
  auto r2 = RunTest(req);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->reference, "flat");
  EXPECT_EQ(r2->models[1].pai_vs_reference.size(), 5u);
}

TEST(BacktestTest, TrainDaysSetsWindowDaysUnlessGiven) {
  BacktestRequest req = BaseRequest();
  req.models = {"window", "naive"};
  req.params["naive"] = {{"window_days", "7"}};
  auto r = RunTest(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->models[0].params.GetInt("window_days"), 28);
  EXPECT_EQ(r->models[1].params.GetInt("window_days"), 7);
}

TEST(BacktestTest, ModelErrorsCarryModelAndOrigin) {
  BacktestRequest req = BaseRequest();
  req.models = {"oracle", "window"};
  req.params["window"] = {{"fail_on_day", std::to_string(kJan1 / kDay + 20)}};
  for (int threads : {1, 2, 4}) {
    req.threads = threads;
    auto r = RunTest(req);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(r.status().message(), "model window, origin 2024-01-21: boom") << threads;
  }
  req.params["window"] = {{"bandwidth_m", "3"}};
  auto bad_param = RunTest(req);
  ASSERT_FALSE(bad_param.ok());
  EXPECT_NE(bad_param.status().message().find("model window: "), std::string::npos);
  EXPECT_NE(bad_param.status().message().find("bandwidth_m"), std::string::npos);

  req.models = {"nosuch"};
  req.params.clear();
  auto unknown = RunTest(req);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(unknown.status().message(), "model nosuch: unknown model \"nosuch\"");
}

TEST(BacktestTest, NothingToScoreIsAnError) {
  BacktestRequest req = BaseRequest();
  req.from_s = DaysFromCivil(2025, 1, 1) * kDay;
  req.to_s = req.from_s + 3 * kDay;
  auto r = RunTest(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(r.status().message(),
            "backtest: no event in the active cells in any horizon from 2025-01-01 to "
            "2025-01-04: nothing to score");
}

// Issue 14: an origin whose training window holds no event was scored on a surface of zeros (every
// cell tied); it is a data problem naming the model, the origin and the window.
TEST(BacktestTest, Issue14EmptyTrainingWindowIsReported) {
  BacktestRequest req = BaseRequest();
  req.from_s = DaysFromCivil(2023, 10, 1) * kDay;  // the events start on 2023-11-01
  req.to_s = req.from_s + 40 * kDay;
  for (int threads : {1, 3}) {
    req.threads = threads;
    auto r = RunTest(req);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kData);
    EXPECT_EQ(r.status().message(),
              "model window, origin 2023-10-01: no event in the training window before 2023-10-01")
        << threads;
  }
}

TEST(BacktestTest, ProgressComesFromCallerThreadAndReachesTotal) {
  BacktestRequest req = BaseRequest();
  req.threads = 3;
  std::vector<int64_t> seen;
  bool other_thread = false;
  const auto caller = std::this_thread::get_id();
  req.progress = [&](int64_t done, int64_t total) {
    EXPECT_EQ(total, 31);
    other_thread |= std::this_thread::get_id() != caller;
    seen.push_back(done);
  };
  ASSERT_TRUE(RunTest(req).ok());
  EXPECT_FALSE(other_thread);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), 31);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

TEST(BacktestTest, HorizonLongerThanADayScoresOverlappingWindows) {
  BacktestRequest req = BaseRequest();
  req.horizon_days = 7;
  auto r = RunTest(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->origins_with_events, 31);  // every 7-day horizon holds events
  auto day1 = RunTest(BaseRequest());
  EXPECT_GT(r->events, 6 * day1->events);
  EXPECT_NEAR(r->models[1].pei_summary[2].mean, 1, 1e-12);  // oracle sees the 7-day horizon
}

TEST(BacktestTest, SummaryJsonHasContractKeys) {
  BacktestRequest req = BaseRequest();
  req.coverages_pct = {0.5, 1, 5};
  auto r = RunTest(req);
  ASSERT_TRUE(r.ok());
  const std::string text = BacktestSummaryJson(*r);
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["kind"], "placecast.backtest");
  EXPECT_EQ(j["from"], "2024-01-01");
  EXPECT_EQ(j["to"], "2024-01-31");
  EXPECT_EQ(j["train_days"], 28);
  EXPECT_EQ(j["origins"], 31);
  EXPECT_EQ(j["origins_with_events"], 30);
  EXPECT_EQ(j["events"], r->events);
  EXPECT_EQ(j["coverages_pct"], nlohmann::json::parse("[0.5,1,5]"));
  EXPECT_EQ(
      j["ties"],
      "risk, then 5-year cell history, then its 3x3 sum; expected value within blocks still tied");
  EXPECT_EQ(j["bootstrap"]["reps"], 500);
  EXPECT_EQ(j["bootstrap"]["seed"], 7);
  EXPECT_EQ(j["bootstrap"]["method"], "percentile, resampling origins");
  for (const char* m : {"window", "oracle", "flat"}) {
    SCOPED_TRACE(m);
    const auto& mj = j["models"][m];
    ASSERT_TRUE(mj.is_object());
    for (const char* metric : {"hit_rate", "pai", "pei"}) {
      for (const char* c : {"0.5", "1", "5"}) {
        const auto& v = mj[metric][c];
        ASSERT_TRUE(v["mean"].is_number() && v["lo"].is_number() && v["hi"].is_number())
            << metric << " " << c;
        EXPECT_LE(v["lo"].get<double>(), v["hi"].get<double>());
      }
    }
    EXPECT_TRUE(mj["pooled_hit_rate"]["5"].is_number());
    EXPECT_TRUE(mj["params"].is_object());
  }
  EXPECT_EQ(j["models"]["window"]["params"]["window_days"], 28);
  EXPECT_FALSE(j["models"]["window"].contains("vs_reference"));  // the reference itself
  const auto& vs = j["models"]["oracle"]["vs_reference"];
  EXPECT_EQ(vs["reference"], "window");
  for (const char* k : {"diff", "lo", "hi", "p"}) EXPECT_TRUE(vs["pai"]["5"][k].is_number()) << k;
  // Hit rates are fractions.
  EXPECT_NEAR(j["models"]["flat"]["hit_rate"]["5"]["mean"].get<double>(),
              r->models[2].hit_rate_summary[2].mean, 1e-8);
  EXPECT_LT(j["models"]["flat"]["hit_rate"]["5"]["mean"].get<double>(), 1);
  // Key order is fixed: schema_version first, models last.
  EXPECT_EQ(text.find("{\n  \"schema_version\": 1,\n  \"kind\": \"placecast.backtest\""), 0u);
}

TEST(BacktestTest, CsvLayouts) {
  BacktestRequest req = BaseRequest();
  req.coverages_pct = {0.5, 5};
  auto r = RunTest(req);
  ASSERT_TRUE(r.ok());
  const std::string csv = BacktestPerOriginCsv(*r);
  std::istringstream ss(csv);
  std::string line;
  std::getline(ss, line);
  EXPECT_EQ(line, "model,origin,events,hit_rate_0.5,hit_rate_5,pai_0.5,pai_5,pei_0.5,pei_5");
  std::getline(ss, line);
  EXPECT_EQ(line.rfind("window,2024-01-01,", 0), 0u) << line;
  int rows = 1;
  while (std::getline(ss, line)) ++rows;
  EXPECT_EQ(rows, 3 * 31);

  const std::string curves = HitRateCurvesCsv(*r);
  std::istringstream cs(curves);
  std::getline(cs, line);
  EXPECT_EQ(line, "model,coverage_pct,hit_rate");
  std::getline(cs, line);
  EXPECT_EQ(line.rfind("window,0.5,", 0), 0u) << line;
  std::vector<std::string> lines;
  while (std::getline(cs, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u * 200 - 1);
  EXPECT_EQ(lines[198], "window,100,1");
  EXPECT_EQ(lines[199].rfind("oracle,0.5,", 0), 0u);
  EXPECT_EQ(lines.back(), "flat,100,1");
  EXPECT_NE(curves.find("\nflat,50,"), std::string::npos);
}

// Predicts rate[c] × scale × horizon_days for cell c, as expected counts or as relative scores.
class RateModel final : public Model {
 public:
  RateModel(std::string name, std::vector<double> rate, double scale, OutputKind kind)
      : name_(std::move(name)), rate_(std::move(rate)), scale_(scale), kind_(kind) {}
  std::string_view name() const override { return name_; }
  const ParamValues& params() const override { return p_; }
  Status Fit(const EventSet&, const grid::Grid&, int64_t) override { return Status::Ok(); }
  Result<grid::Surface> Predict(double horizon_days) const override {
    grid::Surface s;
    for (double r : rate_) s.value.push_back(r * scale_ * horizon_days);
    return s;
  }
  std::vector<std::string> Warnings() const override { return {}; }
  OutputKind output_kind() const override { return kind_; }

 private:
  std::string name_;
  std::vector<double> rate_;
  double scale_;
  OutputKind kind_;
  ParamValues p_;
};

// "count" (expected counts), "double" (the same doubled) and "score" (relative scores, 7 times
// the rate) over `rate`.
ModelFactory RateFactory(std::vector<double> rate) {
  return [rate](std::string_view name,
                const std::map<std::string, std::string>&) -> Result<std::unique_ptr<Model>> {
    using K = Model::OutputKind;
    if (name == "count")
      return std::unique_ptr<Model>(new RateModel("count", rate, 1, K::kExpectedCount));
    if (name == "double") {
      return std::unique_ptr<Model>(new RateModel("double", rate, 2, K::kExpectedCount));
    }
    if (name == "score")
      return std::unique_ptr<Model>(new RateModel("score", rate, 7, K::kRelativeScore));
    return Status::InvalidInput("unknown model \"" + std::string(name) + "\"");
  };
}

// 20 cells (5 × 4), risk c + 1 per day for cell c, so decile 1 is cells 19 and 18 and decile 10
// cells 1 and 0. Three origins, the middle one without events; every sum by hand.
TEST(BacktestTest, Issue15CalibrationDecileSumsByHand) {
  const grid::Grid g = *grid::Grid::Create(0, 0, 100, 5, 4, {}, "EPSG:32618");
  ASSERT_EQ(g.num_cells(), 20);
  std::vector<double> rate;
  for (int c = 0; c < 20; ++c) rate.push_back(c + 1);
  EventSet ev;
  int id = 0;
  auto add = [&](int64_t t, grid::CellId c) {
    ev.Add(t, g.CellCenterX(c), g.CellCenterY(c), OffenceGroup::kTheft, "theft",
           std::to_string(id++));
  };
  add(kJan1 - 10 * kDay, 0);  // training history
  add(kJan1 + 3600, 19);
  add(kJan1 + 7200, 19);
  add(kJan1 + 9000, 0);
  add(kJan1 + 2 * kDay + 100, 10);  // 2024-01-02 has no event
  add(kJan1 + 2 * kDay + 200, 11);
  ev.SortByTime();
  BacktestRequest req;
  req.models = {"count", "score"};
  req.from_s = kJan1;
  req.to_s = kJan1 + 2 * kDay;
  req.bootstrap_reps = 0;
  req.threads = 2;
  auto r = RunBacktest(req, ev, g, RateFactory(rate));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->events, 5);
  ASSERT_EQ(r->origins_with_events, 2);

  const Calibration& c = r->models[0].calibration;
  EXPECT_EQ(c.value_kind, Model::OutputKind::kExpectedCount);
  ASSERT_EQ(c.deciles.size(), 10u);
  const double observed[10] = {2, 0, 0, 0, 2, 0, 0, 0, 0, 1};
  for (size_t d = 0; d < 10; ++d) {
    SCOPED_TRACE(d);
    EXPECT_EQ(c.deciles[d].decile, static_cast<int>(d) + 1);
    EXPECT_EQ(c.deciles[d].cells, 6);  // 2 cells × 3 origins, the empty one included
    const double top = 20 - 2.0 * static_cast<double>(d);
    EXPECT_EQ(c.deciles[d].predicted, 3 * (top + top - 1));
    EXPECT_EQ(c.deciles[d].observed, observed[d]);
    EXPECT_DOUBLE_EQ(c.deciles[d].observed_share, observed[d] / 5);
    EXPECT_DOUBLE_EQ(c.deciles[d].predicted_share, 3 * (top + top - 1) / 630);
  }
  EXPECT_EQ(c.predicted, 630);  // 3 × (1 + … + 20)
  EXPECT_EQ(c.observed, 5);
  EXPECT_DOUBLE_EQ(c.observed_over_predicted, 5.0 / 630);
  EXPECT_DOUBLE_EQ(c.calibration_error, 625.0 / 5);  // every decile predicted more than it saw

  // The relative score has the same deciles, compared as shares only.
  const Calibration& s = r->models[1].calibration;
  EXPECT_EQ(s.value_kind, Model::OutputKind::kRelativeScore);
  EXPECT_EQ(s.deciles[0].predicted, 7 * 117);
  EXPECT_DOUBLE_EQ(s.deciles[0].predicted_share, c.deciles[0].predicted_share);
  EXPECT_TRUE(std::isnan(s.observed_over_predicted));
  double share_error = 0;
  for (const auto& d : c.deciles) share_error += std::abs(d.observed_share - d.predicted_share);
  EXPECT_DOUBLE_EQ(s.calibration_error, share_error);

  // The outputs.
  const std::string csv = CalibrationCsv(*r);
  EXPECT_EQ(csv.rfind("model,decile,cells,predicted,observed,predicted_share,observed_share\n"
                      "count,1,6,117,2,0.185714286,0.4\ncount,2,6,105,0,0.166666667,0\n",
                      0),
            0u)
      << csv;
  EXPECT_NE(csv.find("\ncount,10,6,9,1,0.0142857143,0.2\nscore,1,6,819,2,0.185714286,0.4\n"),
            std::string::npos)
      << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 21);
  const auto j = nlohmann::json::parse(BacktestSummaryJson(*r));
  const auto& cj = j["models"]["count"]["calibration"];
  EXPECT_EQ(cj["value_kind"], "expected_count");
  EXPECT_EQ(cj["predicted"], 630);
  EXPECT_EQ(cj["observed"], 5);
  EXPECT_NEAR(cj["observed_over_predicted"].get<double>(), 5.0 / 630, 1e-11);  // 9 digits
  EXPECT_EQ(cj["calibration_error"], 125);
  ASSERT_EQ(cj["deciles"].size(), 10u);
  EXPECT_EQ(cj["deciles"][4].dump(),
            R"({"cells":6,"decile":5,"observed":2.0,"observed_share":0.4,"predicted":69.0,)"
            R"("predicted_share":0.10952381})");
  EXPECT_EQ(j["models"]["score"]["calibration"]["value_kind"], "relative_score");
  EXPECT_TRUE(j["models"]["score"]["calibration"]["observed_over_predicted"].is_null());
  // Calibration comes last in each model, after every key older readers know.
  const std::string text = BacktestSummaryJson(*r);
  EXPECT_LT(text.find("\"pooled_hit_rate\""), text.find("\"calibration\": {"));
  EXPECT_LT(text.find("\"reference\": \"count\""), text.find("\"models\""));
}

// Draws a Poisson count with mean `mean` (Knuth's product of uniforms; means below ~30).
int64_t Poisson(std::mt19937_64& rng, double mean) {
  const double limit = std::exp(-mean);
  int64_t k = 0;
  for (double p = 1;; ++k) {
    p *= static_cast<double>(rng() >> 11) * 0x1.0p-53;
    if (p <= limit) return k;
  }
}

// Events drawn day by day from a known rate surface over 100 cells (0.1 to 1.09 events a day per
// cell, 301 days): a model predicting that surface is calibrated in every decile, one predicting
// twice it sees half of what it predicts, and a relative score of the surface matches the shares.
TEST(BacktestTest, Issue15CalibrationRecoversASimulatedPoissonProcess) {
  const grid::Grid g = TestGrid();
  std::vector<double> rate(100);
  for (int c = 0; c < 100; ++c) rate[c] = 0.1 + 0.01 * ((c * 37) % 100);  // a shuffled ramp
  std::mt19937_64 rng(15);
  EventSet ev;
  int id = 0;
  const int64_t from = kJan1, to = kJan1 + 299 * kDay;
  for (int64_t day = from - kDay; day <= to; day += kDay) {
    for (grid::CellId c = 0; c < 100; ++c) {
      const int64_t n = Poisson(rng, rate[c]);
      for (int64_t i = 0; i < n; ++i) {
        ev.Add(day + static_cast<int64_t>(rng() % kDay), g.CellCenterX(c), g.CellCenterY(c),
               OffenceGroup::kTheft, "theft", std::to_string(id++));
      }
    }
  }
  ev.SortByTime();
  BacktestRequest req;
  req.models = {"count", "double", "score"};
  req.from_s = from;
  req.to_s = to;
  req.bootstrap_reps = 0;
  req.threads = 2;
  auto r = RunBacktest(req, ev, g, RateFactory(rate));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Calibration& count = r->models[0].calibration;
  const Calibration& twice = r->models[1].calibration;
  const Calibration& score = r->models[2].calibration;
  EXPECT_EQ(count.observed, static_cast<double>(r->events));
  // The smallest decile expects 300 × (1.0 + 0.45) = 435 events: a relative standard deviation of
  // 4.8 %, so ±15 % is more than three of them; decile 1 expects 3135 (1.8 %).
  for (size_t d = 0; d < 10; ++d) {
    SCOPED_TRACE(d);
    EXPECT_EQ(count.deciles[d].cells, 3000);
    EXPECT_NEAR(count.deciles[d].observed / count.deciles[d].predicted, 1, 0.15);
    EXPECT_NEAR(twice.deciles[d].observed / twice.deciles[d].predicted, 0.5, 0.075);
    EXPECT_NEAR(score.deciles[d].observed_share / score.deciles[d].predicted_share, 1, 0.15);
  }
  EXPECT_NEAR(count.deciles[0].predicted, 300 * 10.45, 1e-6);
  EXPECT_NEAR(count.deciles[9].predicted, 300 * 1.45, 1e-6);
  // 17,850 events expected in all (0.75 %).
  EXPECT_NEAR(count.observed_over_predicted, 1, 0.03);
  EXPECT_NEAR(twice.observed_over_predicted, 0.5, 0.015);
  EXPECT_LT(count.calibration_error, 0.05);
  EXPECT_NEAR(twice.calibration_error, 1, 0.06);  // Σ |O − 2O| / Σ O
  EXPECT_LT(score.calibration_error, 0.05);
  EXPECT_TRUE(std::isnan(score.observed_over_predicted));
}

}  // namespace
}  // namespace placecast::eval
