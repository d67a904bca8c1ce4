// SPDX-License-Identifier: Apache-2.0
// Kulldorff's space-time permutation scan statistic in prospective mode (Kulldorff, Heffernan,
// Hartman, Assunção & Mostashari 2005, PLoS Medicine 2(3): e59): which cylinders — a circle
// around a centre × a time window ending on the analysis date — hold more events than the space
// and time margins predict, with Monte Carlo p-values from permuting the days over the events.
//
// Location units are the distinct event coordinates; candidate centres are those locations or the
// centres of a square grid (ScanCentres). A circle of radius r holds every location at distance
// <= r from its centre; circles grow one distance at a time up to max_radius_m.
//
// Functions are pure; SpaceTimePermutationScan runs its replications on `threads` std::threads
// and its results do not depend on the number of threads. Safe to call from several threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "placecast/common/calendar.h"
#include "placecast/common/event_set.h"
#include "placecast/grid/geometry.h"
#include "placecast/params.h"
#include "placecast/status.h"

namespace placecast::analysis {

enum class ScanCentres {
  kEventLocations,  // every distinct event location is a centre (SaTScan's usual choice)
  kGridCells,       // centres of centre_cell_size_m cells with a location within max_radius_m
};

// The scan's parameters (radius, windows, period, centres, replications, seed, alpha, …).
std::span<const ParamSpec> ScanParams();

struct ScanRequest {
  // Start of the analysis date (a local day of `calendar`): the last day of every window and of
  // the study period.
  int64_t analysis_date_s = 0;
  // The days events are binned into: the study's local days (UTC by default).
  Calendar calendar;
  // Days in the study period, ending with the analysis date; events before it are ignored.
  // Longer periods give steadier space and time margins but assume stable patterns.
  int64_t study_period_days = 365;
  // Largest circle radius in metres (default 500). Larger circles find diffuse clusters at the
  // cost of time roughly proportional to the number of locations within the radius.
  double max_radius_m = 500;
  // Longest window in days (default 21); windows are 1 .. max_window_days days ending on the
  // analysis date. Must be shorter than the study period.
  int64_t max_window_days = 21;
  ScanCentres centres = ScanCentres::kEventLocations;
  double centre_cell_size_m = 100;  // for kGridCells only
  // Cylinders with fewer events are not considered (default 2: one event is never a cluster).
  int64_t min_cases = 2;
  // Monte Carlo replications (default 999); the smallest p-value is 1 / (replications + 1).
  int64_t replications = 999;
  uint64_t seed = 1;          // replication k uses a seed derived from (seed, k)
  double alpha = 0.05;        // clusters with p <= alpha are flagged significant
  int64_t max_clusters = 10;  // most likely cluster plus non-overlapping secondary ones
  int threads = 2;

  // kInvalidInput naming the field, the value and what was expected.
  Status Validate() const;
};

// A ScanRequest from resolved ScanParams() values and the analysis date.
Result<ScanRequest> ScanRequestFromParams(const ParamValues& values, int64_t analysis_date_s);

struct ScanCluster {
  int64_t rank = 0;  // 1 = most likely cluster, then secondary clusters by descending log_glr
  double centre_x_m = 0, centre_y_m = 0;
  double radius_m = 0;         // distance from the centre to the farthest included location
  int64_t window_start_s = 0;  // start of the first (local) day of the window
  int64_t window_end_s = 0;    // start of the day after the analysis date (exclusive end)
  int64_t window_days = 0;
  int64_t locations = 0;     // distinct locations in the circle
  int64_t observed = 0;      // events in the cylinder
  double expected = 0;       // μ = (events in circle, whole period) × (events in window) / N
  double log_glr = 0;        // log of (c/μ)^c ((N−c)/(N−μ))^(N−c)
  double p_value = 1;        // (1 + #{replications whose max log_glr >= log_glr}) / (1 + R)
  bool significant = false;  // p_value <= alpha
};

struct ScanResult {
  ScanRequest request;
  int64_t num_events = 0;  // events in the study period
  int64_t num_locations = 0;
  int64_t num_centres = 0;
  int64_t study_start_s = 0;  // start of the first (local) day of the study period
  // Most likely cluster first, then secondary clusters sharing no location with a better one.
  // Empty when no cylinder has more events than expected (and at least min_cases).
  std::vector<ScanCluster> clusters;
  std::vector<double> replicate_max_log_glr;  // in replication order
};

// Runs the scan. kInvalidInput when the request is invalid, when coordinates are not finite, or
// when fewer than 2 events fall in the study period.
Result<ScanResult> SpaceTimePermutationScan(const EventSet& events, const ScanRequest& request);

// The cluster's circle as a closed-implicitly ring of `vertices` points (counter-clockwise from
// east), radius max(radius_m, min_radius_m) so single-location clusters still draw.
// REQUIRES: vertices >= 3.
grid::Ring ClusterToRing(const ScanCluster& cluster, int vertices = 64, double min_radius_m = 10);

// rank,centre_x_m,centre_y_m,radius_m,window_start,window_end,window_days,locations,observed,
// expected,relative_risk,log_glr,p_value,significant (dates YYYY-MM-DD, end inclusive).
std::string ScanResultToCsv(const ScanResult& result);
// {"analysis": "scan", "params": {...}, "events": n, ..., "clusters": [{...}]}.
std::string ScanResultToJson(const ScanResult& result);

}  // namespace placecast::analysis
