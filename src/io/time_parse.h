// SPDX-License-Identifier: Apache-2.0
// Internal: date-time text → seconds, and local wall-clock time → UTC through Howard Hinnant's
// date/tz.h (libdate-tz, built with USE_OS_TZDB=1: the system's compiled zoneinfo files under
// /usr/share/zoneinfo), each zone checked once and cached.
// Thread-safe: zones are immutable once loaded; the cache is guarded by a mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "placecast/status.h"

namespace date {
class time_zone;
}  // namespace date

namespace placecast::io {

// A time format: "iso8601", "epoch" (seconds since 1970, UTC) or a strftime-like pattern using
// %Y %m %d %H %M %S (and %% for a percent sign); other characters must match literally.
class TimeFormat {
 public:
  // kInvalidInput for an unknown conversion ("%Q") or an empty pattern.
  static Result<TimeFormat> Parse(std::string_view spec);

  // Parses `text`. On success sets *seconds (wall-clock seconds since 1970 as if UTC, or true UTC
  // when *is_utc is set: an epoch value or an ISO 8601 zone suffix, already applied) and returns
  // true. Returns false for text that does not match or names an impossible date or time.
  bool ParseTime(std::string_view text, int64_t* seconds, bool* is_utc) const;

  const std::string& spec() const { return spec_; }
  // Describes the expected form for messages: "an ISO 8601 date-time", "a date-time %Y-%m-%d".
  std::string Expected() const;

 private:
  enum class Kind { kIso8601, kEpoch, kPattern };
  Kind kind_ = Kind::kIso8601;
  std::string spec_;
};

// Wall-clock seconds from civil fields; false for an impossible date or time.
bool CivilToSeconds(int64_t y, int mo, int d, int h, int mi, int s, int64_t* out);

// The years an incident time may fall in. Anything earlier or later is a typo, a placeholder
// (0001-01-01, 9999-12-31) or an epoch value in the wrong unit, never a crime to forecast from;
// ingest rejects it as `date_out_of_range`.
inline constexpr int kMinIncidentYear = 1900;
inline constexpr int kMaxIncidentYear = 2100;
// True when `seconds` (since 1970, wall clock or UTC) falls in kMinIncidentYear-01-01 00:00:00 ..
// kMaxIncidentYear-12-31 23:59:59.
bool InIncidentYears(int64_t seconds);

// The zoneinfo tree date/tz.h reads zones from (USE_OS_TZDB).
inline constexpr const char* kZoneInfoDir = "/usr/share/zoneinfo";

// Checks that `path`, the file of zone `name`, is something date/tz.h may read: a regular file of
// at most 1 MiB that starts with the TZif magic. A folder, a device or FIFO (which would block a
// reader forever) or any other file is kInvalidInput "tz: ... (got \"NAME\")"; date/tz.h itself
// asserts on a bad header rather than reporting it.
Status CheckZoneFile(const std::string& name, const std::string& path);

// A time zone of the IANA database, converted by date/tz.h.
class TimeZone {
 public:
  // "UTC"/"Etc/UTC" need no file. kInvalidInput "tz: ..." naming the value for a name that is not
  // an IANA zone name, a zone not under kZoneInfoDir, or a file CheckZoneFile refuses.
  static Result<std::shared_ptr<const TimeZone>> Load(const std::string& name);

  const std::string& name() const { return name_; }
  // UTC offset in seconds in force at UTC instant `utc_s`.
  int32_t OffsetAt(int64_t utc_s) const;
  // The UTC instant of the first change of offset after `utc_s`; INT64_MAX when none follows.
  int64_t NextTransition(int64_t utc_s) const;
  // Wall-clock seconds (as if UTC) → UTC seconds. In a repeated hour (autumn overlap) the first
  // occurrence (daylight time) is taken; a time skipped by a spring-forward gap is read with the
  // offset in force before the gap (so 02:30 EST-that-never-was becomes 03:30 daylight time).
  int64_t LocalToUtc(int64_t local_s) const;

 private:
  std::string name_;
  const date::time_zone* zone_ = nullptr;  // owned by date's tzdb (static); null for UTC
};

}  // namespace placecast::io
