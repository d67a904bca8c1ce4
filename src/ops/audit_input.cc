// SPDX-License-Identifier: Apache-2.0
// The area side of an audit (audit_input.h).
#include "ops/audit_input.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "placecast/io/csv.h"

namespace placecast::ops {

Result<OffenceSelection> NeedOffenceSelection(const std::string& need_offence,
                                              const std::string& offence) {
  const std::string name = need_offence.empty() ? offence : need_offence;
  PLACECAST_ASSIGN_OR_RETURN(OffenceSelection sel, ParseOffenceSelection(name));
  if (!sel.EnforcementDriven().empty()) {
    return Status::InvalidInput("--need-offence " + name +
                                ": includes enforcement-driven offence types, which measure "
                                "police attention, not need; choose victim-reported offences");
  }
  return sel;
}

std::string AreaKey(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  s = s.substr(i);
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) {
    const size_t nz = s.find_first_not_of('0');
    return nz == std::string::npos ? "0" : s.substr(nz);
  }
  return s;
}

Result<Population> ReadPopulation(const std::string& path, const std::string& area_column) {
  PLACECAST_ASSIGN_OR_RETURN(auto csv, io::CsvReader::Open(path));
  const auto& header = csv->header();
  const int area_col = area_column.empty() ? 0 : csv->ColumnIndex(area_column);
  if (area_col < 0) {
    return Status::InvalidInput(path + ":1: --population-area-column: no column \"" + area_column +
                                "\"");
  }
  const int total_col = csv->ColumnIndex("total");
  Population pop;
  std::vector<int> group_cols;
  for (int c = 0; c < static_cast<int>(header.size()); ++c) {
    if (c == area_col || c == total_col) continue;
    group_cols.push_back(c);
    pop.groups.push_back(header[c]);
  }
  if (group_cols.empty()) {
    return Status::InvalidInput(path + ":1: no group column besides the area code and total");
  }
  std::vector<std::string_view> f;
  for (;;) {
    PLACECAST_ASSIGN_OR_RETURN(bool more, csv->Next(f));
    if (!more) break;
    const std::string key = AreaKey(std::string(f[area_col]));
    std::vector<double> counts;
    double sum = 0;
    for (size_t i = 0; i < group_cols.size(); ++i) {
      const std::string v(f[group_cols[i]]);
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !std::isfinite(x) || x < 0) {
        return Status::InvalidInput(path + ":" + std::to_string(csv->line()) + ": " +
                                    pop.groups[i] + ": expected a count >= 0 (got \"" + v + "\")");
      }
      counts.push_back(x);
      sum += x;
    }
    if (pop.by_area.count(key)) {
      return Status::InvalidInput(path + ":" + std::to_string(csv->line()) + ": " +
                                  header[area_col] + ": area listed twice (got \"" + key + "\")");
    }
    double total = sum;
    if (total_col >= 0) {
      const std::string v(f[total_col]);
      char* end = nullptr;
      total = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !(total >= 0)) {
        return Status::InvalidInput(path + ":" + std::to_string(csv->line()) +
                                    ": total: expected a count >= 0 (got \"" + v + "\")");
      }
    }
    pop.by_area[key] = counts;
    pop.total[key] = total;
  }
  return pop;
}

Result<audit::AuditInput> AuditInputForAreas(const std::vector<grid::Boundary>& areas,
                                             const std::string& areas_path,
                                             const std::string& area_field,
                                             const std::string& population_path,
                                             const std::string& population_area_column) {
  PLACECAST_ASSIGN_OR_RETURN(Population pop,
                             ReadPopulation(population_path, population_area_column));
  audit::AuditInput in;
  in.group_names = pop.groups;
  for (const auto& a : areas) {
    const std::string key = AreaKey(a.name);
    auto it = pop.by_area.find(key);
    if (it == pop.by_area.end()) {
      return Status::InvalidInput(population_path + ": no row for area \"" + a.name + "\" of " +
                                  areas_path + " (" + area_field + ")");
    }
    in.area_names.push_back(a.name);
    in.residents.push_back(it->second);
    in.area_residents.push_back(pop.total[key]);
  }
  return in;
}

}  // namespace placecast::ops
