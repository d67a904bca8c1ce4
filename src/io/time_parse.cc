// SPDX-License-Identifier: Apache-2.0
// Date-time parsing, and local → UTC conversion through date/tz.h. See time_parse.h.
#include "io/time_parse.h"

#include <date/tz.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>

#include "placecast/common/event_set.h"

namespace placecast::io {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int64_t* out) {
  if (pos + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// Reads 1..max_n digits.
bool VarDigits(std::string_view s, size_t* pos, size_t max_n, int64_t* out) {
  size_t p = *pos;
  int64_t v = 0;
  while (p < s.size() && p - *pos < max_n && s[p] >= '0' && s[p] <= '9')
    v = v * 10 + (s[p++] - '0');
  if (p == *pos) return false;
  *pos = p;
  *out = v;
  return true;
}

}  // namespace

bool CivilToSeconds(int64_t y, int mo, int d, int h, int mi, int s, int64_t* out) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1]) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return false;
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return false;
  *out = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * kSecondsPerDay +
         h * 3600 + mi * 60 + s;
  return true;
}

bool InIncidentYears(int64_t seconds) {
  static const int64_t kFirst = DaysFromCivil(kMinIncidentYear, 1, 1) * kSecondsPerDay;
  static const int64_t kEnd = DaysFromCivil(kMaxIncidentYear + 1, 1, 1) * kSecondsPerDay;
  return seconds >= kFirst && seconds < kEnd;
}

Result<TimeFormat> TimeFormat::Parse(std::string_view spec) {
  TimeFormat f;
  f.spec_ = std::string(spec);
  if (spec == "iso8601") {
    f.kind_ = Kind::kIso8601;
    return f;
  }
  if (spec == "epoch") {
    f.kind_ = Kind::kEpoch;
    return f;
  }
  if (spec.empty()) return Status::InvalidInput("time_format: empty (got \"\")");
  f.kind_ = Kind::kPattern;
  for (size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] != '%') continue;
    if (i + 1 >= spec.size() ||
        std::string_view("YmdHMS%").find(spec[i + 1]) == std::string::npos) {
      return Status::InvalidInput(
          "time_format: only %Y %m %d %H %M %S %%, \"iso8601\" or \"epoch\" are supported (got \"" +
          std::string(spec) + "\")");
    }
    ++i;
  }
  return f;
}

std::string TimeFormat::Expected() const {
  switch (kind_) {
    case Kind::kIso8601:
      return "not a date-time";
    case Kind::kEpoch:
      return "not an epoch time in seconds";
    case Kind::kPattern:
      break;
  }
  return "not a date-time of the form " + spec_;
}

bool TimeFormat::ParseTime(std::string_view s, int64_t* seconds, bool* is_utc) const {
  *is_utc = false;
  if (kind_ == Kind::kEpoch) {
    size_t p = 0;
    bool neg = false;
    if (p < s.size() && (s[p] == '-' || s[p] == '+')) neg = s[p++] == '-';
    int64_t v = 0;
    if (!VarDigits(s, &p, 12, &v)) return false;
    if (p < s.size() && s[p] == '.') {  // fractional seconds are dropped
      ++p;
      int64_t frac;
      if (!VarDigits(s, &p, 9, &frac)) return false;
    }
    if (p != s.size()) return false;
    *seconds = neg ? -v : v;
    *is_utc = true;
    return true;
  }
  int64_t y = 0, mo = 1, d = 1, h = 0, mi = 0, sec = 0;
  if (kind_ == Kind::kIso8601) {
    // YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|(+|-)HH[[:]MM]]
    if (!Digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
        s[7] != '-' || !Digits(s, 8, 2, &d)) {
      return false;
    }
    size_t p = 10;
    if (p < s.size()) {
      if (s[p] != 'T' && s[p] != ' ') return false;
      ++p;
      if (!Digits(s, p, 2, &h) || p + 2 >= s.size() || s[p + 2] != ':' ||
          !Digits(s, p + 3, 2, &mi)) {
        return false;
      }
      p += 5;
      if (p < s.size() && s[p] == ':') {
        if (!Digits(s, p + 1, 2, &sec)) return false;
        p += 3;
        if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
          ++p;
          int64_t frac;
          if (!VarDigits(s, &p, 9, &frac)) return false;
        }
      }
      int64_t offset_s = 0;
      if (p < s.size()) {
        if (s[p] == 'Z' && p + 1 == s.size()) {
          *is_utc = true;
        } else if (s[p] == '+' || s[p] == '-') {
          const int sign = s[p] == '-' ? -1 : 1;
          ++p;
          int64_t oh = 0, om = 0;
          if (!Digits(s, p, 2, &oh)) return false;
          p += 2;
          if (p < s.size() && s[p] == ':') ++p;
          if (p < s.size()) {
            if (!Digits(s, p, 2, &om)) return false;
            p += 2;
          }
          if (p != s.size() || oh > 18 || om > 59) return false;
          offset_s = sign * (oh * 3600 + om * 60);
          *is_utc = true;
        } else {
          return false;
        }
      }
      int64_t wall;
      if (!CivilToSeconds(y, static_cast<int>(mo), static_cast<int>(d), static_cast<int>(h),
                          static_cast<int>(mi), static_cast<int>(sec), &wall)) {
        return false;
      }
      *seconds = wall - offset_s;
      return true;
    }
    return CivilToSeconds(y, static_cast<int>(mo), static_cast<int>(d), 0, 0, 0, seconds);
  }
  // Pattern.
  size_t p = 0;
  const std::string& f = spec_;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '%' && i + 1 < f.size()) {
      const char c = f[++i];
      int64_t v = 0;
      bool ok = false;
      switch (c) {
        case 'Y':
          ok = Digits(s, p, 4, &v);
          if (ok) p += 4, y = v;
          break;
        case 'm':
          ok = VarDigits(s, &p, 2, &mo);
          break;
        case 'd':
          ok = VarDigits(s, &p, 2, &d);
          break;
        case 'H':
          ok = VarDigits(s, &p, 2, &h);
          break;
        case 'M':
          ok = VarDigits(s, &p, 2, &mi);
          break;
        case 'S':
          ok = VarDigits(s, &p, 2, &sec);
          break;
        case '%':
          ok = p < s.size() && s[p] == '%';
          if (ok) ++p;
          break;
        default:
          ok = false;
      }
      if (!ok) return false;
    } else {
      if (p >= s.size() || s[p] != f[i]) return false;
      ++p;
    }
  }
  if (p != s.size()) return false;
  return CivilToSeconds(y, static_cast<int>(mo), static_cast<int>(d), static_cast<int>(h),
                        static_cast<int>(mi), static_cast<int>(sec), seconds);
}

Status CheckZoneFile(const std::string& name, const std::string& path) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidInput("tz: " + why + " (got \"" + name + "\")");
  };
  // Only a regular file is read: "America" is a directory of zones, and a device or FIFO under
  // the tree would block or never end. Read with stdio, which reports errors as values (an
  // ifstream on a directory throws std::ios_failure from its stream buffer).
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st)) return bad("unknown time zone (no " + path + ")");
  if (std::filesystem::is_directory(st)) {
    return bad("a folder of time zones, not a zone (" + path + "); name one inside it, e.g. " +
               name + "/...");
  }
  if (!std::filesystem::is_regular_file(st)) return bad("not a time zone file: " + path);
  constexpr std::uintmax_t kMaxTzif = 1 << 20;  // real TZif files are under 10 KB
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return bad("cannot read " + path + ": " + ec.message());
  if (size > kMaxTzif) return bad("not a TZif file: " + path + " (larger than 1 MiB)");
  char magic[4] = {};
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return bad("cannot read " + path + ": " + std::strerror(errno));
  const size_t n = std::fread(magic, 1, sizeof magic, f);
  std::fclose(f);
  if (n != sizeof magic || std::memcmp(magic, "TZif", 4) != 0) {
    return bad("not a TZif file: " + path);
  }
  return Status::Ok();
}

Result<std::shared_ptr<const TimeZone>> TimeZone::Load(const std::string& name) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const TimeZone>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  auto tz = std::make_shared<TimeZone>();
  tz->name_ = name;
  if (name != "UTC" && name != "Etc/UTC") {
    auto bad = [&](const std::string& why) {
      return Status::InvalidInput("tz: " + why + " (got \"" + name + "\")");
    };
    if (name.empty() || name.find("..") != std::string::npos || name[0] == '/') {
      return bad("not an IANA time zone name");
    }
    for (char ch : name) {
      // IANA names are ASCII letters, digits and "/_+-" (tzfile(5), "Theory and pragmatics").
      const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                      (ch >= '0' && ch <= '9') || ch == '/' || ch == '_' || ch == '+' || ch == '-';
      if (!ok) return bad("not an IANA time zone name");
    }
    const std::string path = std::string(kZoneInfoDir) + "/" + name;
    PLACECAST_RETURN_IF_ERROR(CheckZoneFile(name, path));
    // date/tz.h reports a zone it does not list (posix/..., right/...) or a file it cannot read
    // by throwing; the file is read on first use, so one lookup here reads it while we can catch.
    try {
      tz->zone_ = date::locate_zone(name);
      (void)tz->zone_->get_info(date::sys_seconds{});
    } catch (const std::exception& e) {
      return bad(std::string("unknown time zone (") + e.what() + ")");
    }
  }
  cache[name] = tz;
  return std::shared_ptr<const TimeZone>(tz);
}

int32_t TimeZone::OffsetAt(int64_t utc_s) const {
  if (zone_ == nullptr) return 0;
  const auto info = zone_->get_info(date::sys_seconds{std::chrono::seconds{utc_s}});
  return static_cast<int32_t>(info.offset.count());
}

int64_t TimeZone::NextTransition(int64_t utc_s) const {
  if (zone_ == nullptr) return std::numeric_limits<int64_t>::max();
  const auto info = zone_->get_info(date::sys_seconds{std::chrono::seconds{utc_s}});
  const int64_t end = info.end.time_since_epoch().count();
  return end > utc_s ? end : std::numeric_limits<int64_t>::max();
}

int64_t TimeZone::LocalToUtc(int64_t local_s) const {
  if (zone_ == nullptr) return local_s;
  // In a gap (nonexistent) `first` is the offset before it; in an overlap (ambiguous) `first` is
  // the earlier, daylight occurrence. date's own to_sys would map a gap to the transition instant.
  const auto info = zone_->get_info(date::local_seconds{std::chrono::seconds{local_s}});
  return local_s - info.first.offset.count();
}

}  // namespace placecast::io
