// SPDX-License-Identifier: Apache-2.0
// Offence group tables. Constant data; thread-safe.
#include "placecast/common/offence.h"

#include <algorithm>
#include <array>

namespace placecast {
namespace {

using G = OffenceGroup;

constexpr std::array<OffenceGroupInfo, 22> kGroups = {{
    {G::kUnknown, "unknown", 0, false, "not mapped to a standard group"},
    {G::kHomicide, "homicide", 1, false, "criminal homicide"},
    {G::kRape, "rape", 1, false, "rape"},
    {G::kRobbery, "robbery", 1, false, "robbery, armed or not"},
    {G::kAggravatedAssault, "aggravated_assault", 1, false, "aggravated assault, any weapon"},
    {G::kBurglaryResidential, "burglary_residential", 1, false, "burglary of a dwelling"},
    {G::kBurglaryNonResidential, "burglary_nonresidential", 1, false, "burglary of other premises"},
    {G::kTheft, "theft", 1, false, "larceny other than from a vehicle (shoplifting, pickpocket…)"},
    {G::kTheftFromVehicle, "theft_from_vehicle", 1, false, "theft from a motor vehicle"},
    {G::kMotorVehicleTheft, "motor_vehicle_theft", 1, false, "theft of a motor vehicle"},
    {G::kArson, "arson", 1, false, "arson"},
    {G::kOtherAssault, "other_assault", 2, false, "simple assault and other assaults"},
    {G::kVandalism, "vandalism", 2, false, "vandalism, criminal mischief"},
    {G::kFraud, "fraud", 2, false, "fraud, forgery, embezzlement, receiving stolen property"},
    {G::kSexOffence, "sex_offence", 2, false, "sex offences other than rape"},
    {G::kNarcotics, "narcotics", 2, true, "drug possession and sale"},
    {G::kWeapons, "weapons", 2, true, "weapons possession violations"},
    {G::kProstitution, "prostitution", 2, true, "prostitution and commercialised vice"},
    {G::kDui, "dui", 2, true, "driving under the influence"},
    {G::kPublicOrder, "public_order", 2, true,
     "disorderly conduct, drunkenness, vagrancy, gambling, liquor law violations"},
    {G::kOffencesAgainstFamily, "offences_against_family", 2, false,
     "offences against family and children"},
    {G::kOther, "other", 2, false, "all other offences"},
}};

constexpr std::array<OffenceCompositeInfo, 7> kComposites = {{
    {"burglary", "burglary_residential + burglary_nonresidential"},
    {"larceny", "theft + theft_from_vehicle"},
    {"violent", "homicide + rape + robbery + aggravated_assault"},
    {"property", "burglary + larceny + motor_vehicle_theft + arson"},
    {"part1", "violent + property (UCR Part I)"},
    {"victim_reported", "every group that is not enforcement-driven"},
    {"all", "every group, enforcement-driven ones included"},
}};

std::vector<G> CompositeGroups(std::string_view name) {
  if (name == "burglary") return {G::kBurglaryResidential, G::kBurglaryNonResidential};
  if (name == "larceny") return {G::kTheft, G::kTheftFromVehicle};
  if (name == "violent") return {G::kHomicide, G::kRape, G::kRobbery, G::kAggravatedAssault};
  if (name == "property") {
    return {G::kBurglaryResidential, G::kBurglaryNonResidential, G::kTheft,
            G::kTheftFromVehicle,    G::kMotorVehicleTheft,      G::kArson};
  }
  if (name == "part1") {
    std::vector<G> out;
    for (const auto& g : kGroups) {
      if (g.ucr_part == 1) out.push_back(g.group);
    }
    return out;
  }
  if (name == "victim_reported" || name == "all") {
    std::vector<G> out;
    for (const auto& g : kGroups) {
      if (g.group == G::kUnknown) continue;
      if (name == "all" || !g.enforcement_driven) out.push_back(g.group);
    }
    return out;
  }
  return {};
}

}  // namespace

std::span<const OffenceGroupInfo> OffenceGroups() { return kGroups; }

const OffenceGroupInfo& GetOffenceGroupInfo(OffenceGroup g) {
  const auto i = static_cast<size_t>(g);
  return i < kGroups.size() ? kGroups[i] : kGroups[0];
}

std::span<const OffenceCompositeInfo> OffenceComposites() { return kComposites; }

bool OffenceSelection::Contains(OffenceGroup g) const {
  return std::find(groups.begin(), groups.end(), g) != groups.end();
}

std::vector<OffenceGroup> OffenceSelection::EnforcementDriven() const {
  std::vector<OffenceGroup> out;
  for (G g : groups) {
    if (GetOffenceGroupInfo(g).enforcement_driven) out.push_back(g);
  }
  return out;
}

Result<OffenceSelection> ParseOffenceSelection(std::string_view name) {
  OffenceSelection sel;
  sel.name = std::string(name);
  sel.groups = CompositeGroups(name);
  if (sel.groups.empty()) {
    for (const auto& g : kGroups) {
      if (g.name == name && g.group != G::kUnknown) sel.groups = {g.group};
    }
  }
  if (sel.groups.empty()) {
    std::string known;
    for (const auto& g : kGroups) {
      if (g.group != G::kUnknown) known += std::string(known.empty() ? "" : ", ") += g.name;
    }
    for (const auto& c : kComposites) known += std::string(", ") += c.name;
    return Status::InvalidInput("--offence: unknown offence group (got \"" + std::string(name) +
                                "\"; known: " + known + ")");
  }
  return sel;
}

}  // namespace placecast
