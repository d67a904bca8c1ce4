// SPDX-License-Identifier: Apache-2.0
// Concentration of events over cells (docs/evaluation.md, "Concentration"). Pure; thread-safe.
#include "placecast/eval/concentration.h"

#include <algorithm>
#include <string>
#include <vector>

#include "placecast/eval/metrics.h"
#include "placecast/grid/grid.h"

namespace placecast::eval {

Result<Concentration> ComputeConcentration(std::span<const int64_t> counts, double top_pct) {
  if (counts.empty()) return Status::InvalidInput("concentration: no cells (got 0)");
  if (!(top_pct > 0 && top_pct <= 100)) {
    return Status::InvalidInput("concentration: top_pct: expected a value in (0, 100] (got \"" +
                                std::to_string(top_pct) + "\")");
  }
  Concentration c;
  c.cells = static_cast<int64_t>(counts.size());
  c.top_pct = top_pct;
  int64_t with_events = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] < 0) {
      return Status::InvalidInput("concentration: cell " + std::to_string(i) +
                                  ": negative count (got \"" + std::to_string(counts[i]) + "\")");
    }
    c.events += counts[i];
    with_events += counts[i] > 0;
  }
  if (c.events == 0) return c;
  c.cells_with_events_share = static_cast<double>(with_events) / static_cast<double>(c.cells);
  // The top share is a hit rate of the counts against themselves, so ties and a part-taken cell
  // follow exactly the rule of ScoreCoverages. No tie keys: cells tied on their own count hold
  // equal events, so any order among them gives the same share.
  grid::Surface self;
  self.value.assign(counts.begin(), counts.end());
  const double cov[] = {top_pct};
  PLACECAST_ASSIGN_OR_RETURN(auto scores, ScoreCoverages(self, counts, cov, {}));
  c.top_share = scores[0].hit_rate;
  std::vector<int64_t> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end());
  const double n = static_cast<double>(sorted.size());
  double weighted = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    weighted += (2.0 * static_cast<double>(i + 1) - n - 1.0) * static_cast<double>(sorted[i]);
  }
  c.gini = weighted / (n * static_cast<double>(c.events));
  const double events = static_cast<double>(c.events);
  c.generalized_gini = events >= n ? c.gini : 1.0 - (n / events) * (1.0 - c.gini);
  return c;
}

}  // namespace placecast::eval
