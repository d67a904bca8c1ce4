// SPDX-License-Identifier: Apache-2.0
// fuzz_util.h: the per-process temporary folder and file writer. Not thread-safe.
#include "fuzz_util.h"

#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace placecast::fuzz {
namespace {

struct Dir {
  std::string path;
  Dir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/placecast-fuzz-XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) {
      std::perror("placecast fuzz: mkdtemp");
      std::abort();
    }
    path = templ;
  }
  ~Dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

const std::string& TempDir() {
  static Dir dir;
  return dir.path;
}

std::string WriteTempFile(const std::string& name, std::string_view bytes) {
  std::string path = TempDir() + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() ||
      std::fclose(f) != 0) {
    std::perror(("placecast fuzz: writing " + path).c_str());
    std::abort();
  }
  return path;
}

std::string Gzip(std::string_view bytes) {
  z_stream z{};
  // 15 + 16: a gzip header and trailer around the deflate stream.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    std::abort();
  }
  std::string out(deflateBound(&z, bytes.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace placecast::fuzz
