// SPDX-License-Identifier: Apache-2.0
// Tests of the store-keeping operations (ingest, export-incidents, retention, ledger list / verify
// / replay): their cross-field checks name the field and the value, and the ledger operations on
// an in-memory store.
#include <gtest/gtest.h>

#include <string>

#include "placecast/io/store.h"
#include "placecast/ops/export_incidents.h"
#include "placecast/ops/ingest.h"
#include "placecast/ops/ledger.h"
#include "placecast/ops/operation.h"
#include "placecast/ops/retention.h"

namespace placecast::ops {
namespace {

struct BadRequest {
  const char* op;
  const char* json;
  ErrorCode code;
  const char* message;
};

TEST(StoreOpsTest, BadRequestsNameTheFieldAndValue) {
  const BadRequest cases[] = {
      {"ingest", R"({"input": ["a.csv"], "preset": "nyc", "store": "s.gpkg", "map": ["tz"]})",
       ErrorCode::kInvalidInput, "--map: expected key=value (got \"tz\")"},
      {"ingest", R"({"input": ["a.csv"], "preset": "nyc", "store": "s.gpkg", "map": ["=x"]})",
       ErrorCode::kInvalidInput, "--map: expected key=value (got \"=x\")"},
      {"ingest", R"({"preset": "nyc", "store": "s.gpkg"})", ErrorCode::kInvalidInput, "INPUT"},
      {"export-incidents",
       R"({"store": "s", "offence": "theft", "from": "2024-02-01", "to": "2024-01-01", "out": "e"})",
       ErrorCode::kInvalidInput, "--from 2024-02-01 is not before --to 2024-01-01"},
      {"export-incidents",
       R"({"store": "s", "offence": "theft", "from": "2024-01-01", "to": "2024-02-01", "out": "e",
           "geomask": "jitter"})",
       ErrorCode::kInvalidInput, "--geomask: expected \"donut\" (got \"jitter\")"},
      {"retention", R"({"store": "s", "older_than": "1.5y"})", ErrorCode::kInvalidInput,
       "--older-than: expected a duration"},
      {"retention", R"({"store": "s", "older_than": "3y", "as_of": "2025-02-30"})",
       ErrorCode::kInvalidInput, "--as-of: expected a date YYYY-MM-DD (got \"2025-02-30\")"},
      {"ledger replay", R"({"seq": "one", "store": "s", "out": "r"})", ErrorCode::kInvalidInput,
       "SEQ"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.json);
    const OpInfo* op = FindOp(c.op);
    ASSERT_NE(op, nullptr);
    auto r = op->canonical(nlohmann::json::parse(c.json));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), c.code);
    EXPECT_NE(r.status().message().find(c.message), std::string::npos) << r.status().message();
  }
}

TEST(StoreOpsTest, RetentionRecordsTheResolvedRequest) {
  // The JSON a retention record holds reads back as the same request.
  RetentionRequest r = DefaultRequest<RetentionRequest>();
  r.store = "s.gpkg";
  r.older_than = "24m";
  r.as_of = "2025-01-01";
  auto back = RequestFromJson<RetentionRequest>(RequestToJson(r));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(RequestToJson(*back), RequestToJson(r));
}

TEST(StoreOpsTest, LedgerListOfAnEmptyStore) {
  auto store = io::Store::InMemory();
  Context ctx;
  Progress silent;
  ctx.progress = &silent;
  LedgerListRequest r = DefaultRequest<LedgerListRequest>();
  auto p = ops::Run(*store, r, ctx);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->lines.size(), 2u);
  EXPECT_EQ(p->lines[1], "0 record(s); head " + std::string(64, '0'));
}

TEST(StoreOpsTest, LedgerReplayOfAMissingSeqIsInvalidInput) {
  auto store = io::Store::InMemory();
  Context ctx;
  Progress silent;
  ctx.progress = &silent;
  LedgerReplayRequest r = DefaultRequest<LedgerReplayRequest>();
  r.seq = 3;
  r.store = "mem";
  r.out = "unused";
  auto p = ops::Run(*store, r, ctx);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(p.status().message(), "mem: ledger: no record with seq 3 (the ledger has 0)");
}

TEST(StoreOpsTest, RetentionDryRunChangesNothing) {
  auto store = io::Store::InMemory();
  Context ctx;
  Progress silent;
  ctx.progress = &silent;
  RetentionRequest r = DefaultRequest<RetentionRequest>();
  r.store = "mem";
  r.older_than = "1y";
  r.as_of = "2025-04-01";
  r.dry_run = true;
  auto p = ops::Run(*store, r, ctx);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->lines.size(), 2u);
  EXPECT_EQ(p->lines[0],
            "retention: mem, as of 2025-04-01, older than 1y: cutoff 2024-04-01T00:00:00Z");
  EXPECT_EQ(p->ledger_seq, 0);
  auto records = store->ReadLedger();
  ASSERT_TRUE(records.ok());
  EXPECT_TRUE(records->empty());
}

}  // namespace
}  // namespace placecast::ops
