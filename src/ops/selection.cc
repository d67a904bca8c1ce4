// SPDX-License-Identifier: Apache-2.0
// The shared field groups (selection.h).
#include "placecast/ops/selection.h"

#include "ops/common.h"
#include "placecast/common/event_set.h"
#include "placecast/models/model.h"

namespace placecast::ops {

const FieldSpec kStoreField = {.name = "store",
                               .doc = "GeoPackage store written by `placecast ingest`",
                               .flags = kRequired | kNotInQuery};

const FieldSpec kOutField = {.name = "out",
                             .type = FieldType::kOutputPath,
                             .doc = "output directory",
                             .flags = kRequired | kNotInQuery};

const FieldSpec kCellSizeField = {.name = "cell_size_m",
                                  .type = FieldType::kDouble,
                                  .default_json = "150",
                                  .min = 1,
                                  .max = 100000,
                                  .units = "m",
                                  .doc = "grid cell size in metres"};

const FieldSpec kBoundaryField = {
    .name = "boundary",
    .type = FieldType::kInputPath,
    .doc = "study-area polygons (GeoJSON, Shapefile, GeoPackage); default: the store's"};

const FieldSpec kBoundaryCrsField = {
    .name = "boundary_crs",
    .doc =
        "CRS of the --boundary file's coordinates, e.g. EPSG:2272, overriding the file's own; "
        "needed for a file without one (a shapefile without .prj)"};

const FieldSpec kParamField = {.name = "param",
                               .type = FieldType::kStringList,
                               .doc = "model parameter key=value or model.key=value (repeatable)"};

const FieldSpec kAllowEnforcementField = {
    .name = "allow_enforcement_types",
    .type = FieldType::kBool,
    .doc =
        "allow enforcement-driven offence types (narcotics, weapons, …), which measure where "
        "police look more than where crime happens; a warning says so"};

const std::vector<FieldSpec>& SelectionSpecs() {
  static const std::vector<FieldSpec> specs = {
      kStoreField,
      {.name = "model", .doc = "model name (see `placecast models`)", .flags = kRequired},
      {.name = "offence", .doc = "offence group (see `placecast offences`)", .flags = kRequired},
      {.name = "origin",
       .type = FieldType::kDate,
       .doc =
           "forecast origin date YYYY-MM-DD (00:00 local time in the store's time zone); training "
           "uses only events before it",
       .flags = kRequired},
      {.name = "horizon_days",
       .type = FieldType::kDouble,
       .default_json = "1",
       .min = 0.01,
       .max = 3650,
       .units = "days",
       .doc = "forecast horizon in days"},
      kCellSizeField,
      kBoundaryField,
      kBoundaryCrsField,
      kParamField,
      kAllowEnforcementField,
      {.name = "strict",
       .type = FieldType::kBool,
       .doc = "fail (exit 3) instead of warning when the training data end more than the horizon "
              "before the origin"},
  };
  return specs;
}

std::vector<FieldSpec> ReleaseSpecs(const ReleaseHelp& help) {
  return {
      {.name = "public_release",
       .type = FieldType::kBool,
       .doc = help.release,
       .flags = kNotInQuery},
      {.name = "min_incidents",
       .type = FieldType::kInt,
       .min = 1,
       .max = 1000000,
       .doc = help.min_incidents,
       .flags = kNotInQuery},
      {.name = "epsilon",
       .type = FieldType::kDouble,
       .min = 1e-6,
       .max = 1e6,
       .doc = help.epsilon,
       .flags = kNotInQuery},
  };
}

Status CheckReleaseFields(const ReleaseFields& f, bool has_store) {
  if (!f.public_release && (f.min_incidents > 0 || f.epsilon > 0)) {
    return Status::InvalidInput("--min-incidents and --epsilon need --public-release");
  }
  if (f.public_release && f.min_incidents <= 0) {
    return Status::InvalidInput("--public-release needs --min-incidents K (K >= 1)");
  }
  if (f.public_release && f.epsilon > 0 && !has_store) {
    return Status::InvalidInput(
        "--epsilon needs --store: the noise is keyed by the store's release key");
  }
  return Status::Ok();
}

Status ValidateSelection(const Selection& s) {
  PLACECAST_RETURN_IF_ERROR(ParseDate(s.origin, "--origin").status());
  PLACECAST_RETURN_IF_ERROR(CheckModelNames({s.model}, "--model"));
  PLACECAST_ASSIGN_OR_RETURN(auto given, ParamsForModels(s.params, {s.model}));
  return models::CreateModel(s.model, given[s.model]).status();
}

}  // namespace placecast::ops
