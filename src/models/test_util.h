// SPDX-License-Identifier: Apache-2.0
// Test helpers for the models: tiny grids and event sets drawn as text, and surfaces printed back
// as text. Rows are written north first (the top line is the northernmost row), as on a map.
// Test-only; not thread-safe.
#pragma once

#include <cstdio>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/common/event_set.h"
#include "placecast/grid/grid.h"

namespace placecast::models::testing {

inline std::vector<std::string> SplitRows(std::string_view art) {
  std::vector<std::string> rows;
  std::istringstream in{std::string(art)};
  for (std::string line; std::getline(in, line);) {
    std::string row;
    for (char ch : line) {
      if (ch != ' ') row.push_back(ch);
    }
    if (!row.empty()) rows.push_back(row);
  }
  return rows;
}

// A grid from art: '#' masked cell, any other character active. South-west corner at (0, 0).
inline grid::Grid GridFromText(std::string_view art, double cell_size_m) {
  const auto rows = SplitRows(art);
  const auto ny = static_cast<int32_t>(rows.size());
  const auto nx = static_cast<int32_t>(rows.front().size());
  std::vector<uint8_t> mask(static_cast<size_t>(nx) * ny);
  for (int32_t r = 0; r < ny; ++r) {
    for (int32_t c = 0; c < nx; ++c) {
      mask[static_cast<size_t>(r) * nx + c] = rows[ny - 1 - r][c] == '#' ? 0 : 1;
    }
  }
  return grid::Grid::Create(0, 0, cell_size_m, nx, ny, std::move(mask), "EPSG:32618").value();
}

// Adds `count` events at time t_s at the centre of each cell drawn with digit `count` in `art`.
inline void AddEventsFromText(EventSet* events, std::string_view art, double cell_size_m,
                              int64_t t_s) {
  const auto rows = SplitRows(art);
  const auto ny = static_cast<int32_t>(rows.size());
  for (int32_t r = 0; r < ny; ++r) {
    const std::string& line = rows[ny - 1 - r];
    for (int32_t c = 0; c < static_cast<int32_t>(line.size()); ++c) {
      if (line[c] < '1' || line[c] > '9') continue;
      for (int k = 0; k < line[c] - '0'; ++k) {
        events->Add(t_s, (c + 0.5) * cell_size_m, (r + 0.5) * cell_size_m,
                    OffenceGroup::kBurglaryResidential, "burglary", "e");
      }
    }
  }
}

// The surface as text, north row first, each value printed with `fmt` ("%g"), masked cells "#".
inline std::string SurfaceToText(const grid::Grid& g, const grid::Surface& s,
                                 const char* fmt = "%g") {
  std::string out;
  for (int32_t r = g.ny() - 1; r >= 0; --r) {
    for (int32_t c = 0; c < g.nx(); ++c) {
      const grid::CellId id = g.ColRowToCell(c, r);
      char buf[64];
      if (id == grid::kNoCell) {
        std::snprintf(buf, sizeof(buf), "#");
      } else {
        std::snprintf(buf, sizeof(buf), fmt, s.value[static_cast<size_t>(id)]);
      }
      if (c > 0) out += ' ';
      out += buf;
    }
    out += "\n";
  }
  return out;
}

// `n` events uniform over [0, w) × [0, h) and [t0, t1) seconds, sorted, from a fixed seed.
inline EventSet RandomEvents(size_t n, double w, double h, int64_t t0, int64_t t1, uint32_t seed) {
  std::mt19937_64 rng(seed);
  EventSet ev;
  for (size_t i = 0; i < n; ++i) {
    const double x = static_cast<double>(rng() % 1'000'000) / 1e6 * w;
    const double y = static_cast<double>(rng() % 1'000'000) / 1e6 * h;
    const int64_t t = t0 + static_cast<int64_t>(rng() % static_cast<uint64_t>(t1 - t0));
    ev.Add(t, x, y, OffenceGroup::kBurglaryResidential, "burglary", std::to_string(i));
  }
  ev.SortByTime();
  return ev;
}

}  // namespace placecast::models::testing
