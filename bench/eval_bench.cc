// SPDX-License-Identifier: Apache-2.0
// Google Benchmark of the eval subsystem on a synthetic city of Philadelphia's size (130 × 130
// cells of 150 m, ~16 900 cells; ~35 000 events a year around 80 hotspots): scoring one surface at
// the summary and curve coverages, and a whole 365-origin backtest (naive + retro, 2000 bootstrap
// replications) on 1 and 2 threads.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>

#include "placecast/eval/backtest.h"
#include "placecast/eval/metrics.h"

namespace placecast::eval {
namespace {

constexpr double kSideM = 130 * 150.0;
constexpr int64_t kFirstOrigin = 730 * kSecondsPerDay;  // two years of history before it

struct City {
  grid::Grid grid;
  EventSet events;
};

const City& GetCity() {
  static const City city = [] {
    City c;
    c.grid = grid::Grid::FromExtent(0, 0, kSideM - 1, kSideM - 1, 150, "EPSG:32618").value();
    std::mt19937_64 rng(7);
    auto unit = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
    std::vector<std::pair<double, double>> hot(80);
    for (auto& h : hot) h = {unit() * kSideM, unit() * kSideM};
    const int64_t span_s = kFirstOrigin + 366 * kSecondsPerDay;
    const auto n =
        static_cast<size_t>(35'000.0 * static_cast<double>(span_s) / (365.0 * kSecondsPerDay));
    for (size_t i = 0; i < n; ++i) {
      double x = unit() * kSideM, y = unit() * kSideM;
      if (unit() < 0.6) {  // near a hotspot: uniform in a 600 m square around it
        const auto& h = hot[rng() % hot.size()];
        x = std::clamp(h.first + (unit() - 0.5) * 600, 0.0, kSideM - 1);
        y = std::clamp(h.second + (unit() - 0.5) * 600, 0.0, kSideM - 1);
      }
      c.events.Add(static_cast<int64_t>(rng() % static_cast<uint64_t>(span_s)), x, y,
                   OffenceGroup::kTheft, "theft", "");
    }
    c.events.SortByTime();
    return c;
  }();
  return city;
}

void BM_ScoreCoverages(benchmark::State& state) {
  const City& city = GetCity();
  const auto cells = EventCells(city.events, city.grid);
  // Risk: the last 365 days' counts (many ties); observed: one day.
  auto past = CountEventsPerCell(city.events, city.grid, kFirstOrigin - 365 * kSecondsPerDay,
                                 kFirstOrigin, cells);
  grid::Surface risk{{past.begin(), past.end()}};
  const auto observed = CountEventsPerCell(city.events, city.grid, kFirstOrigin,
                                           kFirstOrigin + kSecondsPerDay, cells);
  std::vector<double> cov = {1, 2, 5, 10, 20};
  const auto curve = CurveCoveragesPct();
  cov.insert(cov.end(), curve.begin(), curve.end());
  const grid::TieBreak ties = grid::TieBreakFromEvents(city.events, city.grid, kFirstOrigin);
  for (auto _ : state) {
    auto s = ScoreCoverages(risk, observed, cov, ties);
    benchmark::DoNotOptimize(s);
  }
  state.counters["cells"] = city.grid.num_cells();
}
BENCHMARK(BM_ScoreCoverages)->Unit(benchmark::kMicrosecond);

void BM_Backtest365(benchmark::State& state) {
  const City& city = GetCity();
  BacktestRequest req;
  req.models = {"naive", "retro"};
  req.from_s = kFirstOrigin;
  req.to_s = kFirstOrigin + 364 * kSecondsPerDay;
  req.train_days = 365;
  req.threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    auto r = RunBacktest(req, city.events, city.grid);
    if (!r.ok()) {
      state.SkipWithError(r.status().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(r->events);
  }
  state.counters["origins"] = 365;
  state.counters["cells"] = city.grid.num_cells();
}
BENCHMARK(BM_Backtest365)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace placecast::eval

BENCHMARK_MAIN();
