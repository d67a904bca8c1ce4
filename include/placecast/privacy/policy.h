// SPDX-License-Identifier: Apache-2.0
// Release policies (docs/privacy.md, "Per product"): what a public release publishes of each
// product, as pure functions of plain data built on the primitives of privacy.h. Each takes a
// ReleaseSpec (k, ε, the secret key and the public query that keys the noise) and the true
// figures, and returns the published ones: which are withheld at k, the noised values, and the
// figures that follow from them. The key is used only to draw noise and never appears in any
// result. Wording (notes, stdout lines, the "privacy" record of a product) stays with the
// operations (src/ops/release.h). No I/O, no shared state; safe to call from several threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/common/event_set.h"
#include "placecast/grid/grid.h"
#include "placecast/privacy/privacy.h"
#include "placecast/status.h"

namespace placecast::privacy {

// What defines a public release's decisions and noise.
struct ReleaseSpec {
  // k: the least incidents (or pairs) a published figure rests on; 0 withholds nothing.
  int64_t min_incidents = 0;
  // ε: the privacy budget of the Laplace noise; 0 adds no noise (the key is then not used).
  double epsilon = 0;
  // The store's secret release key, kReleaseKeyBytes raw bytes when ε > 0. Never in any output.
  std::string key;
  // The public identity of the release (operation, its figure-defining fields, the data digest);
  // each figure's noise is keyed by query + "\n" + the figures' name + its index.
  std::string query;
};

// PublishCounts under `spec`: counts below k become kWithheldCount; when ε > 0 the others get
// rounded Laplace(0, sensitivity / ε) noise, clamped at 0, keyed by spec.key and
// spec.query + "\n" + figures (figures names the kind of count, so two kinds never share draws).
// Errors as PublishCounts (negative k, ε or count; with ε > 0 a bad key or sensitivity).
Result<std::vector<int64_t>> ReleaseCounts(const ReleaseSpec& spec,
                                           const std::vector<int64_t>& counts, double sensitivity,
                                           std::string_view figures = "counts");

// The rows of a table that a release keeps: one count per row, rows whose count is withheld are
// left out.
struct PublishedRows {
  std::vector<size_t> kept;     // input indices of the published rows, ascending
  std::vector<int64_t> counts;  // the published count of each kept row (noised when ε > 0)
  int64_t withheld = 0;         // rows left out
  double sensitivity = 1;       // Δ the counts were noised with
};

// A table whose rows each rest on one count (predictability's offence groups): ReleaseCounts with
// figures "counts", then the rows with a withheld count are left out. Errors as ReleaseCounts.
Result<PublishedRows> ReleaseRows(const ReleaseSpec& spec, const std::vector<int64_t>& counts,
                                  double sensitivity);

// Backtest per-origin rows (docs/privacy.md, "backtest"): ReleaseRows of the events scored at
// each origin with Δ = max(1, ceil(horizon_days)) (one incident is scored at that many daily
// origins at most). kInvalidInput when horizon_days is not finite and > 0, or when
// scored_events (all origins) is below k: "privacy: scored_events: N is fewer than k = K: nothing
// can be published"; else as ReleaseCounts.
Result<PublishedRows> ReleasePerOrigin(const ReleaseSpec& spec,
                                       const std::vector<int64_t>& events_per_origin,
                                       int64_t scored_events, double horizon_days);

// Scan clusters (docs/privacy.md, "scan"): ReleaseRows of the observed counts (Δ = 1), and each
// kept cluster's radius rounded up to whole centre cells (at least one), since the exact radius is
// the distance from the centre to an incident. kInvalidInput when observed and radius_m differ in
// length, step_m is not finite and > 0, or a radius is not finite and >= 0.
struct PublishedClusters {
  PublishedRows rows;
  std::vector<double> radius_m;  // per kept cluster
};
Result<PublishedClusters> ReleaseClusters(const ReleaseSpec& spec,
                                          const std::vector<int64_t>& observed,
                                          const std::vector<double>& radius_m, double step_m);

// Pre and post counts of one area (displacement).
struct PrePost {
  int64_t pre = 0, post = 0;
};

// Displacement counts (docs/privacy.md, "displacement"): ReleaseCounts of every area's pre and
// post count (in that order) with Δ = 2 when `controls_overlap` (one incident can be in the
// control and the buffer control) and 1 otherwise. The WDQ figures are withheld when any count of
// the first `wdq_areas` areas (target, buffer, control) is, the WDD figures when any count is.
struct PublishedPrePost {
  std::vector<PrePost> counts;  // per area; kWithheldCount where withheld
  bool wdq_withheld = false;
  bool wdd_withheld = false;
  int64_t withheld = 0;  // withheld counts (of 2 × areas)
  double sensitivity = 1;
};
Result<PublishedPrePost> ReleasePrePost(const ReleaseSpec& spec, const std::vector<PrePost>& areas,
                                        bool controls_overlap, size_t wdq_areas = 3);

// Knox table (docs/privacy.md, "nearrepeat"), rows × cols row-major, the last row the open space
// band: the open band is withheld whole; close cells are ReleaseCounts of their pair counts with
// Δ = max(1, max_close_pairs_per_event); each published cell's Knox ratio is its published count
// over `expected` (NaN when expected is 0). kInvalidInput when rows < 2 or cols < 1, observed or
// expected is not rows × cols long, or max_close_pairs_per_event is negative; else as
// ReleaseCounts.
struct PublishedKnox {
  std::vector<uint8_t> withheld;   // per cell, 1 = withheld (every open-band cell)
  std::vector<int64_t> observed;   // per cell, the published count; kWithheldCount where withheld
  std::vector<double> knox_ratio;  // per cell, from the published count; NaN where withheld
  int64_t close_cells = 0;         // (rows − 1) × cols
  int64_t withheld_close_cells = 0;
  double sensitivity = 1;
};
Result<PublishedKnox> ReleaseKnox(const ReleaseSpec& spec, int rows, int cols,
                                  const std::vector<int64_t>& observed,
                                  const std::vector<double>& expected,
                                  int64_t max_close_pairs_per_event);

// What a public release did to a forecast surface.
struct PublicSurface {
  std::vector<uint8_t> suppressed;  // per cell, 1 = withheld
  int64_t suppressed_cells = 0;
  double support_m = 0;
};

// A forecast surface (docs/privacy.md, sections 1 and 2; shared by forecast, hotspots and
// allocate): marks the cells resting on fewer than k training incidents of
// [train_from_s, origin_s) in the cell or within support_m of it (SuppressSmallCells), then, when
// ε > 0, adds Laplace noise of sensitivity 1 to every value of `*values` (keyed by the figures
// "risk surface") and sets negative results to 0. Suppressed values are left for the caller to
// hide. kInvalidInput when `values` is null or not grid.num_cells() long; else as
// SuppressSmallCells and AddLaplaceNoise.
Result<PublicSurface> ReleaseSurface(const grid::Grid& grid, const EventSet& events,
                                     int64_t train_from_s, int64_t origin_s, double support_m,
                                     const ReleaseSpec& spec, std::vector<double>* values);

// An audit's need side (docs/privacy.md, "audit"): each area's count of victim-reported offences
// is ReleaseCounts'd (Δ = 1, figures "area need counts"); shares are published count / total of
// the published counts, and only when no area is withheld (NaN otherwise or when the total is 0);
// rates per 1,000 residents follow from the published counts (NaN for a withheld area or one
// without residents). The need-based group figures are withheld when any area is. kInvalidInput
// when need_events and residents differ in length; else as ReleaseCounts.
struct PublishedAreaNeed {
  std::vector<int64_t> need_events;  // per area; kWithheldCount where withheld
  std::vector<double> need_share;
  std::vector<double> need_per_1k_residents;
  int64_t total_need_events = 0;  // kWithheldCount when any area is withheld
  int64_t withheld_areas = 0;
  bool group_need_withheld = false;
};
Result<PublishedAreaNeed> ReleaseAreaNeed(const ReleaseSpec& spec,
                                          const std::vector<int64_t>& need_events,
                                          const std::vector<double>& residents);

}  // namespace placecast::privacy
