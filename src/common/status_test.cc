// SPDX-License-Identifier: Apache-2.0
#include "placecast/status.h"

#include <gtest/gtest.h>

namespace placecast {
namespace {

Result<int> Half(int v) {
  if (v % 2) return Status::InvalidInput("odd (got \"" + std::to_string(v) + "\")");
  return v / 2;
}

Status Chain(int v) {
  PLACECAST_ASSIGN_OR_RETURN(int h, Half(v));
  PLACECAST_RETURN_IF_ERROR(h > 10 ? Status::NotFound("too big") : Status::Ok());
  return Status::Ok();
}

TEST(StatusTest, WrapAddsContextAndKeepsCode) {
  Status s = Status::InvalidInput("x.csv:3: time: bad").Wrap("ingest");
  EXPECT_EQ(s.code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(s.message(), "ingest: x.csv:3: time: bad");
  EXPECT_TRUE(Status::Ok().Wrap("ctx").ok());
}

TEST(StatusTest, CodesAreStableExitCodes) {
  EXPECT_EQ(static_cast<int>(ErrorCode::kInvalidInput), 2);
  EXPECT_EQ(static_cast<int>(ErrorCode::kInternal), 7);
  EXPECT_EQ(ErrorCodeName(ErrorCode::kNotFound), "not found");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kInternal), "internal error");
}

TEST(StatusTest, MacrosPropagate) {
  EXPECT_TRUE(Chain(4).ok());
  EXPECT_EQ(Chain(3).code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(Chain(40).code(), ErrorCode::kNotFound);
}

TEST(StatusTest, ResultFromOkStatusIsAnError) {
  Result<int> r = Status::Ok();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace placecast
