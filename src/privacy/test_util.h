// SPDX-License-Identifier: Apache-2.0
// For the privacy tests only: a 4 x 3 grid of 100 m cells, events drawn per cell as text, and a
// suppression mask as text (privacy_test.cc, policy_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "placecast/common/event_set.h"
#include "placecast/grid/grid.h"

namespace placecast::privacy::testing {

constexpr double kCell = 100;
constexpr double kX0 = 1000, kY0 = 2000;

inline grid::Grid TinyGrid() {
  auto g = grid::Grid::Create(kX0, kY0, kCell, 4, 3, {}, "EPSG:32618");
  EXPECT_TRUE(g.ok());
  return std::move(g).value();
}

// Events drawn per cell, north row first: a digit is the number of events at the cell's centre,
// one a day from day 1.
inline EventSet EventsFromText(const std::vector<std::string>& rows) {
  EventSet ev;
  const int ny = static_cast<int>(rows.size());
  int n = 0;
  for (int i = 0; i < ny; ++i) {
    const int row = ny - 1 - i;
    for (size_t col = 0; col < rows[i].size(); ++col) {
      for (int k = 0; k < rows[i][col] - '0'; ++k) {
        char id[32];
        std::snprintf(id, sizeof(id), "e%d", n);
        ev.Add(86400 * (n + 1), kX0 + (col + 0.5) * kCell, kY0 + (row + 0.5) * kCell,
               OffenceGroup::kRobbery, "ROBBERY", id);
        ++n;
      }
    }
  }
  ev.SortByTime();
  return ev;
}

// The suppression mask as text, north row first: "X" suppressed, "." published.
inline std::vector<std::string> MaskToText(const grid::Grid& g, const std::vector<uint8_t>& sup) {
  std::vector<std::string> out;
  for (int row = g.ny() - 1; row >= 0; --row) {
    std::string line;
    for (int col = 0; col < g.nx(); ++col) line += sup[g.ColRowToCell(col, row)] ? 'X' : '.';
    out.push_back(line);
  }
  return out;
}

}  // namespace placecast::privacy::testing
