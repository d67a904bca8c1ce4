// SPDX-License-Identifier: Apache-2.0
// The model card every forecast product carries (run.json "model_card" and a report section):
// model, parameters, training window, offence types used, backtest metrics where known, known
// limitations and intended use. Pure function of its inputs; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "placecast/common/calendar.h"
#include "placecast/status.h"

namespace placecast::ops {

struct ModelCardInput {
  std::string model;
  std::string params_json;   // resolved parameters (JSON object)
  std::string offence;       // --offence selection name
  int64_t train_from_s = 0;  // 0 = all history
  int64_t origin_s = 0;
  int64_t training_events = 0;
  std::vector<std::string> warnings;
  std::string backtest_summary_path;  // a backtest summary.json, or "" (metrics not known)
  Calendar calendar;                  // the days the window's times are shown in
};

// The card as a JSON object (keys in a fixed order). kInvalidInput for an unknown offence
// selection, params that are not JSON, or a backtest summary that is unreadable, is not a
// placecast backtest summary or lacks the model (naming the file).
Result<std::string> BuildModelCardJson(const ModelCardInput& in);

}  // namespace placecast::ops
