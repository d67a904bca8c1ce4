// SPDX-License-Identifier: Apache-2.0
// JSON output that never throws. Arguments are checked for UTF-8 and ingest rejects invalid UTF-8,
// but a store written by an older placecast, a boundary file's names or a population table may
// still hold some; nlohmann::json throws type_error 316 when it meets such a string on dump(),
// which would abort a run after its products were written. Here the invalid bytes become U+FFFD.
// Header-only; thread-safe.
#pragma once

#include <string>

namespace placecast {

// `j.dump(indent)` with invalid UTF-8 replaced by U+FFFD (nlohmann's error_handler_t::replace).
template <class Json>
std::string SafeDump(const Json& j, int indent = -1) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace placecast
