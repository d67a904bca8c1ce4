// SPDX-License-Identifier: Apache-2.0
// Retention periods (`placecast retention --older-than DURATION`): parsing "365d", "52w", "24m",
// "3y" and turning one into the cutoff date before which incidents are purged (docs/privacy.md,
// "Retention"). The purge itself is Store::PurgeIncidentsBefore (store.h). Pure functions: safe
// to call from several threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "placecast/common/calendar.h"
#include "placecast/status.h"

namespace placecast::io {

// Persisted in ledger params as its letter; never renumber.
enum class RetentionUnit { kDays = 0, kWeeks = 1, kMonths = 2, kYears = 3 };

// A retention period: `count` whole units. Days and weeks are exact (86,400 s a day); months and
// years are calendar months back from the as-of date (a year is 12 months).
struct RetentionPeriod {
  int64_t count = 0;
  RetentionUnit unit = RetentionUnit::kDays;

  // "365d", "52w", "24m", "3y": the canonical text (what ParseRetentionPeriod reads back).
  std::string ToString() const;
  bool operator==(const RetentionPeriod&) const = default;
};

// Largest count accepted per unit: about 1,000 years in each.
inline constexpr int64_t kMaxRetentionDays = 366000;
inline constexpr int64_t kMaxRetentionWeeks = 52200;
inline constexpr int64_t kMaxRetentionMonths = 12000;
inline constexpr int64_t kMaxRetentionYears = 1000;

// Parses a positive whole number followed by one unit letter, d (days), w (weeks), m (calendar
// months) or y (calendar years), with nothing else ("365d"; not "365", "1.5y", "0d", "-3d",
// "3 d" or "3M"). kInvalidInput naming `what` and the text otherwise, or when the count exceeds
// the unit's maximum above.
Result<RetentionPeriod> ParseRetentionPeriod(std::string_view text, std::string_view what);

// The cutoff of a purge: the start of the local day (of `calendar`, the store's) that is `period`
// before the local date of `as_of_s`. Days and weeks count local days. Months and years move the
// month back by count (12 × count for years) and keep the day of the month, clamped to the last day
// of the target month: 2024-03-31 − 1m = 2024-02-29, 2024-02-29 − 1y = 2023-02-28, 2025-01-15 − 2m
// = 2024-11-15. Incidents with t < cutoff are purged; one exactly at the cutoff is kept.
int64_t RetentionCutoffS(int64_t as_of_s, const RetentionPeriod& period,
                         const Calendar& calendar = Calendar());

}  // namespace placecast::io
