// SPDX-License-Identifier: Apache-2.0
// Field groups that several requests share: the store, the forecast selection (the fields that
// pick one forecast: forecast, explain, hotspots, allocate) and the three fields of a public
// release (docs/privacy.md). A request derives from the groups it takes and adds their fields to
// its table with AddSelectionFields / AddReleaseFields. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/ops/request.h"
#include "placecast/status.h"

namespace placecast::ops {

// ---- the forecast selection ---------------------------------------------------------------------

// The fields that select one forecast. Requests of operations that act on a forecast derive from
// it and add its fields with AddSelectionFields.
struct Selection {
  std::string store;
  std::string model;
  std::string offence;
  std::string origin;
  double horizon_days = 1;
  double cell_size_m = 150;
  std::string boundary;
  std::string boundary_crs;
  std::vector<std::string> params;
  bool allow_enforcement_types = false;
  // Stale training data (the last event more than the horizon before the origin) fail the run
  // (exit 3) instead of giving a warning: for scheduled runs that must not publish an old picture.
  bool strict = false;
};

// The checks of a selection that need no store: the origin is a date, the model exists and takes
// the --param keys given with valid values. kInvalidInput as CreateModel.
Status ValidateSelection(const Selection& s);

// Fields that several requests share, so that a flag means the same everywhere: the store, the
// output folder, the cell size, the study-area boundary and its CRS, the model parameters and the
// opt-in to enforcement-driven offence types.
extern const FieldSpec kStoreField;
extern const FieldSpec kOutField;
extern const FieldSpec kCellSizeField;
extern const FieldSpec kBoundaryField;
extern const FieldSpec kBoundaryCrsField;
extern const FieldSpec kParamField;
extern const FieldSpec kAllowEnforcementField;

// The FieldSpecs of Selection, in order.
const std::vector<FieldSpec>& SelectionSpecs();

template <class R>
void AddStoreField(std::vector<Field<R>>* v, std::string R::*member) {
  v->push_back({kStoreField, member});
}

template <class R>
void AddSelectionFields(std::vector<Field<R>>* v) {
  const auto& s = SelectionSpecs();
  v->push_back({s[0], static_cast<std::string R::*>(&Selection::store)});
  v->push_back({s[1], static_cast<std::string R::*>(&Selection::model)});
  v->push_back({s[2], static_cast<std::string R::*>(&Selection::offence)});
  v->push_back({s[3], static_cast<std::string R::*>(&Selection::origin)});
  v->push_back({s[4], static_cast<double R::*>(&Selection::horizon_days)});
  v->push_back({s[5], static_cast<double R::*>(&Selection::cell_size_m)});
  v->push_back({s[6], static_cast<std::string R::*>(&Selection::boundary)});
  v->push_back({s[7], static_cast<std::string R::*>(&Selection::boundary_crs)});
  v->push_back({s[8], static_cast<std::vector<std::string> R::*>(&Selection::params)});
  v->push_back({s[9], static_cast<bool R::*>(&Selection::allow_enforcement_types)});
  v->push_back({s[10], static_cast<bool R::*>(&Selection::strict)});
}

// The fields; a request that can be published derives from it.
struct ReleaseFields {
  bool public_release = false;
  int64_t min_incidents = 0;  // k: least incidents a published value rests on
  double epsilon = 0;         // privacy budget of the Laplace noise; 0 = no noise
};

// Help text of the three fields: the parts that differ per product.
struct ReleaseHelp {
  std::string_view release;
  std::string_view min_incidents;
  std::string_view epsilon;
};

// The FieldSpecs of the three fields with `help` (stored for the life of the process).
std::vector<FieldSpec> ReleaseSpecs(const ReleaseHelp& help);

template <class R>
void AddReleaseFields(std::vector<Field<R>>* v, const ReleaseHelp& help) {
  const std::vector<FieldSpec> s = ReleaseSpecs(help);
  v->push_back({s[0], static_cast<bool R::*>(&ReleaseFields::public_release)});
  v->push_back({s[1], static_cast<int64_t R::*>(&ReleaseFields::min_incidents)});
  v->push_back({s[2], static_cast<double R::*>(&ReleaseFields::epsilon)});
}

// The fields go together: "--min-incidents and --epsilon need --public-release",
// "--public-release needs --min-incidents K (K >= 1)", and with `has_store` false "--epsilon needs
// --store: the noise is keyed by the store's release key". kInvalidInput.
Status CheckReleaseFields(const ReleaseFields& f, bool has_store);

}  // namespace placecast::ops
