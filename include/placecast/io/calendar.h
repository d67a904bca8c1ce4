// SPDX-License-Identifier: Apache-2.0
// The local calendar of an IANA time zone, and of a store (the zone its incidents were recorded
// in), read from the system's tz database through date/tz.h.
#pragma once

#include <string>

#include "placecast/common/calendar.h"
#include "placecast/status.h"

namespace placecast::io {

class Store;

// The calendar of zone `name` ("America/New_York", "UTC"), its offsets tabulated over the years
// incidents may carry (1900..2100). kInvalidInput "tz: ..." naming the value for a name that is
// not a zone of the system's database. Cached per name; thread-safe.
Result<Calendar> LoadCalendar(const std::string& name);

// The calendar of the store's time zone (Store::GetTimeZone()).
Result<Calendar> StoreCalendar(Store& store);

}  // namespace placecast::io
