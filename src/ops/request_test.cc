// SPDX-License-Identifier: Apache-2.0
// Tests of the request tables (request.h): JSON in and out, defaults, and the checks that name
// the field and the value.
#include "placecast/ops/request.h"

#include <gtest/gtest.h>

#include <set>

#include "placecast/ops/forecast.h"
#include "placecast/ops/operation.h"

namespace placecast::ops {
namespace {

struct ToyRequest {
  static constexpr std::string_view kOp = "toy";
  static constexpr std::string_view kSummary = "A request for tests";
  std::string store;
  std::string when;
  std::string kernel;
  int64_t count = -1;
  double size_m = -1;
  bool flag = true;
  std::vector<std::string> names;
  static std::span<const Field<ToyRequest>> Fields() {
    using R = ToyRequest;
    static const std::vector<Field<R>> f = {
        {{.name = "store", .flags = kRequired | kNotInQuery}, &R::store},
        {{.name = "when", .type = FieldType::kDate}, &R::when},
        {{.name = "kernel",
          .type = FieldType::kChoice,
          .default_json = "\"quartic\"",
          .choices = "quartic|gaussian"},
         &R::kernel},
        {{.name = "count", .type = FieldType::kInt, .default_json = "0", .min = 1, .max = 10},
         &R::count},
        {{.name = "size_m",
          .type = FieldType::kDouble,
          .default_json = "150",
          .min = 1,
          .max = 1e5},
         &R::size_m},
        {{.name = "flag", .type = FieldType::kBool}, &R::flag},
        {{.name = "names", .type = FieldType::kStringList}, &R::names},
    };
    return f;
  }
  Status Validate() const {
    if (count > 5 && kernel == "gaussian") return Status::InvalidInput("--count: too many");
    return Status::Ok();
  }
};
static_assert(Request<ToyRequest>);
static_assert(Request<ForecastRequest>);

Result<ToyRequest> Read(const char* json) {
  return RequestFromJson<ToyRequest>(nlohmann::json::parse(json));
}

TEST(RequestTest, DefaultsFillWhatIsNotGiven) {
  auto r = Read(R"({"store": "s.gpkg"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->store, "s.gpkg");
  EXPECT_EQ(r->when, "");
  EXPECT_EQ(r->kernel, "quartic");
  EXPECT_EQ(r->count, 0);  // the default passes although the range starts at 1: "not set"
  EXPECT_EQ(r->size_m, 150);
  EXPECT_FALSE(r->flag);
  EXPECT_TRUE(r->names.empty());
}

TEST(RequestTest, JsonRoundTripIsCanonical) {
  auto r = Read(
      R"({"names": ["a", "b"], "op": "toy", "store": "s.gpkg", "size_m": 1e3, "count": 3.0,
          "flag": true, "when": "2024-12-01", "kernel": "gaussian"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->count, 3);
  const std::string out = RequestToJson(*r).dump();
  EXPECT_EQ(out,
            R"({"op":"toy","store":"s.gpkg","when":"2024-12-01","kernel":"gaussian","count":3,)"
            R"("size_m":1000.0,"flag":true,"names":["a","b"]})");
  auto again = RequestFromJson<ToyRequest>(nlohmann::json::parse(out));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(RequestToJson(*again).dump(), out);
}

TEST(RequestTest, ErrorsNameTheFieldAndTheValue) {
  struct Case {
    const char* json;
    const char* message;
  };
  const Case cases[] = {
      {R"({})", "--store: required (the request has no \"store\")"},
      {R"({"store": ""})", "--store: required"},
      {R"({"store": 7})", "--store: expected a string (got \"7\")"},
      {R"({"store": "s", "when": "2024-13-01"})", "--when: expected a date YYYY-MM-DD"},
      {R"({"store": "s", "when": 20241201})", "--when: expected a date (got \"20241201\")"},
      {R"({"store": "s", "kernel": "box"})",
       "--kernel: expected one of quartic,gaussian (got \"box\")"},
      {R"({"store": "s", "count": 11})", "--count: expected a value in [1, 10] (got 11)"},
      {R"({"store": "s", "count": 2.5})", "--count: expected an integer (got \"2.5\")"},
      {R"({"store": "s", "size_m": "big"})", "--size-m: expected a number (got \"big\")"},
      {R"({"store": "s", "flag": "yes"})", "--flag: expected true or false (got \"yes\")"},
      {R"({"store": "s", "names": "a"})", "--names: expected an array of strings (got \"a\")"},
      {R"({"store": "s", "names": ["a", 1]})", "--names: expected a string (got \"1\")"},
      {R"({"store": "s", "colour": 1, "size": 2})",
       "toy request: unknown fields \"colour\", \"size\" (known: store when kernel count size_m "
       "flag names)"},
      {R"({"op": "forecast", "store": "s"})", "toy request: \"op\" is \"forecast\", not \"toy\""},
      {R"({"store": "s", "count": 6, "kernel": "gaussian"})", "--count: too many"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    auto r = Read(c.json);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(r.status().message().find(c.message), std::string::npos) << r.status().message();
  }
  auto arr = RequestFromJson<ToyRequest>(nlohmann::json::array());
  ASSERT_FALSE(arr.ok());
  EXPECT_EQ(arr.status().message(), "toy request: expected a JSON object (got array)");
}

TEST(RequestTest, FlagNames) {
  EXPECT_EQ(FlagName({.name = "cell_size_m"}), "--cell-size-m");
  EXPECT_EQ(FlagName({.name = "seq", .flags = kPositional}), "SEQ");
}

TEST(RequestTest, EveryOperationHasAUniqueNameAndWellFormedFields) {
  std::set<std::string> names;
  for (const OpInfo& op : ListOps()) {
    SCOPED_TRACE(op.name);
    EXPECT_TRUE(names.insert(std::string(op.name)).second);
    EXPECT_FALSE(op.summary.empty());
    std::set<std::string> fields;
    for (const FieldSpec& f : op.fields) {
      EXPECT_TRUE(fields.insert(std::string(f.name)).second) << f.name;
      EXPECT_FALSE(f.doc.empty()) << f.name;
      // Every default parses as JSON of the field's type.
      const nlohmann::json d = internal::DefaultOf(f);
      switch (f.type) {
        case FieldType::kInt:
          EXPECT_TRUE(d.is_number_integer()) << f.name;
          break;
        case FieldType::kDouble:
          EXPECT_TRUE(d.is_number()) << f.name;
          break;
        case FieldType::kBool:
          EXPECT_TRUE(d.is_boolean()) << f.name;
          break;
        case FieldType::kStringList:
          EXPECT_TRUE(d.is_array()) << f.name;
          break;
        default:
          EXPECT_TRUE(d.is_string()) << f.name;
      }
    }
    EXPECT_EQ(FindOp(op.name), &op);
  }
  EXPECT_EQ(FindOp("nosuch"), nullptr);
}

TEST(RequestTest, RunJsonRefusesBadRequestsBeforeOpeningAStore) {
  Context ctx;
  auto r = RunJson(nlohmann::json::parse(R"({"op": "nosuch"})"), ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
  EXPECT_NE(r.status().message().find("no operation \"nosuch\" (known: "), std::string::npos);
  EXPECT_NE(r.status().message().find("forecast"), std::string::npos) << r.status().message();
  r = RunJson(nlohmann::json::parse(R"({"store": "x.gpkg"})"), ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("\"op\": expected the name of an operation"),
            std::string::npos);
  // The store does not exist, but the request is checked first.
  r = RunJson(nlohmann::json::parse(
                  R"({"op": "forecast", "store": "/nonexistent/x.gpkg", "model": "retro",
                      "offence": "burglary", "origin": "2024-12-01", "out": "/nonexistent/o",
                      "horizon_days": 0})"),
              ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--horizon-days: expected a value in [0.01, 3650] (got 0)"),
            std::string::npos)
      << r.status().message();
}

TEST(RequestTest, Issue14TopAreaIsRangeCheckedAndExclusive) {
  // Each bad --top-area request, refused before any store is opened, naming the flag and value.
  const std::string base =
      R"("store": "/nonexistent/x.gpkg", "model": "naive", "offence": "burglary",
         "origin": "2024-12-01", "out": "/nonexistent/o")";
  struct Case {
    std::string extra, message;
  } cases[] = {
      {R"("top_area_km2": -1)", "--top-area-km2: expected a value in [1e-06, 1e+06] (got -1)"},
      {R"("top_area_sqmi": 2e6)",
       "--top-area-sqmi: expected a value in [1e-06, 1e+06] (got 2e+06)"},
      {R"("top_area_km2": 0.01)",
       "--top-area-km2: smaller than one cell of 0.0225 km² (--cell-size-m 150) (got 0.01)"},
      {R"("top_area_sqmi": 0.005)",
       "--top-area-sqmi: smaller than one cell of 0.0225 km² (--cell-size-m 150) (got 0.005)"},
      {R"("top_area_km2": 1, "top_area_sqmi": 0.5)",
       "--top-area-km2 and --top-area-sqmi: give one of them (got 1 and 0.5)"},
      {R"("top_area_km2": 1, "top_pct": 2)",
       "--top-area-km2 and --top-pct: give one of them (got 1 and 2)"},
  };
  for (const Case& c : cases) {
    auto r =
        RequestFromJson<ForecastRequest>(nlohmann::json::parse("{" + base + ", " + c.extra + "}"));
    ASSERT_FALSE(r.ok()) << c.extra;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(r.status().message(), c.message);
  }
  auto ok = RequestFromJson<ForecastRequest>(
      nlohmann::json::parse("{" + base + R"(, "top_area_sqmi": 0.75})"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->top_area_sqmi, 0.75);
}

}  // namespace
}  // namespace placecast::ops
