// SPDX-License-Identifier: Apache-2.0
// ingest: raw incident exports → canonical incidents in a GeoPackage store (created when
// missing), every rejected row kept in a rejects file, and a summary printed and written beside
// the store (STORE.ingest.json). The rows and the ledger record that vouches for them commit in
// one transaction (io::Ingest appends the record inside its own write).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "placecast/ops/operation.h"
#include "placecast/ops/request.h"

namespace placecast::ops {

struct IngestRequest {
  static constexpr std::string_view kOp = "ingest";
  static constexpr std::string_view kSummary = "Read incident exports into a GeoPackage store";
  std::vector<std::string> input;  // CSV or CSV.gz exports, read in order
  std::string preset;
  std::string store;
  std::string boundary;
  std::string boundary_crs;  // the CRS of the boundary's coordinates, overriding the file's
  std::string rejects;       // "" = STORE.rejects.csv
  std::string mapping;
  std::vector<std::string> map;  // generic mapping entries key=value
  std::string crs;
  bool fail_on_reject = false;

  static std::span<const Field<IngestRequest>> Fields();
  // Every --map entry is key=value. kInvalidInput naming the entry.
  Status Validate() const;
};

// Ingests r.input into `store` (opened with StoreUse::kCreate at r.store). The ledger record's
// params are the request's JSON and its inputs the SHA-256 of the exports, --boundary and
// --mapping; with ctx.record false (a ledger replay, into a fresh store) no record is added.
// Errors of io::Ingest (kInvalidInput for a bad preset, mapping or row with --fail-on-reject,
// kIo for a missing input or an I/O failure) and kInvalidInput for an output path that cannot be
// written, checked before any work.
Result<Product> Run(io::Store& store, const IngestRequest& r, Context& ctx);

OpInfo IngestOp();

}  // namespace placecast::ops
