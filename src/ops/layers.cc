// SPDX-License-Identifier: Apache-2.0
// layers add, layers list (layers.h).
#include "placecast/ops/layers.h"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "placecast/common/safe_json.h"
#include "placecast/io/calendar.h"
#include "placecast/io/env_layer.h"
#include "placecast/io/ledger.h"
#include "placecast/io/store.h"
#include "placecast/version.h"

namespace placecast::ops {

namespace {

const FieldSpec kLayersStoreField = {.name = "store",
                                     .doc = "GeoPackage store written by `placecast ingest`",
                                     .flags = kRequired | kNotInQuery};

}  // namespace

std::span<const Field<LayersAddRequest>> LayersAddRequest::Fields() {
  using R = LayersAddRequest;
  static const std::vector<Field<R>> fields = {
      {kLayersStoreField, &R::store},
      {{.name = "name",
        .doc = "layer name: lower-case letters, digits and _, starting with a letter (boost's "
               "columns are env_<name>_dist_m and env_<name>_kde)",
        .flags = kRequired},
       &R::name},
      {{.name = "file",
        .type = FieldType::kInputPath,
        .doc = "vector file of points, lines or polygons (GeoPackage, GeoJSON, Shapefile); "
               "only the geometry is kept, and a file with a protected attribute field (race, "
               "sex, age, ...) is refused",
        .flags = kRequired},
       &R::file},
      {{.name = "layer", .doc = "layer of a multi-layer file (default: the first)"}, &R::layer},
      {{.name = "snapshot_date",
        .type = FieldType::kDate,
        .doc = "local date YYYY-MM-DD the data describes; boost warns when it is after a "
               "forecast origin",
        .flags = kRequired},
       &R::snapshot_date},
      {{.name = "crs",
        .doc = "CRS of a file that carries none (EPSG:4326, ...); the layer is reprojected to the "
               "store's CRS"},
       &R::crs},
      {{.name = "replace",
        .type = FieldType::kBool,
        .doc = "replace a stored layer of the same name (default: refuse it)"},
       &R::replace},
  };
  return fields;
}

Status LayersAddRequest::Validate() const { return io::CheckEnvLayerName(name, "--name"); }

Result<Product> Run(io::Store& store, const LayersAddRequest& r, Context& ctx) {
  PLACECAST_ASSIGN_OR_RETURN(const std::optional<std::string> crs, store.GetCrs());
  if (!crs) {
    return Status::InvalidInput(r.store +
                                ": no incidents yet: ingest first (layers are kept in the "
                                "store's CRS)");
  }
  PLACECAST_ASSIGN_OR_RETURN(const Calendar cal, io::StoreCalendar(store));
  PLACECAST_ASSIGN_OR_RETURN(int64_t snapshot_s, cal.ParseDate(r.snapshot_date, "--snapshot-date"));
  PLACECAST_ASSIGN_OR_RETURN(io::EnvLayer layer,
                             io::ReadEnvLayerFile(r.file, r.layer, *crs, r.crs));
  layer.name = r.name;
  layer.snapshot_date = cal.FormatDate(snapshot_s);
  Product out;
  const std::string what = std::string(io::EnvLayerKindName(layer.kind)) + " layer " + r.name +
                           ": " + std::to_string(layer.feature_count) + " feature(s) from " +
                           layer.source_file + " (sha256 " + layer.source_sha256.substr(0, 16) +
                           "…), snapshot of " + layer.snapshot_date + ", in " + *crs;
  out.summary["name"] = layer.name;
  out.summary["kind"] = std::string(io::EnvLayerKindName(layer.kind));
  out.summary["features"] = layer.feature_count;
  out.summary["snapshot_date"] = layer.snapshot_date;
  out.summary["source_sha256"] = layer.source_sha256;
  if (!ctx.record) {
    // A replay never writes: it checks that the recorded layer is the one stored.
    PLACECAST_ASSIGN_OR_RETURN(std::vector<io::EnvLayer> stored, store.LoadEnvLayers(false));
    bool same = false;
    for (const auto& s : stored) {
      same = same || (s.name == layer.name && s.source_sha256 == layer.source_sha256 &&
                      s.snapshot_date == layer.snapshot_date);
    }
    out.lines.push_back("replay: " + what + (same ? ": stored as recorded" : ": not stored"));
    if (!same) {
      out.finding = Status::ReplayMismatch("layers add: layer " + layer.name +
                                           " is not stored as recorded (file, hash or date)");
    }
    return out;
  }
  LayersAddRequest applied = r;
  applied.snapshot_date = layer.snapshot_date;
  io::WriteTransaction txn(store);
  PLACECAST_RETURN_IF_ERROR(txn.Begin());
  PLACECAST_RETURN_IF_ERROR(store.WriteEnvLayer(layer, r.replace));
  io::LedgerRecord record;
  record.command = std::string(LayersAddRequest::kOp);
  record.params_json = SafeDump(RequestToJson(applied));
  record.code_version = std::string("placecast ") + kVersion;
  PLACECAST_ASSIGN_OR_RETURN(record.inputs, io::HashLedgerFiles({r.file}));
  io::MakeLedgerPathsStoreRelative(&record, store.GetPath());
  auto appended = store.AppendLedger(std::move(record));
  if (!appended.ok()) return appended.status().Wrap("ledger");
  PLACECAST_RETURN_IF_ERROR(txn.Commit());
  out.ledger_seq = appended->seq;
  out.lines.push_back((r.replace ? "stored (replacing any of that name) " : "stored ") + what);
  out.summary["ledger_seq"] = out.ledger_seq;
  return out;
}

OpInfo LayersAddOp() {
  return MakeOpInfo<LayersAddRequest>(StoreUse::kRead, [](io::Store* s, const LayersAddRequest& r,
                                                          Context& c) { return Run(*s, r, c); });
}

std::span<const Field<LayersListRequest>> LayersListRequest::Fields() {
  using R = LayersListRequest;
  static const std::vector<Field<R>> fields = {{kLayersStoreField, &R::store}};
  return fields;
}

Result<Product> Run(io::Store& store, const LayersListRequest& r, Context& ctx) {
  (void)r;
  (void)ctx;
  PLACECAST_ASSIGN_OR_RETURN(std::vector<io::EnvLayer> layers, store.LoadEnvLayers(false));
  Product out;
  char line[512];
  std::snprintf(line, sizeof(line), "%-24s %-8s %8s %-13s %-16s %s", "name", "kind", "features",
                "snapshot_date", "sha256", "source_file");
  out.lines.push_back(line);
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& l : layers) {
    std::snprintf(line, sizeof(line), "%-24s %-8s %8lld %-13s %-16s %s", l.name.c_str(),
                  std::string(io::EnvLayerKindName(l.kind)).c_str(),
                  static_cast<long long>(l.feature_count), l.snapshot_date.c_str(),
                  l.source_sha256.substr(0, 16).c_str(), l.source_file.c_str());
    out.lines.push_back(line);
    list.push_back({{"name", l.name},
                    {"kind", std::string(io::EnvLayerKindName(l.kind))},
                    {"features", l.feature_count},
                    {"snapshot_date", l.snapshot_date},
                    {"source_file", l.source_file},
                    {"source_sha256", l.source_sha256}});
  }
  out.lines.push_back(std::to_string(layers.size()) + " layer(s)");
  out.summary["layers"] = std::move(list);
  return out;
}

OpInfo LayersListOp() {
  return MakeOpInfo<LayersListRequest>(StoreUse::kRead, [](io::Store* s, const LayersListRequest& r,
                                                           Context& c) { return Run(*s, r, c); });
}

}  // namespace placecast::ops
