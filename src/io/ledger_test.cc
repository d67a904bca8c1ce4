// SPDX-License-Identifier: Apache-2.0
// Tests for the ledger: canonical form and hash known answers, append on both stores, and
// detection of each kind of tampering (edited field, deleted record, swapped seq, edited product)
// on a temporary GeoPackage changed behind the store's back with SQLite.
#include "placecast/io/ledger.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "common/test_temp.h"
#include "placecast/io/file_util.h"
#include "placecast/io/store.h"

namespace placecast::io {
namespace {

namespace fs = std::filesystem;

fs::path FreshDir(const std::string& name) {
  fs::path dir = placecast::testing::ProcessTempDir("ledger") / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void WriteText(const fs::path& p, const std::string& s) {
  std::ofstream f(p, std::ios::binary);
  f << s;
}

void Sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  const std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << msg;
}

LedgerRecord Entry(const std::string& command, const std::string& params,
                   std::vector<LedgerFile> outputs = {}) {
  LedgerRecord r;
  r.command = command;
  r.params_json = params;
  r.outputs = std::move(outputs);
  r.code_version = "placecast test";
  r.time_utc = "2025-01-02T03:04:05Z";
  return r;
}

// A GeoPackage store with one incident, and a ledger of three records; the second wrote
// `dir/product.txt`.
struct Fixture {
  fs::path dir;
  std::string store_path;
  fs::path product;
};

Fixture MakeStoreWithLedger(const std::string& name) {
  Fixture fx;
  fx.dir = FreshDir(name);
  fx.store_path = (fx.dir / "s.gpkg").string();
  fx.product = fx.dir / "product.txt";
  WriteText(fx.product, "risk,cell\n0.5,1\n");
  auto store = Store::OpenGeoPackage(fx.store_path, true);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  StoreWrite w;
  w.crs = "EPSG:32618";
  Incident inc;
  inc.id = "a";
  inc.t_utc_s = 100;
  inc.x_m = 485000;
  inc.y_m = 4425000;
  inc.group = OffenceGroup::kTheft;
  w.incidents = {inc};
  {
    // The rows and the record that accounts for them commit together, as ingest does.
    WriteTransaction txn(**store);
    EXPECT_TRUE(txn.Begin().ok());
    EXPECT_TRUE((*store)->Write(w).ok());
    EXPECT_TRUE((*store)->AppendLedger(Entry("ingest", R"({"preset":"philadelphia"})")).ok());
    EXPECT_TRUE(txn.Commit().ok());
  }
  auto h = Sha256File(fx.product.string());
  EXPECT_TRUE(h.ok());
  EXPECT_TRUE((*store)
                  ->AppendLedger(Entry("forecast", R"({"model":"naive","cell_size_m":150})",
                                       {{fx.product.string(), *h}}))
                  .ok());
  EXPECT_TRUE((*store)->AppendLedger(Entry("backtest", R"({"models":"naive"})")).ok());
  return fx;
}

LedgerVerification VerifyStore(const std::string& path) {
  auto store = Store::OpenGeoPackage(path, false);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  auto records = (*store)->ReadLedger();
  EXPECT_TRUE(records.ok()) << records.status().ToString();
  return VerifyLedger(*records, "");
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

TEST(LedgerTest, CanonicalJsonSortsKeysAndDropsWhitespace) {
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {R"({ "b": 1, "a": [ 2, 3 ] })", R"({"a":[2,3],"b":1})"},
      {R"({"z": {"y": true, "x": null}})", R"({"z":{"x":null,"y":true}})"},
      {R"({"bandwidth_m": 250.0, "w": 0.1})", R"({"bandwidth_m":250.0,"w":0.1})"},
      {R"({"name": "Zoë \"q\""})", R"({"name":"Zoë \"q\""})"},
  };
  for (const auto& c : cases) {
    auto got = CanonicalJson(c.in);
    ASSERT_TRUE(got.ok()) << c.in;
    EXPECT_EQ(*got, c.want) << c.in;
    EXPECT_EQ(*CanonicalJson(*got), *got) << "not idempotent: " << c.in;
  }
}

TEST(LedgerTest, CanonicalJsonRejectsBrokenJson) {
  auto got = CanonicalJson("{\"a\": ", "ledger params");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(got.status().message(),
            "ledger params: not valid JSON, or nested deeper than 256 levels (got \"{\"a\": \")");
}

TEST(LedgerTest, RecordCanonicalFormIsFixed) {
  LedgerRecord r = Entry("forecast", R"({"model":"naive"})", {{"out/a.csv", "ab"}});
  r.seq = 1;
  r.inputs = {{"s.gpkg", "cd"}};
  r.prev_hash = std::string(kLedgerGenesisHash);
  auto c = LedgerRecordCanonical(r);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c,
            std::string(R"({"code_version":"placecast test","command":"forecast",)") +
                R"("inputs":[{"path":"s.gpkg","sha256":"cd"}],)" +
                R"("outputs":[{"path":"out/a.csv","sha256":"ab"}],"params":{"model":"naive"},)" +
                R"("prev_hash":")" + std::string(kLedgerGenesisHash) +
                R"(","seq":1,"time_utc":"2025-01-02T03:04:05Z"})");
  EXPECT_EQ(*LedgerRecordHash(r), Sha256Hex(*c));
  // Every field is covered by the hash.
  const std::string h0 = *LedgerRecordHash(r);
  auto changed = [&](auto edit) {
    LedgerRecord x = r;
    edit(x);
    return *LedgerRecordHash(x) != h0;
  };
  EXPECT_TRUE(changed([](LedgerRecord& x) { x.seq = 2; }));
  EXPECT_TRUE(changed([](LedgerRecord& x) { x.time_utc = "2025-01-02T03:04:06Z"; }));
  EXPECT_TRUE(changed([](LedgerRecord& x) { x.command = "backtest"; }));
  EXPECT_TRUE(changed([](LedgerRecord& x) { x.params_json = R"({"model":"retro"})"; }));
  EXPECT_TRUE(changed([](LedgerRecord& x) { x.inputs[0].sha256 = "ce"; }));
  EXPECT_TRUE(changed([](LedgerRecord& x) { x.outputs[0].path = "out/b.csv"; }));
  EXPECT_TRUE(changed([](LedgerRecord& x) { x.code_version = "placecast 9"; }));
  EXPECT_TRUE(changed([](LedgerRecord& x) { x.prev_hash[0] = '1'; }));
  EXPECT_FALSE(changed([](LedgerRecord& x) { x.hash = "anything"; }));
}

TEST(LedgerTest, FilesJsonRoundTripsAndRejectsBadShapes) {
  std::vector<LedgerFile> files = {{"a b/ç.csv", "00"}, {"x", "ff"}};
  auto back = LedgerFilesFromJson(LedgerFilesToJson(files), "outputs");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, files);
  auto bad = LedgerFilesFromJson(R"([{"path":"x"}])", "s.gpkg: ledger seq 2: outputs");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kData);
  EXPECT_EQ(bad.status().message(),
            "s.gpkg: ledger seq 2: outputs[0]: expected {\"path\": string, \"sha256\": string} "
            "(got {\"path\":\"x\"})");
}

TEST(LedgerTest, MemoryStoreChainsRecords) {
  auto store = Store::InMemory();
  auto r1 = store->AppendLedger(Entry("ingest", R"({ "b":1, "a":2 })"));
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(r1->seq, 1);
  EXPECT_EQ(r1->prev_hash, kLedgerGenesisHash);
  EXPECT_EQ(r1->params_json, R"({"a":2,"b":1})");
  auto r2 = store->AppendLedger(Entry("forecast", "{}"));
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->seq, 2);
  EXPECT_EQ(r2->prev_hash, r1->hash);
  EXPECT_EQ(r2->hash, *LedgerRecordHash(*r2));
  auto all = store->ReadLedger();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  const LedgerVerification v = VerifyLedger(*all, "");
  EXPECT_TRUE(v.ok()) << Joined(v.chain_problems);
  EXPECT_EQ(v.head_hash, r2->hash);
  auto bad = store->AppendLedger(Entry("x", "{oops"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidInput);
}

TEST(LedgerTest, StoreWithoutLedgerReadsEmpty) {
  const fs::path dir = FreshDir("empty");
  const std::string path = (dir / "s.gpkg").string();
  auto store = Store::OpenGeoPackage(path, true);
  ASSERT_TRUE(store.ok());
  // No file yet: appending has nowhere to go.
  auto early = (*store)->AppendLedger(Entry("ingest", "{}"));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), ErrorCode::kIo);
  StoreWrite w;
  w.crs = "EPSG:32618";
  ASSERT_TRUE((*store)->Write(w).ok());
  auto records = (*store)->ReadLedger();
  ASSERT_TRUE(records.ok());
  EXPECT_TRUE(records->empty());
  const LedgerVerification v = VerifyLedger(*records, "");
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.head_hash, kLedgerGenesisHash);
}

TEST(LedgerTest, UntouchedGeoPackageLedgerVerifies) {
  Fixture fx = MakeStoreWithLedger("untouched");
  const LedgerVerification v = VerifyStore(fx.store_path);
  EXPECT_TRUE(v.ok()) << Joined(v.chain_problems) << Joined(v.mismatched_outputs)
                      << Joined(v.missing_outputs);
  EXPECT_EQ(v.records, 3);
  EXPECT_EQ(v.outputs_checked, 1);
  // The store reopens with its schema version intact and the records as appended.
  auto store = Store::OpenGeoPackage(fx.store_path, false);
  ASSERT_TRUE(store.ok());
  auto records = (*store)->ReadLedger();
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[1].command, "forecast");
  EXPECT_EQ((*records)[1].params_json, R"({"cell_size_m":150,"model":"naive"})");
  EXPECT_EQ((*records)[2].prev_hash, (*records)[1].hash);
}

TEST(LedgerTest, TableIsAppendOnlyForOrdinarySql) {
  Fixture fx = MakeStoreWithLedger("appendonly");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(fx.store_path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_NE(
      sqlite3_exec(db, "UPDATE ledger SET command = 'x' WHERE seq = 1", nullptr, nullptr, &err),
      SQLITE_OK);
  EXPECT_STREQ(err, "ledger is append-only");
  sqlite3_free(err);
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM ledger", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

// Each tampering, done with SQLite after dropping the guard triggers, must be detected.
TEST(LedgerTest, DetectsEditedField) {
  Fixture fx = MakeStoreWithLedger("edited");
  Sql(fx.store_path,
      "DROP TRIGGER ledger_no_update; UPDATE ledger SET params = '{\"model\":\"retro\"}' "
      "WHERE seq = 2");
  const LedgerVerification v = VerifyStore(fx.store_path);
  EXPECT_FALSE(v.ok());
  ASSERT_EQ(v.chain_problems.size(), 1u) << Joined(v.chain_problems);
  EXPECT_NE(v.chain_problems[0].find("seq 2: hash does not match the record's content"),
            std::string::npos)
      << v.chain_problems[0];
}

TEST(LedgerTest, DetectsEditedFieldWithRecomputedHash) {
  // A forger who also recomputes the edited record's hash breaks the link to the next record.
  Fixture fx = MakeStoreWithLedger("rehashed");
  auto store = Store::OpenGeoPackage(fx.store_path, false);
  auto records = (*store)->ReadLedger();
  LedgerRecord forged = (*records)[1];
  forged.command = "forecast-forged";
  const std::string h = *LedgerRecordHash(forged);
  store->reset();
  Sql(fx.store_path,
      "DROP TRIGGER ledger_no_update; UPDATE ledger SET command = "
      "'forecast-forged', hash = '" +
          h + "' WHERE seq = 2");
  const LedgerVerification v = VerifyStore(fx.store_path);
  ASSERT_EQ(v.chain_problems.size(), 1u) << Joined(v.chain_problems);
  EXPECT_NE(v.chain_problems[0].find("seq 3: prev_hash does not match the hash of the record "
                                     "before it (seq 2)"),
            std::string::npos)
      << v.chain_problems[0];
}

TEST(LedgerTest, DetectsDeletedRecord) {
  Fixture fx = MakeStoreWithLedger("deleted");
  Sql(fx.store_path, "DROP TRIGGER ledger_no_delete; DELETE FROM ledger WHERE seq = 2");
  const LedgerVerification v = VerifyStore(fx.store_path);
  EXPECT_FALSE(v.ok());
  const std::string all = Joined(v.chain_problems);
  EXPECT_NE(all.find("seq 3: expected seq 2 at position 2"), std::string::npos) << all;
  EXPECT_NE(all.find("seq 3: prev_hash does not match"), std::string::npos) << all;
  // The deleted record's product is no longer vouched for by anything: not reported as missing.
  EXPECT_EQ(v.outputs_checked, 0);
}

TEST(LedgerTest, DetectsSwappedSeq) {
  Fixture fx = MakeStoreWithLedger("swapped");
  Sql(fx.store_path,
      "DROP TRIGGER ledger_no_update; UPDATE ledger SET seq = -1 WHERE seq = 2;"
      "UPDATE ledger SET seq = 2 WHERE seq = 3; UPDATE ledger SET seq = 3 WHERE seq = -1;");
  const LedgerVerification v = VerifyStore(fx.store_path);
  EXPECT_FALSE(v.ok());
  const std::string all = Joined(v.chain_problems);
  EXPECT_NE(all.find("seq 2: hash does not match"), std::string::npos) << all;
  EXPECT_NE(all.find("seq 3: hash does not match"), std::string::npos) << all;
  EXPECT_NE(all.find("seq 2: prev_hash does not match"), std::string::npos) << all;
}

TEST(LedgerTest, DetectsEditedAndMissingProducts) {
  Fixture fx = MakeStoreWithLedger("product");
  WriteText(fx.product, "risk,cell\n0.9,1\n");
  LedgerVerification v = VerifyStore(fx.store_path);
  EXPECT_TRUE(v.chain_problems.empty()) << Joined(v.chain_problems);
  ASSERT_EQ(v.mismatched_outputs.size(), 1u);
  EXPECT_NE(v.mismatched_outputs[0].find("seq 2: output " + fx.product.string() +
                                         ": sha256 differs from the record"),
            std::string::npos)
      << v.mismatched_outputs[0];
  EXPECT_TRUE(v.missing_outputs.empty());
  fs::remove(fx.product);
  v = VerifyStore(fx.store_path);
  EXPECT_TRUE(v.mismatched_outputs.empty());
  ASSERT_EQ(v.missing_outputs.size(), 1u);
  EXPECT_EQ(v.missing_outputs[0], "seq 2: output " + fx.product.string() + ": missing");
}

TEST(LedgerTest, RewrittenOutputIsCheckedAgainstItsLatestRecord) {
  const fs::path dir = FreshDir("superseded");
  const fs::path out = dir / "a.csv";
  auto store = Store::InMemory();
  WriteText(out, "one");
  ASSERT_TRUE(store->AppendLedger(Entry("forecast", "{}", *HashLedgerFiles({out.string()}))).ok());
  WriteText(out, "two");
  ASSERT_TRUE(store->AppendLedger(Entry("forecast", "{}", *HashLedgerFiles({out.string()}))).ok());
  const LedgerVerification v = VerifyLedger(*store->ReadLedger(), "");
  EXPECT_TRUE(v.ok()) << Joined(v.mismatched_outputs);
  EXPECT_EQ(v.outputs_checked, 1);
  EXPECT_EQ(v.outputs_superseded, 1);
}

TEST(LedgerTest, RelativeOutputsResolveAgainstRoot) {
  const fs::path dir = FreshDir("root");
  fs::create_directories(dir / "out");
  WriteText(dir / "out" / "a.csv", "x");
  const std::string h = *Sha256File((dir / "out" / "a.csv").string());
  auto store = Store::InMemory();
  ASSERT_TRUE(store->AppendLedger(Entry("forecast", "{}", {{"out/a.csv", h}})).ok());
  EXPECT_TRUE(VerifyLedger(*store->ReadLedger(), dir.string()).ok());
  const LedgerVerification elsewhere = VerifyLedger(*store->ReadLedger(), (dir / "nope").string());
  ASSERT_EQ(elsewhere.missing_outputs.size(), 1u);
}

// Issue 14: paths of new records are relative to the store's folder (absolute outside it), so
// `ledger verify` finds the outputs from any working directory; older records keep theirs.
TEST(LedgerTest, Issue14StoreRelativePathsNameFilesUnderTheStoreFolder) {
  const struct {
    std::string path, store_dir, want;
  } cases[] = {
      {"/data/city/out/a.csv", "/data/city", "out/a.csv"},
      {"/data/city/./out/../b.csv", "/data/city/", "b.csv"},
      {"/data/other/a.csv", "/data/city", "/data/other/a.csv"},  // outside: absolute
      {"/data/city.csv", "/data/city", "/data/city.csv"},
      {"/x/a.csv", "", "/x/a.csv"},  // in-memory store: absolute
  };
  for (const auto& c : cases) {
    EXPECT_EQ(StoreRelativeLedgerPath(c.path, c.store_dir), c.want)
        << c.path << " in " << c.store_dir;
  }
  EXPECT_EQ(LedgerStoreDir("/data/city/s.gpkg"), "/data/city");
  EXPECT_EQ(LedgerStoreDir("s.gpkg"), ".");
}

TEST(LedgerTest, Issue14StoreRelativeRecordsVerifyFromAnyDirectory) {
  const fs::path dir = FreshDir("issue14");
  fs::create_directories(dir / "out");
  WriteText(dir / "out" / "a.csv", "x");
  LedgerRecord r = Entry("forecast", "{}", *HashLedgerFiles({(dir / "out" / "a.csv").string()}));
  MakeLedgerPathsStoreRelative(&r, (dir / "s.gpkg").string());
  EXPECT_EQ(r.paths, kLedgerPathsStoreRelative);
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.outputs[0].path, "out/a.csv");
  // The marker is hashed (it changes how the paths read); a record without it hashes as before.
  EXPECT_NE(LedgerRecordCanonical(r)->find("\"paths\":\"store-relative\""), std::string::npos);
  LedgerRecord old = r;
  old.paths.clear();
  EXPECT_EQ(LedgerRecordCanonical(old)->find("paths"), std::string::npos);

  auto store = Store::InMemory();
  ASSERT_TRUE(store->AppendLedger(r).ok());
  // Resolved against the store's folder, whatever --root or the working directory say.
  const LedgerVerification v =
      VerifyLedger(*store->ReadLedger(), (dir / "nope").string(), nullptr, dir.string());
  EXPECT_TRUE(v.ok()) << Joined(v.missing_outputs);
  EXPECT_EQ(v.outputs_checked, 1);
  // An older record's relative path still resolves against --root (the working directory).
  auto legacy = Store::InMemory();
  ASSERT_TRUE(legacy->AppendLedger(old).ok());
  EXPECT_EQ(VerifyLedger(*legacy->ReadLedger(), "", nullptr, dir.string()).missing_outputs.size(),
            1u);
  EXPECT_TRUE(VerifyLedger(*legacy->ReadLedger(), dir.string(), nullptr, "/elsewhere").ok());
}

TEST(LedgerTest, Issue14PathsMarkerSurvivesTheGeoPackage) {
  const fs::path dir = FreshDir("issue14gpkg");
  const std::string path = (dir / "s.gpkg").string();
  auto store = Store::OpenGeoPackage(path, true);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  StoreWrite w;
  w.crs = "EPSG:32618";
  ASSERT_TRUE((*store)->Write(w).ok());
  LedgerRecord r = Entry("forecast", "{}", {{"/abs/a.csv", std::string(64, 'a')}});
  MakeLedgerPathsStoreRelative(&r, path);
  ASSERT_TRUE((*store)->AppendLedger(r).ok());
  auto records = (*store)->ReadLedger();
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].paths, kLedgerPathsStoreRelative);
  EXPECT_TRUE(VerifyLedger(*records, "").chain_problems.empty());
}

TEST(LedgerTest, HashLedgerFilesSkipsAbsentFiles) {
  const fs::path dir = FreshDir("hashfiles");
  WriteText(dir / "a", "abc");
  auto files = HashLedgerFiles({(dir / "a").string(), (dir / "b").string(), ""});
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace placecast::io
