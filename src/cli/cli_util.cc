// SPDX-License-Identifier: Apache-2.0
// The terminal side of the command line (cli_util.h).
#include "cli/cli_util.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "placecast/common/offence.h"

namespace placecast::cli {

bool ShowProgress() {
  const char* ci = std::getenv("CI");
  return isatty(STDERR_FILENO) && (ci == nullptr || *ci == '\0');
}

int Fail(const Status& status) {
  std::fprintf(stderr, "placecast: %s\n", status.message().c_str());
  const int code = static_cast<int>(status.code());
  return code >= 2 ? code : static_cast<int>(ErrorCode::kInternal);
}

namespace {
int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

Progress::Progress(std::string label, bool enabled) : label_(std::move(label)), enabled_(enabled) {}
Progress::~Progress() { Finish(); }

void Progress::Update(int64_t done, int64_t total) {
  if (!enabled_) return;
  const int64_t now = NowMs();
  if (now - last_ms_ < 200 && done != total) return;
  last_ms_ = now;
  shown_ = true;
  if (total > 0) {
    std::fprintf(stderr, "\r%s %lld/%lld (%d%%)   ", label_.c_str(), static_cast<long long>(done),
                 static_cast<long long>(total), static_cast<int>(100 * done / total));
  } else {
    std::fprintf(stderr, "\r%s %lld   ", label_.c_str(), static_cast<long long>(done));
  }
  std::fflush(stderr);
}

void Progress::Finish() {
  if (enabled_ && shown_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  shown_ = false;
}

}  // namespace placecast::cli
