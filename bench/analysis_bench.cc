// SPDX-License-Identifier: Apache-2.0
// Timing of the analysis subsystem on synthetic cities (not a unit test; run by hand):
//   knox: 12,000 events (or the x,y,date CSV given as argv[1], e.g. chicago_be_2016.csv),
//         3 × 100 m and 3 × 7-day bands, 999 permutations, 2 threads — target < 10 s;
//   scan: 103,000 events over a year on ~60,000 locations, radius <= 500 m, windows <= 21 days:
//         most likely cluster (0 replications) — target < 1 s; 999 replications — target < 60 s.
// Single-threaded driver; the library uses 2 worker threads.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "placecast/analysis/knox.h"
#include "placecast/analysis/scan.h"

namespace pa = placecast::analysis;
using placecast::EventSet;
using placecast::kSecondsPerDay;
using placecast::OffenceGroup;

namespace {

// A city of 20 km × 20 km: half the events uniform, half around `hubs` neighbourhood centres,
// snapped to `snap_m` (block-level geocoding). With 103k events, 40 m snapping gives about 60k
// distinct locations, like a year of Philadelphia's incidents (162k events on 78k locations in
// 2023, 370 km²).
EventSet City(int n, int hubs, double snap_m, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 20000);
  std::normal_distribution<double> spread(0, 900);
  std::uniform_int_distribution<int64_t> day(0, 364);
  std::vector<std::pair<double, double>> hub;
  for (int h = 0; h < hubs; ++h) hub.push_back({u(rng), u(rng)});
  std::uniform_int_distribution<int> pick(0, hubs - 1);
  EventSet ev;
  for (int i = 0; i < n; ++i) {
    double x = u(rng), y = u(rng);
    if (i % 2 == 0) {
      const auto& c = hub[pick(rng)];
      x = c.first + spread(rng);
      y = c.second + spread(rng);
    }
    x = std::round(x / snap_m) * snap_m;
    y = std::round(y / snap_m) * snap_m;
    ev.Add((19000 + day(rng)) * kSecondsPerDay, x, y, OffenceGroup::kUnknown, "",
           std::to_string(i));
  }
  ev.SortByTime();
  return ev;
}

EventSet ReadCsv(const std::string& path) {
  EventSet ev;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string xs, ys, ds;
    std::getline(ss, xs, ',');
    std::getline(ss, ys, ',');
    std::getline(ss, ds, ',');
    auto t = placecast::ParseDate(ds.substr(0, 10), "date");
    char* end = nullptr;
    const double x = std::strtod(xs.c_str(), &end);
    if (!t.ok() || end == xs.c_str()) continue;  // header, NA dates
    ev.Add(*t, x, std::strtod(ys.c_str(), nullptr), OffenceGroup::kUnknown, "", "");
  }
  ev.SortByTime();
  return ev;
}

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  // argv[1]: Knox input CSV or "-" for the synthetic city; argv[2]: scan replications.
  const bool csv = argc > 1 && std::string(argv[1]) != "-";
  const EventSet knox_events = csv ? ReadCsv(argv[1]) : City(12000, 60, 10, 1);
  const int64_t reps = argc > 2 ? std::atoll(argv[2]) : 999;
  pa::KnoxRequest kq;
  kq.space_bands_m = {100, 200, 300};
  kq.time_bands_days = {7, 14, 21};
  kq.distance = pa::DistanceMetric::kManhattan;
  kq.permutations = 999;
  auto t0 = std::chrono::steady_clock::now();
  auto k = pa::KnoxTest(knox_events, kq);
  if (!k.ok()) {
    std::fprintf(stderr, "knox: %s\n", k.status().ToString().c_str());
    return 1;
  }
  std::printf("knox: %zu events, %lld close pairs, 999 permutations: %.2f s (target < 10 s)\n",
              knox_events.size(), static_cast<long long>(k->close_pairs), Seconds(t0));

  const EventSet scan_events = City(103000, 150, 40, 2);
  pa::ScanRequest sq;
  sq.analysis_date_s = (19000 + 364) * kSecondsPerDay;
  sq.study_period_days = 365;
  sq.max_radius_m = 500;
  sq.max_window_days = 21;
  sq.replications = 0;
  t0 = std::chrono::steady_clock::now();
  auto s = pa::SpaceTimePermutationScan(scan_events, sq);
  if (!s.ok()) {
    std::fprintf(stderr, "scan: %s\n", s.status().ToString().c_str());
    return 1;
  }
  std::printf("scan: %lld events, %lld locations, most likely cluster: %.2f s (target < 1 s)\n",
              static_cast<long long>(s->num_events), static_cast<long long>(s->num_locations),
              Seconds(t0));
  sq.replications = reps;
  t0 = std::chrono::steady_clock::now();
  s = pa::SpaceTimePermutationScan(scan_events, sq);
  if (!s.ok()) return 1;
  std::printf("scan: %lld replications: %.2f s (target < 60 s for 999); most likely p = %g\n",
              static_cast<long long>(reps), Seconds(t0),
              s->clusters.empty() ? 1.0 : s->clusters[0].p_value);
  return 0;
}
