// SPDX-License-Identifier: Apache-2.0
// The area side of an audit (audit, allocate): the offences that measure need, and the residents
// by group of each area, read from a population table. This is the only place group membership
// enters, and only the audit (docs/audit.md). Internal to src/ops.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "placecast/audit/audit.h"
#include "placecast/common/offence.h"
#include "placecast/grid/geometry.h"
#include "placecast/status.h"

namespace placecast::ops {

// The offences whose incidents measure need: `need_offence`, or the forecast's `offence` when it
// is empty. kInvalidInput when the selection is unknown or includes enforcement-driven offence
// types (they measure police attention, not need).
Result<OffenceSelection> NeedOffenceSelection(const std::string& need_offence,
                                              const std::string& offence);

// Area codes compare as integers when both are ("07" = "7"), else as trimmed text.
std::string AreaKey(std::string s);

// A residents-by-group table, one row per area.
struct Population {
  std::vector<std::string> groups;
  std::map<std::string, std::vector<double>> by_area;  // AreaKey -> group counts
  std::map<std::string, double> total;                 // AreaKey -> residents
};

// Reads the population CSV: one row per area, the area code in `area_column` (default: the first
// column), an optional `total` column, every other column a group count. kInvalidInput naming
// file, line and column for a bad count, a missing column or an area listed twice.
Result<Population> ReadPopulation(const std::string& path, const std::string& area_column);

// The area side of an audit for `areas` read from `areas_path` by `area_field`, from the
// population CSV. kInvalidInput naming the area when the table has no row for it.
Result<audit::AuditInput> AuditInputForAreas(const std::vector<grid::Boundary>& areas,
                                             const std::string& areas_path,
                                             const std::string& area_field,
                                             const std::string& population_path,
                                             const std::string& population_area_column);

}  // namespace placecast::ops
