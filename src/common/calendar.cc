// SPDX-License-Identifier: Apache-2.0
#include "placecast/common/calendar.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "placecast/common/event_set.h"

namespace placecast {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

Calendar::Calendar() : zone_("UTC"), transitions_{{0, 0}} {}

Calendar::Calendar(std::string zone, std::vector<Transition> transitions)
    : zone_(std::move(zone)), transitions_(std::move(transitions)) {
  if (transitions_.empty()) transitions_.push_back({0, 0});
}

bool Calendar::is_utc() const {
  return std::all_of(transitions_.begin(), transitions_.end(),
                     [](const Transition& t) { return t.offset_s == 0; });
}

int32_t Calendar::OffsetAt(int64_t utc_s) const {
  // The last transition at or before utc_s; the first one's offset also applies before it.
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc_s,
                             [](int64_t t, const Transition& tr) { return t < tr.from_utc_s; });
  if (it == transitions_.begin()) return transitions_.front().offset_s;
  return std::prev(it)->offset_s;
}

int64_t Calendar::DayOf(int64_t utc_s) const {
  return FloorDiv(utc_s + OffsetAt(utc_s), kSecondsPerDay);
}

int64_t Calendar::DayStart(int64_t day) const {
  const int64_t midnight = day * kSecondsPerDay;  // local midnight read as if UTC
  // Usually local midnight exists once: read it with the offset in force around it.
  const int64_t guess = midnight - OffsetAt(midnight - OffsetAt(midnight));
  if (DayOf(guess) == day && DayOf(guess - 1) < day) return guess;
  // A clock change at midnight: the first instant whose local day is `day`. Offsets stay within
  // ±26 hours, so the answer lies within two days of `midnight`.
  int64_t lo = midnight - 2 * kSecondsPerDay, hi = midnight + 2 * kSecondsPerDay;
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    (DayOf(mid) >= day ? hi : lo) = mid;
  }
  return hi;
}

int64_t Calendar::HorizonEnd(int64_t origin_s, double days) const {
  const double whole = std::floor(days);
  return AddDays(origin_s, static_cast<int64_t>(whole)) +
         static_cast<int64_t>(std::llround((days - whole) * kSecondsPerDay));
}

Result<int64_t> Calendar::ParseDate(std::string_view date, std::string_view what) const {
  PLACECAST_ASSIGN_OR_RETURN(int64_t utc_midnight, placecast::ParseDate(date, what));
  return DayStart(utc_midnight / kSecondsPerDay);
}

std::string Calendar::FormatDate(int64_t utc_s) const {
  return placecast::FormatDate(DayOf(utc_s) * kSecondsPerDay);
}

std::string Calendar::FormatDateTime(int64_t utc_s) const {
  const int32_t off = OffsetAt(utc_s);
  char buf[40];
  placecast::FormatDateTime(utc_s + off, buf, sizeof buf);  // "…Z": replace the zone suffix
  std::string out(buf);
  if (!out.empty() && out.back() == 'Z') out.pop_back();
  if (off == 0) return out + "Z";
  const int32_t a = std::abs(off);
  char zone[16];
  std::snprintf(zone, sizeof zone, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
  return out + zone;
}

std::string Calendar::Describe() const {
  return is_utc() ? std::string("UTC days") : "local days in " + zone_;
}

}  // namespace placecast
