// SPDX-License-Identifier: Apache-2.0
// Small file helpers shared by every writer: atomic writes (temporary file, then rename), SHA-256
// of files, and directory creation. Thread-safe as long as two threads do not write one path.
#pragma once

#include <string>
#include <string_view>

#include "placecast/status.h"

namespace placecast::io {

// Writes `content` to `path` through `path.tmp` and a rename, so readers never see a half-written
// file. kIo naming the path when the directory is missing or not writable; no temp file is left.
Status WriteFileAtomic(const std::string& path, std::string_view content);

// Reads a whole file. kNotFound when it does not exist, kIo when it cannot be read.
Result<std::string> ReadFile(const std::string& path);

// Creates `dir` and its parents when missing. kIo on failure.
Status MakeDirs(const std::string& dir);

// Lower-case hex SHA-256 of a file's bytes (FIPS 180-4). kNotFound / kIo as ReadFile.
Result<std::string> Sha256File(const std::string& path);
// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace placecast::io
