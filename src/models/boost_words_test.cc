// SPDX-License-Identifier: Apache-2.0
// Tests of BoostFeatureToWords: every column BoostFeatures names, for several windows, reads as
// words; calendar columns read with their value; names of later feature families (leading
// indicators, holidays) and unknown names read token by token.
#include "models/boost_words.h"

#include <gtest/gtest.h>

#include "models/boost_features.h"

namespace placecast::models {
namespace {

TEST(BoostWordsTest, KnownColumns) {
  const struct {
    const char* name;
    double value;
    const char* words;
  } cases[] = {
      {"count_1d_1x1", 2, "events in the cell in the last day"},
      {"count_7d_3x3", 5,
       "events within the 3\xc3\x97"
       "3 neighbourhood in the last 7 days"},
      {"count_365d_7x7", 0,
       "events within the 7\xc3\x97"
       "7 neighbourhood in the last 365 days"},
      {"count_730d_1x1", 9, "events in the cell in the last 730 days"},
      {"days_since_cell", 3.5, "days since the last event in the cell"},
      {"days_since_3x3", 0.5,
       "days since the last event within the 3\xc3\x97"
       "3 neighbourhood"},
      {"day_of_week", 0, "day of week: Monday"},
      {"day_of_week", 6, "day of week: Sunday"},
      {"day_of_week", 7, "day of week (0 = Monday)"},
      {"day_of_week", 2.5, "day of week (0 = Monday)"},
      {"month", 1, "month: January"},
      {"month", 12, "month: December"},
      {"month", 0, "month (1 = January)"},
      {"holiday", 1, "public holiday: yes"},
      {"holiday", 0, "public holiday: no"},
      {"ind_burglary_residential_7d_3x3", 1,
       "leading indicator: burglary residential events within the 3\xc3\x97"
       "3 neighbourhood in "
       "the last 7 days"},
      {"ind_theft_28_1x1", 1, "leading indicator: theft events in the cell in the last 28 days"},
      // Unknown names, token by token.
      {"ind_theft_7d", 0, "leading indicator: theft 7 days"},
      {"score_retro", 0.2, "score retro"},
      {"count_7d_3x4", 0, "events 7 days 3x4"},
      {"poi_bars_5x5", 0,
       "poi bars 5\xc3\x97"
       "5 neighbourhood"},
      {"", 0, "unnamed feature"},
      {"__", 0, "unnamed feature"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(BoostFeatureToWords(c.name, c.value), c.words) << c.name << " = " << c.value;
  }
}

TEST(BoostWordsTest, EveryColumnBoostFeaturesNamesReadsAsWords) {
  for (int64_t window_days : {2, 30, 91, 120, 365, 730, 3650}) {
    BoostFeatures f(window_days, {OffenceGroup::kRobbery, OffenceGroup::kAggravatedAssault}, 1);
    for (const std::string& name : f.names()) {
      const std::string words = BoostFeatureToWords(name, 1);
      SCOPED_TRACE(name + " -> " + words);
      // Read by a known rule: no column name, underscore or bare token left in the words.
      EXPECT_EQ(words.find('_'), std::string::npos);
      const bool count =
          words.rfind("events ", 0) == 0 && words.find(" in the last ") != std::string::npos;
      EXPECT_TRUE(count || words.rfind("days since the last event ", 0) == 0 ||
                  words.rfind("leading indicator: ", 0) == 0 || words == "public holiday: yes" ||
                  words == "day of week: Tuesday" || words == "month: January");
    }
  }
}

}  // namespace
}  // namespace placecast::models
