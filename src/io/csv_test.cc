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

#include "common/test_temp.h"

namespace placecast::io {
namespace {

std::string TempPath(const std::string& name) {
  auto dir = placecast::testing::ProcessTempDir("csv");
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
  EXPECT_EQ(missing.status().code(), ErrorCode::kIo);
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

// Reads every record; returns the first error (Ok at a clean end).
Status ReadToEnd(CsvReader& r, std::vector<std::vector<std::string>>* rows = nullptr) {
  std::vector<std::string_view> f;
  for (;;) {
    auto got = r.Next(f);
    if (!got.ok()) return got.status();
    if (!*got) return Status::Ok();
    if (rows) rows->emplace_back(f.begin(), f.end());
  }
}

std::string GzipBytes(const std::string& text) {
  const std::string path = WriteGzip("member.tmp.gz", text);
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Issue 12: zlib's gzread reports a stream cut short only through gzerror(), which was not
// checked, so a gzip file missing its last bytes was read as a shorter, valid file.
TEST(CsvReaderTest, Issue12TruncatedGzipIsAnError) {
  std::string text = "id,lat\n";
  for (int i = 0; i < 2000; ++i) text += std::to_string(i) + ",39.99868\n";
  const std::string whole = GzipBytes(text);
  // Cut in the trailer (CRC and length), and inside the deflate data.
  for (size_t cut : {size_t{4}, size_t{8}, whole.size() / 2}) {
    SCOPED_TRACE(cut);
    const std::string path = WriteText("cut.csv.gz", whole.substr(0, whole.size() - cut));
    auto r = CsvReader::Open(path);
    Status s = r.ok() ? ReadToEnd(**r) : r.status();
    EXPECT_EQ(s.code(), ErrorCode::kInvalidInput) << s.ToString();
    EXPECT_NE(s.message().find(path + ": gzip data: the file ends inside a gzip member"),
              std::string::npos)
        << s.message();
  }
}

TEST(CsvReaderTest, Issue12GzipTrailingGarbageIsAnError) {
  const std::string text = "id,lat\n1,39.9\n";
  const std::string path = WriteText("garbage.csv.gz", GzipBytes(text) + "\n2,40.1\n");
  auto r = CsvReader::Open(path);
  Status s = r.ok() ? ReadToEnd(**r) : r.status();
  EXPECT_EQ(s.code(), ErrorCode::kInvalidInput) << s.ToString();
  EXPECT_NE(s.message().find(path + ": gzip data: trailing bytes after the last gzip member"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("(got \"\\n2,40.1\\n\")"), std::string::npos) << s.message();
}

// RFC 1952: a gzip file may hold several members, read as their concatenation (`cat a.gz b.gz`).
TEST(CsvReaderTest, Issue12ConcatenatedGzipMembersAreOneFile) {
  const std::string path =
      WriteText("members.csv.gz", GzipBytes("id,lat\n1,39.9\n") + GzipBytes("2,40.1\n3,40.2\n"));
  auto r = CsvReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::vector<std::string>> rows;
  ASSERT_TRUE(ReadToEnd(**r, &rows).ok());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2], (std::vector<std::string>{"3", "40.2"}));
  EXPECT_TRUE((*r)->terminated());
}

// Issue 12: a file cut inside its last row was read as a complete, shorter row (a latitude of 39.9
// for 39.99868). The reader cannot tell a cut from a missing final newline, so it says which rows
// end without one; ingest rejects them.
TEST(CsvReaderTest, Issue12UnterminatedLastRecordIsFlagged) {
  const std::string cut = WriteText("cut.csv", "id,lat\n1,39.99868\n2,39.9");
  auto r = CsvReader::Open(cut);
  ASSERT_TRUE(r.ok());
  std::vector<std::string_view> f;
  ASSERT_TRUE(*(*r)->Next(f));
  EXPECT_TRUE((*r)->terminated());
  ASSERT_TRUE(*(*r)->Next(f));
  EXPECT_EQ(f[1], "39.9");
  EXPECT_FALSE((*r)->terminated());
  EXPECT_FALSE(*(*r)->Next(f));

  // With a cut inside an earlier column, the field count is wrong: an error naming the line, or,
  // for a caller that rejects such rows itself, the short record.
  const std::string short_row = WriteText("cut_short.csv", "id,lat,lon\n1,39.9,-75.1\n2,39.9");
  auto strict = CsvReader::Open(short_row);
  ASSERT_TRUE(strict.ok());
  Status s = ReadToEnd(**strict);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(s.message().find(short_row + ":3: expected 3 fields, found 2"), std::string::npos)
      << s.message();
  CsvReader::Options lenient;
  lenient.lenient_unterminated_last = true;
  auto r2 = CsvReader::Open(short_row, lenient);
  ASSERT_TRUE(r2.ok());
  CsvReadAhead ahead(std::move(*r2), 1, 1);
  ASSERT_TRUE(*ahead.Next(f));
  EXPECT_TRUE(ahead.terminated());
  ASSERT_TRUE(*ahead.Next(f));
  EXPECT_EQ(f.size(), 2u);
  EXPECT_FALSE(ahead.terminated());
  EXPECT_EQ(ahead.line(), 3);
  EXPECT_FALSE(*ahead.Next(f));

  // "\r\n" and a lone "\r" end a record too.
  for (const char* text : {"id,lat\n1,2\r\n", "id,lat\n1,2\r"}) {
    auto t = CsvReader::Open(WriteText("crlf.csv", text));
    ASSERT_TRUE(t.ok());
    ASSERT_TRUE(*(*t)->Next(f));
    EXPECT_TRUE((*t)->terminated());
  }
}

TEST(CsvReaderTest, Issue12EndOfFileInsideAQuotedFieldNamesFileAndLine) {
  const std::string path = WriteText("eof_quote.csv", "id,text\n1,ok\n2,\"never closed");
  auto r = CsvReader::Open(path);
  ASSERT_TRUE(r.ok());
  Status s = ReadToEnd(**r);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(s.message().find(path + ":3: unterminated quoted field"), std::string::npos)
      << s.message();
}

// Issue 12: a column named twice was read from its first copy without a word.
TEST(CsvReaderTest, Issue12DuplicatedHeaderColumnIsAnError) {
  const std::string path = WriteText("dup.csv", "id,lat,lon,lat\n1,39.9,-75.1,40.0\n");
  auto r = CsvReader::Open(path);
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(r.status().message().find(path + ":1: column \"lat\" appears twice: columns 2 and 4"),
            std::string::npos)
      << r.status().message();
  // Unnamed columns (a trailing comma, an index column) are not compared.
  EXPECT_TRUE(CsvReader::Open(WriteText("unnamed.csv", ",id,,\n0,1,,\n")).ok());
}

TEST(CsvReaderTest, Issue12InvalidUtf8InHeaderIsAnError) {
  const std::string path = WriteText("bad_header.csv",
                                     "id,off\xFF"
                                     "ence,lat\n1,x,2\n");
  auto r = CsvReader::Open(path);
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(
      r.status().message().find(
          path + ":1: column 2: not valid UTF-8 (byte 0xFF at offset 3) (got \"off\\xFFence\")"),
      std::string::npos)
      << r.status().message();
  // Valid multi-byte names are fine, and so is a byte-order mark.
  EXPECT_TRUE(
      CsvReader::Open(WriteText("utf8_header.csv", "\xEF\xBB\xBFid,d\xC3\xA9lit\n1,x\n")).ok());
}

// The read-ahead wrapper must give exactly what the reader gives: records, field views, line
// numbers, then the error of a broken tail after the records before it. Batches of 1, 2 and 3
// records with one waiting batch exercise every hand-over boundary.
TEST(CsvReadAheadTest, SameRecordsLinesAndErrorsAsTheReader) {
  std::string text = "id,text,n\n";
  for (int i = 0; i < 50; ++i) {
    text += std::to_string(i) + (i % 7 == 0 ? ",\"multi\nline, \"\"q\"\"\"," : ",plain,") +
            std::to_string(i * i) + "\n";
    if (i % 11 == 0) text += "\n";  // blank lines are skipped
  }
  const std::string good = WriteText("ahead_good.csv", text);
  const std::string broken = WriteText("ahead_broken.csv", text + "51,\"unterminated,1\n");
  for (const std::string& path : {good, broken}) {
    auto direct = CsvReader::Open(path);
    ASSERT_TRUE(direct.ok());
    std::vector<std::vector<std::string>> want;
    std::vector<int64_t> want_lines;
    std::vector<std::string_view> f;
    Status want_end;
    for (;;) {
      auto got = (*direct)->Next(f);
      if (!got.ok()) want_end = got.status();
      if (!got.ok() || !*got) break;
      want.emplace_back(f.begin(), f.end());
      want_lines.push_back((*direct)->line());
    }
    ASSERT_EQ(want.size(), 50u);
    EXPECT_EQ(want_end.ok(), path == good);
    for (size_t batch : {1, 2, 3, 4096}) {
      auto r = CsvReader::Open(path);
      ASSERT_TRUE(r.ok());
      CsvReadAhead ahead(std::move(*r), batch, 1);
      std::vector<std::vector<std::string>> got_records;
      std::vector<int64_t> got_lines;
      Status got_end;
      for (;;) {
        auto got = ahead.Next(f);
        if (!got.ok()) got_end = got.status();
        if (!got.ok() || !*got) break;
        got_records.emplace_back(f.begin(), f.end());
        got_lines.push_back(ahead.line());
      }
      EXPECT_EQ(got_records, want) << "batch " << batch;
      EXPECT_EQ(got_lines, want_lines) << "batch " << batch;
      EXPECT_EQ(got_end.ToString(), want_end.ToString()) << "batch " << batch;
      // After the end, Next keeps answering the same.
      auto again = ahead.Next(f);
      EXPECT_EQ(again.ok(), want_end.ok());
    }
  }
}

// Destroying the wrapper before the end of a long file must stop the reading thread (no hang).
TEST(CsvReadAheadTest, StopsEarlyWithoutReadingToTheEnd) {
  std::string text = "a,b\n";
  for (int i = 0; i < 20000; ++i) text += std::to_string(i) + ",x\n";
  auto r = CsvReader::Open(WriteText("ahead_long.csv", text));
  ASSERT_TRUE(r.ok());
  CsvReadAhead ahead(std::move(*r), 16, 2);
  std::vector<std::string_view> f;
  auto got = ahead.Next(f);
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ(f[0], "0");
}

}  // namespace
}  // namespace placecast::io
