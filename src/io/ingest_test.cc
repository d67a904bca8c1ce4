// SPDX-License-Identifier: Apache-2.0
// Tests for ingest: every preset on its real sample, rejects counted by reason with line numbers,
// allowlist (personal columns never reach the store), idempotent re-ingest, study-area filter,
// generic mappings, and broken files that fail naming file, line and field with nothing written.
#include "placecast/io/ingest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "common/test_temp.h"
#include "placecast/io/store.h"

namespace placecast::io {
namespace {

namespace fs = std::filesystem;

const std::string kData = std::string(PLACECAST_TEST_DATA_DIR) + "/ingest/";

std::string TempDir() {
  auto dir = placecast::testing::ProcessTempDir("ingest");
  fs::create_directories(dir);
  return dir.string() + "/";
}

std::string Fresh(const std::string& name) {
  const std::string p = TempDir() + name;
  for (const char* suffix : {"", ".rejects.csv", ".ingest.json"}) fs::remove(p + suffix);
  return p;
}

std::string WriteText(const std::string& name, const std::string& text) {
  const std::string p = TempDir() + name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<IngestSummary> IngestInto(const std::string& store_path, IngestOptions o) {
  PLACECAST_ASSIGN_OR_RETURN(auto store, Store::OpenGeoPackage(store_path, true));
  return Ingest(o, *store);
}

TEST(IngestTest, PhiladelphiaSampleRejectsByReasonWithLines) {
  const std::string store = Fresh("phl.gpkg");
  IngestOptions o;
  o.inputs = {kData + "phl_sample.csv"};
  o.preset = "philadelphia";
  auto s = IngestInto(store, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->rows_read, 25);
  EXPECT_EQ(s->ingested, 16);
  EXPECT_EQ(s->rejected, 9);
  EXPECT_EQ(s->rejected_by_reason.at("missing_coordinates"), 3);
  EXPECT_EQ(s->rejected_by_reason.at("invalid_coordinates"), 4);  // 3 × bogus point + (0,0)
  EXPECT_EQ(s->rejected_by_reason.at("duplicate_id"), 1);
  EXPECT_EQ(s->rejected_by_reason.at("unparsable_time"), 1);
  EXPECT_EQ(s->crs, "EPSG:32618");
  EXPECT_EQ(s->by_group.at("theft"), 4);
  // Columns off the allowlist are dropped and named.
  for (const char* c : {"location_block", "dc_key", "cartodb_id", "ucr_general"}) {
    EXPECT_NE(std::find(s->columns_dropped.begin(), s->columns_dropped.end(), c),
              s->columns_dropped.end())
        << c;
  }
  const std::string rejects = Slurp(store + ".rejects.csv");
  EXPECT_NE(rejects.find("24,unparsable_time,dispatch_date_time,2023-13-01 99:00,phl_sample.csv"),
            std::string::npos)
      << rejects;
  EXPECT_NE(rejects.find("23,duplicate_id,objectid,35971880"), std::string::npos);
  EXPECT_NE(rejects.find("13,missing_coordinates,point_x,,"), std::string::npos);
  // The summary is also written beside the store, as JSON.
  auto j = nlohmann::json::parse(Slurp(store + ".ingest.json"));
  EXPECT_EQ(j["rows_read"], 25);
  EXPECT_EQ(j["rejected_by_reason"]["duplicate_id"], 1);

  auto st = Store::OpenGeoPackage(store, false);
  ASSERT_TRUE(st.ok());
  auto incidents = (*st)->LoadIncidents();
  ASSERT_TRUE(incidents.ok());
  ASSERT_EQ(incidents->size(), 16u);
  const Incident& first = incidents->front();  // 2022-01-01 05:00:00+00 → UTC as given
  EXPECT_EQ(first.t_utc_s, 1641013200);
  EXPECT_EQ(first.tz, "America/New_York");
  EXPECT_NEAR(first.lon, -75.16136631, 1e-8);
  EXPECT_NEAR(first.x_m, 486284, 3000);  // UTM 18N, central Philadelphia
  EXPECT_NEAR(first.y_m, 4425400, 3000);
  EXPECT_EQ(first.district, "22");
}

TEST(IngestTest, GzipAndPlainGiveTheSameStore) {
  const std::string a = Fresh("plain.gpkg"), b = Fresh("gz.gpkg");
  IngestOptions o;
  o.preset = "philadelphia";
  o.inputs = {kData + "phl_sample.csv"};
  auto sa = IngestInto(a, o);
  o.inputs = {kData + "phl_sample.csv.gz"};
  auto sb = IngestInto(b, o);
  ASSERT_TRUE(sa.ok() && sb.ok());
  auto ia = (*Store::OpenGeoPackage(a, false))->LoadIncidents();
  auto ib = (*Store::OpenGeoPackage(b, false))->LoadIncidents();
  ASSERT_TRUE(ia.ok() && ib.ok());
  ASSERT_EQ(ia->size(), ib->size());
  for (size_t i = 0; i < ia->size(); ++i) {
    Incident x = (*ia)[i], y = (*ib)[i];
    x.source = y.source = "";
    EXPECT_EQ(x, y);
  }
}

TEST(IngestTest, ReingestIsIdempotent) {
  const std::string store = Fresh("again.gpkg");
  IngestOptions o;
  o.inputs = {kData + "phl_sample.csv"};
  o.preset = "philadelphia";
  ASSERT_TRUE(IngestInto(store, o).ok());
  auto second = IngestInto(store, o);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->ingested, 0);
  EXPECT_EQ(second->already_in_store, 16);
  EXPECT_EQ(*(*Store::OpenGeoPackage(store, false))->CountIncidents(), 16);
  EXPECT_EQ((*(*Store::OpenGeoPackage(store, false))->GetIngestRuns()).size(), 2u);
}

struct PresetCase {
  const char* preset;
  const char* file;
  int64_t rows, ingested;
  const char* group;
};

TEST(IngestTest, EveryPresetOnItsRealSample) {
  const PresetCase cases[] = {
      {"chicago", "chicago_sample.csv", 12, 10, "aggravated_assault"},
      {"memphis", "memphis_sample.csv", 10, 9, "robbery"},
      {"nyc", "nyc_sample.csv", 11, 8, "motor_vehicle_theft"},
      {"vancouver", "vancouver_sample.csv", 11, 7, "theft_from_vehicle"},
      {"nearrepeat", "nearrepeat_be_sample.csv", 11, 10, "burglary_residential"},  // one NA date
      {"nearrepeat", "nearrepeat_arson_sample.csv", 5, 5, "arson"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.preset) + " " + c.file);
    const std::string store = Fresh(std::string(c.file) + ".gpkg");
    IngestOptions o;
    o.inputs = {kData + c.file};
    o.preset = c.preset;
    auto s = IngestInto(store, o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->rows_read, c.rows);
    EXPECT_EQ(s->ingested, c.ingested);
    EXPECT_EQ(s->rows_read, s->ingested + s->rejected);  // nothing dropped silently
    EXPECT_GT(s->by_group.count(c.group), 0u);
  }
}

// The personal columns include those of the NYPD complaint export (VIC_* and SUSP_* age group,
// race, sex) and of the LAPD export ("Vict Age", "Vict Sex", "Vict Descent"), under their real
// names, with values that occur nowhere else.
TEST(IngestTest, PersonalColumnsNeverReachTheStore) {
  const std::string csv = WriteText(
      "personal.csv",
      "case_id,occurred,lon,lat,crime,victim_name,victim_age,suspect_race,suspect_sex,"
      "VIC_AGE_GROUP,VIC_RACE,VIC_SEX,SUSP_AGE_GROUP,SUSP_RACE,SUSP_SEX,Vict Age,Vict Sex,"
      "Vict Descent\n"
      "A1,2024-03-01T10:00:00Z,-75.16,39.95,Burglary,ZEBEDEE QUARTERMAINE,34,XRACEX,XSEXX,"
      "QAGEQ,QVRACEQ,QVSEXQ,QSAGEQ,QSRACEQ,QSSEXQ,9187,QLSEXQ,QLDESCQ\n"
      "A2,2024-03-02T11:00:00Z,-75.17,39.96,Robbery,ZEBEDEE QUARTERMAINE,35,XRACEX,XSEXX,"
      "QAGEQ,QVRACEQ,QVSEXQ,QSAGEQ,QSRACEQ,QSSEXQ,9187,QLSEXQ,QLDESCQ\n");
  const std::string store = Fresh("personal.gpkg");
  IngestOptions o;
  o.inputs = {csv};
  o.mapping_flags = {{"id", "case_id"}, {"time", "occurred"}, {"x", "lon"},
                     {"y", "lat"},      {"offence", "crime"}, {"crs", "EPSG:4326"}};
  auto s = IngestInto(store, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ingested, 2);
  for (const char* c : {"victim_name", "victim_age", "suspect_race", "suspect_sex", "VIC_AGE_GROUP",
                        "VIC_RACE", "VIC_SEX", "SUSP_AGE_GROUP", "SUSP_RACE", "SUSP_SEX",
                        "Vict Age", "Vict Sex", "Vict Descent"}) {
    EXPECT_NE(std::find(s->columns_dropped.begin(), s->columns_dropped.end(), c),
              s->columns_dropped.end())
        << c;
  }
  // No value of a personal column is anywhere in the store, the rejects or the summary bytes.
  for (const std::string& f : {store, store + ".ingest.json"}) {
    const std::string bytes = Slurp(f);
    ASSERT_FALSE(bytes.empty()) << f;
    for (const char* v : {"ZEBEDEE", "XRACEX", "XSEXX", "QAGEQ", "QVRACEQ", "QVSEXQ", "QSAGEQ",
                          "QSRACEQ", "QSSEXQ", "9187", "QLSEXQ", "QLDESCQ"}) {
      EXPECT_EQ(bytes.find(v), std::string::npos) << v << " found in " << f;
    }
  }
}

TEST(IngestTest, StudyAreaRejectsPointsOutside) {
  const std::string csv = WriteText("area.csv",
                                    "id,t,x,y,o\n1,2024-01-01T00:00:00Z,-75.16,39.95,Thefts\n"
                                    "2,2024-01-01T00:00:00Z,-75.10,40.10,Thefts\n");
  const std::string boundary = WriteText(
      "area.geojson",
      R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"box"},)"
      R"("geometry":{"type":"Polygon","coordinates":[[[-75.2,39.9],[-75.1,39.9],[-75.1,40.0],)"
      R"([-75.2,40.0],[-75.2,39.9]]]}}]})");
  const std::string store = Fresh("area.gpkg");
  IngestOptions o;
  o.inputs = {csv};
  o.preset = "philadelphia";
  o.mapping_flags = {{"id", "id"},     {"time", "t"},    {"x", "x"},  {"y", "y"},
                     {"offence", "o"}, {"district", ""}, {"beat", ""}};
  o.boundary_path = boundary;
  auto s = IngestInto(store, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ingested, 1);
  EXPECT_EQ(s->rejected_by_reason.at("out_of_study_area"), 1);
  auto area = (*Store::OpenGeoPackage(store, false))->GetStudyArea();
  ASSERT_TRUE(area.ok()) << area.status().ToString();
  EXPECT_TRUE(area->has_value());
}

// Issue 14: a store in a CRS in feet was accepted, and --cell-size-m 76.2 then made 76.2-foot
// cells. The CRS is refused, naming its metre twin found in PROJ's database.
TEST(IngestTest, Issue14FootCrsIsRefusedNamingItsMetreTwin) {
  for (const char* metric : {"EPSG:32618", "EPSG:32129", "EPSG:2838", "EPSG:4326", "EPSG:3857"}) {
    EXPECT_TRUE(CheckCrsInMetres(metric).ok()) << metric;
  }
  const struct {
    const char* crs;
    const char* want;
  } kFeet[] = {
      {"EPSG:2913",
       "EPSG:2913 (NAD83(HARN) / Oregon North (ft)) is in foot, not metres: cell sizes, "
       "bandwidths and areas would be read in foot; use its metre twin EPSG:2838 (NAD83(HARN) / "
       "Oregon North)"},
      {"EPSG:2272",
       "EPSG:2272 (NAD83 / Pennsylvania South (ftUS)) is in US survey foot, not metres: cell "
       "sizes, bandwidths and areas would be read in US survey foot; use its metre twin "
       "EPSG:32129 (NAD83 / Pennsylvania South)"},
  };
  for (const auto& c : kFeet) {
    const Status s = CheckCrsInMetres(c.crs);
    EXPECT_EQ(s.code(), ErrorCode::kInvalidInput) << c.crs;
    EXPECT_EQ(s.message(), c.want);
  }
  EXPECT_EQ(CheckCrsInMetres("EPSG:99999").code(), ErrorCode::kInvalidInput);

  // At ingest: from --crs, and from source coordinates in feet that the store would keep.
  const std::string csv =
      WriteText("feet.csv", "id,t,x,y,o\n1,2024-01-01T00:00:00Z,2694000,236000,Thefts\n");
  IngestOptions o;
  o.inputs = {csv};
  o.preset = "philadelphia";
  o.mapping_flags = {{"id", "id"},         {"time", "t"},    {"x", "x"},       {"y", "y"},
                     {"crs", "EPSG:2272"}, {"offence", "o"}, {"district", ""}, {"beat", ""}};
  const std::string store = Fresh("feet.gpkg");
  auto kept = IngestInto(store, o);
  ASSERT_FALSE(kept.ok());
  EXPECT_EQ(kept.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(kept.status().message(),
            "crs: the store would keep the CRS of the source coordinates (--crs chooses "
            "another): " +
                CheckCrsInMetres("EPSG:2272").message());
  EXPECT_FALSE(fs::exists(store));
  o.crs = "EPSG:2913";
  auto given = IngestInto(store, o);
  EXPECT_EQ(given.status().message(), "crs: " + CheckCrsInMetres("EPSG:2913").message());
  EXPECT_FALSE(fs::exists(store));
  o.crs = "EPSG:32129";  // feet in, metres stored
  auto metres = IngestInto(store, o);
  ASSERT_TRUE(metres.ok()) << metres.status().ToString();
  EXPECT_EQ(metres->ingested, 1);
  EXPECT_EQ(metres->crs, "EPSG:32129");
}

struct BadInputCase {
  const char* name;
  const char* text;
  const char* want;  // the message must contain "<path>" + want
};

TEST(IngestTest, BrokenFilesFailNamingFileLineFieldAndWriteNothing) {
  const BadInputCase cases[] = {
      {"short_row.csv",
       "objectid,dispatch_date_time,text_general_code,point_x,point_y\n"
       "1,2024-01-01 00:00:00+00,Thefts,-75.16,39.95\n2,2024-01-01 00:00:00+00,Thefts\n",
       ":3: "},
      {"no_column.csv", "objectid,when,text_general_code,point_x,point_y\n1,x,y,1,2\n",
       ":1: dispatch_date_time: column not found"},
      {"bad_times.csv",
       "objectid,dispatch_date_time,text_general_code,point_x,point_y\n"
       "1,01/02/2024,Thefts,-75.16,39.95\n2,01/03/2024,Thefts,-75.16,39.95\n",
       ":2: dispatch_date_time: "},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string csv = WriteText(c.name, c.text);
    const std::string store = Fresh(std::string(c.name) + ".gpkg");
    IngestOptions o;
    o.inputs = {csv};
    o.preset = "philadelphia";
    o.mapping_flags = {{"district", ""}, {"beat", ""}};
    auto s = IngestInto(store, o);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(s.status().message().find(csv + c.want), std::string::npos) << s.status().message();
    EXPECT_NE(s.status().message().find("(got \""), std::string::npos) << s.status().message();
    EXPECT_FALSE(fs::exists(store));
    EXPECT_FALSE(fs::exists(store + ".rejects.csv"));
    EXPECT_FALSE(fs::exists(store + ".ingest.json"));
  }
}

TEST(IngestTest, FailOnRejectReportsTheEarliestBadRow) {
  IngestOptions o;
  o.inputs = {kData + "phl_sample.csv"};
  o.preset = "philadelphia";
  o.fail_on_reject = true;
  auto store = Store::InMemory();
  auto s = Ingest(o, *store);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("phl_sample.csv:13: point_x: "), std::string::npos)
      << s.status().message();
  EXPECT_EQ(*store->CountIncidents(), 0);
}

TEST(IngestTest, BadOptionsAreInvalidInput) {
  auto store = Store::InMemory();
  IngestOptions o;
  o.inputs = {kData + "phl_sample.csv"};
  o.preset = "atlantis";
  auto s = Ingest(o, *store);
  EXPECT_EQ(s.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(s.status().message().find("philadelphia"), std::string::npos);  // lists the presets
  o.preset = "philadelphia";
  o.mapping_flags = {{"colour", "red"}};
  EXPECT_EQ(Ingest(o, *store).status().code(), ErrorCode::kInvalidInput);
  o.mapping_flags.clear();
  o.inputs = {kData + "no_such_file.csv"};
  EXPECT_EQ(Ingest(o, *store).status().code(), ErrorCode::kIo);
}

constexpr const char* kPhlHeader =
    "objectid,dispatch_date_time,text_general_code,point_x,point_y\n";

Result<IngestSummary> IngestPhl(const std::string& name, const std::string& text,
                                std::string* rejects = nullptr) {
  const std::string csv = WriteText(name, text);
  const std::string store = Fresh(name + ".gpkg");
  IngestOptions o;
  o.inputs = {csv};
  o.preset = "philadelphia";
  o.mapping_flags = {{"district", ""}, {"beat", ""}};
  auto s = IngestInto(store, o);
  if (rejects) *rejects = Slurp(store + ".rejects.csv");
  return s;
}

// Issue 12: a CSV cut inside the last latitude stored 39.9 for 39.99868 with exit 0. A last row
// without a line terminator may be such a cut: it is rejected, by its own reason.
TEST(IngestTest, Issue12UnterminatedLastRowIsRejected) {
  const std::string rows = std::string(kPhlHeader) +
                           "1,2024-01-01 00:00:00+00,Thefts,-75.16,39.95\n"
                           "2,2024-01-02 00:00:00+00,Thefts,-75.17,39.9";
  std::string rejects;
  auto s = IngestPhl("cut_last.csv", rows, &rejects);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->rows_read, 2);
  EXPECT_EQ(s->ingested, 1);
  EXPECT_EQ(s->rejected_by_reason.at("unterminated_last_row"), 1);
  EXPECT_NE(rejects.find("3,unterminated_last_row,point_y,39.9,cut_last.csv"), std::string::npos)
      << rejects;
  // Cut inside an earlier column: the short row is rejected the same way, not a field-count error.
  auto shorter = IngestPhl("cut_short.csv", std::string(kPhlHeader) +
                                                "1,2024-01-01 00:00:00+00,Thefts,-75.16,39.95\n"
                                                "2,2024-01-02 00:00:00+00,The");
  ASSERT_TRUE(shorter.ok()) << shorter.status().ToString();
  EXPECT_EQ(shorter->ingested, 1);
  EXPECT_EQ(shorter->rejected_by_reason.at("unterminated_last_row"), 1);
  // The same file with its final newline ingests both rows.
  auto whole = IngestPhl("whole_last.csv", rows + "\n");
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(whole->ingested, 2);
  EXPECT_EQ(whole->rejected, 0);
}

// Issue 12: invalid UTF-8 in an offence reached nlohmann::json, which aborted the run.
TEST(IngestTest, Issue12InvalidUtf8FieldIsRejectedShownEscaped) {
  std::string rejects;
  auto s = IngestPhl("bad_utf8.csv",
                     std::string(kPhlHeader) +
                         "1,2024-01-01 00:00:00+00,Thefts,-75.16,39.95\n"
                         "2,2024-01-02 00:00:00+00,Th\xFF"
                         "efts,-75.17,39.96\n"
                         "3,2024-01-03 00:00:00+00,Caf\xC3\xA9 theft,-75.17,39.96\n"
                         "4\xC3,2024-01-03 00:00:00+00,Thefts,-75.17,39.96\n",
                     &rejects);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ingested, 2);
  EXPECT_EQ(s->rejected_by_reason.at("invalid_utf8"), 2);
  EXPECT_NE(rejects.find("3,invalid_utf8,text_general_code,Th\\xFFefts,bad_utf8.csv"),
            std::string::npos)
      << rejects;
  EXPECT_NE(rejects.find("5,invalid_utf8,objectid,4\\xC3,bad_utf8.csv"), std::string::npos)
      << rejects;
  EXPECT_NO_THROW(nlohmann::json::parse(s->ToJson()));
  EXPECT_EQ(s->unmapped_offences.count("Caf\xC3\xA9 theft"), 1u);
}

// Issue 12: years 1, 9999 and 33658 were accepted.
TEST(IngestTest, Issue12DatesOutside1900To2100AreRejected) {
  const std::string store = Fresh("epoch_years.gpkg");
  const std::string csv = WriteText("epoch_years.csv",
                                    "id,t,offence,lon,lat\n"
                                    "a,1704067200,burglary,-75.16,39.95\n"     // 2024-01-01
                                    "b,999999999999,burglary,-75.16,39.95\n"   // year 33658
                                    "c,-2208988801,burglary,-75.16,39.95\n"    // 1899-12-31
                                    "d,-2208988800,burglary,-75.16,39.95\n");  // 1900-01-01
  IngestOptions o;
  o.inputs = {csv};
  o.mapping_flags = {{"id", "id"},           {"time", "t"}, {"time_format", "epoch"},
                     {"offence", "offence"}, {"x", "lon"},  {"y", "lat"}};
  auto s = IngestInto(store, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ingested, 2);
  EXPECT_EQ(s->rejected_by_reason.at("date_out_of_range"), 2);
  const std::string rejects = Slurp(store + ".rejects.csv");
  EXPECT_NE(rejects.find("3,date_out_of_range,t,999999999999,epoch_years.csv"), std::string::npos)
      << rejects;

  std::string iso_rejects;
  auto iso = IngestPhl("iso_years.csv",
                       std::string(kPhlHeader) +
                           "1,0001-01-01 00:00:00+00,Thefts,-75.16,39.95\n"
                           "2,9999-12-31 00:00:00+00,Thefts,-75.16,39.95\n"
                           "3,2100-12-31 12:00:00+00,Thefts,-75.16,39.95\n",
                       &iso_rejects);
  ASSERT_TRUE(iso.ok()) << iso.status().ToString();
  EXPECT_EQ(iso->ingested, 1);
  EXPECT_EQ(iso->rejected_by_reason.at("date_out_of_range"), 2);
  EXPECT_NE(iso_rejects.find("2,date_out_of_range,dispatch_date_time,0001-01-01 00:00:00+00"),
            std::string::npos)
      << iso_rejects;
}

// Issue 12: a file name or a --map value that is not UTF-8 went into JSON (the summary, the source
// column) and aborted the run; both are now kInvalidInput before anything is read.
TEST(IngestTest, Issue12InvalidUtf8NamesAndMappingValuesAreInvalidInput) {
  auto store = Store::InMemory();
  IngestOptions o;
  o.inputs = {kData + "phl_sample.csv", TempDir() + "bad\xFFname.csv"};
  o.preset = "philadelphia";
  auto s = Ingest(o, *store);
  EXPECT_EQ(s.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(s.status().message().find("input file name 2: not valid UTF-8 (byte 0xFF at offset"),
            std::string::npos)
      << s.status().message();
  EXPECT_NE(s.status().message().find("bad\\xFFname.csv"), std::string::npos);
  o.inputs = {kData + "phl_sample.csv"};
  o.mapping_flags = {{"offence_constant", "th\xFF"}};
  s = Ingest(o, *store);
  EXPECT_EQ(s.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(s.status().message().find("--map offence_constant: value not valid UTF-8 (byte 0xFF at "
                                      "offset 2) (got \"th\\xFF\")"),
            std::string::npos)
      << s.status().message();
  o.mapping_flags = {{"tz", "America"}};
  s = Ingest(o, *store);
  EXPECT_EQ(s.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(s.status().message().find("tz: a folder of time zones"), std::string::npos)
      << s.status().message();
  EXPECT_EQ(*store->CountIncidents(), 0);
}

// Issue 12: a header naming a column twice was read from its first copy.
TEST(IngestTest, Issue12DuplicatedHeaderColumnFailsTheIngest) {
  auto s = IngestPhl("dup_col.csv",
                     "objectid,dispatch_date_time,text_general_code,point_x,point_y,point_y\n"
                     "1,2024-01-01 00:00:00+00,Thefts,-75.16,39.95,40.5\n");
  EXPECT_EQ(s.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(s.status().message().find("dup_col.csv:1: column \"point_y\" appears twice: columns 5 "
                                      "and 6"),
            std::string::npos)
      << s.status().message();
}

TEST(IngestTest, Issue12SummaryJsonNeverThrowsOnInvalidUtf8) {
  IngestSummary s;
  s.inputs = {"a\xFF.csv"};
  s.unmapped_offences
      ["Th\xC3"
       "eft"] = 1;
  std::string json;
  EXPECT_NO_THROW(json = s.ToJson());
  EXPECT_NE(json.find("a\xEF\xBF\xBD.csv"), std::string::npos) << json;  // U+FFFD
}

TEST(IngestTest, Issue12MappingFileWithInvalidUtf8IsInvalidInput) {
  auto store = Store::InMemory();
  IngestOptions o;
  o.inputs = {kData + "phl_sample.csv"};
  o.preset = "philadelphia";
  o.mapping_path = WriteText("bad_mapping.json", "{\"offence_constant\": \"th\xFF\"}");
  auto s = Ingest(o, *store);
  EXPECT_EQ(s.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(s.status().message().find("bad_mapping.json: not valid UTF-8 (byte 0xFF at offset 24)"),
            std::string::npos)
      << s.status().message();
}

}  // namespace
}  // namespace placecast::io
