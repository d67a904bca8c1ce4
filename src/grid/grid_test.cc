// SPDX-License-Identifier: Apache-2.0
#include "placecast/grid/grid.h"

#include <gtest/gtest.h>

#include <cmath>

namespace placecast::grid {
namespace {

// Mask drawn as text, north row first: '#' active, '.' masked.
Grid FromText(const std::vector<std::string>& rows, double size = 100) {
  const auto ny = static_cast<int32_t>(rows.size());
  const auto nx = static_cast<int32_t>(rows[0].size());
  std::vector<uint8_t> mask(static_cast<size_t>(nx) * ny);
  for (int32_t r = 0; r < ny; ++r) {
    for (int32_t c = 0; c < nx; ++c) mask[r * nx + c] = rows[ny - 1 - r][c] == '#';
  }
  return *Grid::Create(0, 0, size, nx, ny, mask, "EPSG:32618");
}

TEST(GridTest, CellIdsAreRowMajorFromSouthWestSkippingMask) {
  Grid g = FromText({
      "#.#",  // row 1 (north)
      "##.",  // row 0 (south)
  });
  EXPECT_EQ(g.num_cells(), 4);
  EXPECT_EQ(g.ColRowToCell(0, 0), 0);
  EXPECT_EQ(g.ColRowToCell(1, 0), 1);
  EXPECT_EQ(g.ColRowToCell(2, 0), kNoCell);
  EXPECT_EQ(g.ColRowToCell(0, 1), 2);
  EXPECT_EQ(g.ColRowToCell(2, 1), 3);
  EXPECT_DOUBLE_EQ(g.CellCenterX(3), 250);
  EXPECT_DOUBLE_EQ(g.CellCenterY(3), 150);
}

TEST(GridTest, PointOnInnerEdgeGoesToEastOrNorthCell) {
  Grid g = FromText({"##", "##"});
  EXPECT_EQ(g.PointToCell(100, 50), 1);
  EXPECT_EQ(g.PointToCell(50, 100), 2);
  EXPECT_EQ(g.PointToCell(0, 0), 0);
  EXPECT_EQ(g.PointToCell(200, 50), kNoCell);  // outer edge is outside
  EXPECT_EQ(g.PointToCell(-0.001, 50), kNoCell);
  EXPECT_EQ(g.PointToCell(std::nan(""), 50), kNoCell);
}

TEST(GridTest, MaskedCellHoldsNoPoint) {
  Grid g = FromText({".#"});
  EXPECT_EQ(g.PointToCell(50, 50), kNoCell);
  EXPECT_EQ(g.PointToCell(150, 50), 0);
}

TEST(GridTest, FromExtentAlignsToCellSize) {
  auto g = Grid::FromExtent(120, 260, 480, 300, 100, "");
  ASSERT_TRUE(g.ok());
  EXPECT_DOUBLE_EQ(g->x0_m(), 100);
  EXPECT_DOUBLE_EQ(g->y0_m(), 200);
  EXPECT_EQ(g->nx(), 4);
  EXPECT_EQ(g->ny(), 2);
}

TEST(GridTest, InvalidInputsAreRejected) {
  EXPECT_EQ(Grid::Create(0, 0, 0, 1, 1, {}, "").status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(Grid::Create(0, 0, 1, 0, 1, {}, "").status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(Grid::Create(0, 0, 1, 2, 1, {1}, "").status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(Grid::Create(0, 0, 1, 1, 1, {0}, "").status().code(), ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace placecast::grid
