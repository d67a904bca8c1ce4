// SPDX-License-Identifier: Apache-2.0
#include "placecast/io/calendar.h"

#include <date/tz.h>

#include <map>
#include <mutex>

#include "io/time_parse.h"
#include "placecast/common/event_set.h"
#include "placecast/io/store.h"

namespace placecast::io {

Result<Calendar> LoadCalendar(const std::string& name) {
  static std::mutex mu;
  static std::map<std::string, Calendar> cache;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(name);
    if (it != cache.end()) return it->second;
  }
  PLACECAST_ASSIGN_OR_RETURN(std::shared_ptr<const TimeZone> tz, TimeZone::Load(name));
  // The offsets from the first instant incidents may carry to the last, one entry per change.
  const int64_t first = DaysFromCivil(kMinIncidentYear, 1, 1) * kSecondsPerDay - kSecondsPerDay;
  const int64_t last = DaysFromCivil(kMaxIncidentYear + 1, 1, 1) * kSecondsPerDay + kSecondsPerDay;
  std::vector<Calendar::Transition> transitions;
  int64_t t = first;
  while (t < last) {
    const int32_t offset = tz->OffsetAt(t);
    if (transitions.empty() || transitions.back().offset_s != offset) {
      transitions.push_back({t, offset});
    }
    const int64_t next = tz->NextTransition(t);
    if (next <= t) break;
    t = next;
  }
  Calendar cal(name, std::move(transitions));
  std::lock_guard<std::mutex> lock(mu);
  return cache.emplace(name, std::move(cal)).first->second;
}

Result<Calendar> StoreCalendar(Store& store) {
  PLACECAST_ASSIGN_OR_RETURN(std::string zone, store.GetTimeZone());
  return LoadCalendar(zone.empty() ? "UTC" : zone);
}

}  // namespace placecast::io
