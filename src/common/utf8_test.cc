// SPDX-License-Identifier: Apache-2.0
#include "placecast/common/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace placecast {
namespace {

struct Utf8Case {
  std::string text;
  size_t first_bad;  // npos when valid
};

TEST(Utf8Test, Issue12FindsTheFirstInvalidByte) {
  constexpr size_t kOk = std::string_view::npos;
  const Utf8Case cases[] = {
      {"", kOk},
      {"plain ascii, longer than eight bytes", kOk},
      {"Montr\xC3\xA9"
       "al",
       kOk},                          // é
      {"\xE2\x82\xAC 5", kOk},        // €
      {"\xF0\x9F\x9A\x93 car", kOk},  // U+1F693
      {"\xF4\x8F\xBF\xBF", kOk},      // U+10FFFF
      {"abcde\xFF", 5},               // not a lead byte
      {"0123456789\x80", 10},         // lone continuation after the fast path
      {"\xC0\xAF", 0},                // overlong '/'
      {"\xE0\x80\xAF", 0},            // overlong
      {"\xED\xA0\x80", 0},            // surrogate U+D800
      {"\xF4\x90\x80\x80", 0},        // above U+10FFFF
      {"ok \xC3", 3},                 // cut short at the end
      {"\xE2\x82", 0},                // cut short
      {"\xC3\xA9\xC3(", 2},           // second sequence broken
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(EscapeInvalidUtf8(c.text));
    EXPECT_EQ(FindInvalidUtf8(c.text), c.first_bad);
    EXPECT_EQ(IsValidUtf8(c.text), c.first_bad == kOk);
  }
}

TEST(Utf8Test, Issue12EscapesOnlyInvalidBytes) {
  EXPECT_EQ(EscapeInvalidUtf8("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(EscapeInvalidUtf8("a\xFF"
                              "b\xC3"),
            "a\\xFFb\\xC3");
  EXPECT_EQ(EscapeInvalidUtf8("\xE2\x82\xE2\x82\xAC"), "\\xE2\\x82\xE2\x82\xAC");
  EXPECT_TRUE(IsValidUtf8(EscapeInvalidUtf8("\x80\x81\xFE\xFF")));
}

TEST(Utf8Test, Issue12DescribesTheFirstInvalidByte) {
  EXPECT_EQ(DescribeInvalidUtf8("hello\xFFworld"), "byte 0xFF at offset 5");
  EXPECT_EQ(DescribeInvalidUtf8("fine"), "");
}

}  // namespace
}  // namespace placecast
