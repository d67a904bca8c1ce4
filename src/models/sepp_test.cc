// SPDX-License-Identifier: Apache-2.0
// Tests of the `sepp` model: the indexed pair search and E-step against a brute-force O(N²)
// computation, probabilities summing to 1, the ties rule, parameter recovery on simulated data
// (expected and stochastic declustering), Predict's integration on known answers drawn as text,
// the JSON round trip, thread-count determinism, the iteration cap and invalid inputs. Also the
// continuous simulator.
#include "placecast/models/sepp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "models/sepp_internal.h"
#include "models/sepp_sim.h"
#include "models/test_util.h"

namespace placecast::models {
namespace {

using sepp_internal::BackgroundRaster;
using sepp_internal::kSpaceBins;
using sepp_internal::kTimeBins;
using sepp_internal::Training;
using sepp_internal::TriggerKernel;
using testing::GridFromText;
using testing::SurfaceToText;

constexpr int64_t kStart = 1000 * kSecondsPerDay;

std::unique_ptr<SeppModel> Sepp(const std::map<std::string, std::string>& p) {
  auto m = SeppModel::Create(p);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

bool Contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

// A small clustered data set: 2 km box, 200 days.
EventSet SmallSimulation(uint64_t seed) {
  SeppSimSpec spec;
  spec.theta = 0.4;
  spec.omega_per_day = 0.2;
  spec.sigma_m = 60;
  spec.background_per_day = 3;
  spec.x1_m = 2000;
  spec.y1_m = 2000;
  spec.start_s = kStart;
  spec.duration_days = 200;
  spec.seed = seed;
  return SimulateSepp(spec).value();
}

// A triggering kernel with irregular, non-zero bins (so a wrong bin shows).
TriggerKernel IrregularKernel(double max_days, double max_m) {
  TriggerKernel k;
  k.theta = 0.37;
  k.max_days = max_days;
  k.max_m = max_m;
  k.h.resize(kTimeBins);
  for (int32_t b = 0; b < kTimeBins; ++b)
    k.h[static_cast<size_t>(b)] = 1.0 + 0.5 * std::sin(b * 0.37);
  k.f.resize(static_cast<size_t>(kSpaceBins) * kSpaceBins);
  for (size_t q = 0; q < k.f.size(); ++q) k.f[q] = 1e-6 * (1.0 + 0.5 * std::cos(q * 0.011));
  k.BuildCumulative();
  return k;
}

Training TrainingOf(const EventSet& ev, const BackgroundRaster& r, int64_t start_s) {
  Training tr;
  for (size_t i = 0; i < ev.size(); ++i) {
    tr.t_s.push_back(ev.t_s[i]);
    tr.t_days.push_back(static_cast<double>(ev.t_s[i] - start_s) / kSecondsPerDay);
    tr.x_m.push_back(ev.x_m[i]);
    tr.y_m.push_back(ev.y_m[i]);
    tr.raster_bin.push_back(r.BinOf(ev.x_m[i], ev.y_m[i]));
  }
  return tr;
}

// ---------------------------------------------------------------------------------------------

TEST(SeppTest, IndexedEStepEqualsBruteForce) {
  EventSet ev = SmallSimulation(11);
  // Exact ties and same-place repeats, as real data has.
  for (size_t i = 0; i < 40; ++i) {
    ev.Add(ev.t_s[i * 7], ev.x_m[i * 7], ev.y_m[i * 7], OffenceGroup::kTheft, "t", "tie");
    ev.Add(ev.t_s[i * 7] + 86400, ev.x_m[i * 7], ev.y_m[i * 7], OffenceGroup::kTheft, "t", "rep");
  }
  ev.SortByTime();
  ASSERT_GT(ev.size(), 700u);
  const auto g = grid::Grid::FromExtent(-500, -500, 2500, 2500, 150, "EPSG:32618").value();
  const auto raster = BackgroundRaster::Create(g, 80).value();
  Training tr = TrainingOf(ev, raster, kStart);
  const TriggerKernel k = IrregularKernel(15, 200);
  std::vector<double> w(ev.size());
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.2 + 0.6 * std::fmod(i * 0.618, 1.0);
  const double T = 200;

  std::vector<size_t> blocks;
  sepp_internal::BuildPairs(&tr, k, 2, &blocks);
  std::vector<double> mu, lambda, p_bg;
  sepp_internal::BackgroundAtEvents(tr, raster, w, T, &mu);
  sepp_internal::EStep(tr, k, mu, blocks, 2, &lambda, &p_bg);

  // Brute force: every earlier event, every other event's deposit.
  const int32_t R = raster.Radius();
  const double bin_area = raster.bin_m * raster.bin_m;
  size_t total_pairs = 0;
  for (size_t i = 0; i < ev.size(); ++i) {
    double bg = 0;
    const int64_t bi = tr.raster_bin[i];
    for (size_t j = 0; j < ev.size(); ++j) {
      if (j == i) continue;
      const int64_t bj = tr.raster_bin[j];
      const int64_t dx = bi % raster.nx - bj % raster.nx, dy = bi / raster.nx - bj / raster.nx;
      if (std::abs(dx) > R || std::abs(dy) > R) continue;
      bg += w[j] * raster.kernel[static_cast<size_t>(dx + R)] *
            raster.kernel[static_cast<size_t>(dy + R)];
    }
    // The deposit of a tie partner in the same bin counts; only i's own is left out.
    const double mu_i = bg / (bin_area * T);
    double s = 0;
    size_t pairs = 0;
    for (size_t j = 0; j < ev.size(); ++j) {
      if (ev.t_s[j] >= ev.t_s[i]) continue;
      const double dt = static_cast<double>(ev.t_s[i] - ev.t_s[j]) / kSecondsPerDay;
      const double ddx = ev.x_m[i] - ev.x_m[j], ddy = ev.y_m[i] - ev.y_m[j];
      if (dt > k.max_days || std::abs(ddx) > k.max_m || std::abs(ddy) > k.max_m) continue;
      s += k.h[static_cast<size_t>(k.TimeBin(dt))] * k.f[static_cast<size_t>(k.SpaceBin(ddx, ddy))];
      ++pairs;
    }
    total_pairs += pairs;
    const double lam = mu_i + k.theta * s;
    ASSERT_EQ(tr.pair_start[i + 1] - tr.pair_start[i], pairs) << "event " << i;
    EXPECT_NEAR(mu[i], mu_i, 1e-12 * std::max(mu_i, 1e-300)) << "event " << i;
    EXPECT_NEAR(lambda[i], lam, 1e-12 * lam) << "event " << i;
    EXPECT_NEAR(p_bg[i], mu_i / lam, 1e-12) << "event " << i;
  }
  EXPECT_GT(total_pairs, 1000u);

  // One thread gives the same bits.
  Training tr1 = TrainingOf(ev, raster, kStart);
  std::vector<size_t> blocks1;
  sepp_internal::BuildPairs(&tr1, k, 1, &blocks1);
  std::vector<double> lambda1, p_bg1;
  sepp_internal::EStep(tr1, k, mu, blocks1, 1, &lambda1, &p_bg1);
  EXPECT_EQ(tr1.pair_tbin, tr.pair_tbin);
  EXPECT_EQ(tr1.pair_sbin, tr.pair_sbin);
  EXPECT_EQ(lambda1, lambda);
}

TEST(SeppTest, ProbabilitiesOfEachEventSumToOne) {
  const EventSet ev = SmallSimulation(5);
  const auto g = grid::Grid::FromExtent(-500, -500, 2500, 2500, 150, "EPSG:32618").value();
  const auto raster = BackgroundRaster::Create(g, 100).value();
  Training tr = TrainingOf(ev, raster, kStart);
  const TriggerKernel k = IrregularKernel(30, 300);
  std::vector<double> w(ev.size(), 0.6), mu, lambda, p_bg;
  std::vector<size_t> blocks;
  sepp_internal::BuildPairs(&tr, k, 2, &blocks);
  sepp_internal::BackgroundAtEvents(tr, raster, w, 200, &mu);
  sepp_internal::EStep(tr, k, mu, blocks, 2, &lambda, &p_bg);
  for (size_t i = 0; i < ev.size(); ++i) {
    double sum = p_bg[i];
    for (uint64_t q = tr.pair_start[i]; q < tr.pair_start[i + 1]; ++q) {
      sum += k.theta * k.h[tr.pair_tbin[q]] * k.f[tr.pair_sbin[q]] / lambda[i];
    }
    EXPECT_NEAR(sum, 1.0, 1e-12) << "event " << i;
    EXPECT_GE(p_bg[i], 0.0);
    EXPECT_LE(p_bg[i], 1.0);
  }
  // Through the model: every background probability in [0, 1], first event background for sure.
  auto m = Sepp({{"window_days", "200"}, {"max_trigger_days", "30"}});
  ASSERT_TRUE(m->Fit(ev, g, kStart + 200 * kSecondsPerDay).ok());
  const auto& pb = m->background_probability();
  ASSERT_EQ(pb.size(), static_cast<size_t>(m->fit().events_used));
  EXPECT_EQ(pb.front(), 1.0);
  for (double p : pb) {
    EXPECT_GE(p, 0.0);
    EXPECT_LE(p, 1.0);
  }
}

TEST(SeppTest, TiedEventsAreNeverParentAndOffspring) {
  // Three records of one incident (same second, same place), a repeat a second later and one
  // a day later; 200 m away a single event.
  EventSet ev;
  for (int k = 0; k < 3; ++k) ev.Add(kStart, 100, 100, OffenceGroup::kTheft, "t", "tie");
  ev.Add(kStart + 1, 100, 100, OffenceGroup::kTheft, "t", "second later");
  ev.Add(kStart + kSecondsPerDay, 100, 100, OffenceGroup::kTheft, "t", "day later");
  ev.Add(kStart, 300, 100, OffenceGroup::kTheft, "t", "same time, 200 m away");
  ev.SortByTime();
  const auto g = GridFromText(". . . .", 100);
  const auto raster = BackgroundRaster::Create(g, 50).value();
  Training tr = TrainingOf(ev, raster, kStart);
  const TriggerKernel k = IrregularKernel(60, 500);
  std::vector<size_t> blocks;
  sepp_internal::BuildPairs(&tr, k, 1, &blocks);
  std::vector<uint64_t> per_event;
  for (size_t i = 0; i < ev.size(); ++i)
    per_event.push_back(tr.pair_start[i + 1] - tr.pair_start[i]);
  // In time order: the four at kStart have no parent; the one a second later has those four;
  // the one a day later has all five earlier ones.
  EXPECT_EQ(per_event, (std::vector<uint64_t>{0, 0, 0, 0, 4, 5}));

  // A data set of nothing but ties has no pairs: θ = 0 and every event is background (far from
  // the grid's edges, so the background keeps all of its mass).
  EventSet all_tied;
  for (int k = 0; k < 50; ++k) {
    all_tied.Add(kStart, 950 + (k % 4) * 100, 1000, OffenceGroup::kTheft, "t", std::to_string(k));
  }
  const auto big = grid::Grid::FromExtent(0, 0, 2000, 2000, 100, "EPSG:32618").value();
  auto m = Sepp({{"window_days", "10"}});
  ASSERT_TRUE(m->Fit(all_tied, big, kStart + kSecondsPerDay).ok());
  EXPECT_EQ(m->fit().pairs, 0);
  EXPECT_EQ(m->fit().theta, 0.0);
  for (double p : m->background_probability()) EXPECT_EQ(p, 1.0);
  const auto s = m->Predict(10).value();
  double total = 0;
  for (double v : s.value) total += v;
  EXPECT_NEAR(total, 50.0, 1e-9);  // 50 events in 10 days, 10-day horizon, nothing triggered
}

// Recovery on a simulated city: θ = 0.3, ω = 0.1/day, σ = 50 m, uniform background of 30/day
// over 10 km × 10 km, 1000 days (about 42 500 events). The truth, within the windows (60 days,
// 250 m): median lag ln(2)/ω ≈ 6.91 days (6.907 truncated), median distance σ √(2 ln 2) ≈
// 58.9 m. Tolerances: θ ± 0.05 (the issue's); median lag within 10%; median distance within
// 15%. The estimator is biased on this data, systematically and not by noise (the seed is fixed):
// with expected declustering it gives θ 0.320, median lag −6.2%, median distance +13.2%; stochastic
// declustering is close. Later siblings sit σ√2 from earlier ones at exponential lags and take part
// of the offspring weight, and the smoothing adds its own width (docs/models.md, "sepp"). The
// tolerances are set just outside that bias; a broken estimator fails them by far (without
// smoothing θ goes to 0.9, with a 500 m window the median distance is +20%).
// Fits `params` (plus a 1000-day window) to the simulated city and checks θ ± 0.05, the median lag
// ± 10%, the median distance ± distance_tol and the background ± 10%; the fit goes to *out.
void ExpectRecovery(std::map<std::string, std::string> params, double distance_tol, SeppFit* out) {
  SeppSimSpec spec;
  spec.theta = 0.3;
  spec.omega_per_day = 0.1;
  spec.sigma_m = 50;
  spec.background_per_day = 30;
  spec.start_s = kStart;
  spec.duration_days = 1000;
  spec.seed = 7;
  const EventSet ev = SimulateSepp(spec).value();
  ASSERT_GT(ev.size(), 40000u);
  const auto g = grid::Grid::FromExtent(0, 0, 10000, 10000, 200, "EPSG:32618").value();
  params["window_days"] = "1000";
  auto m = Sepp(params);
  ASSERT_TRUE(m->Fit(ev, g, kStart + 1000 * kSecondsPerDay).ok());
  const SeppFit& f = m->fit();
  EXPECT_TRUE(f.converged);
  EXPECT_NEAR(f.theta, 0.3, 0.05);
  const double median_lag = std::log(1 - 0.5 * (1 - std::exp(-0.1 * 60))) / -0.1;
  EXPECT_NEAR(f.median_lag_days / median_lag, 1.0, 0.10) << f.median_lag_days;
  const double median_distance = 50 * std::sqrt(2 * std::log(2.0));
  EXPECT_NEAR(f.median_distance_m / median_distance, 1.0, distance_tol) << f.median_distance_m;
  // The background: 30/day in total, of which the grid holds nearly all.
  double mu = 0;
  for (double v : f.mu_per_day) mu += v;
  EXPECT_NEAR(mu / 30, 1.0, 0.10) << mu;
  *out = f;
}

TEST(SeppTest, RecoversKnownParametersWithExpectedDeclustering) {
  SeppFit f;
  ExpectRecovery({{"max_trigger_m", "250"}, {"declustering", "expected"}}, 0.15, &f);
}

TEST(SeppTest, RecoversKnownParametersWithStochasticDeclustering) {
  SeppFit f;
  ExpectRecovery({{"max_trigger_m", "250"}, {"declustering", "stochastic"}}, 0.15, &f);
}

// The isotropic triggering density (trigger_shape isotropic, no displacement smoothing) at the
// default 500 m window, on the same simulated city. Smoothing inside EM compounds over the
// iterations and the free 2-D histogram fits background pairs far out; averaging over rings
// removes most of both. On this seed: θ 0.305, median lag −5.9%, median distance +6.3%
// (docs/models.md). Tolerances: the issue's θ ± 0.05, and 10% on the median lag and distance.
TEST(SeppTest, IsotropicTriggeringRecoversKnownParametersAtTheDefaultWindow) {
  SeppFit f;
  ExpectRecovery({{"trigger_shape", "isotropic"}, {"trigger_bandwidth_m", "0"}}, 0.10, &f);
  ASSERT_EQ(f.space_density.size(), 200u * 200u);
  // The density depends on distance only: equal under reflections and the diagonal swap.
  const int n = 200;
  auto at = [&](int x, int y) { return f.space_density[static_cast<size_t>(y) * n + x]; };
  for (const auto& [x, y] : std::vector<std::pair<int, int>>{{100, 100}, {103, 97}, {120, 90}}) {
    EXPECT_DOUBLE_EQ(at(x, y), at(n - 1 - x, y));
    EXPECT_DOUBLE_EQ(at(x, y), at(x, n - 1 - y));
    EXPECT_DOUBLE_EQ(at(x, y), at(y, x));
  }
}

// Writes a fit JSON by hand: θ, h uniform on (0, max_days], f uniform on the square, one
// triggering event, no background.
std::string HandFit(const grid::Grid& g, double theta, double max_days, double max_m,
                    double age_days, double x, double y, double mu_per_cell) {
  nlohmann::ordered_json j;
  j["model"] = "sepp";
  j["schema_version"] = 1;
  j["params"] = nlohmann::ordered_json::object();
  j["grid"] = {{"num_cells", g.num_cells()}, {"nx", g.nx()},     {"ny", g.ny()},
               {"x0_m", g.x0_m()},           {"y0_m", g.y0_m()}, {"cell_size_m", g.cell_size_m()}};
  j["theta"] = theta;
  j["max_trigger_days"] = max_days;
  j["max_trigger_m"] = max_m;
  j["time_density"] = std::vector<double>(kTimeBins, 1 / max_days);
  j["space_density"] =
      std::vector<double>(static_cast<size_t>(kSpaceBins) * kSpaceBins, 1 / (4 * max_m * max_m));
  for (const char* f : {"mean_lag_days", "median_lag_days", "space_sd_m", "median_distance_m"}) {
    j[f] = 0.0;
  }
  j["background_bandwidth_m"] = 100.0;
  j["iterations"] = 1;
  j["converged"] = true;
  j["events_used"] = 1;
  j["pairs"] = 0;
  j["window_start_s"] = 0;
  j["origin_s"] = kStart;
  j["mu_per_day"] = std::vector<double>(static_cast<size_t>(g.num_cells()), mu_per_cell);
  j["trigger_age_days"] = {age_days};
  j["trigger_x_m"] = {x};
  j["trigger_y_m"] = {y};
  return j.dump();
}

TEST(SeppTest, PredictIntegratesTriggeringOverCellAndHorizon) {
  // θ 0.5; h uniform on (0, 10] days, the event 2 days old, horizon 4 days: time mass 0.4.
  // f uniform on a 200 m square centred on the event at a cell centre (100 m cells): its own
  // cell holds 1/4 of f, each edge neighbour 1/8, each corner 1/16; a masked cell gets nothing.
  const auto g = GridFromText(R"(
    . . . . .
    . . . # .
    . . . . .
    . . . . .)",
                              100);
  auto m = Sepp({});
  ASSERT_TRUE(m->LoadFitted(HandFit(g, 0.5, 10, 100, 2, 250, 250, 0.0), g).ok());
  const auto s = m->Predict(4).value();
  EXPECT_EQ(SurfaceToText(g, s, "%.4f"),
            "0.0000 0.0125 0.0250 0.0125 0.0000\n"
            "0.0000 0.0250 0.0500 # 0.0000\n"
            "0.0000 0.0125 0.0250 0.0125 0.0000\n"
            "0.0000 0.0000 0.0000 0.0000 0.0000\n");
  // A horizon past the window: the rest of h, 8 of 10 days.
  EXPECT_NEAR(m->Predict(100)->value[static_cast<size_t>(g.ColRowToCell(2, 2))], 0.5 * 0.8 * 0.25,
              1e-12);
  // With a background: μ h added to every cell.
  ASSERT_TRUE(m->LoadFitted(HandFit(g, 0.0, 10, 100, 2, 250, 250, 0.3), g).ok());
  const auto with_background = m->Predict(2).value();
  for (double v : with_background.value) EXPECT_NEAR(v, 0.6, 1e-12);
}

TEST(SeppTest, PredictIntegratesHomogeneousBackgroundToTheExpectedCount) {
  // 400 events on a lattice well inside the grid (more than 4 background sd from its edges), one
  // every 0.5 days: no pair falls within max_trigger_days = 0.25, so θ = 0, every event is
  // background and the background holds all of their mass. Expected count over the horizon
  // = 400 / window × horizon.
  const auto g = grid::Grid::FromExtent(0, 0, 3000, 3000, 150, "EPSG:32618").value();
  EventSet ev;
  for (int k = 0; k < 400; ++k) {
    ev.Add(kStart + k * kSecondsPerDay / 2, 1000 + (k % 20) * 50, 1000 + (k / 20) * 50,
           OffenceGroup::kTheft, "t", std::to_string(k));
  }
  auto m = Sepp({{"window_days", "250"}, {"max_trigger_days", "0.25"}});
  ASSERT_TRUE(m->Fit(ev, g, kStart + 250 * kSecondsPerDay).ok());
  EXPECT_EQ(m->fit().pairs, 0);
  EXPECT_EQ(m->fit().theta, 0.0);
  EXPECT_TRUE(m->fit().converged);
  for (double h : {1.0, 7.0, 30.0}) {
    const auto s = m->Predict(h).value();
    double total = 0;
    for (double v : s.value) total += v;
    EXPECT_NEAR(total, 400.0 / 250 * h, 1e-9 * h) << h;
  }
}

TEST(SeppTest, FittedJsonRoundTripPredictsTheSameBytes) {
  const EventSet ev = SmallSimulation(3);
  const auto g = grid::Grid::FromExtent(0, 0, 2000, 2000, 150, "EPSG:32618").value();
  auto a = Sepp({{"window_days", "200"}});
  ASSERT_TRUE(a->Fit(ev, g, kStart + 200 * kSecondsPerDay).ok());
  const std::string json = a->FittedJson();
  auto b = Sepp({{"window_days", "200"}});
  ASSERT_TRUE(b->LoadFitted(json, g).ok());
  EXPECT_TRUE(b->FittedJson() == json);
  for (double h : {1.0, 7.0}) {
    const auto pa = *a->Predict(h), pb = *b->Predict(h);
    ASSERT_EQ(pa.value.size(), pb.value.size());
    EXPECT_EQ(std::memcmp(pa.value.data(), pb.value.data(), pa.value.size() * sizeof(double)), 0);
  }
  EXPECT_GT(a->fit().theta, 0.1);
  EXPECT_FALSE(a->fit().trigger_age_days.empty());
}

// Update() keeps θ, g and μ and replaces the events that can trigger. The full forecast with those
// fixed parameters is built here independently: the saved fit with its origin moved and the
// trigger list recomputed by this test's own loop, reloaded. The two forecasts must be the same
// bytes, at 1 and 3.5 days after the fit's origin.
TEST(SeppTest, UpdateEqualsTheFullForecastWithFixedParameters) {
  const EventSet ev = SmallSimulation(4);
  const auto g = grid::Grid::FromExtent(0, 0, 2000, 2000, 150, "EPSG:32618").value();
  const std::map<std::string, std::string> params = {{"window_days", "150"},
                                                     {"max_trigger_days", "20"}};
  const int64_t t0 = kStart + 150 * kSecondsPerDay;
  auto a = Sepp(params);
  EXPECT_EQ(a->Update(ev, g, t0).code(), ErrorCode::kInvalidInput);  // before a fit
  ASSERT_TRUE(a->Fit(ev, g, t0).ok());
  const std::string at_t0 = a->FittedJson();
  const auto before = *a->Predict(1);
  for (const int64_t dt : {kSecondsPerDay, 3 * kSecondsPerDay + kSecondsPerDay / 2}) {
    const int64_t t1 = t0 + dt;
    ASSERT_TRUE(a->Update(ev, g, t1).ok());
    nlohmann::json j = nlohmann::json::parse(at_t0);
    j["origin_s"] = t1;
    std::vector<double> age, x, y;
    for (size_t i = 0; i < ev.size(); ++i) {
      const double d = static_cast<double>(t1 - ev.t_s[i]) / kSecondsPerDay;
      if (ev.t_s[i] >= t1 - 150 * kSecondsPerDay && ev.t_s[i] < t1 && d < 20 &&
          g.PointToCell(ev.x_m[i], ev.y_m[i]) != grid::kNoCell) {
        age.push_back(d);
        x.push_back(ev.x_m[i]);
        y.push_back(ev.y_m[i]);
      }
    }
    ASSERT_FALSE(age.empty());
    j["trigger_age_days"] = age;
    j["trigger_x_m"] = x;
    j["trigger_y_m"] = y;
    auto full = Sepp(params);
    ASSERT_TRUE(full->LoadFitted(j.dump(), g).ok());
    for (double h : {1.0, 7.0}) {
      const auto pa = *a->Predict(h), pf = *full->Predict(h);
      ASSERT_EQ(pa.value.size(), pf.value.size());
      EXPECT_EQ(std::memcmp(pa.value.data(), pf.value.data(), pa.value.size() * sizeof(double)), 0)
          << dt << " " << h;
    }
    EXPECT_EQ(a->fit().theta, full->fit().theta);
    EXPECT_EQ(a->fit().origin_s, t1);
    EXPECT_EQ(a->fit().window_start_s, t1 - 150 * kSecondsPerDay);  // the window moves too
  }
  // The new days' events changed the forecast; an earlier origin is refused.
  EXPECT_NE(a->Predict(1)->value, before.value);
  EXPECT_EQ(a->Update(ev, g, t0).code(), ErrorCode::kInvalidInput);
}

// refit_every_days = 7: a Fit() within 7 days of the last full fit is an Update(); at 7 days or
// later it is a full fit again, equal in bytes to a fresh model's.
TEST(SeppTest, RefitEveryDaysUpdatesWithinThePeriodAndRefitsAfter) {
  const EventSet ev = SmallSimulation(5);
  const auto g = grid::Grid::FromExtent(0, 0, 2000, 2000, 150, "EPSG:32618").value();
  const int64_t t0 = kStart + 150 * kSecondsPerDay;
  auto lazy = Sepp({{"window_days", "150"}, {"max_trigger_days", "20"}, {"refit_every_days", "7"}});
  auto eager = Sepp({{"window_days", "150"}, {"max_trigger_days", "20"}});
  ASSERT_TRUE(lazy->Fit(ev, g, t0).ok());
  ASSERT_TRUE(eager->Fit(ev, g, t0).ok());
  ASSERT_TRUE(eager->Update(ev, g, t0 + 2 * kSecondsPerDay).ok());
  ASSERT_TRUE(lazy->Fit(ev, g, t0 + 2 * kSecondsPerDay).ok());
  EXPECT_EQ(lazy->Predict(1)->value, eager->Predict(1)->value);
  EXPECT_EQ(lazy->fit().iterations, eager->fit().iterations);
  ASSERT_TRUE(lazy->Fit(ev, g, t0 + 7 * kSecondsPerDay).ok());
  auto fresh = Sepp({{"window_days", "150"}, {"max_trigger_days", "20"}});
  ASSERT_TRUE(fresh->Fit(ev, g, t0 + 7 * kSecondsPerDay).ok());
  EXPECT_EQ(lazy->Predict(1)->value, fresh->Predict(1)->value);
  EXPECT_NE(lazy->fit().theta, eager->fit().theta);  // refitted on the later window
}

TEST(SeppTest, LoadFittedRejectsOtherGridsModelsAndVersions) {
  const auto g = GridFromText(". . .", 100);
  const auto other = GridFromText(". . . .", 100);
  const std::string good = HandFit(g, 0.5, 10, 100, 2, 150, 50, 0.1);
  auto m = Sepp({});
  struct Case {
    std::string json;
    ErrorCode code;
    std::string message;
  };
  auto edit = [&](const std::function<void(nlohmann::json&)>& fn) {
    auto j = nlohmann::json::parse(good);
    fn(j);
    return j.dump();
  };
  const Case cases[] = {
      {"[1]", ErrorCode::kInvalidInput, "sepp: LoadFitted: not a JSON object"},
      {edit([](auto& j) { j["model"] = "sepp_grid"; }), ErrorCode::kInvalidInput,
       "sepp: LoadFitted: model: expected \"sepp\""},
      {edit([](auto& j) { j["schema_version"] = 2; }), ErrorCode::kData,
       "sepp: LoadFitted: schema_version 2 is not supported (expected 1)"},
      {edit([](auto& j) { j["theta"] = 1.5; }), ErrorCode::kInvalidInput,
       "sepp: LoadFitted: theta: expected a value in [0, 1)"},
      {edit([](auto& j) {
         j["time_density"] = {1.0, 2.0};
       }),
       ErrorCode::kInvalidInput,
       "sepp: LoadFitted: time_density: expected an array of 1000 numbers"},
      {edit([](auto& j) { j["mu_per_day"][1] = -1.0; }), ErrorCode::kInvalidInput,
       "sepp: LoadFitted: mu_per_day[1]: expected a non-negative number"},
      {edit([](auto& j) { j["trigger_x_m"] = nlohmann::json::array(); }), ErrorCode::kInvalidInput,
       "sepp: LoadFitted: trigger_x_m: expected an array of 1 numbers"},
  };
  for (const auto& c : cases) {
    Status s = m->LoadFitted(c.json, g);
    EXPECT_EQ(s.code(), c.code) << c.message;
    EXPECT_EQ(s.message(), c.message);
  }
  Status s = m->LoadFitted(good, other);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidInput);
  EXPECT_TRUE(Contains(s.message(),
                       "sepp: LoadFitted: grid: the fit is for a grid of 3 active "
                       "cells (3 x 1 cells of 100 m), not this one (4 active cells"))
      << s.message();
  EXPECT_FALSE(m->Predict(1).ok());  // nothing was loaded
  ASSERT_TRUE(m->LoadFitted(good, g).ok());
  EXPECT_TRUE(m->Predict(1).ok());
}

TEST(SeppTest, OneAndTwoThreadsGiveTheSameBytes) {
  const EventSet ev = SmallSimulation(9);
  const auto g = grid::Grid::FromExtent(0, 0, 2000, 2000, 150, "EPSG:32618").value();
  for (const char* mode : {"expected", "stochastic"}) {
    std::string first;
    for (const char* threads : {"1", "2", "3"}) {
      auto m = Sepp({{"window_days", "200"}, {"declustering", mode}, {"num_threads", threads}});
      ASSERT_TRUE(m->Fit(ev, g, kStart + 200 * kSecondsPerDay).ok());
      auto j = nlohmann::json::parse(m->FittedJson());
      j.erase("params");  // num_threads differs
      if (first.empty()) {
        first = j.dump();
      } else {
        EXPECT_EQ(j.dump(), first) << mode << " threads " << threads;
      }
    }
  }
  // Stochastic declustering: the seed decides.
  auto a = Sepp({{"window_days", "200"}, {"declustering", "stochastic"}, {"seed", "1"}});
  auto b = Sepp({{"window_days", "200"}, {"declustering", "stochastic"}, {"seed", "2"}});
  ASSERT_TRUE(a->Fit(ev, g, kStart + 200 * kSecondsPerDay).ok());
  ASSERT_TRUE(b->Fit(ev, g, kStart + 200 * kSecondsPerDay).ok());
  EXPECT_NE(a->fit().space_density, b->fit().space_density);
}

TEST(SeppTest, IterationCapIsReportedAsAWarning) {
  const EventSet ev = SmallSimulation(4);
  const auto g = grid::Grid::FromExtent(0, 0, 2000, 2000, 150, "EPSG:32618").value();
  auto m = Sepp({{"window_days", "200"}, {"max_iterations", "2"}});
  ASSERT_TRUE(m->Fit(ev, g, kStart + 200 * kSecondsPerDay).ok());
  EXPECT_FALSE(m->fit().converged);
  EXPECT_EQ(m->fit().iterations, 2);
  bool found = false;
  for (const auto& w : m->Warnings()) {
    found = found || Contains(w, "sepp stopped at max_iterations = 2 before converging");
  }
  EXPECT_TRUE(found);
  auto full = Sepp({{"window_days", "200"}});
  ASSERT_TRUE(full->Fit(ev, g, kStart + 200 * kSecondsPerDay).ok());
  EXPECT_TRUE(full->fit().converged);
  EXPECT_GT(full->fit().iterations, 2);
}

TEST(SeppTest, InvalidParametersAreRejected) {
  struct Case {
    const char* param;
    const char* value;
    const char* expected;
  };
  const Case cases[] = {
      {"window_days", "0", "sepp: parameter window_days: expected a value in [1, 36500]"},
      {"max_trigger_m", "5", "sepp: parameter max_trigger_m: expected a value in [10, 10000]"},
      {"max_trigger_days", "-1", "sepp: parameter max_trigger_days: expected a value in"},
      {"declustering", "random",
       "sepp: parameter declustering: expected one of "
       "expected|stochastic"},
      {"tol", "0", "sepp: parameter tol: expected a value in"},
      {"background_bandwidth_m", "wide",
       "sepp: parameter background_bandwidth_m: expected a "
       "number"},
  };
  for (const auto& c : cases) {
    auto m = SeppModel::Create({{c.param, c.value}});
    ASSERT_FALSE(m.ok()) << c.param;
    EXPECT_EQ(m.status().code(), ErrorCode::kInvalidInput);
    EXPECT_TRUE(Contains(m.status().message(), c.expected)) << m.status().message();
  }
  // A background raster too fine for the grid.
  const auto big = grid::Grid::FromExtent(0, 0, 50000, 50000, 500, "EPSG:32618").value();
  EventSet ev;
  ev.Add(kStart, 100, 100, OffenceGroup::kTheft, "t", "a");
  auto m = Sepp({{"background_bandwidth_m", "1"}});
  Status s = m->Fit(ev, big, kStart + kSecondsPerDay);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidInput);
  EXPECT_TRUE(Contains(s.message(),
                       "sepp: background_bandwidth_m: 1 m on this 101 x 101 grid of "
                       "500 m cells needs a background raster of 2550250000 bins"))
      << s.message();
}

TEST(SeppSimTest, ContinuousSameSeedSameEventsExpectedCountAndBlobs) {
  SeppSimSpec spec;
  spec.theta = 0.5;
  spec.background_per_day = 10;
  spec.duration_days = 2000;
  spec.blobs = {{3000, 3000, 200, 0.3}, {7000, 6000, 400, 0.2}};
  const EventSet a = SimulateSepp(spec).value();
  const EventSet b = SimulateSepp(spec).value();
  EXPECT_EQ(a.t_s, b.t_s);
  EXPECT_EQ(a.x_m, b.x_m);
  EXPECT_EQ(a.id, b.id);
  spec.seed = 2;
  EXPECT_NE(SimulateSepp(spec)->x_m, a.x_m);
  // Stationary mean count: μ T / (1 − θ) = 40 000, less the children lost past the end
  // (≈ θ/(1−θ)² μ/ω = 200 with ω = 0.1): 39 800 ± 3 sd (sd ≈ sqrt(μT)/(1−θ)^1.5 ≈ 400).
  EXPECT_NEAR(static_cast<double>(a.size()), 39800, 1200);
  // About half the background in the blobs: count within 2 sd of the first blob's centre.
  size_t near_blob = 0, generation0 = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a.id[i].rfind("s0-", 0) != 0) continue;
    ++generation0;
    if (std::hypot(a.x_m[i] - 3000, a.y_m[i] - 3000) < 400) ++near_blob;
  }
  // 30% of the background × P(r < 2 sd) = 0.865 for a 2-D Gaussian, plus the uniform part.
  const double expected = generation0 * (0.3 * 0.865 + 0.5 * 3.14159 * 400 * 400 / 1e8);
  EXPECT_NEAR(near_blob / expected, 1.0, 0.05);
  EXPECT_EQ(a.Validate().code(), ErrorCode::kOk);
}

TEST(SeppSimTest, ContinuousInvalidSpecsAreRejected) {
  SeppSimSpec spec;
  spec.theta = 1;
  EXPECT_EQ(SimulateSepp(spec).status().message(),
            "SimulateSepp: theta: expected a value in [0, 1) (got 1)");
  spec = SeppSimSpec{};
  spec.sigma_m = -1;
  EXPECT_EQ(SimulateSepp(spec).status().message(),
            "SimulateSepp: sigma_m: expected a non-negative number (got -1)");
  spec = SeppSimSpec{};
  spec.blobs = {{0, 0, 10, 0.7}, {0, 0, 10, 0.7}};
  EXPECT_EQ(SimulateSepp(spec).status().message(),
            "SimulateSepp: blobs: weights sum to more than 1");
  spec = SeppSimSpec{};
  spec.x1_m = spec.x0_m;
  EXPECT_EQ(SimulateSepp(spec).status().code(), ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace placecast::models
