// SPDX-License-Identifier: Apache-2.0
// Issue 12: the store's durability and the ledger's vouching for the data. A write and its ledger
// record are one transaction; the file is created in place and written under SQLite's locking
// (concurrent creators, a busy store, a reader during a write); the state digest follows every
// write and catches edits made outside placecast; the release key is the store's own.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/test_temp.h"
#include "io/gpkg_functions.h"
#include "placecast/io/file_util.h"
#include "placecast/io/ledger.h"
#include "placecast/io/store.h"
#include "placecast/io/store_state.h"

namespace placecast::io {
namespace {

namespace fs = std::filesystem;

std::string FreshPath(const std::string& name) {
  auto dir = placecast::testing::ProcessTempDir("durability");
  fs::create_directories(dir);
  fs::path p = dir / name;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(p.string() + suffix);
  return p.string();
}

Incident MakeIncident(const std::string& id, int64_t t, double x) {
  Incident i;
  i.id = id;
  i.t_utc_s = t;
  i.tz = "America/New_York";
  i.lon = -75.16;
  i.lat = 39.95;
  i.x_m = x;
  i.y_m = 4425000;
  i.offence = "THEFT";
  i.group = OffenceGroup::kTheft;
  i.district = "22";
  i.beat = "2";
  i.source = "test.csv";
  return i;
}

StoreWrite Rows(const std::string& prefix, int n, int64_t t0 = 1000) {
  StoreWrite w;
  w.crs = "EPSG:32618";
  for (int i = 0; i < n; ++i) {
    w.incidents.push_back(MakeIncident(prefix + std::to_string(i), t0 + i, 485000 + i));
  }
  w.run = IngestRun{"2025-01-02T03:04:05Z", {prefix + ".csv"}, "{}"};
  return w;
}

LedgerRecord Record(const std::string& command) {
  LedgerRecord r;
  r.command = command;
  r.params_json = "{}";
  r.code_version = "placecast test";
  return r;
}

// Ingest-like: rows and their record in one transaction.
Status WriteWithRecord(Store& s, const StoreWrite& w) {
  WriteTransaction txn(s);
  PLACECAST_RETURN_IF_ERROR(txn.Begin());
  PLACECAST_RETURN_IF_ERROR(s.Write(w));
  PLACECAST_RETURN_IF_ERROR(s.AppendLedger(Record("ingest")).status());
  return txn.Commit();
}

LedgerVerification Verify(const std::string& path) {
  auto s = Store::OpenGeoPackage(path, false);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  auto records = (*s)->ReadLedger();
  EXPECT_TRUE(records.ok()) << records.status().ToString();
  LedgerStateCheck check;
  auto st = (*s)->RecomputeState(&check.row_problems);
  if (st.ok()) {
    check.current = *st;
  } else {
    check.error = st.status().message();
  }
  return VerifyLedger(*records, "", &check);
}

void Sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  // The R-tree triggers of `incidents` call them (as any GeoPackage client provides them).
  ASSERT_EQ(internal::RegisterGpkgFunctions(db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
      << (err ? err : "") << " in " << sql;
  sqlite3_free(err);
  sqlite3_close(db);
}

// A store with two ingests and a read-only record.
std::string ThreeRecordStore(const std::string& name) {
  const std::string path = FreshPath(name);
  auto s = Store::OpenGeoPackage(path, true);
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(WriteWithRecord(**s, Rows("a", 50)).ok());
  EXPECT_TRUE(WriteWithRecord(**s, Rows("b", 30, 5000)).ok());
  EXPECT_TRUE((*s)->AppendLedger(Record("forecast")).ok());
  return path;
}

TEST(RowSetDigestTest, AddThenRemoveIsTheIdentityAndOrderDoesNotMatter) {
  RowSetDigest a, b, empty;
  a.Add("row one");
  a.Add("row two");
  b.Add("row two");
  b.Add("row one");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, empty);
  a.Remove("row one");
  a.Remove("row two");
  EXPECT_EQ(a, empty);
  // Subtraction borrows across limbs: removing from zero wraps and adding back restores it.
  RowSetDigest c;
  c.Remove("x");
  c.Add("x");
  EXPECT_EQ(c, empty);
  auto back = RowSetDigest::FromHex(b.ToHex(), "test");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, b);
  EXPECT_EQ(RowSetDigest::FromHex("12", "test").status().code(), ErrorCode::kData);
}

TEST(StoreStateTest, MaintainedStateEqualsRecomputedAfterWritesAndPurge) {
  for (bool gpkg : {false, true}) {
    SCOPED_TRACE(gpkg ? "GeoPackage" : "InMemory");
    std::unique_ptr<Store> s;
    if (gpkg) {
      auto opened = Store::OpenGeoPackage(FreshPath("state.gpkg"), true);
      ASSERT_TRUE(opened.ok());
      s = std::move(opened).value();
    } else {
      s = Store::InMemory();
    }
    ASSERT_TRUE(s->Write(Rows("a", 40)).ok());
    ASSERT_TRUE(s->Write(Rows("b", 10, 9000)).ok());
    ASSERT_TRUE(s->PurgeIncidentsBefore(1020).ok());
    auto kept = s->GetState();
    std::vector<std::string> problems;
    auto full = s->RecomputeState(&problems);
    ASSERT_TRUE(kept.ok() && full.ok());
    EXPECT_EQ(kept->incidents, 30);
    EXPECT_EQ(*kept, *full);
    EXPECT_TRUE(problems.empty());
  }
}

TEST(LedgerStateTest, Issue12UntouchedStoreVerifies) {
  const std::string path = ThreeRecordStore("untouched.gpkg");
  LedgerVerification v = Verify(path);
  EXPECT_TRUE(v.ok()) << (v.state_problems.empty() ? "" : v.state_problems[0]);
  EXPECT_EQ(v.states_checked, 3);
}

// Finding 3: every edit of the data outside placecast fails verify, naming what changed.
TEST(LedgerStateTest, Issue12EveryDataEditIsDetected) {
  const std::vector<std::pair<std::string, std::string>> edits = {
      {"edit a time", "UPDATE incidents SET t_utc_s = t_utc_s + 1 WHERE id = 'a3'"},
      {"edit an offence", "UPDATE incidents SET offence = 'ROBBERY' WHERE id = 'a4'"},
      {"move a point", "UPDATE incidents SET x_m = x_m + 10 WHERE id = 'a5'"},
      {"move only its geometry",
       "UPDATE incidents SET geom = (SELECT geom FROM incidents WHERE id = 'a9') WHERE id = 'a8'"},
      {"delete a row", "DELETE FROM incidents WHERE id = 'b2'"},
      {"insert a row",
       "INSERT INTO incidents (geom, id, time_utc, t_utc_s, tz, lon, lat, x_m, y_m, offence,"
       " offence_group, group_code, district, beat, source) SELECT geom, 'zz', time_utc, t_utc_s,"
       " tz, lon, lat, x_m, y_m, offence, offence_group, group_code, district, beat, source FROM"
       " incidents WHERE id = 'a1'"},
      {"drop incidents", "DROP TABLE incidents"},
      {"change the CRS", "UPDATE placecast_metadata SET value = 'EPSG:32617' WHERE key = 'crs'"},
      {"change a CRS definition",
       "UPDATE gpkg_spatial_ref_sys SET definition = 'x' WHERE srs_id = 32618"},
      {"add a study area", "INSERT INTO study_area (geom, name) VALUES (NULL, 'fake')"},
      {"edit the ingest history", "UPDATE ingest_runs SET summary_json = '{\"x\":1}'"},
      {"drop an index", "DROP INDEX incidents_group_time"},
      {"drop the ledger", "DROP TABLE ledger"},
  };
  for (const auto& [what, sql] : edits) {
    SCOPED_TRACE(what);
    const std::string path = ThreeRecordStore("edit.gpkg");
    Sql(path, sql);
    LedgerVerification v = Verify(path);
    EXPECT_FALSE(v.ok());
    EXPECT_FALSE(v.state_problems.empty());
  }
}

// An attacker who knows the digest and updates the maintained state along with the rows is caught
// by the chain: the next record's state is not the previous one plus its own change.
TEST(LedgerStateTest, Issue12EditWithForgedMaintainedDigestIsCaughtByTheNextRecord) {
  const std::string path = ThreeRecordStore("forged.gpkg");
  {
    auto s = Store::OpenGeoPackage(path, false);
    ASSERT_TRUE(s.ok());
    auto before = (*s)->LoadIncidents();
    ASSERT_TRUE(before.ok());
    Incident victim = before->front();
    Incident moved = victim;
    moved.x_m += 25;
    auto state = (*s)->GetState();
    ASSERT_TRUE(state.ok());
    auto sum = RowSetDigest::FromHex(state->incidents_sum, "t");
    ASSERT_TRUE(sum.ok());
    sum->Remove(IncidentRowBytes(victim));
    sum->Add(IncidentRowBytes(moved));
    Sql(path, "UPDATE incidents SET x_m = x_m + 25 WHERE id = '" + victim.id +
                  "';"
                  "UPDATE placecast_state SET value = '" +
                  sum->ToHex() + "' WHERE key = 'incidents_sum'");
    auto again = Store::OpenGeoPackage(path, false);
    ASSERT_TRUE(again.ok());
    ASSERT_TRUE((*again)->AppendLedger(Record("forecast")).ok());
  }
  LedgerVerification v = Verify(path);
  ASSERT_FALSE(v.ok());
  ASSERT_FALSE(v.state_problems.empty());
  EXPECT_NE(v.state_problems[0].find("seq 4"), std::string::npos) << v.state_problems[0];
}

TEST(GeoPackageStoreTest, Issue12RolledBackWriteLeavesNoRecordAndNoRows) {
  const std::string path = FreshPath("rollback.gpkg");
  auto s = Store::OpenGeoPackage(path, true);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(WriteWithRecord(**s, Rows("a", 10)).ok());
  {
    WriteTransaction txn(**s);
    ASSERT_TRUE(txn.Begin().ok());
    ASSERT_TRUE((*s)->Write(Rows("b", 10, 5000)).ok());
    ASSERT_TRUE((*s)->AppendLedger(Record("ingest")).ok());
    // no Commit: the destructor rolls back, as a failure after the record would
  }
  auto reopened = Store::OpenGeoPackage(path, false);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*(*reopened)->CountIncidents(), 10);
  EXPECT_EQ((*reopened)->ReadLedger()->size(), 1u);
  EXPECT_TRUE(Verify(path).ok());
}

TEST(GeoPackageStoreTest, Issue12RolledBackFirstWriteRemovesTheFile) {
  const std::string path = FreshPath("first_rollback.gpkg");
  auto s = Store::OpenGeoPackage(path, true);
  ASSERT_TRUE(s.ok());
  {
    WriteTransaction txn(**s);
    ASSERT_TRUE(txn.Begin().ok());
    EXPECT_TRUE(fs::exists(path));  // created in place, under the lock
    ASSERT_TRUE((*s)->Write(Rows("a", 10)).ok());
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + "-journal"));
  EXPECT_EQ(Store::OpenGeoPackage(path, false).status().code(), ErrorCode::kIo);
}

// Finding 1: two creators of one store at once both keep their rows.
TEST(GeoPackageStoreTest, Issue12ConcurrentCreatorsBothKeepTheirRows) {
  for (int round = 0; round < 5; ++round) {
    const std::string path = FreshPath("race.gpkg");
    std::vector<Status> results(2);
    std::vector<std::thread> threads;
    for (int k = 0; k < 2; ++k) {
      threads.emplace_back([&, k] {
        auto s = Store::OpenGeoPackage(path, true);
        if (!s.ok()) {
          results[k] = s.status();
          return;
        }
        results[k] = WriteWithRecord(**s, Rows(k == 0 ? "x" : "y", 2000));
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_TRUE(results[0].ok()) << results[0].ToString();
    ASSERT_TRUE(results[1].ok()) << results[1].ToString();
    auto s = Store::OpenGeoPackage(path, false);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(*(*s)->CountIncidents(), 4000);
    EXPECT_EQ((*s)->ReadLedger()->size(), 2u);
    EXPECT_TRUE((*s)->CheckIntegrity(true).ok());
    EXPECT_TRUE(Verify(path).ok());
  }
}

TEST(GeoPackageStoreTest, Issue12BusyStoreIsAClearIoErrorAndReadersProceed) {
  const std::string path = FreshPath("busy.gpkg");
  auto writer = Store::OpenGeoPackage(path, true);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(WriteWithRecord(**writer, Rows("a", 10)).ok());
  WriteTransaction txn(**writer);
  ASSERT_TRUE(txn.Begin().ok());
  ASSERT_TRUE((*writer)->Write(Rows("b", 10, 5000)).ok());
  ::setenv("PLACECAST_BUSY_TIMEOUT_MS", "200", 1);
  auto other = Store::OpenGeoPackage(path, false);
  ::unsetenv("PLACECAST_BUSY_TIMEOUT_MS");
  ASSERT_TRUE(other.ok()) << other.status().ToString();  // opening reads: not blocked
  auto events = (*other)->LoadEvents({OffenceGroup::kTheft}, 0, 1 << 30);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ(events->size(), 10u);  // the committed state, not the open write
  ::setenv("PLACECAST_BUSY_TIMEOUT_MS", "200", 1);
  auto busy = Store::OpenGeoPackage(path, false);
  ::unsetenv("PLACECAST_BUSY_TIMEOUT_MS");
  ASSERT_TRUE(busy.ok());
  Status st = (*busy)->AppendLedger(Record("forecast")).status();
  EXPECT_EQ(st.code(), ErrorCode::kIo);
  EXPECT_NE(st.message().find("store is busy"), std::string::npos) << st.message();
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_EQ(*(*other)->CountIncidents(), 20);
}

TEST(GeoPackageStoreTest, Issue12DamagedFileIsCorruptOnOpen) {
  const std::string path = FreshPath("damaged.gpkg");
  {
    auto s = Store::OpenGeoPackage(path, true);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(WriteWithRecord(**s, Rows("a", 3000)).ok());
  }
  Sql(path, "PRAGMA wal_checkpoint(TRUNCATE)");
  const auto size = fs::file_size(path);
  ASSERT_GT(size, 40000u);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    for (int k = 0; k < 200; ++k) {  // 200 bytes flipped in the middle pages
      f.seekp(static_cast<std::streamoff>(size / 3 + k * 97));
      f.put(static_cast<char>(0x5a ^ k));
    }
  }
  auto s = Store::OpenGeoPackage(path, false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), ErrorCode::kData) << s.status().ToString();
}

TEST(GeoPackageStoreTest, Issue12ReleaseKeyIsPerStoreAndStable) {
  const std::string p1 = FreshPath("key1.gpkg"), p2 = FreshPath("key2.gpkg");
  std::string k1;
  for (const auto& p : {p1, p2}) {
    auto s = Store::OpenGeoPackage(p, true);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ((*s)->GetReleaseKey().status().code(), ErrorCode::kIo);
    ASSERT_TRUE(WriteWithRecord(**s, Rows("a", 3)).ok());
    auto key = (*s)->GetReleaseKey();
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(key->size(), 32u);
    if (k1.empty()) {
      k1 = *key;
    } else {
      EXPECT_NE(*key, k1);
    }
  }
  auto again = Store::OpenGeoPackage(p1, false);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*(*again)->GetReleaseKey(), k1);
  // The key is in no ledger record.
  auto records = (*again)->ReadLedger();
  ASSERT_TRUE(records.ok());
  for (const auto& r : *records) {
    for (const std::string& field : {r.state_json, r.params_json, r.command, r.code_version}) {
      EXPECT_EQ(field.find(ToHex(k1)), std::string::npos);
      EXPECT_EQ(field.find(k1), std::string::npos);
    }
  }
}

TEST(LedgerTest, Issue12DeeplyNestedJsonIsRefusedNotACrash) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(CanonicalJson(deep).status().code(), ErrorCode::kInvalidInput);
  LedgerRecord r = Record("x");
  r.params_json = deep;
  EXPECT_EQ(LedgerRecordHash(r).status().code(), ErrorCode::kInvalidInput);
  EXPECT_FALSE(LedgerFilesFromJson(deep, "outputs").ok());
  EXPECT_TRUE(JsonDepthWithin("[[\"[[[[\"]]", 2));
  EXPECT_FALSE(JsonDepthWithin("[[[1]]]", 2));
}

// A process killed between the commit of its record and the renames of its products: the next
// process to open the store finishes the renames, so the record's products exist.
TEST(GeoPackageStoreTest, Issue12PendingMovesOfADeadProcessAreRolledForward) {
  const std::string path = FreshPath("pending.gpkg");
  {
    auto s = Store::OpenGeoPackage(path, true);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(WriteWithRecord(**s, Rows("a", 3)).ok());
  }
  const std::string tmp = path + ".product.tmp", final_path = path + ".product.csv";
  fs::remove(final_path);
  { std::ofstream(tmp) << "cell,risk\n"; }
  // pid 4194303 is above any pid Linux hands out by default: a process that no longer runs.
  Sql(path,
      "CREATE TABLE IF NOT EXISTS placecast_pending (pid INTEGER NOT NULL, tmp TEXT NOT "
      "NULL, final TEXT NOT NULL); INSERT INTO placecast_pending VALUES (4194303, '" +
          tmp + "', '" + final_path + "')");
  auto s = Store::OpenGeoPackage(path, false);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(fs::exists(final_path));
  EXPECT_FALSE(fs::exists(tmp));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM placecast_pending", -1, &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  // The moves of a live process (this one) are left to it.
  std::ofstream(tmp) << "x";
  ASSERT_TRUE((*s)->RecordPendingMoves({{tmp, final_path + ".2"}}).ok());
  auto again = Store::OpenGeoPackage(path, false);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(fs::exists(tmp));
  ASSERT_TRUE((*s)->ClearPendingMoves().ok());
}

}  // namespace
}  // namespace placecast::io
