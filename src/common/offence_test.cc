// SPDX-License-Identifier: Apache-2.0
#include "placecast/common/offence.h"

#include <gtest/gtest.h>

namespace placecast {
namespace {

TEST(OffenceTest, TableIsInEnumOrder) {
  auto groups = OffenceGroups();
  for (size_t i = 0; i < groups.size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(groups[i].group), i) << groups[i].name;
  }
}

TEST(OffenceTest, CompositesResolve) {
  auto b = ParseOffenceSelection("burglary");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->groups.size(), 2u);
  EXPECT_TRUE(b->Contains(OffenceGroup::kBurglaryResidential));
  EXPECT_FALSE(b->Contains(OffenceGroup::kTheft));
  auto t = ParseOffenceSelection("theft");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->groups, std::vector<OffenceGroup>{OffenceGroup::kTheft});
}

TEST(OffenceTest, EnforcementDrivenTypesAreFlagged) {
  auto v = ParseOffenceSelection("victim_reported");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->EnforcementDriven().empty());
  EXPECT_FALSE(v->Contains(OffenceGroup::kNarcotics));
  auto all = ParseOffenceSelection("all");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->EnforcementDriven().size(), 5u);
  auto n = ParseOffenceSelection("narcotics");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->EnforcementDriven().size(), 1u);
}

TEST(OffenceTest, UnknownNameListsKnownOnes) {
  auto r = ParseOffenceSelection("burglery");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(r.status().message().find("got \"burglery\""), std::string::npos);
  EXPECT_NE(r.status().message().find("burglary_residential"), std::string::npos);
}

}  // namespace
}  // namespace placecast
