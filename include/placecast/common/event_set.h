// SPDX-License-Identifier: Apache-2.0
// EventSet: incidents as columns, sorted by time — what every model, metric and audit reads.
// Times are UTC seconds since the Unix epoch; coordinates are projected metres in `crs`.
// Not thread-safe to modify; safe to read from several threads once built.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "placecast/common/offence.h"
#include "placecast/status.h"

namespace placecast {

inline constexpr int64_t kSecondsPerDay = 86400;

struct EventSet {
  std::vector<int64_t> t_s;         // UTC seconds since 1970-01-01, ascending
  std::vector<double> x_m;          // easting in metres (crs)
  std::vector<double> y_m;          // northing in metres (crs)
  std::vector<OffenceGroup> group;  // standard group
  std::vector<uint32_t> offence;    // index into offence_names (offence as published)
  std::vector<std::string> offence_names;
  std::vector<std::string> id;  // record id as published
  std::string crs;              // "EPSG:32618"

  size_t size() const { return t_s.size(); }
  bool empty() const { return t_s.empty(); }

  // Index range [first, last) of the events with t0 <= t < t1. O(log n).
  std::pair<size_t, size_t> TimeRange(int64_t t0, int64_t t1) const;

  // Appends one event; call SortByTime() afterwards unless appended in time order.
  void Add(int64_t t, double x, double y, OffenceGroup g, std::string_view offence_name,
           std::string_view record_id);

  // Stable sort by time, then by id, so equal inputs give equal orders.
  void SortByTime();

  // The events whose group is in `keep` (order kept).
  EventSet Filter(const std::vector<OffenceGroup>& keep) const;

  // kInternal when columns differ in length or times are not sorted.
  Status Validate() const;
};

// "2024-07-01" -> UTC midnight of that date in seconds. kInvalidInput naming `what` otherwise,
// also for a year outside 1900..2100 (the years incidents may carry, docs/ingest.md).
Result<int64_t> ParseDate(std::string_view date, std::string_view what);
// Seconds -> "YYYY-MM-DD" (UTC).
std::string FormatDate(int64_t t_s);
// Seconds -> "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatDateTime(int64_t t_s);
// The same into `out` (NUL-terminated, at most cap - 1 characters); returns the length. No
// allocation: for writers of many rows.
size_t FormatDateTime(int64_t t_s, char* out, size_t cap);
// Days since epoch for a civil date (proleptic Gregorian), and back.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d);

}  // namespace placecast
