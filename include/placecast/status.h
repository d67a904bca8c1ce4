// SPDX-License-Identifier: Apache-2.0
// Status and Result<T>: how every placecast function reports an expected failure.
// A Status is either OK or carries an ErrorCode and a message; a Result<T> holds either a value or
// a non-OK Status. Errors are values: no exception crosses a public header. Both types are cheap to
// move, immutable once built, and safe to read from several threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace placecast {

// The class of a failure, which is also the command line's exit code (the table at the top of
// docs/cli.md). No file stores these numbers (ledger records, run manifests and products hold
// messages, never codes); the exit codes are a public contract: never renumber, only append.
// Issue 14 (point 7) renumbered them once, deliberately, from seven classes to these five.
enum class ErrorCode : int {
  kOk = 0,
  kInternal = 1,        // a bug: please report
  kInvalidInput = 2,    // bad input or usage: a file, row, field, flag or name the user gave, and
                        // a valid-looking request placecast cannot serve (a CRS, a format)
  kData = 3,            // the data cannot support the request: no events in a window, an empty
                        // store, a store or ledger record that fails its own checks (schema
                        // version, hash, a damaged file)
  kIo = 4,              // the OS refused a read or a write; a file that does not exist; a busy
                        // store
  kReplayMismatch = 5,  // a ledger replay produced bytes other than those recorded
};

// Indexed by the code's value.
inline constexpr std::array<std::string_view, 6> kErrorCodeNames = {
    "ok", "internal error", "invalid input", "data problem", "i/o error", "replay mismatch"};
static_assert(kErrorCodeNames.size() == static_cast<std::size_t>(ErrorCode::kReplayMismatch) + 1,
              "kErrorCodeNames must list every ErrorCode");

// Human name of a code ("invalid input"); "ok" for kOk.
std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidInput(std::string m) { return {ErrorCode::kInvalidInput, std::move(m)}; }
  static Status Data(std::string m) { return {ErrorCode::kData, std::move(m)}; }
  static Status Io(std::string m) { return {ErrorCode::kIo, std::move(m)}; }
  static Status ReplayMismatch(std::string m) { return {ErrorCode::kReplayMismatch, std::move(m)}; }
  static Status Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns this status with `context` put in front of its message ("context: message").
  // An OK status stays OK.
  Status Wrap(std::string_view context) const;

  // "message" for errors, "OK" for success.
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    if (std::get<Status>(v_).ok()) v_ = Status::Internal("Result built from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // REQUIRES: !ok() for a meaningful status; returns OK when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }
  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace placecast

#define PLACECAST_CONCAT_INNER_(a, b) a##b
#define PLACECAST_CONCAT_(a, b) PLACECAST_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function if it is not OK.
#define PLACECAST_RETURN_IF_ERROR(expr)  \
  do {                                   \
    ::placecast::Status _pc_st = (expr); \
    if (!_pc_st.ok()) return _pc_st;     \
  } while (0)

// `PLACECAST_ASSIGN_OR_RETURN(auto x, F());` unwraps a Result or returns its status.
#define PLACECAST_ASSIGN_OR_RETURN(lhs, expr) \
  PLACECAST_ASSIGN_OR_RETURN_IMPL_(PLACECAST_CONCAT_(_pc_res_, __LINE__), lhs, expr)
#define PLACECAST_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                     \
  if (!tmp.ok()) return tmp.status();                    \
  lhs = std::move(tmp).value()

// Programmer errors only; user input must never reach a DCHECK.
#ifdef NDEBUG
#define PLACECAST_DCHECK(cond) ((void)0)
#else
#include <cassert>
#define PLACECAST_DCHECK(cond) assert(cond)
#endif
