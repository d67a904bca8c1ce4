// SPDX-License-Identifier: Apache-2.0
// The terminal side of the command line: how errors leave the process and the progress meter.
// Not thread-safe (writes to stderr).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "placecast/status.h"

namespace placecast::cli {

// True when stderr is a terminal and CI is not set: progress lines are shown only then.
bool ShowProgress();

// Prints "placecast: <message>" to stderr and returns the exit code: the ErrorCode (1 for an OK
// status, which no caller should pass).
int Fail(const Status& status);

// The edit distance between `a` and `b`: insertions, deletions, substitutions and swaps of two
// adjacent characters each count 1 (optimal string alignment), so "forecst" is 1 from "forecast".
int EditDistance(std::string_view a, std::string_view b);

// The name of `names` nearest to `typed` by EditDistance (the first of equals), or "" when none is
// close: within max(1, length of `typed` / 3) edits. "forecst" gives "forecast", "xyz" nothing.
std::string NearestName(std::string_view typed, std::span<const std::string> names);

// A one-line progress meter on stderr (\r-updated, at most every 0.2 s); silent when disabled.
class Progress {
 public:
  Progress(std::string label, bool enabled);
  ~Progress();
  void Update(int64_t done, int64_t total);
  void Finish();

 private:
  std::string label_;
  bool enabled_;
  bool shown_ = false;
  int64_t last_ms_ = 0;
};

}  // namespace placecast::cli
