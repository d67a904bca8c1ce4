// SPDX-License-Identifier: Apache-2.0
// The terminal side of the command line (cli_util.h).
#include "cli/cli_util.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <vector>

#include "placecast/common/offence.h"

namespace placecast::cli {

bool ShowProgress() {
  const char* ci = std::getenv("CI");
  return isatty(STDERR_FILENO) && (ci == nullptr || *ci == '\0');
}

int Fail(const Status& status) {
  std::fprintf(stderr, "placecast: %s\n", status.message().c_str());
  return static_cast<int>(status.ok() ? ErrorCode::kInternal : status.code());
}

int EditDistance(std::string_view a, std::string_view b) {
  // d[i][j]: distance between the first i characters of a and the first j of b.
  std::vector<std::vector<int>> d(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string NearestName(std::string_view typed, std::span<const std::string> names) {
  const int limit = std::max<int>(1, static_cast<int>(typed.size()) / 3);
  std::string best;
  int best_d = limit + 1;
  for (const std::string& n : names) {
    const int dist = EditDistance(typed, n);
    if (dist < best_d) {
      best_d = dist;
      best = n;
    }
  }
  return best;
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
