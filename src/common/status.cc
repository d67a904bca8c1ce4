// SPDX-License-Identifier: Apache-2.0
// Status implementation. Thread-safe: all functions are pure.
#include "placecast/status.h"

namespace placecast {

std::string_view ErrorCodeName(ErrorCode code) {
  const auto i = static_cast<std::size_t>(code);
  return i < kErrorCodeNames.size() ? kErrorCodeNames[i] : "unknown error";
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
