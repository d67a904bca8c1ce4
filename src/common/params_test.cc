// SPDX-License-Identifier: Apache-2.0
#include "placecast/params.h"

#include <gtest/gtest.h>

#include <array>

namespace placecast {
namespace {

constexpr std::array<ParamSpec, 3> kSpec = {{
    {"bandwidth_m", ParamType::kDouble, "200", 1, 10000, "m", "kernel bandwidth"},
    {"window_days", ParamType::kInt, "365", 1, 3650, "days", "training window"},
    {"kernel", ParamType::kEnum, "quartic", 0, 0, "", "kernel shape", "quartic|gaussian"},
}};

TEST(ParamsTest, DefaultsFillAndRoundTripThroughJson) {
  auto r = ParamValues::Resolve(kSpec, {{"bandwidth_m", "250.5"}}, "retro");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_DOUBLE_EQ(r->GetDouble("bandwidth_m"), 250.5);
  EXPECT_EQ(r->GetInt("window_days"), 365);
  EXPECT_EQ(r->GetString("kernel"), "quartic");
  EXPECT_EQ(r->ToJson(), R"({"bandwidth_m":250.5,"window_days":365,"kernel":"quartic"})");
  auto back = ParamValues::FromJson(kSpec, r->ToJson(), "retro");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->ToJson(), r->ToJson());
}

TEST(ParamsTest, InvalidValuesNameParameterAndValue) {
  struct Case {
    const char* key;
    const char* value;
    const char* expect;
  };
  const Case cases[] = {
      {"bandwidth_m", "abc", "retro: parameter bandwidth_m: expected a number (got \"abc\")"},
      {"bandwidth_m", "0",
       "retro: parameter bandwidth_m: expected a value in [1, 10000] m (got \"0\")"},
      {"window_days", "2.5", "retro: parameter window_days: expected an integer (got \"2.5\")"},
      {"kernel", "box", "retro: parameter kernel: expected one of quartic|gaussian (got \"box\")"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.key);
    auto r = ParamValues::Resolve(kSpec, {{c.key, c.value}}, "retro");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(r.status().message(), c.expect);
  }
}

TEST(ParamsTest, UnknownKeysAreListed) {
  auto r = ParamValues::Resolve(kSpec, {{"bandwith_m", "1"}, {"zz", "2"}}, "retro");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unknown parameter(s): bandwith_m, zz"), std::string::npos);
}

TEST(ParamsTest, MarkdownListsEveryParameter) {
  const std::string md = ParamSpecToMarkdown(kSpec);
  EXPECT_NE(md.find("| `bandwidth_m` | number | `200` | [1, 10000] | m | kernel bandwidth |"),
            std::string::npos);
  EXPECT_NE(md.find("quartic,gaussian"), std::string::npos);
  // A '|' in a description is escaped so the table keeps its six columns.
  constexpr ParamSpec kPipe[] = {
      {"distance", ParamType::kString, "a", 0, 0, "", "manhattan: |dx| + |dy|"}};
  EXPECT_NE(ParamSpecToMarkdown(kPipe).find("| manhattan: \\|dx\\| + \\|dy\\| |\n"),
            std::string::npos);
}

}  // namespace
}  // namespace placecast
