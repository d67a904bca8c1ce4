// SPDX-License-Identifier: Apache-2.0
#include "placecast/io/file_util.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace placecast::io {
namespace {

TEST(FileUtilTest, Sha256MatchesFips180Vectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(FileUtilTest, AtomicWriteReplacesAndLeavesNoTemp) {
  const std::string dir = ::testing::TempDir() + "/file_util_test";
  ASSERT_TRUE(MakeDirs(dir).ok());
  const std::string p = dir + "/a.txt";
  ASSERT_TRUE(WriteFileAtomic(p, "one").ok());
  ASSERT_TRUE(WriteFileAtomic(p, "two").ok());
  EXPECT_EQ(*ReadFile(p), "two");
  EXPECT_FALSE(std::filesystem::exists(p + ".tmp"));
  auto h = Sha256File(p);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(*h, Sha256Hex("two"));
}

TEST(FileUtilTest, UnwritablePathNamesThePath) {
  Status s = WriteFileAtomic("/nonexistent-dir/x.json", "{}");
  EXPECT_EQ(s.code(), ErrorCode::kIo);
  EXPECT_NE(s.message().find("/nonexistent-dir/x.json"), std::string::npos);
  EXPECT_EQ(ReadFile("/nonexistent-dir/x.json").status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace placecast::io
