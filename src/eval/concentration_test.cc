// SPDX-License-Identifier: Apache-2.0
// Known answers for the concentration measures.
#include "placecast/eval/concentration.h"

#include <gtest/gtest.h>

#include <vector>

namespace placecast::eval {
namespace {

TEST(ConcentrationTest, AllEventsInOneCellOfTen) {
  const std::vector<int64_t> counts = {0, 0, 0, 10, 0, 0, 0, 0, 0, 0};
  auto c = ComputeConcentration(counts, 10);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->events, 10);
  EXPECT_DOUBLE_EQ(c->top_share, 1.0);         // the top 10% is that cell
  EXPECT_DOUBLE_EQ(c->gini, 0.9);              // (2·10 − 10 − 1)·10 / (10·10)
  EXPECT_DOUBLE_EQ(c->generalized_gini, 0.9);  // N = n: no correction
  EXPECT_DOUBLE_EQ(c->cells_with_events_share, 0.1);
}

TEST(ConcentrationTest, EvenSpreadIsZero) {
  const std::vector<int64_t> counts(20, 3);
  auto c = ComputeConcentration(counts, 5);
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(c->gini, 0.0);
  EXPECT_DOUBLE_EQ(c->top_share, 0.05);  // all tied: the expected share of 5% of the cells
}

TEST(ConcentrationTest, FewerEventsThanCellsUsesTheGeneralizedGini) {
  // 4 events, one in each of 4 of 10 cells: as even as 4 events can be.
  const std::vector<int64_t> counts = {1, 0, 1, 0, 0, 1, 0, 0, 1, 0};
  auto c = ComputeConcentration(counts, 20);
  ASSERT_TRUE(c.ok());
  EXPECT_NEAR(c->gini, 0.6, 1e-12);  // 1 − N/n
  EXPECT_NEAR(c->generalized_gini, 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(c->top_share, 0.5);  // 2 of the 4 tied cells, in expectation
}

TEST(ConcentrationTest, HandComputedGini) {
  // Sorted 0, 1, 2, 7: sum (2i − 5) x_i = (−3)(0) + (−1)(1) + (1)(2) + (3)(7) = 22; G = 22 /
  // (4·10).
  const std::vector<int64_t> counts = {2, 7, 0, 1};
  auto c = ComputeConcentration(counts, 25);
  ASSERT_TRUE(c.ok());
  EXPECT_NEAR(c->gini, 0.55, 1e-12);
  EXPECT_DOUBLE_EQ(c->top_share, 0.7);
}

TEST(ConcentrationTest, InvalidInputs) {
  EXPECT_EQ(ComputeConcentration({}, 5).status().code(), ErrorCode::kInvalidInput);
  const std::vector<int64_t> negative = {1, -1};
  auto n = ComputeConcentration(negative, 5);
  EXPECT_EQ(n.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(n.status().message().find("cell 1"), std::string::npos);
  const std::vector<int64_t> ok = {1, 2};
  EXPECT_EQ(ComputeConcentration(ok, 0).status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(ComputeConcentration(ok, 101).status().code(), ErrorCode::kInvalidInput);
  auto none = ComputeConcentration(std::vector<int64_t>{0, 0}, 5);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->top_share, 0);
}

}  // namespace
}  // namespace placecast::eval
