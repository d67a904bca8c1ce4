// SPDX-License-Identifier: Apache-2.0
// Public-release privacy tools for forecast products and incident exports: small-cell suppression
// (a cell is withheld when fewer than k training incidents lie in it or within the model's kernel
// support of it), keyed Laplace noise on published values (the Laplace mechanism with stated
// sensitivity and privacy budget) and keyed donut geomasking of single incident points. See
// docs/privacy.md for the methods, the threat model and what they do and do not guarantee.
// The randomness of a release is keyed: every draw is HMAC-SHA-256 under the store's secret
// release key (32 bytes from the OS CSPRNG, io::Store::GetReleaseKey) of a domain-separated
// message naming what is drawn (the incident id for a geomask; the query, sensitivity, epsilon and
// figure for noise). Whoever holds the code and every release but not the key cannot regenerate a
// draw, and the same figure (or incident) gets the same draw in every release, so repeating a
// release gives nothing to average. Every function is pure (no shared state) and deterministic:
// the same inputs and key give the same output bits on every platform. All functions are safe to
// call from several threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "placecast/common/event_set.h"
#include "placecast/grid/grid.h"
#include "placecast/status.h"

namespace placecast::privacy {

// The 32 raw bytes of HMAC-SHA-256(key, message) (RFC 2104, OpenSSL); "" if OpenSSL fails.
std::string HmacSha256(std::string_view key, std::string_view message);

// Per-cell count of the events with t0_s <= t < t1_s that a cell's published value "rests on":
// the events inside the cell, plus those whose distance to the cell's square is at most
// `support_m` (the kernel support of the model; 0 = the cell alone). Events outside every active
// cell still count for active cells within `support_m`. Result has grid.num_cells() entries.
// kInvalidInput when support_m is negative or not finite, or t0_s > t1_s.
Result<std::vector<int64_t>> CountSupportingEvents(const grid::Grid& grid, const EventSet& events,
                                                   int64_t t0_s, int64_t t1_s, double support_m);

// Small-cell suppression. Sets (*suppressed)[c] = 1 for each cell resting on fewer than
// `min_incidents` events (CountSupportingEvents with the same window and support), 0 otherwise;
// `*suppressed` is resized to grid.num_cells(). When `counts` is not null it receives the counts.
// min_incidents = 0 suppresses nothing; 1 suppresses cells with no supporting event.
// kInvalidInput when `suppressed` is null, min_incidents is negative, or as CountSupportingEvents.
Status SuppressSmallCells(const grid::Grid& grid, const EventSet& events, int64_t t0_s,
                          int64_t t1_s, double support_m, int64_t min_incidents,
                          std::vector<uint8_t>* suppressed, std::vector<int64_t>* counts = nullptr);

// Length in bytes of a release key (io::Store::GetReleaseKey).
inline constexpr size_t kReleaseKeyBytes = 32;

// kInvalidInput "privacy: release key: expected 32 bytes (got N)" unless key has
// kReleaseKeyBytes bytes. Every keyed function below checks its key this way.
Status CheckReleaseKey(std::string_view key);

// The message HMAC'd for the noise of figure `index` of a release (AddLaplaceNoise): the domain
// "placecast/laplace/v1", then `figures`, the sensitivity, epsilon (both as %.17g) and the index,
// each length-prefixed so no two distinct tuples give the same bytes. Exposed for tests.
std::string LaplaceMessage(std::string_view figures, double sensitivity, double epsilon,
                           uint64_t index);

// The message HMAC'd for the geomask of one incident (DonutGeomask): the domain
// "placecast/geomask/v1", the radii min_m and max_m (%.17g) and the incident id, length-prefixed.
// Exposed for tests.
std::string GeomaskMessage(double min_m, double max_m, std::string_view incident_id);

// Two independent uniform draws on the open interval (0, 1) from HMAC-SHA-256(key, message):
// bytes 0..7 and 8..15 of the MAC, big-endian, 53 bits each, offset by half a step. REQUIRES: key
// passes CheckReleaseKey.
struct UnitPair {
  double u1 = 0.5, u2 = 0.5;
};
UnitPair KeyedUnits(std::string_view key, std::string_view message);

// The keyed Laplace mechanism: values[i] + Laplace(0, b), b = sensitivity / epsilon, the draw for
// value i made by inverse CDF from KeyedUnits(key, LaplaceMessage(figures, sensitivity, epsilon,
// i)).u1. `figures` names what the values are: the product and every parameter that defines them
// (offence selection, dates, cell size, areas, model parameters, the data version), never output
// paths; value i is the figure with that index. The same key, figures, sensitivity, epsilon and
// index give the same draw in every release (repeating a release reveals nothing new); a change
// to any of them gives an independent draw (so two releases at different epsilons cannot be solved
// for the true value; their budgets add up). `sensitivity` is the L1 sensitivity Δ of the whole
// vector; the release is ε-differentially private for that Δ. Results may be negative; clamping
// them afterwards (post-processing) keeps the guarantee. kInvalidInput when the key is not 32
// bytes, sensitivity or epsilon is not finite and > 0, or a value is not finite (naming its index).
Result<std::vector<double>> AddLaplaceNoise(const std::vector<double>& values, double sensitivity,
                                            double epsilon, std::string_view key,
                                            std::string_view figures);

// The value PublishCounts gives a withheld count (written empty or null in products).
inline constexpr int64_t kWithheldCount = -1;

// Counts as a public release publishes them: each count below `min_incidents` becomes
// kWithheldCount; when epsilon > 0 every other count gets Laplace(0, sensitivity / epsilon) noise
// (AddLaplaceNoise with `key` and `figures`, one draw per input index whether withheld or not, so
// a count's noise does not depend on which others are withheld), rounded to the nearest integer
// and clamped at 0 (post-processing keeps the guarantee). epsilon = 0 adds no noise and ignores
// `sensitivity` and the key (which may then be empty). The decision to withhold uses the true
// count. kInvalidInput when min_incidents or a count is negative (naming its index), epsilon is
// negative or not finite, or (epsilon > 0) as AddLaplaceNoise.
Result<std::vector<int64_t>> PublishCounts(const std::vector<int64_t>& counts,
                                           int64_t min_incidents, double sensitivity,
                                           double epsilon, std::string_view key,
                                           std::string_view figures);

// A point displaced by donut geomasking.
struct GeomaskedPoint {
  double x_m = 0, y_m = 0;    // displaced position, same projected CRS as the input
  double displacement_m = 0;  // distance moved, in [min_m, max_m]
};

// Donut geomasking (Hampton et al. 2010; Allshouse et al. 2010), keyed: moves (x_m, y_m) in the
// direction 2π·u1 by r = sqrt(min² + u2 (max² − min²)), so the new point is uniform over the
// annulus min_m <= r <= max_m around it, with (u1, u2) = KeyedUnits(key, GeomaskMessage(min_m,
// max_m, incident_id)). Coordinates are in a projected CRS in metres. The same
// incident moves by the same vector in every release with the same radii, whatever else the
// release holds (no averaging over releases); without the key the vector cannot be regenerated.
// Different radii give an independent vector (the same direction and quantile at two radii would
// give the true point away). kInvalidInput when a coordinate is not finite, min_m < 0, max_m <
// min_m or max_m <= 0, or the key is not 32 bytes.
Result<GeomaskedPoint> DonutGeomask(double x_m, double y_m, double min_m, double max_m,
                                    std::string_view key, std::string_view incident_id);

}  // namespace placecast::privacy
