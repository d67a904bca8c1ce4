// SPDX-License-Identifier: Apache-2.0
// Requests: the fields of one operation, declared once.
//
// Every operation (forecast, backtest, hotspots, …) takes one request struct. Its fields are
// listed once, in a table of Field<R> (name, type, default, range, choices, units, doc and the
// struct member it fills). From that table alone come:
//   - ReadRequest / WriteRequest: the JSON a request travels as (`placecast run REQUEST.json`,
//     the ledger's record of the run, an HTTP body), canonical: every field, in table order;
//   - CheckRequest: the range, choice, date and required checks, with an error naming the field
//     (as its command-line flag, `--origin`) and the value;
//   - the command-line flags (src/cli/op_command.h) and docs/cli.md (OpsMarkdown).
// An operation's own Validate() adds only the checks that relate fields to each other.
// Pure and header-only (templates); thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "placecast/status.h"

namespace placecast::ops {

enum class FieldType {
  kString,      // free text
  kChoice,      // one of FieldSpec::choices ("a|b|c")
  kDate,        // a local calendar date YYYY-MM-DD
  kInputPath,   // a file the operation reads (hashed into the ledger record)
  kOutputPath,  // a folder the operation writes its products into
  kOutputFile,  // a file the operation writes
  kInt,
  kDouble,
  kBool,        // a flag on the command line
  kStringList,  // repeated flag, or a JSON array of strings
};

enum FieldFlag : unsigned {
  kRequired = 1u << 0,    // must be given (non-empty for text)
  kPositional = 1u << 1,  // a positional argument on the command line (named in upper case)
  kNotInQuery = 1u << 2,  // where a run is stored or written, not what it computes (--store,
                          // --out, --threads): left out of a public release's identity
  kCommaList = 1u << 3,   // kStringList given as one comma-separated flag ("a,b,c")
  kHidden = 1u << 4,      // not offered on the command line (set by replays and front ends)
};

struct FieldSpec {
  std::string_view name;  // snake_case JSON key; the flag is --name with '-' for '_'
  FieldType type = FieldType::kString;
  std::string_view default_json = {};  // the default as JSON text; empty: "", 0, false or []
  double min = -1e300;                 // inclusive range of a given kInt / kDouble value
  double max = 1e300;
  std::string_view choices = {};  // kChoice: "a|b|c"
  std::string_view units = {};    // "m", "days", …
  std::string_view doc = {};
  unsigned flags = 0;
};

// "a,b,,c" -> {"a", "b", "c"}: how the command line reads a kCommaList field.
std::vector<std::string> SplitComma(const std::string& s);

// "--origin", or "SEQ" for a positional field.
std::string FlagName(const FieldSpec& f);
// "string", "date", "int", … as docs/cli.md shows them.
std::string_view TypeName(FieldType t);

// The struct member a field fills.
template <class R>
using Member = std::variant<std::string R::*, int64_t R::*, double R::*, bool R::*,
                            std::vector<std::string> R::*>;

template <class R>
struct Field {
  FieldSpec spec;
  Member<R> member;
};

namespace internal {

// Checks and converts one JSON value for `f`; writes it through the typed setters.
Status ReadString(const FieldSpec& f, const nlohmann::json& v, std::string* out);
Status ReadInt(const FieldSpec& f, const nlohmann::json& v, int64_t* out);
Status ReadDouble(const FieldSpec& f, const nlohmann::json& v, double* out);
Status ReadBool(const FieldSpec& f, const nlohmann::json& v, bool* out);
Status ReadStringList(const FieldSpec& f, const nlohmann::json& v, std::vector<std::string>* out);
// The default of `f` as JSON (parsed from default_json, or the empty value of its type).
nlohmann::json DefaultOf(const FieldSpec& f);
// The value checks of CheckRequest for one field (a value equal to the default always passes:
// the default means "not set").
Status CheckString(const FieldSpec& f, const std::string& v);
Status CheckNumber(const FieldSpec& f, double v, bool is_default);
Status CheckStringList(const FieldSpec& f, const std::vector<std::string>& v);
// kInvalidInput "OP request: unknown field(s) a, b (known: …)".
Status UnknownFields(std::string_view op, const std::vector<std::string>& unknown,
                     std::span<const FieldSpec> known);

}  // namespace internal

// The specs of a field table (for docs and front ends that need no struct).
template <class R>
std::vector<FieldSpec> SpecsOf(std::span<const Field<R>> fields) {
  std::vector<FieldSpec> out;
  out.reserve(fields.size());
  for (const auto& f : fields) out.push_back(f.spec);
  return out;
}

// Sets every field of `r` to its default.
template <class R>
void ApplyDefaults(std::span<const Field<R>> fields, R* r) {
  for (const auto& f : fields) {
    const nlohmann::json d = internal::DefaultOf(f.spec);
    std::visit(
        [&](auto m) {
          using T = std::remove_cvref_t<decltype(r->*m)>;
          r->*m = d.get<T>();
        },
        f.member);
  }
}

// Fills `r` from the JSON object `j`: fields not given take their defaults; "op" is allowed (the
// envelope of `placecast run`) and must equal `op` when present. kInvalidInput naming the field
// for a value of the wrong type, a missing required field, or unknown fields (all listed).
template <class R>
Status ReadRequest(std::span<const Field<R>> fields, std::string_view op, const nlohmann::json& j,
                   R* r) {
  if (!j.is_object()) {
    return Status::InvalidInput(std::string(op) + " request: expected a JSON object (got " +
                                j.type_name() + ")");
  }
  if (auto it = j.find("op"); it != j.end() && (!it->is_string() || it->get<std::string>() != op)) {
    return Status::InvalidInput(std::string(op) + " request: \"op\" is " + it->dump() + ", not \"" +
                                std::string(op) + "\"");
  }
  std::vector<std::string> unknown;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "op") continue;
    bool found = false;
    for (const auto& f : fields) found = found || f.spec.name == it.key();
    if (!found) unknown.push_back(it.key());
  }
  if (!unknown.empty()) {
    const std::vector<FieldSpec> specs = SpecsOf(fields);
    return internal::UnknownFields(op, unknown, specs);
  }
  ApplyDefaults(fields, r);
  for (const auto& f : fields) {
    auto it = j.find(std::string(f.spec.name));
    if (it == j.end()) {
      if (f.spec.flags & kRequired) {
        return Status::InvalidInput(FlagName(f.spec) + ": required (the request has no \"" +
                                    std::string(f.spec.name) + "\")");
      }
      continue;
    }
    Status s = std::visit(
        [&](auto m) -> Status {
          using T = std::remove_cvref_t<decltype(r->*m)>;
          if constexpr (std::is_same_v<T, std::string>) {
            return internal::ReadString(f.spec, *it, &(r->*m));
          } else if constexpr (std::is_same_v<T, int64_t>) {
            return internal::ReadInt(f.spec, *it, &(r->*m));
          } else if constexpr (std::is_same_v<T, double>) {
            return internal::ReadDouble(f.spec, *it, &(r->*m));
          } else if constexpr (std::is_same_v<T, bool>) {
            return internal::ReadBool(f.spec, *it, &(r->*m));
          } else {
            return internal::ReadStringList(f.spec, *it, &(r->*m));
          }
        },
        f.member);
    PLACECAST_RETURN_IF_ERROR(s);
  }
  return Status::Ok();
}

// The request as JSON: "op" first, then every field in table order (defaults included), so the
// same request always gives the same bytes.
template <class R>
nlohmann::ordered_json WriteRequest(std::span<const Field<R>> fields, std::string_view op,
                                    const R& r) {
  nlohmann::ordered_json j;
  j["op"] = std::string(op);
  for (const auto& f : fields) {
    std::visit([&](auto m) { j[std::string(f.spec.name)] = r.*m; }, f.member);
  }
  return j;
}

// The per-field checks: required text non-empty, numbers in range, choices, dates. The first
// failure, naming the field as its flag and the value.
template <class R>
Status CheckRequest(std::span<const Field<R>> fields, const R& r) {
  for (const auto& f : fields) {
    const nlohmann::json d = internal::DefaultOf(f.spec);
    Status s = std::visit(
        [&](auto m) -> Status {
          using T = std::remove_cvref_t<decltype(r.*m)>;
          const T& v = r.*m;
          if constexpr (std::is_same_v<T, std::string>) {
            return internal::CheckString(f.spec, v);
          } else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, double>) {
            return internal::CheckNumber(f.spec, static_cast<double>(v), d.get<T>() == v);
          } else if constexpr (std::is_same_v<T, bool>) {
            return Status::Ok();
          } else {
            return internal::CheckStringList(f.spec, v);
          }
        },
        f.member);
    PLACECAST_RETURN_IF_ERROR(s);
  }
  return Status::Ok();
}

// A request type R provides:
//   static constexpr std::string_view kOp;                 // "forecast": the one name
//   static constexpr std::string_view kSummary;            // one line for --help and docs
//   static std::span<const Field<R>> Fields();
//   Status Validate() const;                               // checks across fields
template <class R>
concept Request = requires(const R& r) {
  { R::kOp } -> std::convertible_to<std::string_view>;
  { R::kSummary } -> std::convertible_to<std::string_view>;
  { R::Fields() } -> std::convertible_to<std::span<const Field<R>>>;
  { r.Validate() } -> std::same_as<Status>;
};

// ReadRequest, CheckRequest and Validate: a request ready to run.
template <Request R>
Result<R> RequestFromJson(const nlohmann::json& j) {
  R r;
  PLACECAST_RETURN_IF_ERROR(ReadRequest<R>(R::Fields(), R::kOp, j, &r));
  PLACECAST_RETURN_IF_ERROR(CheckRequest<R>(R::Fields(), r));
  PLACECAST_RETURN_IF_ERROR(r.Validate());
  return r;
}

template <Request R>
nlohmann::ordered_json RequestToJson(const R& r) {
  return WriteRequest<R>(R::Fields(), R::kOp, r);
}

// A request with every field at its default (required fields empty).
template <Request R>
R DefaultRequest() {
  R r;
  ApplyDefaults<R>(R::Fields(), &r);
  return r;
}

}  // namespace placecast::ops
