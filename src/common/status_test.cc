// SPDX-License-Identifier: Apache-2.0
#include "placecast/status.h"

#include <gtest/gtest.h>

#include <string_view>

namespace placecast {
namespace {

Result<int> Half(int v) {
  if (v % 2) return Status::InvalidInput("odd (got \"" + std::to_string(v) + "\")");
  return v / 2;
}

Status Chain(int v) {
  PLACECAST_ASSIGN_OR_RETURN(int h, Half(v));
  PLACECAST_RETURN_IF_ERROR(h > 10 ? Status::Data("too big") : Status::Ok());
  return Status::Ok();
}

TEST(StatusTest, WrapAddsContextAndKeepsCode) {
  Status s = Status::InvalidInput("x.csv:3: time: bad").Wrap("ingest");
  EXPECT_EQ(s.code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(s.message(), "ingest: x.csv:3: time: bad");
  EXPECT_TRUE(Status::Ok().Wrap("ctx").ok());
}

// Issue 14 point 7: one exit-code table (docs/cli.md): 0 ok, 1 internal, 2 bad input or usage,
// 3 data problem, 4 i/o, 5 replay mismatch.
TEST(StatusTest, Issue14CodesAreTheExitCodeTable) {
  struct Case {
    Status status;
    int exit_code;
    std::string_view name;
  };
  const Case cases[] = {
      {Status::Ok(), 0, "ok"},
      {Status::Internal("x"), 1, "internal error"},
      {Status::InvalidInput("x"), 2, "invalid input"},
      {Status::Data("x"), 3, "data problem"},
      {Status::Io("x"), 4, "i/o error"},
      {Status::ReplayMismatch("x"), 5, "replay mismatch"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(static_cast<int>(c.status.code()), c.exit_code) << c.name;
    EXPECT_EQ(ErrorCodeName(c.status.code()), c.name);
  }
  EXPECT_EQ(ErrorCodeName(static_cast<ErrorCode>(6)), "unknown error");
}

TEST(StatusTest, MacrosPropagate) {
  EXPECT_TRUE(Chain(4).ok());
  EXPECT_EQ(Chain(3).code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(Chain(40).code(), ErrorCode::kData);
}

TEST(StatusTest, ResultFromOkStatusIsAnError) {
  Result<int> r = Status::Ok();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace placecast
