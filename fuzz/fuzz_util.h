// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the libFuzzer targets: one private temporary folder per process, and writing
// fuzzer bytes to a fixed file in it (the readers under test take paths). Not thread-safe: a
// libFuzzer process runs one input at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace placecast::fuzz {

// A folder created once per process under $TMPDIR (or /tmp) and removed at exit.
const std::string& TempDir();

// Writes `bytes` to TempDir()/name (replacing it) and returns the full path. Aborts on I/O
// failure: a harness that cannot write its input must not report "no crash".
std::string WriteTempFile(const std::string& name, std::string_view bytes);

// `bytes` as a gzip member (zlib, default level).
std::string Gzip(std::string_view bytes);

}  // namespace placecast::fuzz
