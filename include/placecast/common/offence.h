// SPDX-License-Identifier: Apache-2.0
// Standard offence groups: the one vocabulary every city's offence codes are mapped onto, and the
// named selections (`burglary`, `theft`, …) that `--offence` accepts. Tables are constant and
// safe to read from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/status.h"

namespace placecast {

// Persisted in stores as its integer value: never renumber, only append.
enum class OffenceGroup : uint8_t {
  kUnknown = 0,
  kHomicide = 1,
  kRape = 2,
  kRobbery = 3,
  kAggravatedAssault = 4,
  kBurglaryResidential = 5,
  kBurglaryNonResidential = 6,
  kTheft = 7,  // larceny other than from a vehicle
  kTheftFromVehicle = 8,
  kMotorVehicleTheft = 9,
  kArson = 10,
  kOtherAssault = 11,
  kVandalism = 12,
  kFraud = 13,       // fraud, forgery, embezzlement, stolen property
  kSexOffence = 14,  // other than rape
  kNarcotics = 15,
  kWeapons = 16,
  kProstitution = 17,
  kDui = 18,
  kPublicOrder = 19,  // disorderly conduct, drunkenness, vagrancy, gambling, liquor laws
  kOffencesAgainstFamily = 20,
  kOther = 21,
};

struct OffenceGroupInfo {
  OffenceGroup group;
  std::string_view name;  // snake_case, as on the command line
  int ucr_part;           // 1 or 2 (0 for unknown)
  // True for offence types recorded mostly when police look for them (drugs, weapons possession,
  // prostitution, DUI, public order): they measure enforcement more than crime.
  bool enforcement_driven;
  std::string_view description;
};

// Every standard group, in enum order.
std::span<const OffenceGroupInfo> OffenceGroups();
const OffenceGroupInfo& GetOffenceGroupInfo(OffenceGroup g);

// A named selection accepted by --offence: a single group's name or a composite
// (`burglary`, `larceny`, `violent`, `property`, `part1`, `all`).
struct OffenceSelection {
  std::string name;
  std::vector<OffenceGroup> groups;
  bool Contains(OffenceGroup g) const;
  // The enforcement-driven groups in this selection (empty for victim-reported selections).
  std::vector<OffenceGroup> EnforcementDriven() const;
};

// Resolves a selection name; kInvalidInput listing the known names when it is unknown.
Result<OffenceSelection> ParseOffenceSelection(std::string_view name);

// Composite selection names with their descriptions, for `placecast offences`.
struct OffenceCompositeInfo {
  std::string_view name;
  std::string_view description;
};
std::span<const OffenceCompositeInfo> OffenceComposites();

}  // namespace placecast
