// SPDX-License-Identifier: Apache-2.0
// UTF-8 validation at the edge: every text that enters placecast from outside (CSV headers and
// fields, mapping values, file names, command-line arguments) is checked once here, so that no
// invalid byte reaches JSON output (nlohmann::json refuses to dump it) or a store. Well-formed
// means RFC 3629: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
// Pure functions; safe to call from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace placecast {

// Offset of the first byte of `text` that does not begin a well-formed UTF-8 sequence (or
// begins one that is cut short), or std::string_view::npos when all of `text` is well-formed.
// ASCII runs are checked eight bytes at a time; no allocation.
size_t FindInvalidUtf8(std::string_view text);

// True when all of `text` is well-formed UTF-8.
inline bool IsValidUtf8(std::string_view text) {
  return FindInvalidUtf8(text) == std::string_view::npos;
}

// `text` with every byte that is not part of a well-formed sequence written as `\xFF` (upper-case
// hex), for messages and rejects files; well-formed text is returned unchanged.
std::string EscapeInvalidUtf8(std::string_view text);

// "byte 0xFF at offset 5" for the first invalid byte of `text`; "" when `text` is well-formed.
// For messages: "placecast: argument 3 is not valid UTF-8 (byte 0xFF at offset 5)".
std::string DescribeInvalidUtf8(std::string_view text);

}  // namespace placecast
