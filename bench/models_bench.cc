// SPDX-License-Identifier: Apache-2.0
// Google Benchmark of the models on a synthetic city the size of Philadelphia's burglary and theft
// data: a ~6 000-cell grid of 150 m cells and ~35 000 events a year, clustered around hotspots.
// The headline case is a year-long backtest: one model instance fitted at 365 daily origins.
// Single-threaded.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>

#include "placecast/models/model.h"

namespace placecast::models {
namespace {

constexpr double kWidthM = 12'000, kHeightM = 11'250;   // 80 × 75 cells of 150 m
constexpr int64_t kFirstOrigin = 730 * kSecondsPerDay;  // two years of history before it

struct City {
  grid::Grid grid;
  EventSet events;
};

const City& GetCity() {
  static const City city = [] {
    City c;
    c.grid = grid::Grid::FromExtent(0, 0, kWidthM - 1, kHeightM - 1, 150, "EPSG:32618").value();
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> ux(0, kWidthM), uy(0, kHeightM), u01(0, 1);
    std::normal_distribution<double> n01(0, 1);
    std::vector<std::pair<double, double>> hot(60);
    for (auto& h : hot) h = {ux(rng), uy(rng)};
    const int64_t span_s = kFirstOrigin + 366 * kSecondsPerDay;
    const size_t n = static_cast<size_t>(35'000.0 * span_s / (365.0 * kSecondsPerDay));
    for (size_t i = 0; i < n; ++i) {
      double x, y;
      if (u01(rng) < 0.6) {  // 60% near a hotspot, 40% anywhere
        const auto& h = hot[rng() % hot.size()];
        x = std::clamp(h.first + 300 * n01(rng), 0.0, kWidthM - 1);
        y = std::clamp(h.second + 300 * n01(rng), 0.0, kHeightM - 1);
      } else {
        x = ux(rng);
        y = uy(rng);
      }
      c.events.Add(static_cast<int64_t>(rng() % static_cast<uint64_t>(span_s)), x, y,
                   OffenceGroup::kBurglaryResidential, "burglary", "");
    }
    c.events.SortByTime();
    return c;
  }();
  return city;
}

// 365 daily origins through one instance, each followed by a Predict().
void BM_DailyBacktest(benchmark::State& state, const char* name,
                      std::map<std::string, std::string> params) {
  const City& city = GetCity();
  for (auto _ : state) {
    auto model = CreateModel(name, params).value();
    double total = 0;
    for (int d = 0; d < 365; ++d) {
      if (!model->Fit(city.events, city.grid, kFirstOrigin + d * kSecondsPerDay).ok()) {
        state.SkipWithError("fit failed");
        return;
      }
      total += model->Predict(1).value().value[0];
    }
    benchmark::DoNotOptimize(total);
  }
  state.counters["cells"] = city.grid.num_cells();
}

// One fresh fit at one origin.
void BM_SingleFit(benchmark::State& state, const char* name,
                  std::map<std::string, std::string> params) {
  const City& city = GetCity();
  for (auto _ : state) {
    auto model = CreateModel(name, params).value();
    benchmark::DoNotOptimize(model->Fit(city.events, city.grid, kFirstOrigin).ok());
    benchmark::DoNotOptimize(model->Predict(1).value().value.data());
  }
}

// boost between refits: the trees of the refit day (day 728, a multiple of 7) are fitted once,
// then each iteration is a Fit() at day 731, which reuses them: the features at the origin and
// one pass through the trees, the per-origin cost of a backtest or a daily forecast.
void BM_BoostPredictBetweenRefits(benchmark::State& state) {
  const City& city = GetCity();
  auto model = CreateModel("boost", {}).value();
  if (!model->Fit(city.events, city.grid, kFirstOrigin).ok()) {
    state.SkipWithError("fit failed");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        model->Fit(city.events, city.grid, kFirstOrigin + kSecondsPerDay).ok());
    benchmark::DoNotOptimize(model->Predict(1).value().value.data());
  }
  state.counters["cells"] = city.grid.num_cells();
}

BENCHMARK_CAPTURE(BM_DailyBacktest, naive, "naive", {})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DailyBacktest, retro_quartic_200m, "retro", {})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DailyBacktest, retro_gaussian_200m, "retro", {{"kernel", "gaussian"}})
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DailyBacktest, prospective, "prospective", {})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SingleFit, retro_quartic_200m, "retro", {})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SingleFit, prospective, "prospective", {})->Unit(benchmark::kMillisecond);
// boost at its defaults (a year of weekly training origins, 100 trees, one thread; no leading
// indicators: the synthetic city has one offence group), and a year of daily origins with the
// trees refitted every 28 days (13 fits), issue 15's speed case.
BENCHMARK_CAPTURE(BM_SingleFit, boost, "boost", {})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BoostPredictBetweenRefits)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DailyBacktest, boost_refit_28d, "boost", {{"refit_days", "28"}})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace
}  // namespace placecast::models

BENCHMARK_MAIN();
