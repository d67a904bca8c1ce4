// SPDX-License-Identifier: Apache-2.0
// export-incidents: the one incident-level export, and only geomasked. Writes a CSV of date (no
// time of day), offence group and donut-geomasked lon/lat (docs/privacy.md); never record ids,
// exact times or true coordinates. Each incident's displacement is keyed by the store's secret
// release key and the incident's id, so it cannot be regenerated without the key and is the same
// in every export; there is no seed. Same store and request give the same bytes. The export is
// recorded in the ledger (the product most in need of a record); the key is in no output.
#pragma once

#include <span>
#include <string>

#include "placecast/ops/operation.h"
#include "placecast/ops/request.h"

namespace placecast::ops {

struct ExportIncidentsRequest {
  static constexpr std::string_view kOp = "export-incidents";
  static constexpr std::string_view kSummary =
      "Export incidents for release, geomasked (date, offence group, lon/lat)";
  std::string store;
  std::string offence;
  std::string from;  // first date, inclusive
  std::string to;    // last date, exclusive
  std::string geomask = "donut";
  double min_m = 50;   // least displacement
  double max_m = 250;  // greatest displacement
  std::string out;     // the CSV written
  bool allow_enforcement_types = false;

  static std::span<const Field<ExportIncidentsRequest>> Fields();
  // --geomask is "donut"; --from is before --to. kInvalidInput naming the field.
  Status Validate() const;
};

// Writes the geomasked CSV to r.out (staged, recorded, then published). Errors of the store,
// kInvalidInput for radii the geomask refuses.
Result<Product> Run(io::Store& store, const ExportIncidentsRequest& r, Context& ctx);

OpInfo ExportIncidentsOp();

}  // namespace placecast::ops
