// SPDX-License-Identifier: Apache-2.0
// Small file helpers shared by every writer: atomic writes (a uniquely named temporary file,
// fsync, then rename), checks that an output path is a regular file or a folder, SHA-256 of
// files and bytes and HMAC-SHA-256 (OpenSSL EVP), and random bytes from the OS-seeded CSPRNG.
// Thread-safe as long as two threads do not write one path.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "placecast/status.h"

namespace placecast::io {

// Ok when `path` does not exist or is a regular file (not a symbolic link). kInvalidInput naming
// the path and what it is for a directory, device, FIFO, socket or symbolic link: placecast never
// replaces those with a file.
Status CheckOutputPath(const std::string& path);
// Ok when `dir` does not exist or is a directory (a symbolic link to a directory is followed).
// kInvalidInput otherwise.
Status CheckOutputDir(const std::string& dir);

// Writes `content` to `path` through a temporary file in the same folder (unique to this process
// and call), fsync and a rename, so readers never see a half-written file and two writers of one
// path never collide. kInvalidInput when `path` is not a regular file (CheckOutputPath); kIo naming
// the path when the directory is missing or not writable or the disk is full; no temp file is left.
Status WriteFileAtomic(const std::string& path, std::string_view content);

// Reads a whole file. kIo when it does not exist, kInvalidInput when it is not a regular
// file, kIo when it cannot be read.
Result<std::string> ReadFile(const std::string& path);

// Creates `dir` and its parents when missing. kInvalidInput when it exists as something other
// than a directory; kIo on failure.
Status MakeDirs(const std::string& dir);

// Lower-case hex SHA-256 of a file's bytes (OpenSSL EVP). kIo when missing; kInvalidInput
// for anything but a regular file (a device or FIFO is never read); kIo when it cannot be read.
Result<std::string> Sha256File(const std::string& path);
// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
// The 32 raw bytes of SHA-256 of `data`.
std::string Sha256Raw(std::string_view data);
// `n` bytes from OpenSSL's CSPRNG (seeded from the OS). kInternal if it cannot be seeded.
Result<std::string> RandomBytes(size_t n);
// 2n lower-case hex digits of fresh random bytes (for unique names; not for secrets).
std::string RandomHex(size_t n);
// Lower-case hex of `bytes`.
std::string ToHex(std::string_view bytes);

}  // namespace placecast::io
