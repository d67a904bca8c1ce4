// SPDX-License-Identifier: Apache-2.0
#include "placecast/grid/geometry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

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

namespace placecast::grid {
namespace {

// Random star-shaped rings (with holes and overlaps) and random points: the banded index must
// give exactly Boundary::Contains, whatever the number of bands, including on vertices and edges.
TEST(BoundaryIndexTest, AgreesExactlyWithTheFullTest) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Boundary b;
  for (int r = 0; r < 6; ++r) {
    Ring ring;
    const double cx = 1000 * u(rng), cy = 1000 * u(rng);
    const int n = 5 + static_cast<int>(200 * u(rng));
    for (int k = 0; k < n; ++k) {
      const double a = 2 * M_PI * k / n, rad = 50 + 400 * u(rng);
      ring.x_m.push_back(std::round(cx + rad * std::cos(a)));
      ring.y_m.push_back(std::round(cy + rad * std::sin(a)));  // integer y: many exact ties
    }
    b.rings.push_back(ring);
  }
  for (int bands : {0, 1, 3, 64, 1000}) {
    SCOPED_TRACE(bands);
    const BoundaryIndex index(b, bands);
    int inside = 0;
    for (int i = 0; i < 20000; ++i) {
      const double x = std::round(-200 + 1400 * u(rng)), y = std::round(-200 + 1400 * u(rng));
      ASSERT_EQ(index.Contains(x, y), b.Contains(x, y)) << x << " " << y;
      inside += b.Contains(x, y);
    }
    EXPECT_GT(inside, 1000);  // the test exercises both answers
    for (const auto& ring : b.rings) {
      for (size_t k = 0; k < ring.x_m.size(); ++k) {
        ASSERT_EQ(index.Contains(ring.x_m[k], ring.y_m[k]), b.Contains(ring.x_m[k], ring.y_m[k]));
      }
    }
  }
  EXPECT_FALSE(BoundaryIndex(Boundary{}).Contains(0, 0));
}

}  // namespace
}  // namespace placecast::grid
