// SPDX-License-Identifier: Apache-2.0
#include "placecast/grid/geometry.h"

#include <gtest/gtest.h>

namespace placecast::grid {
namespace {

Boundary Square(double x0, double y0, double x1, double y1) {
  Boundary b;
  b.rings.push_back({{x0, x1, x1, x0}, {y0, y0, y1, y1}});
  return b;
}

TEST(GeometryTest, ContainsUsesEvenOddRule) {
  Boundary b = Square(0, 0, 10, 10);
  b.rings.push_back(Square(4, 4, 6, 6).rings[0]);  // a hole
  EXPECT_TRUE(b.Contains(1, 1));
  EXPECT_FALSE(b.Contains(5, 5));
  EXPECT_FALSE(b.Contains(11, 5));
}

TEST(GeometryTest, MaskKeepsCellsWhoseCentreIsInside) {
  // An L-shaped area on a 100 m grid, drawn north row first:
  //   #.
  //   ##
  Boundary b;
  b.rings.push_back({{0, 200, 200, 100, 100, 0}, {0, 0, 100, 100, 200, 200}});
  auto g = GridFromBoundary(b, 100, "EPSG:3857");
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ(g->nx(), 3);  // the extent's east edge at 200 m opens a third column
  EXPECT_EQ(g->num_cells(), 3);
  EXPECT_NE(g->ColRowToCell(0, 0), kNoCell);
  EXPECT_NE(g->ColRowToCell(1, 0), kNoCell);
  EXPECT_NE(g->ColRowToCell(0, 1), kNoCell);
  EXPECT_EQ(g->ColRowToCell(1, 1), kNoCell);
  EXPECT_EQ(g->ColRowToCell(2, 0), kNoCell);
}

TEST(GeometryTest, TinyBoundaryWithNoCellCentreIsAnError) {
  auto g = GridFromBoundary(Square(1, 1, 2, 2), 100, "");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace placecast::grid
