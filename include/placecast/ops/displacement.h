// SPDX-License-Identifier: Apache-2.0
// displacement: counts of one offence selection in a target area, a buffer around it (a polygon
// file, or a ring of buffer_m metres built with GEOS) and a control area before and after an
// intervention, with the weighted displacement quotient and the weighted displacement difference
// (deploy/displacement.h). Writes displacement.json, counts.csv, measures.csv, areas.geojson and
// report.html into the request's output folder and records them in the ledger. Method in
// docs/displacement.md.
#pragma once

#include <span>
#include <string>

#include "placecast/ops/operation.h"
#include "placecast/ops/request.h"
#include "placecast/ops/selection.h"

namespace placecast::ops {

struct DisplacementRequest : ReleaseFields {
  static constexpr std::string_view kOp = "displacement";
  static constexpr std::string_view kSummary =
      "Displacement of an intervention: WDQ and WDD over a target, a buffer and a control area";
  std::string store;
  std::string offence;
  std::string target;  // intervention area polygons
  // The buffer: polygons (the target is taken out), or a ring of buffer_m metres around the
  // target; exactly one of the two.
  std::string buffer;
  double buffer_m = 0;
  std::string control;         // serves both unless buffer_control is given
  std::string buffer_control;  // a separate control for the buffer (the WDD's Cd)
  std::string pre;             // FROM:TO, both days included
  std::string post;            // FROM:TO, after pre and as long
  std::string out;
  bool allow_enforcement_types = false;

  static std::span<const Field<DisplacementRequest>> Fields();
  // The release fields, one buffer (--buffer or --buffer-m), and the periods (deploy::ParsePeriod,
  // deploy::CheckPeriods). kInvalidInput naming the flag.
  Status Validate() const;
};

// Errors of the store, of reading and combining the areas (kInvalidInput naming the flag and file
// for an empty area or areas that overlap), of writing, and of the ledger.
Result<Product> Run(io::Store& store, const DisplacementRequest& r, Context& ctx);

OpInfo DisplacementOp();

}  // namespace placecast::ops
