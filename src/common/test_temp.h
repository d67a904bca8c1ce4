// SPDX-License-Identifier: Apache-2.0
// For tests only: a scratch folder of this test process's own.
//
// CTest runs the tests of one executable as separate processes, in parallel (`ctest -j`). Two
// tests that wrote the same fixed path under /tmp raced each other (one read the other's
// half-written gzip member on CI), so every test writes under a folder named for its process,
// removed when the process exits.
#ifndef PLACECAST_COMMON_TEST_TEMP_H_
#define PLACECAST_COMMON_TEST_TEMP_H_

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace placecast::testing {

// `<tmp>/placecast_test.<pid>/<name>`, created. Removed with everything in it at process exit.
inline std::filesystem::path ProcessTempDir(const std::string& name) {
  struct Root {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("placecast_test." + std::to_string(::getpid()));
    ~Root() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static Root root;
  std::filesystem::path dir = root.path / name;
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace placecast::testing

#endif  // PLACECAST_COMMON_TEST_TEMP_H_
