// SPDX-License-Identifier: Apache-2.0
// Tests for the Store implementations: the same behaviour from the in-memory store and a
// temporary GeoPackage (write, reopen, filter, atomicity, schema-version check).
#include "placecast/io/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "common/test_temp.h"

namespace placecast::io {
namespace {

namespace fs = std::filesystem;

std::string FreshPath(const std::string& name) {
  auto dir = placecast::testing::ProcessTempDir("store");
  fs::create_directories(dir);
  fs::path p = dir / name;
  fs::remove(p);
  return p.string();
}

Incident MakeIncident(const std::string& id, int64_t t, double x, double y, OffenceGroup g) {
  Incident i;
  i.id = id;
  i.t_utc_s = t;
  i.tz = "America/New_York";
  i.lon = -75.16;
  i.lat = 39.95;
  i.x_m = x;
  i.y_m = y;
  i.offence = "text " + id;
  i.group = g;
  i.district = "22";
  i.beat = "2";
  i.source = "test.csv";
  return i;
}

StoreWrite SampleWrite() {
  StoreWrite w;
  w.crs = "EPSG:32618";
  w.incidents = {MakeIncident("b", 200, 485100, 4425100, OffenceGroup::kTheft),
                 MakeIncident("a", 200, 485000, 4425000, OffenceGroup::kRobbery),
                 MakeIncident("c", 100, 485200, 4425200, OffenceGroup::kTheft),
                 MakeIncident("d", 300, 485300, 4425300, OffenceGroup::kBurglaryResidential)};
  grid::Boundary area;
  area.name = "square";
  area.rings = {grid::Ring{{484000, 487000, 487000, 484000}, {4424000, 4424000, 4427000, 4427000}}};
  w.study_area = area;
  w.run = IngestRun{"2025-01-02T03:04:05Z", {"test.csv"}, "{\"rows_read\":4}"};
  return w;
}

// Runs the same checks on an in-memory store and on a GeoPackage reopened from disk.
class StoreContractTest : public ::testing::TestWithParam<bool> {
 protected:
  std::unique_ptr<Store> Open(const std::string& path, bool create) {
    if (!GetParam()) {
      if (!mem_) mem_ = Store::InMemory();
      return nullptr;
    }
    auto s = Store::OpenGeoPackage(path, create);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  Store& Get(std::unique_ptr<Store>& owned) { return owned ? *owned : *mem_; }
  std::unique_ptr<Store> mem_;
};

TEST_P(StoreContractTest, WriteReopenAndFilter) {
  const std::string path = FreshPath(GetParam() ? "contract.gpkg" : "unused");
  auto owned = Open(path, true);
  Store& s = Get(owned);
  ASSERT_TRUE(s.GetCrs().ok());
  EXPECT_FALSE(s.GetCrs()->has_value());  // an empty store has none
  ASSERT_TRUE(s.GetStudyArea().ok());
  EXPECT_FALSE(s.GetStudyArea()->has_value());
  ASSERT_TRUE(s.Write(SampleWrite()).ok());
  if (GetParam()) owned = Open(path, false);  // reopen from disk
  Store& r = Get(owned);
  EXPECT_EQ(r.GetCrs()->value_or(""), "EPSG:32618");
  EXPECT_EQ(*r.CountIncidents(), 4);
  auto all = r.LoadIncidents();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  // Ordered by time, then id.
  EXPECT_EQ((*all)[0].id, "c");
  EXPECT_EQ((*all)[1].id, "a");
  EXPECT_EQ((*all)[2].id, "b");
  EXPECT_EQ((*all)[0], SampleWrite().incidents[2]);  // every field survives the round trip

  auto thefts = r.LoadEvents({OffenceGroup::kTheft}, 0, 1000);
  ASSERT_TRUE(thefts.ok());
  EXPECT_EQ(thefts->size(), 2u);
  EXPECT_EQ(thefts->crs, "EPSG:32618");
  EXPECT_EQ(thefts->t_s[0], 100);
  EXPECT_DOUBLE_EQ(thefts->x_m[0], 485200);
  // Half-open time range [from, to).
  auto window = r.LoadEvents({OffenceGroup::kTheft, OffenceGroup::kRobbery}, 100, 200);
  ASSERT_TRUE(window.ok());
  EXPECT_EQ(window->size(), 1u);

  auto area = r.GetStudyArea();
  ASSERT_TRUE(area.ok()) << area.status().ToString();
  ASSERT_TRUE(area->has_value());
  EXPECT_TRUE((*area)->Contains(485000, 4425000));
  EXPECT_FALSE((*area)->Contains(490000, 4425000));
  auto runs = r.GetIngestRuns();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].summary_json, "{\"rows_read\":4}");
}

TEST_P(StoreContractTest, RejectsDuplicateIdsAndOtherCrsWithoutChange) {
  const std::string path = FreshPath(GetParam() ? "dup.gpkg" : "unused");
  auto owned = Open(path, true);
  Store& s = Get(owned);
  ASSERT_TRUE(s.Write(SampleWrite()).ok());
  StoreWrite again;
  again.crs = "EPSG:32618";
  again.incidents = {MakeIncident("new", 1, 485000, 4425000, OffenceGroup::kTheft),
                     MakeIncident("a", 1, 485000, 4425000, OffenceGroup::kTheft)};
  Status st = s.Write(again);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidInput) << st.ToString();
  EXPECT_EQ(*s.CountIncidents(), 4);  // all or nothing: "new" was not added either
  StoreWrite other;
  other.crs = "EPSG:32617";
  other.incidents = {MakeIncident("z", 1, 1, 1, OffenceGroup::kTheft)};
  EXPECT_EQ(s.Write(other).code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(*s.CountIncidents(), 4);
}

// SampleWrite holds c at t = 100, a and b at 200, d at 300.
TEST_P(StoreContractTest, PurgeBeforeCutoffKeepsTheCutoffAndIsIdempotent) {
  const std::string path = FreshPath(GetParam() ? "purge.gpkg" : "unused");
  auto owned = Open(path, true);
  Store& s = Get(owned);
  ASSERT_TRUE(s.Write(SampleWrite()).ok());
  // Cutoff 200: only c (t = 100 < 200) goes; a and b sit exactly on the cutoff and stay.
  auto ages = s.CountIncidentsBefore(200);
  ASSERT_TRUE(ages.ok()) << ages.status().ToString();
  EXPECT_EQ(ages->before, 1);
  EXPECT_EQ(ages->at_or_after, 3);
  EXPECT_EQ(ages->oldest_kept_s, 200);
  EXPECT_EQ(*s.CountIncidents(), 4);  // counting changes nothing
  auto purged = s.PurgeIncidentsBefore(200);
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(*s.PurgeIncidentsBefore(200), 0);  // idempotent
  if (GetParam()) owned = Open(path, false);
  Store& r = Get(owned);
  auto all = r.LoadIncidents();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, "a");
  EXPECT_EQ((*all)[1].id, "b");
  EXPECT_EQ((*all)[2].id, "d");
  auto ids = r.GetIds();
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(std::count(ids->begin(), ids->end(), "c"), 0);
  // Cutoff 301: everything goes; nothing is kept, so there is no oldest kept time.
  EXPECT_EQ(*r.PurgeIncidentsBefore(301), 3);
  auto none = r.CountIncidentsBefore(301);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->before, 0);
  EXPECT_EQ(none->at_or_after, 0);
  EXPECT_FALSE(none->oldest_kept_s.has_value());
  // The purged id can be ingested again (it is no longer "already stored"), and the study area
  // and ingest history survive a purge.
  StoreWrite again;
  again.crs = "EPSG:32618";
  again.incidents = {MakeIncident("c", 100, 485200, 4425200, OffenceGroup::kTheft)};
  EXPECT_TRUE(r.Write(again).ok());
  EXPECT_TRUE(r.GetStudyArea().ok() && r.GetStudyArea()->has_value());
  EXPECT_EQ(r.GetIngestRuns()->size(), 1u);
}

// Regression: adjacent areas share border vertices; the GeoPackage writer once took a neighbour's
// shared first vertex as "inside" and stored whole police districts as holes.
TEST_P(StoreContractTest, AdjacentAreasAndHolesSurviveTheRoundTrip) {
  const std::string path = FreshPath(GetParam() ? "adjacent.gpkg" : "unused");
  auto owned = Open(path, true);
  Store& s = Get(owned);
  StoreWrite w = SampleWrite();
  grid::Boundary area;
  area.name = "districts";
  // West square, east square sharing the edge x = 1000 (east starts on the shared corner), and a
  // hole inside the west square.
  area.rings = {grid::Ring{{0, 1000, 1000, 0}, {0, 0, 1000, 1000}},
                grid::Ring{{1000, 2000, 2000, 1000, 1000}, {0, 0, 1000, 1000, 500}},
                grid::Ring{{200, 400, 400, 200}, {200, 200, 400, 400}}};
  w.study_area = area;
  ASSERT_TRUE(s.Write(w).ok());
  if (GetParam()) owned = Open(path, false);
  auto read = Get(owned).GetStudyArea();
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_TRUE(read->has_value());
  const grid::Boundary& back = **read;
  EXPECT_EQ(back.rings.size(), 3u);
  EXPECT_TRUE(back.Contains(700, 700));    // west square
  EXPECT_TRUE(back.Contains(1500, 500));   // east square
  EXPECT_FALSE(back.Contains(300, 300));   // the hole
  EXPECT_FALSE(back.Contains(2500, 500));  // outside
}

EnvLayer SampleLayer(const std::string& name, EnvLayerKind kind) {
  EnvLayer l;
  l.name = name;
  l.kind = kind;
  l.source_file = name + ".geojson";
  l.source_sha256 = std::string(64, 'a');
  l.snapshot_date = "2024-06-01";
  if (kind == EnvLayerKind::kPoint) {
    l.features = {EnvFeature{{grid::Ring{{485000}, {4425000}}}},
                  EnvFeature{{grid::Ring{{485500}, {4425500}}, grid::Ring{{485600}, {4425600}}}}};
  } else if (kind == EnvLayerKind::kLine) {
    l.features = {EnvFeature{{grid::Ring{{485000, 485100, 485300}, {4425000, 4425100, 4425000}}}}};
  } else {
    // A square with a hole.
    l.features = {EnvFeature{{grid::Ring{{0, 100, 100, 0}, {0, 0, 100, 100}},
                              grid::Ring{{40, 60, 60, 40}, {40, 40, 60, 60}}}}};
  }
  l.feature_count = static_cast<int64_t>(l.features.size());
  return l;
}

TEST_P(StoreContractTest, EnvLayersRoundTripSortedByNameAndRefuseADuplicateName) {
  const std::string path = FreshPath(GetParam() ? "env.gpkg" : "unused");
  auto owned = Open(path, true);
  Store& s = Get(owned);
  // No CRS yet: layers are kept in the store's CRS.
  EXPECT_EQ(s.WriteEnvLayer(SampleLayer("stations", EnvLayerKind::kPoint), false).code(),
            ErrorCode::kInvalidInput);
  ASSERT_TRUE(s.Write(SampleWrite()).ok());
  ASSERT_TRUE(s.LoadEnvLayers(true).ok());
  EXPECT_TRUE(s.LoadEnvLayers(true)->empty());
  for (auto [name, kind] :
       {std::pair{"stations", EnvLayerKind::kPoint}, std::pair{"roads", EnvLayerKind::kLine},
        std::pair{"parks", EnvLayerKind::kPolygon}}) {
    Status st = s.WriteEnvLayer(SampleLayer(name, kind), false);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  Status dup = s.WriteEnvLayer(SampleLayer("stations", EnvLayerKind::kPoint), false);
  EXPECT_EQ(dup.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(dup.message().find("name: layer already stored (got \"stations\")"), std::string::npos)
      << dup.message();
  EnvLayer bad = SampleLayer("Bad Name", EnvLayerKind::kPoint);
  EXPECT_EQ(s.WriteEnvLayer(bad, false).code(), ErrorCode::kInvalidInput);
  EnvLayer undated = SampleLayer("undated", EnvLayerKind::kPoint);
  undated.snapshot_date = "";
  EXPECT_EQ(s.WriteEnvLayer(undated, false).code(), ErrorCode::kInvalidInput);
  EnvLayer moved = SampleLayer("stations", EnvLayerKind::kPoint);
  moved.features.pop_back();
  moved.feature_count = 1;
  moved.snapshot_date = "2025-01-01";
  ASSERT_TRUE(s.WriteEnvLayer(moved, true).ok());
  if (GetParam()) owned = Open(path, false);
  Store& r = Get(owned);
  auto layers = r.LoadEnvLayers(true);
  ASSERT_TRUE(layers.ok()) << layers.status().ToString();
  ASSERT_EQ(layers->size(), 3u);
  EXPECT_EQ((*layers)[0], SampleLayer("parks", EnvLayerKind::kPolygon));
  EXPECT_EQ((*layers)[1], SampleLayer("roads", EnvLayerKind::kLine));
  EXPECT_EQ((*layers)[2], moved);
  auto listed = r.LoadEnvLayers(false);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE((*listed)[0].features.empty());
  EXPECT_EQ((*listed)[0].feature_count, 1);
}

// GDAL reads the stored features back as a GeoPackage layer (QGIS sees what placecast wrote).
TEST(GeoPackageStoreTest, Issue15EnvFeaturesAreAGeoPackageLayerGdalReads) {
  const std::string path = FreshPath("env_gdal.gpkg");
  auto store = Store::OpenGeoPackage(path, true);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Write(SampleWrite()).ok());
  ASSERT_TRUE((*store)->WriteEnvLayer(SampleLayer("stations", EnvLayerKind::kPoint), false).ok());
  ASSERT_TRUE((*store)->WriteEnvLayer(SampleLayer("parks", EnvLayerKind::kPolygon), false).ok());
  auto read = ReadEnvLayerFile(path, "env_features", "EPSG:32618", "");
  // Points and polygons share the table: GDAL sees both kinds, which one layer may not mix.
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("kinds mixed in one layer"), std::string::npos)
      << read.status().message();
  const std::string only_points = FreshPath("env_gdal_points.gpkg");
  auto s2 = Store::OpenGeoPackage(only_points, true);
  ASSERT_TRUE(s2.ok());
  ASSERT_TRUE((*s2)->Write(SampleWrite()).ok());
  ASSERT_TRUE((*s2)->WriteEnvLayer(SampleLayer("stations", EnvLayerKind::kPoint), false).ok());
  auto points = ReadEnvLayerFile(only_points, "env_features", "EPSG:32618", "");
  ASSERT_TRUE(points.ok()) << points.status().ToString();
  EXPECT_EQ(points->features, SampleLayer("stations", EnvLayerKind::kPoint).features);
}

INSTANTIATE_TEST_SUITE_P(MemoryAndGeoPackage, StoreContractTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "GeoPackage" : "InMemory"; });

TEST(GeoPackageStoreTest, DuplicateIdsInTheFirstWriteLeaveNoFile) {
  // A new store builds its unique id index after the bulk insert; a repeated id must still fail
  // the whole write and leave nothing behind.
  const std::string path = FreshPath("first_dup.gpkg");
  auto s = Store::OpenGeoPackage(path, true);
  ASSERT_TRUE(s.ok());
  StoreWrite w = SampleWrite();
  w.incidents.push_back(w.incidents.front());
  const Status st = (*s)->Write(w);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidInput) << st.ToString();
  EXPECT_NE(st.message().find("first_dup.gpkg"), std::string::npos) << st.message();
  EXPECT_FALSE(fs::exists(path));
}

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Retention must not leave purged rows recoverable from the file's bytes (free pages, slack).
TEST(GeoPackageStoreTest, PurgedRowsLeaveNoTraceInTheFile) {
  const std::string path = FreshPath("purge_bytes.gpkg");
  StoreWrite w = SampleWrite();
  const Incident old = MakeIncident("old", 50, 485000, 4425000, OffenceGroup::kTheft);
  for (int i = 0; i < 500; ++i) {  // enough rows to span several pages
    Incident inc = old;
    inc.id = "OLD-RECORD-" + std::to_string(1000 + i);
    inc.offence = "text " + inc.id;
    inc.x_m += i;
    w.incidents.push_back(std::move(inc));
  }
  {
    auto s = Store::OpenGeoPackage(path, true);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->Write(w).ok());
  }
  ASSERT_NE(FileBytes(path).find("OLD-RECORD-1234"), std::string::npos);
  const auto size_before = fs::file_size(path);
  {
    auto s = Store::OpenGeoPackage(path, false);
    ASSERT_TRUE(s.ok());
    auto purged = (*s)->PurgeIncidentsBefore(100);
    ASSERT_TRUE(purged.ok()) << purged.status().ToString();
    EXPECT_EQ(*purged, 500);
  }
  const std::string bytes = FileBytes(path);
  EXPECT_EQ(bytes.find("OLD-RECORD-"), std::string::npos);
  EXPECT_NE(bytes.find("text a"), std::string::npos);  // kept rows are still there
  EXPECT_LT(fs::file_size(path), size_before);         // VACUUM dropped the free pages
  // Still a valid GeoPackage whose incidents extent covers only the kept points.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT min_x, max_x, (SELECT integrity_check FROM "
                               "pragma_integrity_check) FROM gpkg_contents WHERE table_name = "
                               "'incidents'",
                               -1, &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_DOUBLE_EQ(sqlite3_column_double(st, 0), 485000);  // a; c was at 485200, d at 485300
  EXPECT_DOUBLE_EQ(sqlite3_column_double(st, 1), 485300);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 2)), "ok");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST(GeoPackageStoreTest, PurgeOfAStoreWithoutAFileIsIo) {
  const std::string path = FreshPath("purge_absent.gpkg");
  auto s = Store::OpenGeoPackage(path, true);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->PurgeIncidentsBefore(100).status().code(), ErrorCode::kIo);
  EXPECT_FALSE(fs::exists(path));
}

TEST(GeoPackageStoreTest, MissingFileIsIoUnlessCreating) {
  const std::string path = FreshPath("missing.gpkg");
  auto s = Store::OpenGeoPackage(path, false);
  EXPECT_EQ(s.status().code(), ErrorCode::kIo);
  EXPECT_NE(s.status().message().find("missing.gpkg"), std::string::npos);
  auto c = Store::OpenGeoPackage(path, true);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(fs::exists(path));  // nothing on disk until the first Write
}

TEST(GeoPackageStoreTest, ForeignFileAndOtherSchemaVersionAreCorrupt) {
  const std::string text = FreshPath("not_a_store.gpkg");
  std::ofstream(text) << "hello";
  EXPECT_EQ(Store::OpenGeoPackage(text, false).status().code(), ErrorCode::kData);

  const std::string path = FreshPath("version.gpkg");
  {
    auto s = Store::OpenGeoPackage(path, true);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->Write(SampleWrite()).ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE placecast_metadata SET value='999' WHERE key='schema_version'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto s = Store::OpenGeoPackage(path, false);
  EXPECT_EQ(s.status().code(), ErrorCode::kData);
  EXPECT_NE(s.status().message().find("schema_version"), std::string::npos) << s.status().message();
}

TEST(GeoPackageStoreTest, IsAGeoPackageThatGisToolsRecognise) {
  const std::string path = FreshPath("ogc.gpkg");
  {
    auto s = Store::OpenGeoPackage(path, true);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->Write(SampleWrite()).ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  auto scalar = [&](const char* sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sql;
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(st, 0);
      out = t ? reinterpret_cast<const char*>(t) : "";
    }
    sqlite3_finalize(st);
    return out;
  };
  EXPECT_EQ(scalar("PRAGMA application_id"), "1196444487");  // 'GPKG'
  EXPECT_EQ(scalar("SELECT data_type FROM gpkg_contents WHERE table_name='incidents'"), "features");
  EXPECT_EQ(scalar("SELECT geometry_type_name FROM gpkg_geometry_columns "
                   "WHERE table_name='incidents'"),
            "POINT");
  EXPECT_EQ(scalar("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name='incidents'"),
            "32618");
  sqlite3_close(db);
}

// Issue 14 point 8: `incidents` has the GeoPackage R-tree spatial index, as every product layer
// has: registered in gpkg_extensions (what QGIS and GDAL look for), one entry per row after an
// ingest, kept in step by the triggers through a purge and a later write, and built at the first
// write of a store made before placecast kept it.
TEST(GeoPackageStoreTest, Issue14IncidentsHaveTheRtreeSpatialIndex) {
  const std::string path = FreshPath("rtree.gpkg");
  auto scalar = [&](const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    std::string out;
    if (st != nullptr && sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(st, 0);
      out = t ? reinterpret_cast<const char*>(t) : "NULL";
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  };
  // The ids of the incidents whose points fall in a box, found through the index.
  auto in_box = [&](const char* box) {
    return scalar(
        std::string("SELECT group_concat(id, ',') FROM (SELECT i.id FROM incidents i JOIN "
                    "rtree_incidents_geom r ON r.id = i.fid WHERE ") +
        box + " ORDER BY i.id)");
  };
  // One index entry per row, each the row's point.
  auto expect_indexed = [&](const char* rows) {
    EXPECT_EQ(scalar("SELECT count(*) FROM incidents"), rows);
    EXPECT_EQ(scalar("SELECT count(*) FROM rtree_incidents_geom"), rows);
    EXPECT_EQ(
        scalar("SELECT count(*) FROM incidents i JOIN rtree_incidents_geom r ON r.id = i.fid "
               "WHERE r.minx = i.x_m AND r.maxx = i.x_m AND r.miny = i.y_m AND r.maxy = i.y_m"),
        rows);
  };
  {
    auto s = Store::OpenGeoPackage(path, true);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->Write(SampleWrite()).ok());
  }
  EXPECT_EQ(scalar("SELECT extension_name || ' ' || scope FROM gpkg_extensions WHERE "
                   "table_name = 'incidents' AND column_name = 'geom'"),
            "gpkg_rtree_index write-only");
  expect_indexed("4");
  EXPECT_EQ(in_box("r.minx <= 485250 AND r.maxx >= 485050 AND r.miny <= 4425250 AND "
                   "r.maxy >= 4425050"),
            "b,c");
  EXPECT_EQ(scalar("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE "
                   "'rtree_incidents_geom_%'"),
            "6");
  // Writes one more theft at (x, y).
  auto write_one = [&](const std::string& id, double x, double y) {
    auto s = Store::OpenGeoPackage(path, false);
    ASSERT_TRUE(s.ok());
    StoreWrite more;
    more.crs = "EPSG:32618";
    more.incidents = {MakeIncident(id, 400, x, y, OffenceGroup::kTheft)};
    ASSERT_TRUE((*s)->Write(more).ok());
  };
  {
    // A purge deletes the entries of its rows; a later write adds its rows' entries.
    auto s = Store::OpenGeoPackage(path, false);
    ASSERT_TRUE(s.ok());
    auto purged = (*s)->PurgeIncidentsBefore(150);  // c
    ASSERT_TRUE(purged.ok()) << purged.status().ToString();
    EXPECT_EQ(*purged, 1);
  }
  write_one("e", 485120, 4425180);
  expect_indexed("4");
  EXPECT_EQ(in_box("r.minx <= 485250 AND r.maxx >= 485050 AND r.miny <= 4425250 AND "
                   "r.maxy >= 4425050"),
            "b,e");
  EXPECT_EQ(scalar("SELECT integrity_check FROM pragma_integrity_check"), "ok");
  // A store made before the index: its first write builds it over every row.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    for (const char* t : {"insert", "update1", "update2", "update3", "update4", "delete"}) {
      const std::string sql = std::string("DROP TRIGGER rtree_incidents_geom_") + t;
      ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
    }
    ASSERT_EQ(sqlite3_exec(db, "DROP TABLE rtree_incidents_geom; DROP TABLE gpkg_extensions;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM sqlite_master WHERE name LIKE 'rtree_%'"), "0");
  write_one("f", 485400, 4425400);
  expect_indexed("5");
  EXPECT_EQ(scalar("SELECT count(*) FROM gpkg_extensions WHERE extension_name = "
                   "'gpkg_rtree_index'"),
            "1");
}

}  // namespace
}  // namespace placecast::io
