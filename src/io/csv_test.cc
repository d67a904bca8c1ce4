// SPDX-License-Identifier: Apache-2.0
// Tests for the streaming CSV reader: quoting, line numbers, gzip, and broken files whose messages
// must name the file and the line.
#include "placecast/io/csv.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace placecast::io {
namespace {

std::string TempPath(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / "placecast_csv_test";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

std::string WriteText(const std::string& name, const std::string& text) {
  const std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string WriteGzip(const std::string& name, const std::string& text) {
  const std::string path = TempPath(name);
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  return path;
}

std::vector<std::vector<std::string>> ReadAll(CsvReader& r, std::vector<int64_t>* lines = nullptr) {
  std::vector<std::vector<std::string>> out;
  std::vector<std::string_view> f;
  for (;;) {
    auto got = r.Next(f);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok() || !*got) break;
    out.emplace_back(f.begin(), f.end());
    if (lines) lines->push_back(r.line());
  }
  return out;
}

TEST(CsvReaderTest, QuotedFieldsEmbeddedCommasQuotesAndNewlines) {
  const std::string path = WriteText(
      "quoted.csv",
      "id,text,n\r\n1,\"a, b\",2\r\n2,\"say \"\"hi\"\"\",3\n3,\"two\nlines\",4\n\n4,,5\n");
  auto r = CsvReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->header(), (std::vector<std::string>{"id", "text", "n"}));
  EXPECT_EQ((*r)->ColumnIndex("n"), 2);
  EXPECT_EQ((*r)->ColumnIndex("missing"), -1);
  std::vector<int64_t> lines;
  auto rows = ReadAll(**r, &lines);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"1", "a, b", "2"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"2", "say \"hi\"", "3"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"3", "two\nlines", "4"}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"4", "", "5"}));
  // Physical lines where each record starts; the blank line 7 is skipped.
  EXPECT_EQ(lines, (std::vector<int64_t>{2, 3, 4, 7}));
}

TEST(CsvReaderTest, GzipGivesTheSameRecordsAsPlainText) {
  std::string text = "a,b\n";
  for (int i = 0; i < 50000; ++i) text += std::to_string(i) + ",\"x" + std::to_string(i) + "\"\n";
  auto plain = CsvReader::Open(WriteText("big.csv", text));
  auto gz = CsvReader::Open(WriteGzip("big.csv.gz", text));
  ASSERT_TRUE(plain.ok());
  ASSERT_TRUE(gz.ok());
  EXPECT_FALSE((*plain)->gzipped());
  EXPECT_TRUE((*gz)->gzipped());
  auto a = ReadAll(**plain);
  auto b = ReadAll(**gz);
  ASSERT_EQ(a.size(), 50000u);
  EXPECT_EQ(a, b);
  EXPECT_EQ(b.back(), (std::vector<std::string>{"49999", "x49999"}));
}

struct BadCase {
  const char* name;
  const char* text;
  const char* expect;  // substring of the message after "path:"
};

TEST(CsvReaderTest, BrokenFilesNameFileAndLine) {
  const BadCase cases[] = {
      {"fields.csv", "a,b,c\n1,2,3\n4,5\n", ":3: "},
      {"unterminated.csv", "a,b\n1,2\n3,\"open\n4,5\n", ":3: "},
      {"after_quote.csv", "a,b\n1,2\n3,\"xy\"z\n", ":3: "},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = WriteText(c.name, c.text);
    auto r = CsvReader::Open(path);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string_view> f;
    Status last = Status::Ok();
    for (int i = 0; i < 10; ++i) {
      auto got = (*r)->Next(f);
      if (!got.ok()) {
        last = got.status();
        break;
      }
      if (!*got) break;
    }
    EXPECT_EQ(last.code(), ErrorCode::kInvalidInput) << last.ToString();
    EXPECT_NE(last.message().find(path + c.expect), std::string::npos) << last.message();
    EXPECT_NE(last.message().find("(got \""), std::string::npos) << last.message();
  }
}

TEST(CsvReaderTest, MissingAndEmptyFiles) {
  auto missing = CsvReader::Open(TempPath("does_not_exist.csv"));
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find("does_not_exist.csv"), std::string::npos);
  auto empty = CsvReader::Open(WriteText("empty.csv", ""));
  EXPECT_EQ(empty.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(empty.status().message().find("empty.csv"), std::string::npos);
}

TEST(CsvReaderTest, NoHeaderMode) {
  CsvReader::Options o;
  o.has_header = false;
  auto r = CsvReader::Open(WriteText("nohead.csv", "1,2\n3,4\n"), o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)->header().empty());
  auto rows = ReadAll(**r);
  EXPECT_EQ(rows.size(), 2u);
}

TEST(CsvReaderTest, QuoteInsideUnquotedFieldIsKeptLiterally) {
  // Real exports carry inch marks (12" PIPE); only a quote after a closing quote is an error.
  auto r = CsvReader::Open(WriteText("inch.csv", "a,b\n1,12\" PIPE\n"));
  ASSERT_TRUE(r.ok());
  auto rows = ReadAll(**r);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][1], "12\" PIPE");
}

}  // namespace
}  // namespace placecast::io
