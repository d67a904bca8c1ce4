// SPDX-License-Identifier: Apache-2.0
// Schema presets and the generic JSON/flag mapping. Constant tables; thread-safe.
#include "io/mapping.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "placecast/common/utf8.h"
#include "placecast/io/ingest.h"

namespace placecast::io {
namespace {

using G = OffenceGroup;
using json = nlohmann::json;

// Every text_general_code value in the 2022-01..2025-06 extract (32 values).
const std::map<std::string, G>& PhiladelphiaGroups() {
  static const std::map<std::string, G> m = {
      {"Aggravated Assault Firearm", G::kAggravatedAssault},
      {"Aggravated Assault No Firearm", G::kAggravatedAssault},
      {"All Other Offenses", G::kOther},
      {"Arson", G::kArson},
      {"Burglary Non-Residential", G::kBurglaryNonResidential},
      {"Burglary Residential", G::kBurglaryResidential},
      {"DRIVING UNDER THE INFLUENCE", G::kDui},
      {"Disorderly Conduct", G::kPublicOrder},
      {"Embezzlement", G::kFraud},
      {"Forgery and Counterfeiting", G::kFraud},
      {"Fraud", G::kFraud},
      {"Gambling Violations", G::kPublicOrder},
      {"Homicide - Criminal", G::kHomicide},
      // UCR 1b, manslaughter by negligence, is Part I criminal homicide.
      {"Homicide - Gross Negligence", G::kHomicide},
      // Justifiable homicide is not a crime; UCR counts it apart from criminal homicide.
      {"Homicide - Justifiable", G::kOther},
      {"Liquor Law Violations", G::kPublicOrder},
      {"Motor Vehicle Theft", G::kMotorVehicleTheft},
      {"Narcotic / Drug Law Violations", G::kNarcotics},
      {"Offenses Against Family and Children", G::kOffencesAgainstFamily},
      {"Other Assaults", G::kOtherAssault},
      {"Other Sex Offenses (Not Commercialized)", G::kSexOffence},
      {"Prostitution and Commercialized Vice", G::kProstitution},
      {"Public Drunkenness", G::kPublicOrder},
      {"Rape", G::kRape},
      {"Receiving Stolen Property", G::kFraud},
      {"Robbery Firearm", G::kRobbery},
      {"Robbery No Firearm", G::kRobbery},
      {"Theft from Vehicle", G::kTheftFromVehicle},
      {"Thefts", G::kTheft},
      {"Vagrancy/Loitering", G::kPublicOrder},
      {"Vandalism/Criminal Mischief", G::kVandalism},
      {"Weapon Violations", G::kWeapons},
  };
  return m;
}

// Every TYPE value in the VPD 2020 export (11 values).
const std::map<std::string, G>& VancouverGroups() {
  static const std::map<std::string, G> m = {
      {"Break and Enter Commercial", G::kBurglaryNonResidential},
      {"Break and Enter Residential/Other", G::kBurglaryResidential},
      {"Homicide", G::kHomicide},
      {"Mischief", G::kVandalism},
      // VPD's catch-all for assaults, robbery, sexual and other person offences: no single group.
      {"Offence Against a Person", G::kOther},
      {"Other Theft", G::kTheft},
      {"Theft from Vehicle", G::kTheftFromVehicle},
      {"Theft of Bicycle", G::kTheft},
      {"Theft of Vehicle", G::kMotorVehicleTheft},
      {"Vehicle Collision or Pedestrian Struck (with Fatality)", G::kOther},
      {"Vehicle Collision or Pedestrian Struck (with Injury)", G::kOther},
  };
  return m;
}

const std::vector<std::string>& PresetList() {
  static const std::vector<std::string> v = {"philadelphia", "chicago",    "nyc",    "memphis",
                                             "vancouver",    "nearrepeat", "generic"};
  return v;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

std::vector<std::string> PresetNames() { return PresetList(); }

std::vector<std::string> Mapping::UsedColumns() const {
  std::vector<std::string> out;
  for (const std::string* c : {&id_column, &time_column, &date_column, &clock_column, &year_column,
                               &month_column, &day_column, &hour_column, &minute_column, &x_column,
                               &y_column, &offence_column, &district_column, &beat_column}) {
    if (!c->empty() && std::find(out.begin(), out.end(), *c) == out.end()) out.push_back(*c);
  }
  return out;
}

Result<OffenceGroup> GroupFromName(const std::string& name, const std::string& what) {
  for (const auto& info : OffenceGroups()) {
    if (info.name == name) return info.group;
  }
  std::string names;
  for (const auto& info : OffenceGroups()) {
    names += (names.empty() ? "" : ", ") + std::string(info.name);
  }
  return Status::InvalidInput(what + ": not a standard offence group, expected one of " + names +
                              " (got \"" + name + "\")");
}

Result<Mapping> GetPreset(const std::string& name) {
  Mapping m;
  m.preset = name.empty() ? "generic" : name;
  if (m.preset == "generic") return m;
  if (m.preset == "philadelphia") {
    m.id_column = "objectid";
    m.time_column = "dispatch_date_time";  // "2024-06-26 04:00:00+00": UTC with its offset
    m.time_format = "iso8601";
    m.tz = "America/New_York";
    m.x_column = "point_x";
    m.y_column = "point_y";
    m.offence_column = "text_general_code";
    m.district_column = "dc_dist";
    m.beat_column = "psa";
    m.offence_groups = PhiladelphiaGroups();
    // 0,0 and the constant bogus point near -80.50, 42.22 are geocoding failures.
    m.zero_is_missing = false;
    m.lon_min = -75.30, m.lon_max = -74.95, m.lat_min = 39.86, m.lat_max = 40.14;
    return m;
  }
  if (m.preset == "chicago") {
    m.time_column = "date";
    m.time_format = "%Y-%m-%d %H:%M";
    m.tz = "America/Chicago";
    m.x_column = "longitude";
    m.y_column = "latitude";
    m.district_column = "district";
    m.offence_constant = "aggravated assault";
    m.offence_groups = {{"aggravated assault", G::kAggravatedAssault}};
    return m;
  }
  if (m.preset == "nyc") {
    m.id_column = "uid";
    m.time_column = "date_single";
    m.time_format = "%Y-%m-%d %H:%M";
    m.tz = "America/New_York";
    m.x_column = "longitude";
    m.y_column = "latitude";
    m.offence_constant = "motor vehicle theft";
    m.offence_groups = {{"motor vehicle theft", G::kMotorVehicleTheft}};
    return m;
  }
  if (m.preset == "memphis") {
    m.id_column = "uid";
    m.time_column = "date";
    m.time_format = "%Y-%m-%d %H:%M";
    m.tz = "America/Chicago";
    m.x_column = "longitude";
    m.y_column = "latitude";
    m.offence_column = "offense_type";
    m.offence_groups = {{"personal robbery", G::kRobbery}};
    return m;
  }
  if (m.preset == "vancouver") {
    m.year_column = "YEAR";
    m.month_column = "MONTH";
    m.day_column = "DAY";
    m.hour_column = "HOUR";
    m.minute_column = "MINUTE";
    m.tz = "America/Vancouver";
    m.x_column = "X";
    m.y_column = "Y";
    m.crs = "EPSG:32610";
    m.offence_column = "TYPE";
    m.district_column = "NEIGHBOURHOOD";
    m.offence_groups = VancouverGroups();
    m.offences_without_time = {"Offence Against a Person"};
    return m;
  }
  if (m.preset == "nearrepeat") {
    m.x_column = "X";
    m.y_column = "Y";
    m.crs = "EPSG:26971";
    m.time_column = "date";
    m.time_format = "%Y-%m-%d";
    m.tz = "America/Chicago";
    m.header_probe = "X";
    m.columns_if_no_header = {"X", "Y", "date"};
    m.offence_by_file_name = {{"arson", "arson"}};
    m.offence_constant = "residential burglary";
    m.offence_groups = {{"residential burglary", G::kBurglaryResidential}, {"arson", G::kArson}};
    return m;
  }
  return Status::InvalidInput("preset: unknown, expected one of " + Join(PresetList()) +
                              " (got \"" + name + "\")");
}

Status ApplyMappingJson(const std::string& text, const std::string& source, Mapping* m) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    // nlohmann's parser refuses invalid UTF-8 in strings, so a mapping file that parses holds none.
    const std::string why = IsValidUtf8(text)
                                ? "not a JSON object"
                                : "not valid UTF-8 (" + DescribeInvalidUtf8(text) + ")";
    return Status::InvalidInput(source + ": " + why + " (got \"" +
                                EscapeInvalidUtf8(text.substr(0, 40)) + "\")");
  }
  static const std::map<std::string, std::string* (*)(Mapping*)> kStrings = {
      {"time", [](Mapping* x) { return &x->time_column; }},
      {"date", [](Mapping* x) { return &x->date_column; }},
      {"clock", [](Mapping* x) { return &x->clock_column; }},
      {"year", [](Mapping* x) { return &x->year_column; }},
      {"month", [](Mapping* x) { return &x->month_column; }},
      {"day", [](Mapping* x) { return &x->day_column; }},
      {"hour", [](Mapping* x) { return &x->hour_column; }},
      {"minute", [](Mapping* x) { return &x->minute_column; }},
      {"time_format", [](Mapping* x) { return &x->time_format; }},
      {"tz", [](Mapping* x) { return &x->tz; }},
      {"x", [](Mapping* x) { return &x->x_column; }},
      {"y", [](Mapping* x) { return &x->y_column; }},
      {"crs", [](Mapping* x) { return &x->crs; }},
      {"offence", [](Mapping* x) { return &x->offence_column; }},
      {"offence_constant", [](Mapping* x) { return &x->offence_constant; }},
      {"id", [](Mapping* x) { return &x->id_column; }},
      {"district", [](Mapping* x) { return &x->district_column; }},
      {"beat", [](Mapping* x) { return &x->beat_column; }},
  };
  std::vector<std::string> unknown;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const json& v = it.value();
    const std::string where = source + ": " + key;
    auto bad = [&](const std::string& expected) {
      return Status::InvalidInput(where + ": expected " + expected + " (got \"" + v.dump() + "\")");
    };
    if (auto s = kStrings.find(key); s != kStrings.end()) {
      if (!v.is_string()) return bad("a string");
      *s->second(m) = v.get<std::string>();
    } else if (key == "zero_is_missing" || key == "strict" || key == "has_header") {
      if (!v.is_boolean()) return bad("true or false");
      (key == "strict"       ? m->strict
       : key == "has_header" ? m->has_header
                             : m->zero_is_missing) = v.get<bool>();
      if (key == "has_header") m->header_probe.clear();
    } else if (key == "lon_range" || key == "lat_range") {
      if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number() ||
          v[0].get<double>() >= v[1].get<double>()) {
        return bad("[min, max] numbers with min < max");
      }
      (key == "lon_range" ? m->lon_min : m->lat_min) = v[0].get<double>();
      (key == "lon_range" ? m->lon_max : m->lat_max) = v[1].get<double>();
    } else if (key == "offences") {
      if (!v.is_object()) return bad("an object {\"offence text\": \"group\"}");
      for (auto o = v.begin(); o != v.end(); ++o) {
        if (!o.value().is_string()) return bad("group names as strings");
        PLACECAST_ASSIGN_OR_RETURN(
            G g, GroupFromName(o.value().get<std::string>(), where + "." + o.key()));
        m->offence_groups[o.key()] = g;
      }
    } else if (key == "default_group") {
      if (!v.is_string()) return bad("a group name");
      PLACECAST_ASSIGN_OR_RETURN(m->default_group, GroupFromName(v.get<std::string>(), where));
    } else if (key == "offences_without_time" || key == "columns") {
      if (!v.is_array()) return bad("an array of strings");
      std::vector<std::string> out;
      for (const auto& e : v) {
        if (!e.is_string()) return bad("an array of strings");
        out.push_back(e.get<std::string>());
      }
      (key == "columns" ? m->columns_if_no_header : m->offences_without_time) = std::move(out);
    } else {
      unknown.push_back(key);
    }
  }
  if (!unknown.empty()) {
    return Status::InvalidInput(source + ": unknown mapping keys: " + Join(unknown) + " (got \"" +
                                unknown.front() + "\")");
  }
  return Status::Ok();
}

Status ApplyMappingFlags(const std::map<std::string, std::string>& flags, Mapping* m) {
  static const std::set<std::string> kJsonValued = {
      "zero_is_missing",       "strict", "has_header", "lon_range", "lat_range", "offences",
      "offences_without_time", "columns"};
  json j = json::object();
  for (const auto& [k, v] : flags) {
    // Checked before the text enters a JSON value, which could not be written out again.
    if (!IsValidUtf8(k) || !IsValidUtf8(v)) {
      const std::string& bad = IsValidUtf8(k) ? v : k;
      return Status::InvalidInput("--map " + EscapeInvalidUtf8(k) + ": " +
                                  (IsValidUtf8(k) ? "value" : "key") + " not valid UTF-8 (" +
                                  DescribeInvalidUtf8(bad) + ") (got \"" + EscapeInvalidUtf8(bad) +
                                  "\")");
    }
    if (kJsonValued.count(k)) {
      json parsed = json::parse(v, nullptr, false);
      if (parsed.is_discarded()) {
        return Status::InvalidInput("--map " + k + ": expected JSON (got \"" + v + "\")");
      }
      j[k] = parsed;
    } else {
      j[k] = v;
    }
  }
  return ApplyMappingJson(j.dump(), "mapping flags", m);
}

Status ValidateMapping(const Mapping& m) {
  const std::string where = "mapping (" + m.preset + ")";
  const bool parts = !m.year_column.empty();
  const bool date_clock = !m.date_column.empty();
  if (m.time_column.empty() && !parts && !date_clock) {
    return Status::InvalidInput(where + ": time: no time column given (got \"\")");
  }
  if (parts && (m.month_column.empty() || m.day_column.empty())) {
    return Status::InvalidInput(where + ": year given without month and day (got \"" +
                                m.year_column + "\")");
  }
  if (m.x_column.empty() || m.y_column.empty()) {
    return Status::InvalidInput(where + ": x/y: both coordinate columns are needed (got \"" +
                                m.x_column + "\", \"" + m.y_column + "\")");
  }
  if (m.offence_column.empty() && m.offence_constant.empty()) {
    return Status::InvalidInput(where +
                                ": offence: give an offence column or offence_constant (got \"\")");
  }
  if (!m.has_header && m.columns_if_no_header.empty()) {
    return Status::InvalidInput(where +
                                ": has_header is false but no columns are named (got \"\")");
  }
  return Status::Ok();
}

}  // namespace placecast::io
