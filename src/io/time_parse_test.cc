// SPDX-License-Identifier: Apache-2.0
// Tests for date-time parsing and local-time → UTC conversion through date/tz.h, including the
// daylight-saving gap and overlap rules documented in time_parse.h.
#include "io/time_parse.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/test_temp.h"

namespace placecast::io {
namespace {

int64_t Civil(int64_t y, int mo, int d, int h, int mi, int s) {
  int64_t out = 0;
  EXPECT_TRUE(CivilToSeconds(y, mo, d, h, mi, s, &out));
  return out;
}

TEST(TimeParseTest, CivilToSecondsKnownAnswers) {
  EXPECT_EQ(Civil(1970, 1, 1, 0, 0, 0), 0);
  EXPECT_EQ(Civil(2024, 2, 29, 12, 0, 0), 1709208000);
  EXPECT_EQ(Civil(2000, 3, 1, 0, 0, 1), 951868801);
  int64_t out;
  EXPECT_FALSE(CivilToSeconds(2023, 2, 29, 0, 0, 0, &out));
  EXPECT_FALSE(CivilToSeconds(2023, 13, 1, 0, 0, 0, &out));
  EXPECT_FALSE(CivilToSeconds(2023, 1, 1, 24, 0, 0, &out));
}

struct TimeCase {
  const char* format;
  const char* text;
  bool ok;
  int64_t seconds;
  bool utc;
};

TEST(TimeParseTest, FormatsCaseTable) {
  const TimeCase cases[] = {
      {"iso8601", "2022-01-01 05:00:00+00", true, 1641013200, true},
      {"iso8601", "2022-01-01T05:00:00Z", true, 1641013200, true},
      {"iso8601", "2022-01-01T00:00:00-05:00", true, 1641013200, true},
      {"iso8601", "2022-01-01 05:00", true, 1641013200, false},
      {"iso8601", "2022-01-01", true, 1640995200, false},
      {"iso8601", "2022-13-01 00:00:00", false, 0, false},
      {"iso8601", "not a date", false, 0, false},
      {"epoch", "1641013200", true, 1641013200, true},
      {"%m/%d/%Y %H:%M", "01/01/2022 05:00", true, 1641013200, false},
      {"%m/%d/%Y %H:%M", "2022-01-01 05:00", false, 0, false},
      {"%Y-%m-%d", "2016-02-30", false, 0, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.format) + " / " + c.text);
    auto f = TimeFormat::Parse(c.format);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    int64_t s = -1;
    bool utc = false;
    EXPECT_EQ(f->ParseTime(c.text, &s, &utc), c.ok);
    if (c.ok) {
      EXPECT_EQ(s, c.seconds);
      EXPECT_EQ(utc, c.utc);
    }
  }
}

TEST(TimeParseTest, BadFormatSpecIsInvalidInput) {
  EXPECT_EQ(TimeFormat::Parse("%Y-%Q").status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(TimeFormat::Parse("").status().code(), ErrorCode::kInvalidInput);
}

TEST(TimeParseTest, NewYorkOffsetsAndDaylightRules) {
  auto tz = TimeZone::Load("America/New_York");
  ASSERT_TRUE(tz.ok()) << tz.status().ToString();
  // Winter: EST (-5 h); summer: EDT (-4 h).
  EXPECT_EQ((*tz)->LocalToUtc(Civil(2024, 1, 15, 12, 0, 0)), Civil(2024, 1, 15, 17, 0, 0));
  EXPECT_EQ((*tz)->LocalToUtc(Civil(2024, 7, 15, 12, 0, 0)), Civil(2024, 7, 15, 16, 0, 0));
  // Spring-forward gap (2024-03-10 02:30 never happened): read with the offset before the gap.
  EXPECT_EQ((*tz)->LocalToUtc(Civil(2024, 3, 10, 2, 30, 0)), Civil(2024, 3, 10, 7, 30, 0));
  // Autumn overlap (2024-11-03 01:30 happened twice): the first (daylight) occurrence.
  EXPECT_EQ((*tz)->LocalToUtc(Civil(2024, 11, 3, 1, 30, 0)), Civil(2024, 11, 3, 5, 30, 0));
  EXPECT_EQ((*tz)->OffsetAt(Civil(2024, 7, 1, 0, 0, 0)), -4 * 3600);
}

TEST(TimeParseTest, UnknownZoneIsInvalidInput) {
  auto tz = TimeZone::Load("Mars/Olympus_Mons");
  EXPECT_EQ(tz.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(tz.status().message().find("Mars/Olympus_Mons"), std::string::npos);
  auto utc = TimeZone::Load("UTC");
  ASSERT_TRUE(utc.ok());
  EXPECT_EQ((*utc)->LocalToUtc(12345), 12345);  // A file under the tree that date/tz.h does not
                                                // list as a zone (posix/ is a copy of the tree).
  auto posix = TimeZone::Load("posix/America/New_York");
  EXPECT_EQ(posix.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(posix.status().message().find("tz: unknown time zone"), std::string::npos)
      << posix.status().message();
  // Other zones' known answers: a half-hour offset, a southern-hemisphere summer, and a link.
  auto kolkata = TimeZone::Load("Asia/Kolkata");
  ASSERT_TRUE(kolkata.ok()) << kolkata.status().ToString();
  EXPECT_EQ((*kolkata)->OffsetAt(Civil(2024, 6, 1, 0, 0, 0)), 5 * 3600 + 1800);
  auto sydney = TimeZone::Load("Australia/Sydney");
  ASSERT_TRUE(sydney.ok()) << sydney.status().ToString();
  EXPECT_EQ((*sydney)->LocalToUtc(Civil(2024, 1, 15, 12, 0, 0)), Civil(2024, 1, 15, 1, 0, 0));
  auto eastern = TimeZone::Load("US/Eastern");
  ASSERT_TRUE(eastern.ok()) << eastern.status().ToString();
  EXPECT_EQ((*eastern)->LocalToUtc(Civil(2024, 7, 15, 12, 0, 0)), Civil(2024, 7, 15, 16, 0, 0));
}

// Issue 12: `--map tz=America` (a folder under the zoneinfo tree) aborted with an uncaught
// std::ios_failure thrown by the ifstream that read it. Every bad name is now kInvalidInput naming
// the value, and nothing but a regular file is read.
TEST(TimeParseTest, Issue12ZoneFolderAndSpecialFilesAreInvalidInput) {
  struct Case {
    const char* name;
    const char* want;
  };
  const Case cases[] = {
      {"America", "a folder of time zones"},
      {"", "not an IANA time zone name"},
      {"../../etc/passwd", "not an IANA time zone name"},
      {"/dev/zero", "not an IANA time zone name"},
      {"America/New York", "not an IANA time zone name"},
      {"America/\xFF", "not an IANA time zone name"},
      {"Mars/Olympus_Mons", "unknown time zone"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto tz = TimeZone::Load(c.name);
    ASSERT_FALSE(tz.ok());
    EXPECT_EQ(tz.status().code(), ErrorCode::kInvalidInput);
    const std::string m = tz.status().message();
    EXPECT_EQ(m.rfind("tz: ", 0), 0u) << m;
    EXPECT_NE(m.find(c.want), std::string::npos) << m;
  }
  // Under a zoneinfo tree of our own: a FIFO (which would block a reader forever) and a file that
  // is not TZif are refused before date/tz.h reads them (it asserts on a bad header); a real zone
  // file passes.
  const auto dir = placecast::testing::ProcessTempDir("tz");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "Test");
  ASSERT_EQ(::mkfifo((dir / "Test" / "Pipe").c_str(), 0600), 0);
  std::ofstream(dir / "Test" / "Text") << "not a zone\n";
  std::ofstream(dir / "Test" / "Tiny") << "TZ";
  std::filesystem::copy_file(std::string(kZoneInfoDir) + "/America/New_York",
                             dir / "Test" / "Zone");
  const Case files[] = {
      {"Test/Pipe", "not a time zone file"}, {"Test/Text", "not a TZif file"},
      {"Test/Tiny", "not a TZif file"},      {"Test", "a folder of time zones"},
      {"Test/None", "unknown time zone"},
  };
  for (const auto& c : files) {
    SCOPED_TRACE(c.name);
    const Status s = CheckZoneFile(c.name, (dir / c.name).string());
    EXPECT_EQ(s.code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(s.message().rfind("tz: ", 0), 0u) << s.message();
    EXPECT_NE(s.message().find(c.want), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(std::string("(got \"") + c.name + "\")"), std::string::npos)
        << s.message();
  }
  EXPECT_TRUE(CheckZoneFile("Test/Zone", (dir / "Test" / "Zone").string()).ok());
  std::filesystem::remove_all(dir);
}

// Issue 12: years 1, 9999 and 33658 (an epoch value in milliseconds read as seconds) were ingested.
TEST(TimeParseTest, Issue12IncidentYearsAre1900To2100) {
  EXPECT_TRUE(InIncidentYears(Civil(1900, 1, 1, 0, 0, 0)));
  EXPECT_TRUE(InIncidentYears(Civil(2100, 12, 31, 23, 59, 59)));
  EXPECT_TRUE(InIncidentYears(0));
  EXPECT_FALSE(InIncidentYears(Civil(1899, 12, 31, 23, 59, 59)));
  EXPECT_FALSE(InIncidentYears(Civil(2101, 1, 1, 0, 0, 0)));
  EXPECT_FALSE(InIncidentYears(Civil(1, 1, 1, 0, 0, 0)));
  EXPECT_FALSE(InIncidentYears(Civil(9999, 12, 31, 0, 0, 0)));
  EXPECT_FALSE(InIncidentYears(999999999999));  // year 33658
}

}  // namespace
}  // namespace placecast::io
