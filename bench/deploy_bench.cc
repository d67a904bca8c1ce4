// SPDX-License-Identifier: Apache-2.0
// Patrol allocation on a Philadelphia-sized grid (docs/benchmarks.md, "Patrol allocation"):
// 128 × 128 cells of 150 m (16,384 cells, 369 km²), expected events per cell from a skewed
// synthetic surface (log-normal noise times Gaussian hotspots, so a few cells carry most of the
// risk, as in the shipped sample's forecasts), a random time-of-day profile per cell over three
// shifts, N patrol points placed by AutoPointCells (top-risk cells at least 400 m apart, as
// `--points auto:N`), 400 m coverage, 30 units per shift. One iteration builds the coverage sets
// and solves the three shifts, as `placecast allocate` does after its forecast.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>

#include "placecast/deploy/allocate.h"

namespace {

using placecast::deploy::CoverProblem;

struct City {
  placecast::grid::Grid grid;
  std::vector<double> risk;                // expected events per cell over a day
  std::vector<std::vector<double>> share;  // [shift][cell]
};

const City& Philadelphia() {
  static const City city = [] {
    City c;
    c.grid = *placecast::grid::Grid::Create(0, 0, 150, 128, 128, {}, "EPSG:32618");
    std::mt19937_64 rng(2024);
    std::lognormal_distribution<double> noise(0.0, 1.0);
    std::uniform_real_distribution<double> u(0, 128 * 150);
    std::vector<std::array<double, 3>> hot;  // x, y, sigma
    for (int i = 0; i < 40; ++i) hot.push_back({u(rng), u(rng), 300 + 900 * (i % 4) / 3.0});
    const int n = c.grid.num_cells();
    c.risk.resize(n);
    double total = 0;
    for (int i = 0; i < n; ++i) {
      const double x = c.grid.CellCenterX(i), y = c.grid.CellCenterY(i);
      double h = 0.05;
      for (const auto& [hx, hy, s] : hot) {
        h += std::exp(-((x - hx) * (x - hx) + (y - hy) * (y - hy)) / (2 * s * s));
      }
      c.risk[i] = h * noise(rng);
      total += c.risk[i];
    }
    for (double& r : c.risk) r *= 200.0 / total;  // ~200 expected events a day citywide
    std::gamma_distribution<double> gam(3.0, 1.0);
    c.share.assign(3, std::vector<double>(n));
    for (int i = 0; i < n; ++i) {
      double g[3], sum = 0;
      for (double& v : g) sum += v = gam(rng);
      for (int s = 0; s < 3; ++s) c.share[s][i] = g[s] / sum;
    }
    return c;
  }();
  return city;
}

void BM_AllocateThreeShifts(benchmark::State& state) {
  const City& c = Philadelphia();
  const int points = static_cast<int>(state.range(0));
  const bool greedy = state.range(1) != 0;
  double covered_share = 0, gap = 0;
  for (auto _ : state) {
    auto cells = placecast::deploy::AutoPointCells(c.grid, c.risk, {}, points, 400);
    CoverProblem p;
    std::vector<int32_t> demand_of(c.grid.num_cells(), -1);
    std::vector<int32_t> demand;
    for (auto cell : *cells) {
      std::vector<int32_t> cov;
      for (auto d : placecast::deploy::CellsWithinRadius(c.grid, c.grid.CellCenterX(cell),
                                                         c.grid.CellCenterY(cell), 400)) {
        if (demand_of[d] < 0) {
          demand_of[d] = static_cast<int32_t>(demand.size());
          demand.push_back(d);
        }
        cov.push_back(demand_of[d]);
      }
      p.covers.push_back(cov);
    }
    p.units = 30;
    placecast::deploy::SolveOptions o;
    o.solver = greedy ? placecast::deploy::Solver::kGreedy : placecast::deploy::Solver::kGlpk;
    covered_share = gap = 0;
    for (int s = 0; s < 3; ++s) {
      p.weight.resize(demand.size());
      double shift_total = 0;
      for (int i = 0; i < c.grid.num_cells(); ++i) shift_total += c.risk[i] * c.share[s][i];
      for (size_t k = 0; k < demand.size(); ++k) {
        p.weight[k] = c.risk[demand[k]] * c.share[s][demand[k]];
      }
      auto sol = placecast::deploy::SolveMaxCover(p, o);
      if (!sol.ok() || (!greedy && !sol->optimal)) {
        state.SkipWithError("not solved to optimality");
        return;
      }
      covered_share += sol->objective / shift_total / 3;
      gap = std::max(gap, sol->gap);
    }
    benchmark::DoNotOptimize(covered_share);
  }
  state.counters["covered_share"] = covered_share;
  state.counters["max_gap"] = gap;
}
// 62 points (the case) and 200 points, exact and greedy.
BENCHMARK(BM_AllocateThreeShifts)
    ->Args({62, 0})
    ->Args({62, 1})
    ->Args({200, 0})
    ->Args({200, 1})
    ->Unit(benchmark::kMillisecond);

}  // namespace
BENCHMARK_MAIN();
