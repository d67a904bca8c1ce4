// SPDX-License-Identifier: Apache-2.0
// Test-only helpers of the eval tests: a small grid and simulated events with known hot cells.
#pragma once

#include <random>
#include <string>

#include "placecast/common/event_set.h"
#include "placecast/grid/grid.h"

namespace placecast::eval::testing_util {

inline constexpr int64_t kDay = kSecondsPerDay;
inline const int64_t kJan1 = DaysFromCivil(2024, 1, 1) * kDay;

// 10 × 10 grid of 100 m cells, all active.
inline grid::Grid TestGrid() { return *grid::Grid::Create(0, 0, 100, 10, 10, {}, "EPSG:32618"); }

// Days of events from 2023-11-01 to 2024-02-29, most of them in a few hot cells; no event at all
// on 2024-01-10 (a zero-event origin).
inline EventSet SimulatedEvents() {
  std::mt19937_64 rng(42);
  EventSet ev;
  const int64_t start = DaysFromCivil(2023, 11, 1) * kDay;
  const int64_t empty_day = DaysFromCivil(2024, 1, 10) * kDay;
  int id = 0;
  for (int64_t day = start; day < DaysFromCivil(2024, 3, 1) * kDay; day += kDay) {
    if (day == empty_day) continue;
    const int n = 2 + static_cast<int>(rng() % 6);
    for (int i = 0; i < n; ++i) {
      double x, y;
      if (rng() % 3 != 0) {  // hot cells at (2,3), (7,7), (5,1)
        static const double hot[3][2] = {{250, 350}, {750, 750}, {550, 150}};
        const auto h = rng() % 3;
        x = hot[h][0] + static_cast<double>(rng() % 80) - 40;
        y = hot[h][1] + static_cast<double>(rng() % 80) - 40;
      } else {
        x = static_cast<double>(rng() % 1000);
        y = static_cast<double>(rng() % 1000);
      }
      const std::string record_id = std::to_string(id++);  // ("e" + … trips GCC 12 -Wrestrict)
      ev.Add(day + static_cast<int64_t>(rng() % kDay), x, y, OffenceGroup::kTheft, "theft",
             record_id);
    }
  }
  ev.SortByTime();
  return ev;
}

}  // namespace placecast::eval::testing_util
