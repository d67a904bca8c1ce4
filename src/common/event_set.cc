// SPDX-License-Identifier: Apache-2.0
// EventSet helpers and civil-date arithmetic (Howard Hinnant's days-from-civil formulas).
#include "placecast/common/event_set.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

namespace placecast {

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

Result<int64_t> ParseDate(std::string_view s, std::string_view what) {
  auto bad = [&] {
    return Status::InvalidInput(std::string(what) + ": expected a date YYYY-MM-DD (got \"" +
                                std::string(s) + "\")");
  };
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return bad();
  int y = 0, m = 0, d = 0;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return bad();
  }
  y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  m = (s[5] - '0') * 10 + (s[6] - '0');
  d = (s[8] - '0') * 10 + (s[9] - '0');
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return bad();
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m == 2 && d == 29 && !leap) return bad();
  if (y < 1900 || y > 2100) {
    return Status::InvalidInput(std::string(what) + ": the year must be within 1900..2100 (got \"" +
                                std::string(s) + "\")");
  }
  return DaysFromCivil(y, m, d) * kSecondsPerDay;
}

std::string FormatDate(int64_t t_s) {
  int64_t days = t_s >= 0 ? t_s / kSecondsPerDay : -((-t_s + kSecondsPerDay - 1) / kSecondsPerDay);
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

size_t FormatDateTime(int64_t t_s, char* out, size_t cap) {
  const int64_t days =
      t_s >= 0 ? t_s / kSecondsPerDay : -((-t_s + kSecondsPerDay - 1) / kSecondsPerDay);
  const int64_t sec = t_s - days * kSecondsPerDay;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  const unsigned hh = static_cast<unsigned>(sec / 3600), mm = static_cast<unsigned>(sec / 60 % 60),
                 ss = static_cast<unsigned>(sec % 60);
  if (y < 0 || y > 9999 || cap < 21) {
    const int n = std::snprintf(out, cap, "%04lld-%02u-%02uT%02u:%02u:%02uZ",
                                static_cast<long long>(y), m, d, hh, mm, ss);
    return n < 0 ? 0 : std::min(static_cast<size_t>(n), cap == 0 ? 0 : cap - 1);
  }
  // The common case without printf: "YYYY-MM-DDTHH:MM:SSZ".
  const unsigned yy = static_cast<unsigned>(y);
  auto two = [](char* p, unsigned v) {
    p[0] = static_cast<char>('0' + v / 10), p[1] = static_cast<char>('0' + v % 10);
  };
  two(out, yy / 100);
  two(out + 2, yy % 100);
  out[4] = '-';
  two(out + 5, m);
  out[7] = '-';
  two(out + 8, d);
  out[10] = 'T';
  two(out + 11, hh);
  out[13] = ':';
  two(out + 14, mm);
  out[16] = ':';
  two(out + 17, ss);
  out[19] = 'Z';
  out[20] = '\0';
  return 20;
}

std::string FormatDateTime(int64_t t_s) {
  char buf[48];
  const size_t n = FormatDateTime(t_s, buf, sizeof(buf));
  return std::string(buf, n);
}

std::pair<size_t, size_t> EventSet::TimeRange(int64_t t0, int64_t t1) const {
  auto lo = std::lower_bound(t_s.begin(), t_s.end(), t0);
  auto hi = std::lower_bound(lo, t_s.end(), t1);
  return {static_cast<size_t>(lo - t_s.begin()), static_cast<size_t>(hi - t_s.begin())};
}

void EventSet::Add(int64_t t, double x, double y, OffenceGroup g, std::string_view offence_name,
                   std::string_view record_id) {
  uint32_t code = 0;
  auto it = std::find(offence_names.begin(), offence_names.end(), offence_name);
  if (it == offence_names.end()) {
    code = static_cast<uint32_t>(offence_names.size());
    offence_names.emplace_back(offence_name);
  } else {
    code = static_cast<uint32_t>(it - offence_names.begin());
  }
  t_s.push_back(t);
  x_m.push_back(x);
  y_m.push_back(y);
  group.push_back(g);
  offence.push_back(code);
  id.emplace_back(record_id);
}

void EventSet::SortByTime() {
  std::vector<size_t> order(size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (t_s[a] != t_s[b]) return t_s[a] < t_s[b];
    return id[a] < id[b];
  });
  EventSet out;
  out.offence_names = offence_names;
  out.crs = crs;
  for (size_t i : order) {
    out.t_s.push_back(t_s[i]);
    out.x_m.push_back(x_m[i]);
    out.y_m.push_back(y_m[i]);
    out.group.push_back(group[i]);
    out.offence.push_back(offence[i]);
    out.id.push_back(std::move(id[i]));
  }
  *this = std::move(out);
}

EventSet EventSet::Filter(const std::vector<OffenceGroup>& keep) const {
  bool want[256] = {};
  for (auto g : keep) want[static_cast<uint8_t>(g)] = true;
  EventSet out;
  out.offence_names = offence_names;
  out.crs = crs;
  for (size_t i = 0; i < size(); ++i) {
    if (!want[static_cast<uint8_t>(group[i])]) continue;
    out.t_s.push_back(t_s[i]);
    out.x_m.push_back(x_m[i]);
    out.y_m.push_back(y_m[i]);
    out.group.push_back(group[i]);
    out.offence.push_back(offence[i]);
    out.id.push_back(id[i]);
  }
  return out;
}

Status EventSet::Validate() const {
  const size_t n = t_s.size();
  if (x_m.size() != n || y_m.size() != n || group.size() != n || offence.size() != n ||
      id.size() != n) {
    return Status::Internal("EventSet columns differ in length");
  }
  if (!std::is_sorted(t_s.begin(), t_s.end())) return Status::Internal("EventSet not time-sorted");
  for (uint32_t o : offence) {
    if (o >= offence_names.size()) return Status::Internal("EventSet offence index out of range");
  }
  return Status::Ok();
}

}  // namespace placecast
