// SPDX-License-Identifier: Apache-2.0
// Calendar: the local days of a study's time zone. An origin "2024-12-01" in Philadelphia is
// 00:00 Eastern time on that date (05:00 UTC), a horizon of one day ends at the next local
// midnight (23 or 25 hours later across a daylight-saving change), and a backtest steps from
// local midnight to local midnight. Analysts, shifts and published evaluations count days so.
//
// A Calendar is a value: the zone's UTC offsets as a table of transitions, built once from the
// IANA database by io::LoadCalendar() (this layer does not read zoneinfo files). Immutable once
// built; safe to share between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/status.h"

namespace placecast {

class Calendar {
 public:
  // From `from_utc_s` on (until the next transition) the zone's offset is `offset_s`.
  struct Transition {
    int64_t from_utc_s = 0;
    int32_t offset_s = 0;
  };

  // UTC: days are UTC days.
  Calendar();
  // REQUIRES: `transitions` non-empty, sorted by from_utc_s, distinct; the first entry's offset
  // also applies before its start. `zone` is the IANA name ("America/New_York").
  Calendar(std::string zone, std::vector<Transition> transitions);

  const std::string& zone() const { return zone_; }
  bool is_utc() const;

  // The UTC offset in force at `utc_s`, in seconds (east positive).
  int32_t OffsetAt(int64_t utc_s) const;
  // The local civil day of `utc_s`, as days since 1970-01-01.
  int64_t DayOf(int64_t utc_s) const;
  // The first UTC instant of local day `day` (local midnight, or the end of a gap that swallows
  // it in the few zones that change their clocks at midnight).
  int64_t DayStart(int64_t day) const;
  // True when `utc_s` is the start of its local day.
  bool IsDayStart(int64_t utc_s) const { return DayStart(DayOf(utc_s)) == utc_s; }
  // The start of the local day `n` days after the day of `utc_s` (n may be negative).
  int64_t AddDays(int64_t utc_s, int64_t n) const { return DayStart(DayOf(utc_s) + n); }
  // Whole local days from the day of `from_s` to the day of `to_s` (negative when to is earlier).
  int64_t DaysBetween(int64_t from_s, int64_t to_s) const { return DayOf(to_s) - DayOf(from_s); }
  // The end of a horizon of `days` from the day start `origin_s`: the whole days in local days,
  // a fractional rest as that share of 24 hours (a shift of 0.5 days is 12 hours).
  int64_t HorizonEnd(int64_t origin_s, double days) const;

  // "2024-12-01" -> the start of that local day. kInvalidInput naming `what` for anything else,
  // and for a year outside 1900..2100, as placecast::ParseDate.
  Result<int64_t> ParseDate(std::string_view date, std::string_view what) const;
  // The local date of `utc_s`, "YYYY-MM-DD".
  std::string FormatDate(int64_t utc_s) const;
  // The local date and time with its offset: "2024-12-01T00:00:00-05:00" ("Z" in UTC).
  std::string FormatDateTime(int64_t utc_s) const;

  // What a product or report says about its days: "local days in America/New_York"; "UTC days"
  // for UTC.
  std::string Describe() const;

 private:
  std::string zone_;
  std::vector<Transition> transitions_;
};

}  // namespace placecast
