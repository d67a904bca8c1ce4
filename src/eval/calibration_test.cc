// SPDX-License-Identifier: Apache-2.0
// Tests of the decile sums of one forecast and of their summary: sums by hand on 20 cells, tie
// blocks shared by position whatever the cell ids, fewer cells than deciles, invalid inputs, and
// the ratio and calibration error of counts and of shares.
#include "placecast/eval/calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace placecast::eval {
namespace {

using Kind = models::Model::OutputKind;

// Risk c + 1 for cell c of 20: rank positions hold cells 19, 18, …, 0, so decile 1 is cells 19 and
// 18 and decile 10 cells 1 and 0.
TEST(CalibrationTest, DecileSumsByHand) {
  grid::Surface risk;
  for (int c = 0; c < 20; ++c) risk.value.push_back(c + 1);
  std::vector<int64_t> observed(20, 0);
  observed[19] = 3;
  observed[18] = 1;
  observed[10] = 2;  // decile 5 (positions 8, 9 hold cells 11, 10)
  observed[0] = 1;
  auto d = CalibrationDeciles(risk, observed, {});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  for (size_t k = 0; k < kCalibrationGroups; ++k) {
    SCOPED_TRACE(k);
    EXPECT_EQ((*d)[k].cells, 2);
    const double top = 20 - 2.0 * static_cast<double>(k);  // risk of the first cell of decile k+1
    EXPECT_EQ((*d)[k].predicted, top + top - 1);
  }
  EXPECT_EQ((*d)[0].observed, 4);
  EXPECT_EQ((*d)[4].observed, 2);
  EXPECT_EQ((*d)[9].observed, 1);
  EXPECT_EQ((*d)[1].observed + (*d)[2].observed + (*d)[3].observed, 0);
}

// Cells 0..4 high (risk 9), 5..14 tied at 5, 15..19 low (risk 1): with 20 cells the tied block
// spans positions 5..14, i.e. half of decile 3, deciles 4..7 and half of decile 8. Its 10 events
// are shared by position (1 per position), whichever cells they fall in.
TEST(CalibrationTest, TieBlocksShareTheirEventsByPosition) {
  grid::Surface risk;
  for (int c = 0; c < 20; ++c) risk.value.push_back(c < 5 ? 9 : c < 15 ? 5 : 1);
  for (int placement : {5, 9, 14}) {
    SCOPED_TRACE(placement);
    std::vector<int64_t> observed(20, 0);
    observed[static_cast<size_t>(placement)] = 10;
    auto d = CalibrationDeciles(risk, observed, {});
    ASSERT_TRUE(d.ok());
    const double want[10] = {0, 0, 1, 2, 2, 2, 2, 1, 0, 0};
    for (size_t k = 0; k < kCalibrationGroups; ++k) EXPECT_EQ((*d)[k].observed, want[k]) << k;
    EXPECT_EQ((*d)[2].predicted, 9 + 5);
    EXPECT_EQ((*d)[3].predicted, 5 + 5);
  }
  // The tie keys split the block: history puts cell 14 first, so its events go to decile 3.
  grid::TieBreak ties;
  ties.history.assign(20, 0);
  ties.smoothed.assign(20, 0);
  ties.history[14] = 1;
  std::vector<int64_t> observed(20, 0);
  observed[14] = 10;
  auto d = CalibrationDeciles(risk, observed, ties);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)[2].observed, 10);
}

TEST(CalibrationTest, FewerCellsThanDecilesLeavesSomeEmpty) {
  const grid::Surface risk{{3, 2, 1}};
  const std::vector<int64_t> observed = {1, 0, 4};
  auto d = CalibrationDeciles(risk, observed, {});
  ASSERT_TRUE(d.ok());
  // bounds floor(k × 3 / 10): 0 0 0 0 1 1 1 2 2 2 3 → deciles 4, 7 and 10 hold one cell each.
  std::vector<int64_t> cells;
  for (const DecileSums& s : *d) cells.push_back(s.cells);
  EXPECT_EQ(cells, (std::vector<int64_t>{0, 0, 0, 1, 0, 0, 1, 0, 0, 1}));
  EXPECT_EQ((*d)[3].predicted, 3);
  EXPECT_EQ((*d)[3].observed, 1);
  EXPECT_EQ((*d)[9].predicted, 1);
  EXPECT_EQ((*d)[9].observed, 4);
}

TEST(CalibrationTest, InvalidInputs) {
  const double inf = std::numeric_limits<double>::infinity();
  grid::TieBreak short_ties;
  short_ties.history = {0};
  struct Case {
    grid::Surface risk;
    std::vector<int64_t> observed;
    grid::TieBreak ties;
    const char* message;
  } cases[] = {
      {{}, {}, {}, "calibration: the surface has no cells"},
      {{{1, 2}}, {0}, {}, "calibration: the surface has 2 cells but the observed counts have 1"},
      {{{1, inf}}, {0, 0}, {}, "calibration: risk of cell 1 is not finite (got inf)"},
      {{{1, 2}}, {0, -1}, {}, "calibration: observed count of cell 1 is negative (got -1)"},
      {{{1, 2}},
       {0, 0},
       short_ties,
       "calibration: the surface has 2 cells but the tie keys have 1"},
  };
  for (const Case& c : cases) {
    auto d = CalibrationDeciles(c.risk, c.observed, c.ties);
    ASSERT_FALSE(d.ok()) << c.message;
    EXPECT_EQ(d.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(d.status().message(), c.message);
  }
}

std::vector<DecileSums> Sums(const std::vector<double>& predicted,
                             const std::vector<double>& observed) {
  std::vector<DecileSums> s(kCalibrationGroups);
  for (size_t k = 0; k < kCalibrationGroups; ++k) s[k] = {5, predicted[k], observed[k]};
  return s;
}

TEST(CalibrationTest, SummaryOfCounts) {
  // Predicted 10 per decile (100 in all); observed 20 in decile 1, 10 elsewhere but 0 in decile 10.
  std::vector<double> p(10, 10), o(10, 10);
  o[0] = 20;
  o[9] = 0;
  const Calibration c = SummariseCalibration(Sums(p, o), Kind::kExpectedCount);
  EXPECT_EQ(c.value_kind, Kind::kExpectedCount);
  ASSERT_EQ(c.deciles.size(), kCalibrationGroups);
  EXPECT_EQ(c.deciles[0].decile, 1);
  EXPECT_EQ(c.deciles[9].decile, 10);
  EXPECT_EQ(c.deciles[0].cells, 5);
  EXPECT_EQ(c.predicted, 100);
  EXPECT_EQ(c.observed, 100);
  EXPECT_EQ(c.observed_over_predicted, 1);
  EXPECT_DOUBLE_EQ(c.calibration_error, 0.2);  // (10 + 10) / 100
  EXPECT_DOUBLE_EQ(c.deciles[0].observed_share, 0.2);
  EXPECT_DOUBLE_EQ(c.deciles[0].predicted_share, 0.1);

  // Every prediction doubled: the ratio halves and half of the predictions are surplus.
  for (double& v : p) v = 20;
  const Calibration twice = SummariseCalibration(Sums(p, p), Kind::kExpectedCount);
  const std::vector<double> half(10, 10);
  const Calibration doubled = SummariseCalibration(Sums(p, half), Kind::kExpectedCount);
  EXPECT_EQ(twice.calibration_error, 0);
  EXPECT_EQ(doubled.observed_over_predicted, 0.5);
  EXPECT_EQ(doubled.calibration_error, 1);  // Σ|10 − 20| / Σ 10

  // Nothing predicted: no ratio, every observed event is an error.
  const Calibration none =
      SummariseCalibration(Sums(std::vector<double>(10, 0), half), Kind::kExpectedCount);
  EXPECT_TRUE(std::isnan(none.observed_over_predicted));
  EXPECT_TRUE(std::isnan(none.deciles[0].predicted_share));
  EXPECT_EQ(none.calibration_error, 1);
  // Nothing observed: no error.
  EXPECT_TRUE(
      std::isnan(SummariseCalibration(Sums(half, std::vector<double>(10, 0)), Kind::kExpectedCount)
                     .calibration_error));
}

TEST(CalibrationTest, SummaryOfRelativeScoresComparesShares) {
  // Scores 1000 times the observed counts: the shares agree exactly, the counts never do.
  std::vector<double> o = {40, 20, 10, 10, 5, 5, 4, 3, 2, 1};
  std::vector<double> p;
  for (double v : o) p.push_back(1000 * v);
  const Calibration c = SummariseCalibration(Sums(p, o), Kind::kRelativeScore);
  EXPECT_TRUE(std::isnan(c.observed_over_predicted));
  EXPECT_NEAR(c.calibration_error, 0, 1e-15);
  EXPECT_DOUBLE_EQ(c.deciles[0].predicted_share, 0.4);
  // Moving 10 % of the predicted share from decile 1 to decile 10 costs 0.2.
  p[0] -= 10000;
  p[9] += 10000;
  EXPECT_NEAR(SummariseCalibration(Sums(p, o), Kind::kRelativeScore).calibration_error, 0.2, 1e-12);
  // Nothing predicted: shares undefined.
  EXPECT_TRUE(
      std::isnan(SummariseCalibration(Sums(std::vector<double>(10, 0), o), Kind::kRelativeScore)
                     .calibration_error));
}

}  // namespace
}  // namespace placecast::eval
