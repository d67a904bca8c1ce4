// SPDX-License-Identifier: Apache-2.0
// Public holidays of the country a study's time zone lies in, as a feature of learned models
// (issue 15: "calendar of the target window (day of week, month, holiday flag)"). Crime follows
// the rhythm of work and leisure, and holidays break it (Cohn and Rotton 2003, "Even criminals
// take a holiday"). Days are local civil days (days since 1970-01-01, Calendar::DayOf).
//
// The country is read from the IANA zone: the zones of the United States (America/New_York,
// America/Chicago, …) give the US federal holidays (5 U.S.C. 6103); America/Vancouver gives the
// statutory holidays of British Columbia, the other Canadian zones those of the federal Canada
// Labour Code. Any other zone, and UTC, has no holidays: HolidaysKnown() says so, and callers say
// it to the user. A holiday that falls on a weekend is observed on the nearest weekday (Friday
// or Monday; Canada: the Monday); both the day itself and the observed day count. Pure functions;
// thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace placecast {

// The holiday rules a zone follows.
enum class HolidayRules { kNone, kUnitedStates, kCanada, kBritishColumbia };

// The rules of IANA zone `zone` (kNone for zones outside the US and Canada, and for "UTC").
HolidayRules HolidayRulesForZone(std::string_view zone);

// True when `rules` has holidays (not kNone).
inline bool HolidaysKnown(HolidayRules rules) { return rules != HolidayRules::kNone; }

// The holiday's name when local day `day` (days since 1970-01-01) is a public holiday under
// `rules`, or the weekday a weekend holiday is observed on ("Independence Day" for both 4 July
// 2026, a Saturday, and Friday 3 July); "" otherwise. Years before 1971 or after 2199 have none.
std::string_view HolidayName(HolidayRules rules, int64_t day);

}  // namespace placecast
