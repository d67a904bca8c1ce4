// SPDX-License-Identifier: Apache-2.0
// allocate: patrol allocation per shift. Splits a forecast into shifts by each cell's (shrunk)
// time-of-day profile, then staffs patrol points or beats with the units of each shift so as to
// cover the most expected events (maximal covering, deploy/allocate.h). Writes plan.csv,
// plan.geojson, a map per shift, summary.json and, with areas/population, the fairness audit of
// the plan into the request's output folder, and records them in the ledger. Method in
// docs/allocation.md.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "placecast/ops/operation.h"
#include "placecast/ops/request.h"
#include "placecast/ops/selection.h"

namespace placecast::ops {

struct AllocateRequest : Selection, ReleaseFields {
  static constexpr std::string_view kOp = "allocate";
  static constexpr std::string_view kSummary =
      "Patrol allocation per shift: staff points or beats to cover the most forecast events "
      "(maximal covering, GLPK)";
  std::string shifts = "06-14,14-22,22-06";  // local START-END hours, comma-separated
  std::string units = "30";                  // one number, or one per shift ("10,12,8")
  std::string points;                        // CSV, OGR point layer, or "auto:N"
  double radius_m = 400;                     // coverage radius of a patrol point
  double point_spacing_m = -1;               // auto:N points; -1 = radius_m
  std::string beats;
  std::string beat_field;
  std::string districts;
  std::string district_field;
  std::string district_bounds;
  std::string solver = "glpk";  // glpk or greedy
  double time_limit_s = 60;     // GLPK per shift; greedy when hit
  int64_t profile_days = 365;
  double profile_prior = 10;  // deploy::kDefaultProfilePriorWeight
  // The plan's fairness audit (as `placecast audit`): all of areas, area_field and population, or
  // none.
  std::string areas;
  std::string area_field;
  std::string population;
  std::string population_area_column;
  std::string reference_group;
  std::string need_offence;
  int64_t bootstrap = 0;
  int64_t seed = 1;
  std::string out;

  static std::span<const Field<AllocateRequest>> Fields();
  // The selection's and release fields' checks, --shifts and --units, one kind of site (--points
  // or --beats, with --beat-field), auto:N, districts and their bounds, and the audit's fields.
  // kInvalidInput naming the flag.
  Status Validate() const;
};

// Errors of the forecast, of reading the sites, districts and bounds (naming file, line and
// field), of the solver (naming the shift), of writing, and of the ledger. An audit that cannot be
// computed is not an error: the plan stands, and a warning and summary.json say why.
Result<Product> Run(io::Store& store, const AllocateRequest& r, Context& ctx);

OpInfo AllocateOp();

}  // namespace placecast::ops
