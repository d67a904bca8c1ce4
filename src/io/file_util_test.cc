// SPDX-License-Identifier: Apache-2.0
#include "placecast/io/file_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

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
  EXPECT_EQ(ReadFile("/nonexistent-dir/x.json").status().code(), ErrorCode::kIo);
}

TEST(FileUtilTest, RandomBytesDiffer) {
  auto a = RandomBytes(32), b = RandomBytes(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);
}

// Issue 12, finding 5: a device, FIFO or symbolic link named as an output is refused, never
// replaced by a regular file, and hashing one neither hangs nor reads it.
TEST(FileUtilTest, Issue12SpecialFilesAreNeverReplacedOrRead) {
  const std::string dir = ::testing::TempDir() + "/file_util_special";
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(MakeDirs(dir).ok());
  Status s = WriteFileAtomic("/dev/null", "x");
  EXPECT_EQ(s.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(s.message().find("character device"), std::string::npos) << s.message();
  struct stat st;
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  const std::string fifo = dir + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(WriteFileAtomic(fifo, "x").code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(Sha256File(fifo).status().code(), ErrorCode::kInvalidInput);  // does not block
  EXPECT_EQ(Sha256File("/dev/zero").status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(Sha256File("/proc/self/status").status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(Sha256File("/proc/kmsg").ok(), false);  // would block for ever if it were read
  const std::string target = dir + "/target.txt", link = dir + "/link.txt";
  ASSERT_TRUE(WriteFileAtomic(target, "keep").ok());
  std::filesystem::create_symlink(target, link);
  EXPECT_EQ(WriteFileAtomic(link, "x").code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(*ReadFile(target), "keep");
  EXPECT_EQ(WriteFileAtomic(dir, "x").code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(MakeDirs(target).code(), ErrorCode::kInvalidInput);
  // No temporary file is left behind by any refusal or success.
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 3);  // fifo, target.txt, link.txt
}

}  // namespace
}  // namespace placecast::io
