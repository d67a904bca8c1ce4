// SPDX-License-Identifier: Apache-2.0
// `layers add` and `layers list`: static environment layers kept in the store (io/env_layer.h),
// which the `boost` model turns into per-cell features. Adding one is recorded in the ledger in the
// same transaction. Not thread-safe (one request per thread, like every operation).
#pragma once

#include <span>
#include <string>

#include "placecast/ops/operation.h"
#include "placecast/ops/request.h"

namespace placecast::ops {

struct LayersAddRequest {
  static constexpr std::string_view kOp = "layers add";
  static constexpr std::string_view kSummary =
      "Add a static environment layer (points, lines or polygons) to the store (recorded)";
  std::string store;
  std::string name;           // [a-z0-9_], starting with a letter: boost's env_<name>_* columns
  std::string file;           // GeoPackage, GeoJSON, Shapefile: anything GDAL/OGR reads
  std::string layer;          // layer of a multi-layer file ("" = the first)
  std::string snapshot_date;  // local date the data describes (YYYY-MM-DD)
  std::string crs;            // the file's CRS when it carries none ("" = the file's)
  bool replace = false;       // replace a stored layer of the same name

  static std::span<const Field<LayersAddRequest>> Fields();
  // kInvalidInput naming --name for a name that is not a layer name.
  Status Validate() const;
};

// Reads the file, reprojects it to the store's CRS and stores it with a ledger record, all in one
// transaction. kInvalidInput for a file without CRS and no --crs, a protected attribute field
// (naming it), a name already stored without --replace, or a store without incidents; kIo for a
// missing file. Under a replay (ctx.record false) the store is not changed: the stored layer is
// checked against the file (a finding when its hash differs).
Result<Product> Run(io::Store& store, const LayersAddRequest& r, Context& ctx);
OpInfo LayersAddOp();

struct LayersListRequest {
  static constexpr std::string_view kOp = "layers list";
  static constexpr std::string_view kSummary = "List the store's environment layers";
  std::string store;

  static std::span<const Field<LayersListRequest>> Fields();
  Status Validate() const { return Status::Ok(); }
};

// One line per layer: name, kind, features, snapshot date, source file and its SHA-256.
Result<Product> Run(io::Store& store, const LayersListRequest& r, Context& ctx);
OpInfo LayersListOp();

}  // namespace placecast::ops
