// SPDX-License-Identifier: Apache-2.0
// placecast_sepp_timing [--model=sepp] STORE.gpkg [N ...]: times a full sepp_grid fit (EM to
// convergence; with --model=sepp, a fit of the continuous `sepp` model instead) on the
// N most recent located incidents of every offence group in a GeoPackage store (all of them when
// N is 0 or omitted), on 150 m cells over the events' extent, with a whole-history window. For
// docs/benchmarks.md and the speed target; not a unit test. Prints, per N, the median and range
// of 5 fits, iterations, the fitted θ and ω, and at the end the process's peak RSS. With
// --model=sepp it also times a 7-day Predict() and the explanation of the top 5 cells of that
// forecast from the fit (ExplainFittedCells, 5 events each), as `forecast --explain-top 5` does.
// Single process; the fit itself uses the model's default 2 threads.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "placecast/common/offence.h"
#include "placecast/grid/ranking.h"
#include "placecast/io/store.h"
#include "placecast/models/explain.h"
#include "placecast/models/sepp.h"
#include "placecast/models/sepp_grid.h"

namespace {

using placecast::EventSet;
using placecast::kSecondsPerDay;

EventSet Tail(const EventSet& all, size_t n) {
  if (n == 0 || n >= all.size()) return all;
  EventSet out;
  const size_t first = all.size() - n;
  out.t_s.assign(all.t_s.begin() + static_cast<std::ptrdiff_t>(first), all.t_s.end());
  out.x_m.assign(all.x_m.begin() + static_cast<std::ptrdiff_t>(first), all.x_m.end());
  out.y_m.assign(all.y_m.begin() + static_cast<std::ptrdiff_t>(first), all.y_m.end());
  out.group.assign(all.group.begin() + static_cast<std::ptrdiff_t>(first), all.group.end());
  out.offence.assign(all.offence.begin() + static_cast<std::ptrdiff_t>(first), all.offence.end());
  out.offence_names = all.offence_names;
  out.crs = all.crs;
  return out;
}

}  // namespace

// Times `runs` fits of the continuous sepp model (default parameters, a whole-history window).
int TimeSepp(const EventSet& ev, const placecast::grid::Grid& grid, int64_t window_days, int runs) {
  const int64_t origin = ev.t_s.back() + 1;
  std::vector<double> secs, predict_secs, explain_secs;
  placecast::models::SeppFit fit;
  for (int run = 0; run < runs; ++run) {
    auto m = placecast::models::SeppModel::Create({{"window_days", std::to_string(window_days)}})
                 .value();
    const auto t0 = std::chrono::steady_clock::now();
    const placecast::Status s = m->Fit(ev, grid, origin);
    const auto t1 = std::chrono::steady_clock::now();
    secs.push_back(std::chrono::duration<double>(t1 - t0).count());
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return static_cast<int>(s.code());
    }
    fit = m->fit();
    const auto surface = m->Predict(7).value();
    const auto t2 = std::chrono::steady_clock::now();
    std::vector<placecast::grid::CellId> top =
        placecast::grid::RankCells(surface, placecast::grid::TieBreakFromEvents(ev, grid, origin))
            .cells;
    top.resize(std::min<size_t>(top.size(), 5));
    auto explained = placecast::models::ExplainFittedCells(*m, ev, grid, origin, top, 5, 7);
    const auto t3 = std::chrono::steady_clock::now();
    if (!explained.ok()) {
      std::fprintf(stderr, "%s\n", explained.status().ToString().c_str());
      return static_cast<int>(explained.status().code());
    }
    predict_secs.push_back(std::chrono::duration<double>(t2 - t1).count());
    explain_secs.push_back(std::chrono::duration<double>(t3 - t2).count());
  }
  std::sort(secs.begin(), secs.end());
  std::sort(predict_secs.begin(), predict_secs.end());
  std::sort(explain_secs.begin(), explain_secs.end());
  std::printf(
      "sepp predict 7 d median %.4f s; explain top 5 cells median %.4f s (%.2f%% of the "
      "fit)\n",
      predict_secs[predict_secs.size() / 2], explain_secs[explain_secs.size() / 2],
      100 * explain_secs[explain_secs.size() / 2] / secs[secs.size() / 2]);
  std::printf(
      "sepp events %zu  cells %d  window %lld d  pairs %lld  fit median %.3f s (min %.3f, max "
      "%.3f, %d runs)  iterations %lld  converged %d  theta %.4f  median lag %.2f d  median "
      "distance %.1f m\n",
      ev.size(), grid.num_cells(), static_cast<long long>(window_days),
      static_cast<long long>(fit.pairs), secs[secs.size() / 2], secs.front(), secs.back(), runs,
      static_cast<long long>(fit.iterations), fit.converged ? 1 : 0, fit.theta, fit.median_lag_days,
      fit.median_distance_m);
  return 0;
}

int main(int argc, char** argv) {
  bool sepp = false;
  if (argc >= 2 && std::string_view(argv[1]) == "--model=sepp") {
    sepp = true;
    --argc;
    ++argv;
  }
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s [--model=sepp] STORE.gpkg [N ...]\n", argv[0]);
    return 1;
  }
  auto store = placecast::io::Store::OpenGeoPackage(argv[1], false);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return static_cast<int>(store.status().code());
  }
  std::vector<placecast::OffenceGroup> groups;
  for (const auto& g : placecast::OffenceGroups()) groups.push_back(g.group);
  const auto l0 = std::chrono::steady_clock::now();
  auto events = (*store)->LoadEvents(groups, INT64_MIN / 2, INT64_MAX / 2);
  if (!events.ok()) {
    std::fprintf(stderr, "%s\n", events.status().ToString().c_str());
    return static_cast<int>(events.status().code());
  }
  const double load_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - l0).count();
  std::printf("loaded %zu located incidents in %.2f s\n", events->size(), load_s);
  std::vector<size_t> sizes;
  for (int a = 2; a < argc; ++a) sizes.push_back(static_cast<size_t>(std::atoll(argv[a])));
  if (sizes.empty()) sizes.push_back(0);
  for (size_t n : sizes) {
    const EventSet ev = Tail(*events, n);
    if (ev.empty()) continue;
    double xmin = 1e300, ymin = 1e300, xmax = -1e300, ymax = -1e300;
    for (size_t i = 0; i < ev.size(); ++i) {
      xmin = std::min(xmin, ev.x_m[i]);
      xmax = std::max(xmax, ev.x_m[i]);
      ymin = std::min(ymin, ev.y_m[i]);
      ymax = std::max(ymax, ev.y_m[i]);
    }
    auto grid = placecast::grid::Grid::FromExtent(xmin, ymin, xmax, ymax, 150, ev.crs);
    if (!grid.ok()) return 2;
    const int64_t origin = ev.t_s.back() + 1;
    const int64_t window_days = (origin - ev.t_s.front() + kSecondsPerDay - 1) / kSecondsPerDay;
    if (sepp) {
      const int rc = TimeSepp(ev, *grid, window_days, 3);
      if (rc != 0) return rc;
      continue;
    }
    std::vector<double> secs;
    placecast::models::SeppGridFit fit;
    for (int run = 0; run < 5; ++run) {
      auto m =
          placecast::models::SeppGridModel::Create({{"window_days", std::to_string(window_days)}})
              .value();
      const auto t0 = std::chrono::steady_clock::now();
      const placecast::Status s = m->Fit(ev, *grid, origin);
      secs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      if (!s.ok()) {
        std::fprintf(stderr, "%s\n", s.ToString().c_str());
        return static_cast<int>(s.code());
      }
      fit = m->fit();
    }
    std::sort(secs.begin(), secs.end());
    std::printf(
        "events %zu  cells %d  window %lld d  fit median %.3f s (min %.3f, max %.3f)  "
        "iterations %lld  converged %d  theta %.4f  omega %.4f/day\n",
        ev.size(), grid->num_cells(), static_cast<long long>(window_days), secs[2], secs[0],
        secs[4], static_cast<long long>(fit.iterations), fit.converged ? 1 : 0, fit.theta,
        fit.omega_per_day);
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak RSS %.1f MiB (whole process, including the loaded events)\n",
              static_cast<double>(ru.ru_maxrss) / 1024.0);
  return 0;
}
