// SPDX-License-Identifier: Apache-2.0
// RunBacktest() with the registered models (models::CreateModel). Kept apart from backtest.cc so
// that code using its own ModelFactory does not pull in the model registry.
#include "placecast/eval/backtest.h"

namespace placecast::eval {

Result<BacktestResult> RunBacktest(const BacktestRequest& req, const EventSet& events,
                                   const grid::Grid& grid) {
  return RunBacktest(req, events, grid,
                     [](std::string_view name, const std::map<std::string, std::string>& params) {
                       return models::CreateModel(name, params);
                     });
}

}  // namespace placecast::eval
