// SPDX-License-Identifier: Apache-2.0
// simulate-feedback: the feedback-loop simulation of audit/feedback.h. Its fields are the
// parameters of audit::FeedbackParams() (window_days, areas, …, with that table's defaults and
// ranges) plus rates (equal, or a CSV of per-area rates) and out. Writes feedback.json,
// feedback.csv (favoured share per mitigation and day) and feedback.png (that share as one line
// per mitigation) into the output folder; it takes no store, so it adds no ledger record.
// Thread-safe (no shared state; one run per output folder).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "placecast/ops/operation.h"
#include "placecast/ops/request.h"

namespace placecast::ops {

struct SimulateFeedbackRequest {
  static constexpr std::string_view kOp = "simulate-feedback";
  static constexpr std::string_view kSummary =
      "Simulate patrols trained on recorded offences: runaway feedback and its mitigations";
  int64_t areas = 10;
  int64_t days = 365;
  int64_t replications = 50;
  int64_t seed = 1;
  double victim_rate_per_day = 1;
  double discretionary_rate_per_day = 2;
  int64_t favoured_areas = 0;  // 0 = as many as patrolled_areas
  double initial_bias = 0.1;
  int64_t patrolled_areas = 2;
  std::string allocation = "top_k";
  std::string forecaster = "window";
  int64_t window_days = 28;
  double record_victim = 0.9;
  double record_disc_low = 0.05;
  double record_disc_high = 0.6;
  double epsilon = 0.1;
  // "equal": every area has the rates above; else a CSV
  // area,victim_rate_per_day,discretionary_rate_per_day (areas is then ignored).
  std::string rates = "equal";
  std::string out;

  static std::span<const Field<SimulateFeedbackRequest>> Fields();
  // With equal rates, the simulation's own checks (audit::FeedbackRequest::Validate: favoured
  // areas fewer than areas, recording probabilities ordered, …). kInvalidInput naming the
  // parameter and the value.
  Status Validate() const;
};

// `store` is unused (the simulation reads no data). kInvalidInput naming the rates file, line and
// field for a bad rate; kIo writing the products.
Result<Product> Run(io::Store* store, const SimulateFeedbackRequest& r, Context& ctx);

OpInfo SimulateFeedbackOp();

}  // namespace placecast::ops
