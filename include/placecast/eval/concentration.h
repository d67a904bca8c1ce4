// SPDX-License-Identifier: Apache-2.0
// How concentrated events are in space: the share of events in the top k% of cells and the Gini
// coefficient of the counts per cell, with the generalized Gini of Bernasco and Steenbeek (2017)
// that corrects for having fewer events than cells. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>

#include "placecast/status.h"

namespace placecast::eval {

struct Concentration {
  int64_t events = 0;
  int64_t cells = 0;
  double top_pct = 5;  // the coverage asked for
  // Share of the events in the top_pct % of cells ranked by their own counts, a cell straddling
  // the boundary counting its fraction and ties by their expected value (as in ScoreCoverages).
  double top_share = 0;
  double cells_with_events_share = 0;  // share of cells with at least one event
  // Gini of the counts over all cells, G = sum_i (2i - n - 1) x_(i) / (n sum x), x ascending.
  double gini = 0;
  // Bernasco and Steenbeek (2017), "More places than crimes: implications for evaluating the law
  // of crime concentration at place", J. Quant. Criminol. 33: when events N < cells n, the most
  // equal possible spread puts one event in each of N cells, whose Gini is 1 - N/n, not 0;
  // G' = 1 - (n / N)(1 - G) rescales so that spread scores 0. Equals G when N >= n.
  double generalized_gini = 0;
};

// REQUIRES nothing of the order of `counts` (one count per cell). kInvalidInput when there is no
// cell, a count is negative, or top_pct is outside (0, 100]. With no events every share is 0.
Result<Concentration> ComputeConcentration(std::span<const int64_t> counts, double top_pct);

}  // namespace placecast::eval
