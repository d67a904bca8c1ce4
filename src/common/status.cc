// SPDX-License-Identifier: Apache-2.0
// Status implementation. Thread-safe: all functions are pure.
#include "placecast/status.h"

namespace placecast {

std::string_view ErrorCodeName(ErrorCode code) {
  const int i = static_cast<int>(code);
  if (code == ErrorCode::kOk) return "ok";
  if (i < 2 || i - 2 >= static_cast<int>(kErrorCodeNames.size())) return "unknown error";
  return kErrorCodeNames[i - 2];
}

Status Status::Wrap(std::string_view context) const {
  if (ok()) return *this;
  std::string m(context);
  m += ": ";
  m += message_;
  return Status(code_, std::move(m));
}

std::string Status::ToString() const { return ok() ? "OK" : message_; }

}  // namespace placecast
