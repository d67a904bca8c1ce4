// SPDX-License-Identifier: Apache-2.0
// Internal to the models subsystem: the `boost` model's feature column names in words, for
// explanations ("count_7d_3x3" -> "events within the 3×3 neighbourhood in the last 7 days"). Pure
// functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace placecast::models {

// The feature column `name` (as BoostFeatures::names() gives it) in words, for a reader who has
// not seen the code. Calendar columns read with their value: "day of week: Monday" for
// day_of_week 0, "month: March" for month 3, "public holiday: yes" for holiday 1. Names this
// version does not know are read token by token ("ind_theft_7d_3x3" -> "leading indicator: theft
// events within the 3×3 neighbourhood in the last 7 days"; an unknown token is kept, underscores
// read as spaces), so a column added later is never shown as an empty string.
std::string BoostFeatureToWords(std::string_view name, double value);

}  // namespace placecast::models
