// SPDX-License-Identifier: Apache-2.0
// audit: fairness audit of models' daily forecasts over a period (audit/audit.h): exposure of
// areas and of groups of residents to flagged cells, against victim-reported offences. Writes
// audit.json, audit.csv (per area), groups.csv, an exposure map and a group bar chart per model,
// and report.html into the request's output folder, and records them in the ledger; its lines are
// one plain sentence per group. Not thread-safe (one run per store).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/ops/operation.h"
#include "placecast/ops/request.h"
#include "placecast/ops/selection.h"

namespace placecast::ops {

struct AuditRequest : ReleaseFields {
  static constexpr std::string_view kOp = "audit";
  static constexpr std::string_view kSummary =
      "Fairness audit: whom a model's daily hotspots would expose, against need";
  std::string store;
  std::string offence;
  std::string need_offence;  // victim-reported offences measuring need ("" = offence)
  std::string from;          // first day
  std::string to;            // last day, inclusive
  std::vector<std::string> models;
  double coverage_pct = 5;
  std::string areas;       // area polygons
  std::string area_field;  // attribute naming each area
  std::string population;  // residents by group per area (CSV)
  std::string population_area_column;
  std::string reference_group;  // "" = the largest
  double cell_size_m = 150;
  int64_t train_days = 365;
  std::string boundary;
  std::string boundary_crs;         // the CRS of the boundary's coordinates, overriding the file's
  std::vector<std::string> params;  // --param key=value or model.key=value
  int64_t bootstrap = 2000;
  int64_t seed = 1;
  std::string out;
  bool allow_enforcement_types = false;

  static std::span<const Field<AuditRequest>> Fields();
  // The release fields go together, the --param keys are the models', and the need offences are
  // victim-reported. kInvalidInput naming the flag and the value.
  Status Validate() const;
};

// Flags each model's top coverage_pct % of cells on each day of [from, to] and audits whom they
// expose. kInvalidInput for a bad area file, population table or reference group (naming the
// file, line or group); the store's errors; kIo writing the products.
Result<Product> Run(io::Store& store, const AuditRequest& r, Context& ctx);

OpInfo AuditOp();

}  // namespace placecast::ops
