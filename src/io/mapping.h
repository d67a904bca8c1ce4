// SPDX-License-Identifier: Apache-2.0
// Internal: how the columns of one source map onto the canonical incident — the schema presets
// for the real exports placecast is tested on, and the generic mapping read from JSON and flags.
// Immutable once built; thread-safe to read.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "placecast/common/offence.h"
#include "placecast/status.h"

namespace placecast::io {

struct Mapping {
  std::string preset = "generic";
  // Time: one column (`time`), or a date column plus a clock column (`date` + `clock`, joined with
  // a space before parsing), or civil parts (`year`, `month`, `day`, `hour`, `minute`).
  std::string time_column, date_column, clock_column;
  std::string year_column, month_column, day_column, hour_column, minute_column;
  std::string time_format = "iso8601";
  std::string tz = "UTC";
  // Coordinates: lon/lat when `crs` is geographic, else projected x/y in `crs`.
  std::string x_column, y_column;
  std::string crs = "EPSG:4326";
  // A point at exactly (0, 0) means "no location" (privacy suppression), not the Gulf of Guinea.
  bool zero_is_missing = true;
  // Sanity box on lon/lat; points outside are invalid_coordinates.
  double lon_min = -180, lon_max = 180, lat_min = -90, lat_max = 90;
  std::string offence_column;
  std::string offence_constant;  // used when there is no offence column
  std::string id_column;         // empty: id = "<file name>:<line>"
  std::string district_column, beat_column;
  std::map<std::string, OffenceGroup> offence_groups;
  OffenceGroup default_group = OffenceGroup::kOther;
  bool strict = false;  // unmapped offence → unknown_offence reject instead of default_group
  // Offences published without a time of day (hour and minute 0): missing_time.
  std::vector<std::string> offences_without_time;
  // When the file has no header: the column names to use (nearrepeat's arson file).
  std::vector<std::string> columns_if_no_header;
  bool has_header = true;
  std::string header_probe;  // when set: the file has a header iff its first field equals this
  // Offence text by a substring of the file name, before `offence_constant` (nearrepeat's files
  // carry no offence column: "arson" in the name means arson).
  std::vector<std::pair<std::string, std::string>> offence_by_file_name;

  // The source columns this mapping reads (for "columns kept").
  std::vector<std::string> UsedColumns() const;
};

// A preset by name ("philadelphia", …, "generic"); kInvalidInput listing the names otherwise.
Result<Mapping> GetPreset(const std::string& name);

// Applies a JSON mapping object (docs/ingest.md) to `m`; `source` names it in messages.
// kInvalidInput for malformed JSON, unknown keys (all listed), or bad values.
Status ApplyMappingJson(const std::string& json_text, const std::string& source, Mapping* m);
// Applies key=value flags with the JSON keys' names.
Status ApplyMappingFlags(const std::map<std::string, std::string>& flags, Mapping* m);

// Checks the mapping is complete enough to ingest (a time and both coordinates).
Status ValidateMapping(const Mapping& m);

// Standard group by its snake_case name ("theft"); kInvalidInput naming `what` otherwise.
Result<OffenceGroup> GroupFromName(const std::string& name, const std::string& what);

}  // namespace placecast::io
