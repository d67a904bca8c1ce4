// SPDX-License-Identifier: Apache-2.0
// The multi-band Knox test for space-time interaction (Knox 1964), as analysts run it to find
// near-repeat victimisation (Johnson & Bowers 2004; Ratcliffe's Near Repeat Calculator, "NRC"):
// every pair of events is put in one (space band, time band) cell; the expected count of each cell
// comes from Monte Carlo permutations of the event days over the fixed event locations.
//
// Band conventions (they are the NRC's actual ones, checked on its published outputs; see
// docs/nearrepeat.md): with space edges b1 < … < bK and time edges t1 < … < tL,
//   space rows:    "same location" (distance exactly 0), (0, b1), [b1, b2), …, [bK, ∞)
//   time columns:  [0, t1), [t1, t2), …, [tL, ∞)  in whole calendar days between the UTC dates.
// Labels state these intervals; the NRC labels the same cells "1 to 100", "101 to 200", "0 to 7",
// "8 to 14", which is wrong by one at each lower edge.
//
// Functions are pure; KnoxTest uses `threads` worker threads internally and is safe to call from
// several threads at once. Results do not depend on the number of threads.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "placecast/common/calendar.h"
#include "placecast/common/event_set.h"
#include "placecast/params.h"
#include "placecast/status.h"

namespace placecast::analysis {

enum class DistanceMetric { kEuclidean, kManhattan };

// The Knox test's scalar parameters (permutations, seed, distance, threads, coordinate precision)
// and its band lists, as one table: flags, JSON and docs come from it.
std::span<const ParamSpec> KnoxParams();

struct KnoxRequest {
  // Upper edges of the spatial bands in metres, strictly increasing and > 0 (b1 … bK). Rows:
  // same location, (0, b1), [b1, b2), …, [b(K-1), bK), then [bK, ∞) — K + 2 rows.
  std::vector<double> space_bands_m;
  // Upper edges of the temporal bands in whole days, strictly increasing and > 0 (t1 … tL).
  // Columns: [0, t1), …, [t(L-1), tL), then [tL, ∞) — L + 1 columns.
  std::vector<int64_t> time_bands_days;
  // The days pairs are counted in: whole days between the two events' local dates in this
  // calendar (the store's); UTC dates by default, as for files whose times are dates only.
  Calendar calendar;
  // Euclidean ("as the crow flies") or Manhattan (|dx| + |dy|, the NRC's usual choice).
  DistanceMetric distance = DistanceMetric::kEuclidean;
  // Rounds coordinates to IEEE single precision before measuring distances, as the NRC does
  // (1/32 m resolution at Chicago's State Plane coordinates). Only for reproducing NRC counts.
  bool float32_coordinates = false;
  // Monte Carlo permutations of the days over the locations. More permutations give finer
  // p-values (the smallest is 1 / (permutations + 1)) at linear cost.
  int64_t permutations = 999;
  // Master seed; permutation k uses a seed derived from (seed, k), so results do not depend on
  // `threads`.
  uint64_t seed = 1;
  int threads = 2;

  // kInvalidInput naming the field, the value and what was expected.
  Status Validate() const;
};

// Equal-width band edges: step, 2·step, …, count·step. kInvalidInput unless step > 0 and
// 1 <= count <= 1000, naming `what` ("--space-step").
Result<std::vector<double>> EqualBandEdges(double step, int64_t count, std::string_view what);

// A KnoxRequest from resolved KnoxParams() values (band lists as "100,200,300").
// kInvalidInput for a list that does not parse or is not strictly increasing and positive.
Result<KnoxRequest> KnoxRequestFromParams(const ParamValues& values);

struct KnoxResult {
  KnoxRequest request;
  int64_t num_events = 0;
  int64_t num_pairs = 0;  // n (n - 1) / 2
  // Pairs closer than the last space edge (visited per permutation); -1 = withheld (written null).
  int64_t close_pairs = 0;
  // The most close pairs any one event takes part in: how many close-pair counts one event can
  // change in total (the L1 sensitivity of the close rows of `observed` to one event).
  int64_t max_close_pairs_per_event = 0;
  int rows = 0, cols = 0;                 // rows = K + 2 space bands, cols = L + 1 time bands
  std::vector<std::string> space_labels;  // "same location", "(0, 100) m", "[100, 200) m", …
  std::vector<std::string> time_labels;   // "[0, 7) days", …, "[21, inf) days"
  // Row-major rows × cols.
  std::vector<int64_t> observed;    // pairs in each cell
  std::vector<double> expected;     // mean over the permutations
  std::vector<double> expected_sd;  // standard deviation over the permutations (n - 1)
  std::vector<double> knox_ratio;   // observed / expected; NaN when expected is 0
  std::vector<double> p_value;      // (1 + #{perm >= observed}) / (1 + permutations)

  // Cells withheld from publication (a public release sets it; empty = none): the formatters
  // write their observed, expected, expected_sd, knox_ratio and p_value empty, null or "x".
  std::vector<uint8_t> withheld;

  size_t Index(int row, int col) const { return static_cast<size_t>(row) * cols + col; }
  bool IsWithheld(size_t i) const { return i < withheld.size() && withheld[i] != 0; }
};

// Runs the test on `events` (any order). Pairs are found with a spatial grid index, so only pairs
// closer than the last space edge are ever visited; the counts of the last row follow from the
// per-time-band totals, which permutations do not change.
// kInvalidInput when the request is invalid or there are fewer than 2 events, naming the field.
Result<KnoxResult> KnoxTest(const EventSet& events, const KnoxRequest& request);

// One row per (space band, time band): space_band,time_band,space_lo_m,space_hi_m,time_lo_days,
// time_hi_days,observed,expected,expected_sd,knox_ratio,p_value (hi "inf" for open bands).
std::string KnoxResultToCsv(const KnoxResult& result);
// {"params": {...}, "events": n, "pairs": n, "space_bands": [...], "time_bands": [...],
//  "cells": [{...}, ...]} with the same fields as the CSV; NaN written as null.
std::string KnoxResultToJson(const KnoxResult& result);
// The NRC's three tables (Knox ratios, p-values, observed pairs) as fixed-width text.
std::string KnoxResultToTable(const KnoxResult& result);

}  // namespace placecast::analysis
