// SPDX-License-Identifier: Apache-2.0
// Ingest: reads every input row into a compact pending row (allowlisted fields only), rejects rows
// as soon as a check fails, projects the survivors in one batch, applies the study area and the
// duplicate rules, then writes the store in one atomic Store::Write and the rejects and summary
// files under temporary names renamed into place. Thread-compatible: one call per store at a time.
#include "placecast/io/ingest.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_set>

#include "io/mapping.h"
#include "io/projection.h"
#include "io/time_parse.h"
#include "placecast/common/utf8.h"
#include "placecast/io/csv.h"
#include "placecast/io/staging.h"

namespace placecast::io {
namespace {

constexpr int64_t kNoLine = -1;

struct Reject {
  int32_t file = 0;
  int64_t line = 0;
  std::string reason, field, value, problem;
};

struct Row {
  int32_t file = 0;
  int64_t line = 0;
  std::string id;
  int64_t t_utc_s = 0;
  uint32_t offence = 0;
  OffenceGroup group = OffenceGroup::kUnknown;
  std::string district, beat;
  double a = 0, b = 0;  // source coordinates (lon/lat or projected x/y)
};

// The set of ids seen so far in one ingest: open addressing over views of the rows' own strings
// (no copies, no node per id), sized once for `n` ids. The viewed strings must outlive the set.
class IdSet {
 public:
  explicit IdSet(size_t n) {
    size_t cap = 16;
    while (cap < 2 * n + 1) cap *= 2;
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
  }
  // False when `id` is already in the set.
  bool Insert(std::string_view id) {
    const uint64_t h = std::hash<std::string_view>{}(id);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& sl = slots_[i];
      if (!sl.used) {
        sl = Slot{id, h, true};
        return true;
      }
      if (sl.hash == h && sl.id == id) return false;
    }
  }

 private:
  struct Slot {
    std::string_view id;
    uint64_t hash = 0;
    bool used = false;
  };
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsMissing(std::string_view s) {
  return s.empty() || s == "NA" || s == "NaN" || s == "NULL" || s == "null" || s == "nan";
}

bool ParseDouble(std::string_view s, double* out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(*out);
}

bool ParseInt(std::string_view s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string FormatCoord(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.8g", v);
  return buf;
}

std::string CsvQuote(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Result<std::string> ReadTextFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return Status::Io(path + ": no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Io(path + ": cannot read");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Passes progress to IngestOptions::on_progress at most every 0.2 s.
class Progress {
 public:
  Progress() = default;
  explicit Progress(IngestOptions::ProgressFn fn)
      : fn_(std::move(fn)), last_(std::chrono::steady_clock::now()) {}
  void Maybe(const std::string& file, int64_t rows, int64_t bytes) {
    if (!fn_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    fn_(file, rows, bytes);
  }

 private:
  IngestOptions::ProgressFn fn_;
  std::chrono::steady_clock::time_point last_;
};

struct Columns {
  int id = -1, time = -1, date = -1, clock = -1, year = -1, month = -1, day = -1, hour = -1,
      minute = -1, x = -1, y = -1, offence = -1, district = -1, beat = -1;
};

class Ingester {
 public:
  Ingester(const IngestOptions& o, Store& s) : opt_(o), store_(s) {}
  Result<IngestSummary> Run();

 private:
  Status ReadInput(int32_t file_index);
  void AddReject(const Row& r, std::string reason, std::string field, std::string value,
                 std::string problem) {
    rejects_.push_back({r.file, r.line, std::move(reason), std::move(field), std::move(value),
                        std::move(problem)});
  }
  std::string Message(const Reject& r) const {
    return opt_.inputs[r.file] + ":" + std::to_string(r.line) + ": " + r.field + ": " + r.problem +
           " (got \"" + r.value + "\")";
  }
  uint32_t InternOffence(std::string_view text, bool* mapped, OffenceGroup* group);

  const IngestOptions& opt_;
  Store& store_;
  Mapping m_;
  std::optional<TimeFormat> format_;
  std::shared_ptr<const TimeZone> tz_;
  bool source_projected_ = false;
  std::vector<Row> rows_;
  std::vector<Reject> rejects_;
  std::vector<std::string> offence_names_;
  std::vector<OffenceGroup> offence_group_;
  std::vector<bool> offence_mapped_;
  std::map<std::string, uint32_t, std::less<>> offence_index_;
  std::map<std::string, OffenceGroup> groups_lower_;
  std::vector<std::string> kept_, dropped_;
  int64_t rows_read_ = 0;
  int64_t time_ok_ = 0;
  std::optional<Reject> first_time_failure_;
  Progress progress_;
};

uint32_t Ingester::InternOffence(std::string_view text, bool* mapped, OffenceGroup* group) {
  auto it = offence_index_.find(text);
  uint32_t idx;
  if (it == offence_index_.end()) {
    idx = static_cast<uint32_t>(offence_names_.size());
    offence_index_.emplace(std::string(text), idx);
    offence_names_.emplace_back(text);
    OffenceGroup g = m_.default_group;
    bool ok = false;
    if (auto e = m_.offence_groups.find(std::string(text)); e != m_.offence_groups.end()) {
      g = e->second;
      ok = true;
    } else if (auto l = groups_lower_.find(Lower(Trim(text))); l != groups_lower_.end()) {
      g = l->second;
      ok = true;
    }
    offence_group_.push_back(g);
    offence_mapped_.push_back(ok);
  } else {
    idx = it->second;
  }
  *mapped = offence_mapped_[idx];
  *group = offence_group_[idx];
  return idx;
}

Status Ingester::ReadInput(int32_t fi) {
  const std::string& path = opt_.inputs[fi];
  const std::string base = std::filesystem::path(path).filename().string();
  CsvReader::Options copt;
  copt.has_header = m_.has_header;
  copt.lenient_unterminated_last = true;  // rejected below as unterminated_last_row
  PLACECAST_ASSIGN_OR_RETURN(auto reader, CsvReader::Open(path, copt));
  std::vector<std::string> names = reader->header();
  if (!m_.header_probe.empty() && (names.empty() || names[0] != m_.header_probe)) {
    copt.has_header = false;
    PLACECAST_ASSIGN_OR_RETURN(reader, CsvReader::Open(path, copt));
    names.clear();
  }
  if (!copt.has_header) names = m_.columns_if_no_header;
  std::string header_text;
  for (const auto& n : names) header_text += (header_text.empty() ? "" : ",") + n;
  auto find = [&](const std::string& col, int* idx) -> Status {
    if (col.empty()) return Status::Ok();
    auto it = std::find(names.begin(), names.end(), col);
    if (it == names.end()) {
      return Status::InvalidInput(path + ":1: " + col + ": column not found in the header (got \"" +
                                  header_text.substr(0, 200) + "\")");
    }
    *idx = static_cast<int>(it - names.begin());
    return Status::Ok();
  };
  Columns c;
  PLACECAST_RETURN_IF_ERROR(find(m_.id_column, &c.id));
  PLACECAST_RETURN_IF_ERROR(find(m_.time_column, &c.time));
  PLACECAST_RETURN_IF_ERROR(find(m_.date_column, &c.date));
  PLACECAST_RETURN_IF_ERROR(find(m_.clock_column, &c.clock));
  PLACECAST_RETURN_IF_ERROR(find(m_.year_column, &c.year));
  PLACECAST_RETURN_IF_ERROR(find(m_.month_column, &c.month));
  PLACECAST_RETURN_IF_ERROR(find(m_.day_column, &c.day));
  PLACECAST_RETURN_IF_ERROR(find(m_.hour_column, &c.hour));
  PLACECAST_RETURN_IF_ERROR(find(m_.minute_column, &c.minute));
  PLACECAST_RETURN_IF_ERROR(find(m_.x_column, &c.x));
  PLACECAST_RETURN_IF_ERROR(find(m_.y_column, &c.y));
  PLACECAST_RETURN_IF_ERROR(find(m_.offence_column, &c.offence));
  PLACECAST_RETURN_IF_ERROR(find(m_.district_column, &c.district));
  PLACECAST_RETURN_IF_ERROR(find(m_.beat_column, &c.beat));
  const std::vector<std::string> used = m_.UsedColumns();
  for (const auto& n : names) {
    auto& list = std::find(used.begin(), used.end(), n) != used.end() ? kept_ : dropped_;
    if (std::find(list.begin(), list.end(), n) == list.end()) list.push_back(n);
  }
  std::string constant_offence = m_.offence_constant;
  for (const auto& [needle, text] : m_.offence_by_file_name) {
    if (base.find(needle) != std::string::npos) {
      constant_offence = text;
      break;
    }
  }
  // The columns whose text is kept or shown (offence, id, district, beat, time, coordinates):
  // checked for UTF-8 in every row, so nothing else can reach the store or a JSON summary.
  std::vector<int> text_columns;
  for (int idx : {c.id, c.time, c.date, c.clock, c.year, c.month, c.day, c.hour, c.minute, c.x, c.y,
                  c.offence, c.district, c.beat}) {
    if (idx >= 0 &&
        std::find(text_columns.begin(), text_columns.end(), idx) == text_columns.end()) {
      text_columns.push_back(idx);
    }
  }
  // Decompression and CSV splitting run on a second thread, ahead of the mapping below.
  CsvReadAhead ahead(std::move(reader));
  const bool parts = c.year >= 0;
  const bool date_clock = c.date >= 0;
  std::string joined;
  std::vector<std::string_view> f;
  const int64_t rows_before = rows_read_;
  for (;;) {
    PLACECAST_ASSIGN_OR_RETURN(bool got, ahead.Next(f));
    if (!got) break;
    if (!ahead.terminated()) {
      // A last row without a line terminator cannot be told from a file cut inside its last row
      // (a latitude 39.99868 read as 39.9): never ingested. The value shown is its last field only.
      ++rows_read_;
      Row r;
      r.file = fi;
      r.line = ahead.line();
      const size_t last = f.empty() ? 0 : f.size() - 1;
      AddReject(r, "unterminated_last_row", last < names.size() ? names[last] : std::string(),
                EscapeInvalidUtf8(f.empty() ? std::string_view() : f[last]),
                "the last row has no line terminator: the file may be cut short");
      std::fprintf(stderr,
                   "placecast: warning: %s:%lld: the last row has no line terminator, so the file "
                   "may be cut short; rejected as unterminated_last_row\n",
                   EscapeInvalidUtf8(path).c_str(), static_cast<long long>(r.line));
      continue;
    }
    if (!copt.has_header && f.size() != names.size()) {
      return Status::InvalidInput(path + ":" + std::to_string(ahead.line()) + ": expected " +
                                  std::to_string(names.size()) + " fields (" + header_text +
                                  "), found " + std::to_string(f.size()) + " (got \"" +
                                  std::string(f.empty() ? "" : f[0]) + "...\")");
    }
    ++rows_read_;
    if (((rows_read_ - rows_before) & 8191) == 0) {
      progress_.Maybe(base, rows_read_, ahead.bytes_read());
    }
    Row r;
    r.file = fi;
    r.line = ahead.line();
    {
      int bad_column = -1;
      for (int idx : text_columns) {
        if (!IsValidUtf8(f[idx])) {
          bad_column = idx;
          break;
        }
      }
      if (bad_column >= 0) {
        const std::string_view v = f[bad_column];
        AddReject(r, "invalid_utf8", names[bad_column], EscapeInvalidUtf8(v),
                  "not valid UTF-8 (" + DescribeInvalidUtf8(v) + ")");
        continue;
      }
    }
    // Offence first: its text decides whether a missing time of day is expected.
    bool mapped = true;
    std::string_view offence_text =
        c.offence >= 0 ? Trim(f[c.offence]) : std::string_view(constant_offence);
    r.offence = InternOffence(offence_text, &mapped, &r.group);
    // Id.
    if (c.id >= 0) {
      const std::string_view id = Trim(f[c.id]);
      if (IsMissing(id)) {
        AddReject(r, "missing_id", m_.id_column, std::string(id), "missing id");
        continue;
      }
      r.id.assign(id);
    } else {
      r.id = base + ":" + std::to_string(r.line);
    }
    // Time.
    {
      int64_t secs = 0;
      bool is_utc = false;
      bool ok = false;
      std::string field, value;
      std::string_view text;  // the time as read, for a date_out_of_range reject
      if (parts) {
        int64_t v[5] = {0, 0, 0, 0, 0};
        const int idx[5] = {c.year, c.month, c.day, c.hour, c.minute};
        const std::string* nm[5] = {&m_.year_column, &m_.month_column, &m_.day_column,
                                    &m_.hour_column, &m_.minute_column};
        ok = true;
        bool missing = false;
        for (int k = 0; k < 5 && ok; ++k) {
          if (idx[k] < 0) continue;
          const std::string_view s = Trim(f[idx[k]]);
          if (IsMissing(s)) {
            missing = true;
            ok = false;
          } else if (!ParseInt(s, &v[k])) {
            ok = false;
          }
          if (!ok) {
            field = *nm[k];
            value = std::string(s);
          }
        }
        if (ok) {
          ok = CivilToSeconds(v[0], static_cast<int>(v[1]), static_cast<int>(v[2]),
                              static_cast<int>(v[3]), static_cast<int>(v[4]), 0, &secs);
          if (!ok) {
            field = m_.year_column;
            value = std::to_string(v[0]) + "-" + std::to_string(v[1]) + "-" + std::to_string(v[2]) +
                    " " + std::to_string(v[3]) + ":" + std::to_string(v[4]);
          }
        }
        if (missing) {
          AddReject(r, "missing_time", field, value, "missing time");
          continue;
        }
        if (!ok) {
          AddReject(r, "unparsable_time", field, value, "not a date-time");
          if (!first_time_failure_) first_time_failure_ = rejects_.back();
          continue;
        }
        field = m_.year_column;
        text = Trim(f[c.year]);
        if (!m_.offences_without_time.empty() && v[3] == 0 && v[4] == 0 &&
            std::find(m_.offences_without_time.begin(), m_.offences_without_time.end(),
                      offence_text) != m_.offences_without_time.end()) {
          AddReject(r, "missing_time", m_.hour_column.empty() ? m_.year_column : m_.hour_column,
                    std::string(Trim(f[c.hour >= 0 ? c.hour : c.year])),
                    "time of day withheld for this offence");
          continue;
        }
      } else {
        std::string_view s;
        if (date_clock) {
          const std::string_view d = Trim(f[c.date]);
          const std::string_view k = c.clock >= 0 ? Trim(f[c.clock]) : std::string_view();
          field = m_.date_column;
          if (IsMissing(d)) {
            AddReject(r, "missing_time", field, std::string(d), "missing time");
            continue;
          }
          joined.assign(d);
          if (!k.empty()) {
            joined += ' ';
            joined += k;
          }
          s = joined;
        } else {
          field = m_.time_column;
          s = Trim(f[c.time]);
          if (IsMissing(s)) {
            AddReject(r, "missing_time", field, std::string(s), "missing time");
            continue;
          }
        }
        if (!format_->ParseTime(s, &secs, &is_utc)) {
          AddReject(r, "unparsable_time", field, std::string(s), format_->Expected());
          if (!first_time_failure_) first_time_failure_ = rejects_.back();
          continue;
        }
        text = s;
      }
      ++time_ok_;
      if (!InIncidentYears(secs)) {
        AddReject(r, "date_out_of_range", field, std::string(text),
                  "year outside " + std::to_string(kMinIncidentYear) + ".." +
                      std::to_string(kMaxIncidentYear));
        continue;
      }
      r.t_utc_s = is_utc ? secs : tz_->LocalToUtc(secs);
    }
    // Coordinates.
    {
      const std::string_view xs = Trim(f[c.x]), ys = Trim(f[c.y]);
      if (IsMissing(xs) || IsMissing(ys)) {
        const bool xbad = IsMissing(xs);
        AddReject(r, "missing_coordinates", xbad ? m_.x_column : m_.y_column,
                  std::string(xbad ? xs : ys), "missing coordinate");
        continue;
      }
      if (!ParseDouble(xs, &r.a)) {
        AddReject(r, "invalid_coordinates", m_.x_column, std::string(xs), "not a number");
        continue;
      }
      if (!ParseDouble(ys, &r.b)) {
        AddReject(r, "invalid_coordinates", m_.y_column, std::string(ys), "not a number");
        continue;
      }
      if (m_.zero_is_missing && r.a == 0 && r.b == 0) {
        AddReject(r, "missing_coordinates", m_.x_column, std::string(xs),
                  "coordinates 0,0 mean no location");
        continue;
      }
    }
    if (!mapped && m_.strict) {
      AddReject(r, "unknown_offence", m_.offence_column.empty() ? "offence" : m_.offence_column,
                std::string(offence_text), "offence not in the mapping table");
      continue;
    }
    if (c.district >= 0) r.district.assign(Trim(f[c.district]));
    if (c.beat >= 0) r.beat.assign(Trim(f[c.beat]));
    rows_.push_back(std::move(r));
  }
  progress_.Maybe(base, rows_read_, ahead.bytes_read());
  return Status::Ok();
}

Result<IngestSummary> Ingester::Run() {
  if (opt_.inputs.empty()) return Status::InvalidInput("ingest: no input files (got \"\")");
  // File names become the `source` column and go into the JSON summary: UTF-8 only.
  {
    auto check = [](const std::string& what, const std::string& v) -> Status {
      if (IsValidUtf8(v)) return Status::Ok();
      return Status::InvalidInput("ingest: " + what + ": not valid UTF-8 (" +
                                  DescribeInvalidUtf8(v) + ") (got \"" + EscapeInvalidUtf8(v) +
                                  "\")");
    };
    for (size_t i = 0; i < opt_.inputs.size(); ++i) {
      PLACECAST_RETURN_IF_ERROR(check("input file name " + std::to_string(i + 1), opt_.inputs[i]));
    }
    PLACECAST_RETURN_IF_ERROR(check("mapping file name", opt_.mapping_path));
    PLACECAST_RETURN_IF_ERROR(check("boundary file name", opt_.boundary_path));
    PLACECAST_RETURN_IF_ERROR(check("rejects file name", opt_.rejects_path));
    PLACECAST_RETURN_IF_ERROR(check("store file name", store_.GetPath()));
    PLACECAST_RETURN_IF_ERROR(check("crs", opt_.crs));
  }
  PLACECAST_ASSIGN_OR_RETURN(m_, GetPreset(opt_.preset));
  if (!opt_.mapping_path.empty()) {
    PLACECAST_ASSIGN_OR_RETURN(std::string text, ReadTextFile(opt_.mapping_path));
    PLACECAST_RETURN_IF_ERROR(ApplyMappingJson(text, opt_.mapping_path, &m_));
  }
  PLACECAST_RETURN_IF_ERROR(ApplyMappingFlags(opt_.mapping_flags, &m_));
  PLACECAST_RETURN_IF_ERROR(ValidateMapping(m_));
  for (const auto& [text, g] : m_.offence_groups) groups_lower_[Lower(Trim(text))] = g;
  if (m_.year_column.empty()) {
    PLACECAST_ASSIGN_OR_RETURN(TimeFormat tf, TimeFormat::Parse(m_.time_format));
    format_ = tf;
  }
  PLACECAST_ASSIGN_OR_RETURN(tz_, TimeZone::Load(m_.tz));
  {
    // A store counts days in one zone: every command's local days are its incidents' days.
    PLACECAST_ASSIGN_OR_RETURN(std::string store_tz, store_.GetTimeZone());
    if (!store_tz.empty() && store_tz != m_.tz) {
      return Status::InvalidInput("tz: the store's incidents are in " + store_tz +
                                  " and a store keeps one city's calendar; ingest this source "
                                  "into a store of its own (got \"" +
                                  m_.tz + "\")");
    }
  }
  PLACECAST_ASSIGN_OR_RETURN(source_projected_, IsProjectedCrs(m_.crs));

  // Store CRS.
  PLACECAST_ASSIGN_OR_RETURN(std::optional<std::string> existing, store_.GetCrs());
  std::string crs = existing.value_or("");
  if (!opt_.crs.empty()) {
    PLACECAST_ASSIGN_OR_RETURN(bool projected, IsProjectedCrs(opt_.crs));
    if (!projected) {
      return Status::InvalidInput("crs: must be a projected CRS in metres (got \"" + opt_.crs +
                                  "\")");
    }
    if (!crs.empty() && crs != opt_.crs) {
      return Status::InvalidInput("crs: the store is in " + crs + " (got \"" + opt_.crs + "\")");
    }
    crs = opt_.crs;
  }
  // Cell sizes, bandwidths and areas are metres: a store in feet would silently scale them all.
  if (!crs.empty()) {
    PLACECAST_RETURN_IF_ERROR(
        CheckCrsInMetres(crs).Wrap(opt_.crs.empty() ? store_.GetPath() + ": crs" : "crs"));
  } else if (source_projected_) {
    PLACECAST_RETURN_IF_ERROR(CheckCrsInMetres(m_.crs).Wrap(
        "crs: the store would keep the CRS of the source coordinates (--crs chooses another)"));
  }

  progress_ = Progress(opt_.on_progress);
  for (int32_t i = 0; i < static_cast<int32_t>(opt_.inputs.size()); ++i) {
    PLACECAST_RETURN_IF_ERROR(ReadInput(i));
  }
  if (first_time_failure_ && time_ok_ == 0) {
    return Status::InvalidInput(Message(*first_time_failure_) +
                                "; no row has a readable time: check time_format (\"" +
                                m_.time_format + "\")");
  }

  // Lon/lat for every row; choose the CRS; project.
  const size_t n = rows_.size();
  std::vector<double> lon(n), lat(n);
  for (size_t i = 0; i < n; ++i) lon[i] = rows_[i].a, lat[i] = rows_[i].b;
  if (source_projected_) PLACECAST_RETURN_IF_ERROR(TransformLenient(m_.crs, "EPSG:4326", lon, lat));
  std::vector<uint8_t> ok(n, 1);
  for (size_t i = 0; i < n; ++i) {
    const Row& r = rows_[i];
    const bool finite = std::isfinite(lon[i]) && std::isfinite(lat[i]);
    if (!finite || lon[i] < m_.lon_min || lon[i] > m_.lon_max) {
      AddReject(
          r, "invalid_coordinates", m_.x_column, FormatCoord(r.a),
          finite ? "longitude outside " + FormatCoord(m_.lon_min) + ".." + FormatCoord(m_.lon_max)
                 : "cannot be transformed from " + m_.crs);
      ok[i] = 0;
    } else if (lat[i] < m_.lat_min || lat[i] > m_.lat_max) {
      AddReject(r, "invalid_coordinates", m_.y_column, FormatCoord(r.b),
                "latitude outside " + FormatCoord(m_.lat_min) + ".." + FormatCoord(m_.lat_max));
      ok[i] = 0;
    }
  }
  if (crs.empty()) {
    if (source_projected_) {
      crs = m_.crs;
    } else {
      std::vector<double> lons, lats;
      for (size_t i = 0; i < n; ++i) {
        if (ok[i]) lons.push_back(lon[i]), lats.push_back(lat[i]);
      }
      if (lons.empty()) {
        if (rejects_.empty()) return Status::InvalidInput("ingest: no data rows in the inputs");
        std::sort(rejects_.begin(), rejects_.end(), [](const Reject& a, const Reject& b) {
          return a.file != b.file ? a.file < b.file : a.line < b.line;
        });
        return Status::InvalidInput(
            "ingest: every row was rejected, so no CRS can be chosen (first: " +
            Message(rejects_.front()) + ")");
      }
      auto mid = lons.begin() + lons.size() / 2;
      std::nth_element(lons.begin(), mid, lons.end());
      auto mid_lat = lats.begin() + lats.size() / 2;
      std::nth_element(lats.begin(), mid_lat, lats.end());
      crs = UtmCrsForLonLat(*mid, *mid_lat);
    }
  }
  std::vector<double> xs(n), ys(n);
  if (source_projected_ && crs == m_.crs) {
    for (size_t i = 0; i < n; ++i) xs[i] = rows_[i].a, ys[i] = rows_[i].b;
  } else {
    xs = lon;
    ys = lat;
    for (size_t i = 0; i < n; ++i) {
      if (!ok[i]) xs[i] = ys[i] = 0;  // keep PROJ away from rejected points
    }
    PLACECAST_RETURN_IF_ERROR(TransformLenient("EPSG:4326", crs, xs, ys));
    for (size_t i = 0; i < n; ++i) {
      if (ok[i] && (!std::isfinite(xs[i]) || !std::isfinite(ys[i]))) {
        AddReject(rows_[i], "invalid_coordinates", m_.x_column, FormatCoord(rows_[i].a),
                  "cannot be projected to " + crs);
        ok[i] = 0;
      }
    }
  }

  // Study area.
  std::optional<grid::Boundary> area;
  bool save_area = false;
  if (!opt_.boundary_path.empty()) {
    PLACECAST_ASSIGN_OR_RETURN(grid::Boundary b,
                               ReadBoundary(opt_.boundary_path, crs, opt_.boundary_crs));
    area = std::move(b);
    save_area = true;
  } else {
    PLACECAST_ASSIGN_OR_RETURN(area, store_.GetStudyArea());
  }
  if (area) {
    const grid::BoundaryIndex index(*area);
    for (size_t i = 0; i < n; ++i) {
      if (ok[i] && !index.Contains(xs[i], ys[i])) {
        AddReject(rows_[i], "out_of_study_area", m_.x_column + " " + m_.y_column,
                  FormatCoord(rows_[i].a) + " " + FormatCoord(rows_[i].b),
                  "outside the study area");
        ok[i] = 0;
      }
    }
  }

  // Duplicates and rows already stored: read under the store's write lock, so a concurrent ingest
  // of the same rows waits and then finds them stored (never a lost or doubled row).
  WriteTransaction txn(store_);
  PLACECAST_RETURN_IF_ERROR(txn.Begin());
  PLACECAST_ASSIGN_OR_RETURN(std::vector<std::string> stored_ids, store_.GetIds());
  std::unordered_set<std::string_view> stored(stored_ids.begin(), stored_ids.end());
  IdSet seen(n);
  std::vector<std::string> source_names;
  for (const std::string& in : opt_.inputs) {
    source_names.push_back(std::filesystem::path(in).filename().string());
  }
  IngestSummary s;
  StoreWrite w;
  w.crs = crs;
  w.incidents.reserve(n);
  std::vector<int64_t> group_counts(256, 0);  // indexed by the uint8_t group code
  for (size_t i = 0; i < n; ++i) {
    if (!ok[i]) continue;
    Row& r = rows_[i];
    if (!seen.Insert(r.id)) {
      AddReject(r, "duplicate_id", m_.id_column.empty() ? "id" : m_.id_column, r.id,
                "id seen earlier in this ingest");
      continue;
    }
    if (stored.count(r.id)) {
      ++s.already_in_store;
      continue;
    }
    Incident inc;
    inc.id = r.id;  // a copy: `seen` views r.id
    inc.t_utc_s = r.t_utc_s;
    inc.tz = m_.tz;
    inc.lon = lon[i];
    inc.lat = lat[i];
    inc.x_m = xs[i];
    inc.y_m = ys[i];
    inc.offence = offence_names_[r.offence];
    inc.group = r.group;
    if (!offence_mapped_[r.offence]) ++s.unmapped_offences[inc.offence];
    inc.district = std::move(r.district);
    inc.beat = std::move(r.beat);
    inc.source = source_names[r.file];
    if (s.ingested == 0 || inc.t_utc_s < s.t_min_s) s.t_min_s = inc.t_utc_s;
    if (s.ingested == 0 || inc.t_utc_s > s.t_max_s) s.t_max_s = inc.t_utc_s;
    ++group_counts[static_cast<size_t>(inc.group)];
    ++s.ingested;
    w.incidents.push_back(std::move(inc));
  }
  for (size_t g = 0; g < group_counts.size(); ++g) {
    if (group_counts[g] > 0) {
      s.by_group[std::string(GetOffenceGroupInfo(static_cast<OffenceGroup>(g)).name)] =
          group_counts[g];
    }
  }
  rows_.clear();
  std::sort(rejects_.begin(), rejects_.end(), [](const Reject& a, const Reject& b) {
    return a.file != b.file ? a.file < b.file : a.line < b.line;
  });
  if (opt_.fail_on_reject && !rejects_.empty()) {
    return Status::InvalidInput(Message(rejects_.front()));
  }

  s.rows_read = rows_read_;
  s.rejected = static_cast<int64_t>(rejects_.size());
  for (const Reject& r : rejects_) ++s.rejected_by_reason[r.reason];
  s.columns_kept = kept_;
  s.columns_dropped = dropped_;
  s.crs = crs;
  s.preset = m_.preset;
  s.inputs = opt_.inputs;
  const std::string store_path = store_.GetPath();
  s.rejects_path = !opt_.rejects_path.empty() ? opt_.rejects_path
                   : store_path.empty()       ? ""
                                              : store_path + ".rejects.csv";

  // Rejects file content (value of the offending field only, never the raw row).
  std::string rejects_csv;
  if (!s.rejects_path.empty()) {
    rejects_csv = "line,reason,field,value,file\n";
    for (const Reject& r : rejects_) {
      rejects_csv += std::to_string(r.line) + "," + r.reason + "," + CsvQuote(r.field) + "," +
                     CsvQuote(r.value) + "," +
                     CsvQuote(std::filesystem::path(opt_.inputs[r.file]).filename().string()) +
                     "\n";
    }
  }
  if (save_area) w.study_area = area;
  IngestRun run;
  run.time_utc = FormatDateTime(static_cast<int64_t>(std::time(nullptr)));
  run.inputs = opt_.inputs;
  run.summary_json = s.ToJson();
  w.run = run;
  PLACECAST_RETURN_IF_ERROR(store_.Write(w));
  // The rejects file and the summary are staged, recorded with the rows, and moved into place
  // only after the commit: a failure anywhere before leaves neither rows, record nor files.
  auto stage = OutputStage::ForFiles();
  if (!s.rejects_path.empty())
    PLACECAST_RETURN_IF_ERROR(stage->StageFile(s.rejects_path, rejects_csv));
  if (!store_path.empty()) {
    PLACECAST_RETURN_IF_ERROR(stage->StageFile(store_path + ".ingest.json", s.ToJson() + "\n"));
  }
  if (opt_.make_ledger_record) {
    PLACECAST_ASSIGN_OR_RETURN(LedgerRecord record, opt_.make_ledger_record());
    PLACECAST_ASSIGN_OR_RETURN(record.outputs, stage->Outputs());
    MakeLedgerPathsStoreRelative(&record, store_.GetPath());  // verifiable from any directory
    PLACECAST_RETURN_IF_ERROR(store_.AppendLedger(std::move(record)).status().Wrap("ledger"));
  }
  // The renames are noted in the same transaction: if this process dies after the commit, the next
  // one to open the store finishes them.
  PLACECAST_RETURN_IF_ERROR(store_.RecordPendingMoves(stage->Moves()));
  PLACECAST_RETURN_IF_ERROR(txn.Commit());
  PLACECAST_RETURN_IF_ERROR(stage->Publish());
  (void)store_.ClearPendingMoves();
  return s;
}

}  // namespace

std::string IngestSummary::ToJson() const {
  nlohmann::ordered_json j;
  j["preset"] = preset;
  j["inputs"] = inputs;
  j["rows_read"] = rows_read;
  j["ingested"] = ingested;
  j["already_in_store"] = already_in_store;
  j["rejected"] = rejected;
  nlohmann::ordered_json reasons = nlohmann::ordered_json::object();
  for (const auto& [k, v] : rejected_by_reason) reasons[k] = v;
  j["rejected_by_reason"] = reasons;
  j["columns_kept"] = columns_kept;
  j["columns_dropped"] = columns_dropped;
  nlohmann::ordered_json groups = nlohmann::ordered_json::object();
  for (const auto& [k, v] : by_group) groups[k] = v;
  j["by_group"] = groups;
  nlohmann::ordered_json unmapped = nlohmann::ordered_json::object();
  for (const auto& [k, v] : unmapped_offences) unmapped[k] = v;
  j["unmapped_offences"] = unmapped;
  j["crs"] = crs;
  j["t_min_utc"] = ingested > 0 ? FormatDateTime(t_min_s) : "";
  j["t_max_utc"] = ingested > 0 ? FormatDateTime(t_max_s) : "";
  j["t_min_s"] = t_min_s;
  j["t_max_s"] = t_max_s;
  j["rejects_path"] = rejects_path;
  // Ingest keeps invalid UTF-8 out (checked file names, invalid_utf8 rejects); should any reach
  // here, it is replaced (U+FFFD) rather than thrown as nlohmann's type_error 316.
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string IngestSummary::ToText() const {
  std::string out;
  auto line = [&](const std::string& k, const std::string& v) { out += k + ": " + v + "\n"; };
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s.empty() ? std::string("(none)") : s;
  };
  line("rows read", std::to_string(rows_read));
  line("ingested", std::to_string(ingested));
  line("already in store", std::to_string(already_in_store));
  line("rejected", std::to_string(rejected));
  for (const auto& [k, v] : rejected_by_reason) line("  " + k, std::to_string(v));
  if (!rejects_path.empty() && rejected > 0) line("rejects file", rejects_path);
  for (const auto& [k, v] : by_group) line("  group " + k, std::to_string(v));
  for (const auto& [k, v] : unmapped_offences) {
    line("  unmapped offence \"" + k + "\" (counted as other)", std::to_string(v));
  }
  line("columns kept", join(columns_kept));
  line("columns dropped", join(columns_dropped));
  line("crs", crs);
  if (ingested > 0)
    line("time range (UTC)", FormatDateTime(t_min_s) + " .. " + FormatDateTime(t_max_s));
  return out;
}

Result<IngestSummary> Ingest(const IngestOptions& options, Store& store) {
  Ingester ing(options, store);
  return ing.Run();
}

}  // namespace placecast::io
