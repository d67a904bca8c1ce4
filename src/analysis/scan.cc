// SPDX-License-Identifier: Apache-2.0
// The prospective space-time permutation scan. Each centre's neighbours are sorted by distance
// once; the circle grows one distance at a time, keeping the circle's whole-period count and its
// per-day counts in the last max_window_days days, and the windows are scored only when the ring
// just added holds recent events (adding a location without recent events raises μ and leaves
// every c unchanged, which can only lower the likelihood ratio when c > μ). Replications shuffle
// the days over the events and rebuild only the per-location recent-event lists. Pure functions;
// replications run on std::threads, each with its own buffers.
#include "placecast/analysis/scan.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <thread>
#include <unordered_map>

#include "analysis/format_util.h"
#include "analysis/random.h"

namespace placecast::analysis {
namespace {

constexpr ParamSpec kScanParams[] = {
    {"max_radius_m", ParamType::kDouble, "500", 1, 100000, "m",
     "Largest circle radius; time grows with the number of locations within it."},
    {"max_window_days", ParamType::kInt, "21", 1, 1000, "days",
     "Longest time window; windows of 1 .. max_window_days days end on the analysis date."},
    {"study_period_days", ParamType::kInt, "365", 2, 100000, "days",
     "Days of data ending on the analysis date that set the space and time margins."},
    {"centres", ParamType::kEnum, "events", -1e300, 1e300, "",
     "Candidate circle centres: every distinct event location, or grid cell centres.",
     "events|cells"},
    {"centre_cell_size_m", ParamType::kDouble, "100", 1, 100000, "m",
     "Cell size of the centre grid when centres = cells."},
    {"min_cases", ParamType::kInt, "2", 1, 1000000, "",
     "Cylinders with fewer events are not considered clusters."},
    {"replications", ParamType::kInt, "999", 0, 1000000, "",
     "Monte Carlo replications; the smallest p-value is 1 / (replications + 1)."},
    {"seed", ParamType::kInt, "1", 0, 9007199254740992.0, "",
     "Master seed; replication k uses a seed derived from (seed, k)."},
    {"alpha", ParamType::kDouble, "0.05", 0, 1, "",
     "Clusters with a p-value at most alpha are flagged significant."},
    {"max_clusters", ParamType::kInt, "10", 1, 10000, "",
     "Most likely cluster plus non-overlapping secondary clusters reported."},
    {"threads", ParamType::kInt, "2", 1, 64, "",
     "Worker threads for the replications; results do not depend on it."},
};

int64_t FloorDay(int64_t t_s) {
  int64_t d = t_s / kSecondsPerDay;
  if (t_s % kSecondsPerDay != 0 && t_s < 0) --d;
  return d;
}

// The fixed part of the problem: locations, centres, and for every location the centres whose
// circles reach it, each with C = the whole-period events within that location's distance of the
// centre (ties included). C grows strictly with distance (every location has an event), so
// sorting a centre's entries by C orders them by distance and groups equal distances.
struct Geometry {
  std::vector<double> loc_x, loc_y;
  std::vector<int64_t> loc_total;  // events per location over the whole period
  std::vector<double> centre_x, centre_y;
  std::vector<uint32_t> rev_start;   // CSR over locations
  std::vector<uint32_t> rev_centre;  // centres in ascending order
  std::vector<uint32_t> rev_c;
};

// Per-location lists of the day offsets (0 = analysis date) of recent events, as CSR.
struct Recent {
  std::vector<uint32_t> start;
  std::vector<uint16_t> offset;
};

struct Best {
  double llr = 0;
  int64_t total = 0;  // C of the best circle
  int64_t window = 0;
  int64_t c = 0;
  double mu = 0;
};

struct Entry {
  uint32_t c_total;
  uint32_t loc;
};

// Scores every centre touched by a recent event; scratch buffers are owned by one thread.
class Scorer {
 public:
  Scorer(int64_t n, int64_t w, const std::vector<int64_t>& n_window, int64_t min_cases)
      : n_(static_cast<double>(n)),
        w_(w),
        n_window_(n_window),
        min_cases_(min_cases),
        xlogx_(static_cast<size_t>(n) + 1) {
    for (int64_t c = 1; c <= n; ++c) {
      xlogx_[c] = static_cast<double>(c) * std::log(static_cast<double>(c));
    }
  }

  struct Scratch {
    std::vector<uint32_t> bucket_start;
    std::vector<Entry> entries;
    std::vector<int64_t> circ;
    std::vector<uint64_t> mask;  // bit d set when circ[d] > 0
    // Replications need only the maximum: `floor` is the best log GLR so far, and mu_skip[c]
    // (valid while stamp[c] == version) is a μ at or above which c events cannot beat it.
    double floor = 0;
    uint64_t version = 1;
    std::vector<double> mu_skip;
    std::vector<uint64_t> stamp;
  };

  // Smallest known μ with LLR(c, μ) <= s.floor (bisection; LLR falls as μ rises on (0, c)).
  double MuSkip(Scratch& s, int64_t c) const {
    if (s.stamp[c] == s.version) return s.mu_skip[c];
    double lo = 0, hi = static_cast<double>(c);
    for (int it = 0; it < 40; ++it) {
      const double mid = 0.5 * (lo + hi);
      if (Llr(c, mid) > s.floor) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    s.stamp[c] = s.version;
    s.mu_skip[c] = hi;
    return hi;
  }

  double Llr(int64_t c, double mu) const {
    const int64_t n = static_cast<int64_t>(n_);
    double llr = xlogx_[c] - static_cast<double>(c) * std::log(mu);
    if (c < n) llr += xlogx_[n - c] - static_cast<double>(n - c) * std::log(n_ - mu);
    return llr;
  }

  // Calls visit(centre, best) for every centre whose circles hold a recent event. With
  // `max_only`, cylinders that cannot beat the best so far are skipped, so only the overall
  // maximum is exact (per-centre bests below it are not).
  template <typename Visit>
  void ScoreAll(const Geometry& g, const Recent& rec, Scratch& s, bool max_only,
                Visit visit) const {
    const size_t num_centres = g.centre_x.size();
    const size_t num_loc = g.loc_x.size();
    s.bucket_start.assign(num_centres + 1, 0);
    for (size_t l = 0; l < num_loc; ++l) {
      if (rec.start[l] == rec.start[l + 1]) continue;
      for (uint32_t e = g.rev_start[l]; e < g.rev_start[l + 1]; ++e) {
        ++s.bucket_start[g.rev_centre[e] + 1];
      }
    }
    for (size_t k = 0; k < num_centres; ++k) s.bucket_start[k + 1] += s.bucket_start[k];
    s.entries.resize(s.bucket_start[num_centres]);
    std::vector<uint32_t>& fill = fill_;
    fill.assign(s.bucket_start.begin(), s.bucket_start.end() - 1);
    for (size_t l = 0; l < num_loc; ++l) {
      if (rec.start[l] == rec.start[l + 1]) continue;
      for (uint32_t e = g.rev_start[l]; e < g.rev_start[l + 1]; ++e) {
        s.entries[fill[g.rev_centre[e]]++] = {g.rev_c[e], static_cast<uint32_t>(l)};
      }
    }
    s.circ.assign(static_cast<size_t>(w_), 0);
    s.mask.assign(static_cast<size_t>((w_ + 63) / 64), 0);
    s.floor = 0;
    ++s.version;
    s.mu_skip.resize(static_cast<size_t>(n_) + 1);
    s.stamp.resize(static_cast<size_t>(n_) + 1, 0);
    for (size_t k = 0; k < num_centres; ++k) {
      const uint32_t b0 = s.bucket_start[k], b1 = s.bucket_start[k + 1];
      if (b0 == b1) continue;
      std::sort(s.entries.begin() + b0, s.entries.begin() + b1, [](const Entry& a, const Entry& b) {
        return a.c_total != b.c_total ? a.c_total < b.c_total : a.loc < b.loc;
      });
      Best best;
      for (uint32_t a = b0; a < b1; ++a) {
        const Entry& en = s.entries[a];
        for (uint32_t e = rec.start[en.loc]; e < rec.start[en.loc + 1]; ++e) {
          const uint16_t off = rec.offset[e];
          ++s.circ[off];
          s.mask[off >> 6] |= uint64_t{1} << (off & 63);
        }
        if (a + 1 < b1 && s.entries[a + 1].c_total == en.c_total) continue;
        const double total = static_cast<double>(en.c_total);
        int64_t c = 0;
        // Only windows ending on a day with events in the circle: a window that adds an empty
        // day has the same c and a larger μ, so it never beats the shorter one.
        for (size_t word = 0; word < s.mask.size(); ++word) {
          for (uint64_t bits = s.mask[word]; bits != 0; bits &= bits - 1) {
            const int64_t off = static_cast<int64_t>(word * 64) + std::countr_zero(bits);
            c += s.circ[static_cast<size_t>(off)];
            if (c < min_cases_) continue;
            const int64_t w = off + 1;
            const double mu = total * static_cast<double>(n_window_[w]) / n_;
            if (static_cast<double>(c) <= mu) continue;
            if (max_only && mu >= MuSkip(s, c)) continue;
            const double llr = Llr(c, mu);
            if (llr > best.llr) best = {llr, en.c_total, w, c, mu};
            if (max_only && llr > s.floor) {
              s.floor = llr;
              ++s.version;
            }
          }
        }
      }
      for (uint32_t a = b0; a < b1; ++a) {
        const uint32_t loc = s.entries[a].loc;
        for (uint32_t e = rec.start[loc]; e < rec.start[loc + 1]; ++e) {
          s.circ[rec.offset[e]] = 0;
          s.mask[rec.offset[e] >> 6] = 0;
        }
      }
      visit(k, best);
    }
  }

 private:
  double n_;
  int64_t w_;
  const std::vector<int64_t>& n_window_;
  int64_t min_cases_;
  std::vector<double> xlogx_;
  mutable std::vector<uint32_t> fill_;  // REQUIRES: one Scorer per thread when scoring
};

void BuildRecent(const std::vector<uint32_t>& ev_loc, const std::vector<int64_t>& ev_offset,
                 int64_t w, size_t num_locations, Recent& rec) {
  rec.start.assign(num_locations + 1, 0);
  for (size_t i = 0; i < ev_loc.size(); ++i) {
    if (ev_offset[i] < w) ++rec.start[ev_loc[i] + 1];
  }
  for (size_t l = 0; l < num_locations; ++l) rec.start[l + 1] += rec.start[l];
  rec.offset.resize(rec.start[num_locations]);
  std::vector<uint32_t> fill(rec.start.begin(), rec.start.end() - 1);
  for (size_t i = 0; i < ev_loc.size(); ++i) {
    if (ev_offset[i] < w) rec.offset[fill[ev_loc[i]]++] = static_cast<uint16_t>(ev_offset[i]);
  }
}

struct CellHash {
  size_t operator()(const std::pair<int64_t, int64_t>& p) const {
    return std::hash<int64_t>()(p.first * 0x9E3779B97F4A7C15LL ^ p.second);
  }
};

}  // namespace

std::span<const ParamSpec> ScanParams() { return kScanParams; }

Status ScanRequest::Validate() const {
  using internal::Num;
  if (!std::isfinite(max_radius_m) || max_radius_m <= 0 || max_radius_m > 100000) {
    return Status::InvalidInput("max_radius_m: must be in (0, 100000] m (got " + Num(max_radius_m) +
                                ")");
  }
  if (study_period_days < 2 || study_period_days > 100000) {
    return Status::InvalidInput("study_period_days: must be in [2, 100000] (got " +
                                std::to_string(study_period_days) + ")");
  }
  if (max_window_days < 1 || max_window_days > 1000 || max_window_days >= study_period_days) {
    return Status::InvalidInput(
        "max_window_days: must be in [1, 1000] and shorter than "
        "study_period_days (" +
        std::to_string(study_period_days) + ") (got " + std::to_string(max_window_days) + ")");
  }
  if (centres == ScanCentres::kGridCells &&
      (!std::isfinite(centre_cell_size_m) || centre_cell_size_m < 1)) {
    return Status::InvalidInput("centre_cell_size_m: must be >= 1 m (got " +
                                Num(centre_cell_size_m) + ")");
  }
  if (min_cases < 1) {
    return Status::InvalidInput("min_cases: must be >= 1 (got " + std::to_string(min_cases) + ")");
  }
  if (replications < 0 || replications > 1000000) {
    return Status::InvalidInput("replications: must be in [0, 1000000] (got " +
                                std::to_string(replications) + ")");
  }
  if (!(alpha >= 0 && alpha <= 1)) {
    return Status::InvalidInput("alpha: must be in [0, 1] (got " + Num(alpha) + ")");
  }
  if (max_clusters < 1) {
    return Status::InvalidInput("max_clusters: must be >= 1 (got " + std::to_string(max_clusters) +
                                ")");
  }
  if (threads < 1 || threads > 64) {
    return Status::InvalidInput("threads: must be in [1, 64] (got " + std::to_string(threads) +
                                ")");
  }
  return Status::Ok();
}

Result<ScanRequest> ScanRequestFromParams(const ParamValues& v, int64_t analysis_date_s) {
  ScanRequest r;
  r.analysis_date_s = analysis_date_s;
  r.max_radius_m = v.GetDouble("max_radius_m");
  r.max_window_days = v.GetInt("max_window_days");
  r.study_period_days = v.GetInt("study_period_days");
  r.centres =
      v.GetString("centres") == "cells" ? ScanCentres::kGridCells : ScanCentres::kEventLocations;
  r.centre_cell_size_m = v.GetDouble("centre_cell_size_m");
  r.min_cases = v.GetInt("min_cases");
  r.replications = v.GetInt("replications");
  r.seed = static_cast<uint64_t>(v.GetInt("seed"));
  r.alpha = v.GetDouble("alpha");
  r.max_clusters = v.GetInt("max_clusters");
  r.threads = static_cast<int>(v.GetInt("threads"));
  PLACECAST_RETURN_IF_ERROR(r.Validate());
  return r;
}

Result<ScanResult> SpaceTimePermutationScan(const EventSet& events, const ScanRequest& request) {
  PLACECAST_RETURN_IF_ERROR(request.Validate());
  if (events.x_m.size() != events.size() || events.y_m.size() != events.size()) {
    return Status::InvalidInput("events: x_m, y_m and t_s differ in length");
  }
  const int64_t end_day = FloorDay(request.analysis_date_s);
  const int64_t first_day = end_day - request.study_period_days + 1;
  const int64_t w = request.max_window_days;

  // Events in the study period, their locations (distinct coordinates) and day offsets.
  std::vector<size_t> keep;
  for (size_t i = 0; i < events.size(); ++i) {
    const int64_t d = FloorDay(events.t_s[i]);
    if (d < first_day || d > end_day) continue;
    if (!std::isfinite(events.x_m[i]) || !std::isfinite(events.y_m[i])) {
      return Status::InvalidInput("events: event " + std::to_string(i) + " (id \"" +
                                  (i < events.id.size() ? events.id[i] : std::string()) +
                                  "\"): coordinates are not finite");
    }
    keep.push_back(i);
  }
  if (keep.size() < 2) {
    return Status::InvalidInput("events: the scan needs at least 2 events between " +
                                FormatDate(first_day * kSecondsPerDay) + " and " +
                                FormatDate(end_day * kSecondsPerDay) + " (got " +
                                std::to_string(keep.size()) + ")");
  }
  if (keep.size() >= std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidInput("events: too many events (" + std::to_string(keep.size()) + ")");
  }
  const int64_t n = static_cast<int64_t>(keep.size());
  std::vector<size_t> by_xy = keep;
  std::sort(by_xy.begin(), by_xy.end(), [&](size_t a, size_t b) {
    if (events.x_m[a] != events.x_m[b]) return events.x_m[a] < events.x_m[b];
    if (events.y_m[a] != events.y_m[b]) return events.y_m[a] < events.y_m[b];
    return a < b;
  });
  Geometry g;
  std::vector<uint32_t> ev_loc(events.size(), 0);
  for (size_t a = 0; a < by_xy.size(); ++a) {
    const size_t i = by_xy[a];
    if (a == 0 || events.x_m[i] != g.loc_x.back() || events.y_m[i] != g.loc_y.back()) {
      g.loc_x.push_back(events.x_m[i]);
      g.loc_y.push_back(events.y_m[i]);
      g.loc_total.push_back(0);
    }
    ev_loc[i] = static_cast<uint32_t>(g.loc_x.size() - 1);
    ++g.loc_total.back();
  }
  const size_t num_loc = g.loc_x.size();
  std::vector<uint32_t> kept_loc(keep.size());
  std::vector<int64_t> kept_offset(keep.size());
  std::vector<int64_t> n_window(static_cast<size_t>(w) + 1, 0);
  for (size_t a = 0; a < keep.size(); ++a) {
    kept_loc[a] = ev_loc[keep[a]];
    kept_offset[a] = end_day - FloorDay(events.t_s[keep[a]]);
    if (kept_offset[a] < w) ++n_window[static_cast<size_t>(kept_offset[a]) + 1];
  }
  for (int64_t k = 1; k <= w; ++k) n_window[k] += n_window[k - 1];

  // Spatial hash of the locations, cells of max_radius_m.
  const double rmax = request.max_radius_m;
  const double rmax2 = rmax * rmax;
  std::unordered_map<std::pair<int64_t, int64_t>, std::vector<uint32_t>, CellHash> hash;
  for (size_t l = 0; l < num_loc; ++l) {
    hash[{static_cast<int64_t>(std::floor(g.loc_x[l] / rmax)),
          static_cast<int64_t>(std::floor(g.loc_y[l] / rmax))}]
        .push_back(static_cast<uint32_t>(l));
  }
  // Locations within max_radius_m of (cx, cy) as (squared distance, location), sorted.
  auto neighbours = [&](double cx, double cy, std::vector<std::pair<double, uint32_t>>& nb) {
    nb.clear();
    const int64_t hx = static_cast<int64_t>(std::floor(cx / rmax));
    const int64_t hy = static_cast<int64_t>(std::floor(cy / rmax));
    for (int64_t dx = -1; dx <= 1; ++dx) {
      for (int64_t dy = -1; dy <= 1; ++dy) {
        auto it = hash.find({hx + dx, hy + dy});
        if (it == hash.end()) continue;
        for (uint32_t l : it->second) {
          const double ex = g.loc_x[l] - cx, ey = g.loc_y[l] - cy;
          const double d2 = ex * ex + ey * ey;
          if (d2 <= rmax2) nb.push_back({d2, l});
        }
      }
    }
    std::sort(nb.begin(), nb.end());
  };

  // Candidate centres: those with at least one location in reach.
  std::vector<std::pair<double, double>> cand;
  if (request.centres == ScanCentres::kEventLocations) {
    for (size_t l = 0; l < num_loc; ++l) cand.push_back({g.loc_x[l], g.loc_y[l]});
  } else {
    const double s = request.centre_cell_size_m;
    const auto [xmin, xmax] = std::minmax_element(g.loc_x.begin(), g.loc_x.end());
    const auto [ymin, ymax] = std::minmax_element(g.loc_y.begin(), g.loc_y.end());
    const int64_t c0 = static_cast<int64_t>(std::floor((*xmin - rmax) / s));
    const int64_t c1 = static_cast<int64_t>(std::floor((*xmax + rmax) / s));
    const int64_t r0 = static_cast<int64_t>(std::floor((*ymin - rmax) / s));
    const int64_t r1 = static_cast<int64_t>(std::floor((*ymax + rmax) / s));
    if ((c1 - c0 + 1) * (r1 - r0 + 1) > 50000000) {
      return Status::InvalidInput("centre_cell_size_m: " + internal::Num(s) +
                                  " m gives more than 50 million centre cells over the events' "
                                  "extent; use a larger cell size");
    }
    for (int64_t r = r0; r <= r1; ++r) {
      for (int64_t c = c0; c <= c1; ++c) cand.push_back({(c + 0.5) * s, (r + 0.5) * s});
    }
  }

  // Forward lists (location, C) per candidate, built in parallel blocks, then inverted into
  // per-location lists in centre order.
  const int threads = request.threads;
  struct Block {
    std::vector<uint32_t> size;  // entries per candidate
    std::vector<Entry> entries;
  };
  std::vector<Block> blocks(static_cast<size_t>(threads));
  {
    const size_t per = (cand.size() + threads - 1) / threads;
    auto build = [&](int t) {
      std::vector<std::pair<double, uint32_t>> nb;
      Block& b = blocks[static_cast<size_t>(t)];
      const size_t first = per * static_cast<size_t>(t);
      const size_t last = std::min(cand.size(), first + per);
      for (size_t k = first; k < last; ++k) {
        neighbours(cand[k].first, cand[k].second, nb);
        b.size.push_back(static_cast<uint32_t>(nb.size()));
        uint32_t total = 0;
        size_t a = 0;
        while (a < nb.size()) {
          size_t z = a;
          while (z < nb.size() && nb[z].first == nb[a].first)
            total += static_cast<uint32_t>(g.loc_total[nb[z++].second]);
          for (size_t q = a; q < z; ++q) b.entries.push_back({total, nb[q].second});
          a = z;
        }
      }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(build, t);
    build(0);
    for (auto& th : pool) th.join();
  }
  g.rev_start.assign(num_loc + 1, 0);
  for (const Block& b : blocks) {
    for (const Entry& e : b.entries) ++g.rev_start[e.loc + 1];
  }
  for (size_t l = 0; l < num_loc; ++l) g.rev_start[l + 1] += g.rev_start[l];
  g.rev_centre.resize(g.rev_start[num_loc]);
  g.rev_c.resize(g.rev_start[num_loc]);
  {
    std::vector<uint32_t> fill(g.rev_start.begin(), g.rev_start.end() - 1);
    size_t k = 0;
    for (Block& b : blocks) {
      size_t e = 0;
      for (uint32_t sz : b.size) {
        if (sz > 0) {
          const uint32_t centre = static_cast<uint32_t>(g.centre_x.size());
          g.centre_x.push_back(cand[k].first);
          g.centre_y.push_back(cand[k].second);
          for (uint32_t q = 0; q < sz; ++q, ++e) {
            const Entry& en = b.entries[e];
            g.rev_centre[fill[en.loc]] = centre;
            g.rev_c[fill[en.loc]++] = en.c_total;
          }
        }
        ++k;
      }
      b = Block();
    }
  }
  const size_t num_centres = g.centre_x.size();

  ScanResult res;
  res.request = request;
  res.num_events = n;
  res.num_locations = static_cast<int64_t>(num_loc);
  res.num_centres = static_cast<int64_t>(num_centres);
  res.study_start_s = first_day * kSecondsPerDay;

  // Observed data: the best cylinder of every centre.
  std::vector<Best> best(num_centres);
  {
    Recent rec;
    BuildRecent(kept_loc, kept_offset, w, num_loc, rec);
    const Scorer scorer(n, w, n_window, request.min_cases);
    Scorer::Scratch scratch;
    scorer.ScoreAll(g, rec, scratch, false, [&](size_t k, const Best& b) { best[k] = b; });
  }

  // Replications.
  res.replicate_max_log_glr.assign(static_cast<size_t>(request.replications), 0);
  if (request.replications > 0) {
    const int rep_threads = static_cast<int>(std::min<int64_t>(threads, request.replications));
    auto work = [&](int t) {
      const Scorer scorer(n, w, n_window, request.min_cases);
      Scorer::Scratch scratch;
      std::vector<int64_t> offset;
      Recent r;
      for (int64_t k = t; k < request.replications; k += rep_threads) {
        std::mt19937_64 rng(internal::DeriveSeed(request.seed, static_cast<uint64_t>(k)));
        offset = kept_offset;
        internal::Shuffle(std::span<int64_t>(offset), rng);
        BuildRecent(kept_loc, offset, w, num_loc, r);
        double m = 0;
        scorer.ScoreAll(g, r, scratch, true,
                        [&](size_t, const Best& b) { m = std::max(m, b.llr); });
        res.replicate_max_log_glr[static_cast<size_t>(k)] = m;
      }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < rep_threads; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();
  }

  // Most likely and secondary clusters: by descending log GLR (ties: centre order), skipping any
  // that shares a location with a cluster already reported.
  std::vector<size_t> order;
  for (size_t k = 0; k < num_centres; ++k) {
    if (best[k].llr > 0) order.push_back(k);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return best[a].llr > best[b].llr; });
  std::vector<uint8_t> taken(num_loc, 0);
  std::vector<std::pair<double, uint32_t>> nb;
  std::vector<uint32_t> members;
  for (size_t k : order) {
    if (static_cast<int64_t>(res.clusters.size()) >= request.max_clusters) break;
    const Best& b = best[k];
    neighbours(g.centre_x[k], g.centre_y[k], nb);
    members.clear();
    int64_t total = 0;
    double radius2 = 0;
    for (size_t a = 0; a < nb.size() && total < b.total; ++a) {
      // Whole groups of equal distance, until the circle's C is reached.
      const double d2 = nb[a].first;
      for (; a < nb.size() && nb[a].first == d2; ++a) {
        members.push_back(nb[a].second);
        total += g.loc_total[nb[a].second];
      }
      --a;
      radius2 = d2;
    }
    bool overlap = false;
    for (uint32_t l : members) overlap = overlap || taken[l];
    if (overlap) continue;
    for (uint32_t l : members) taken[l] = 1;
    ScanCluster c;
    c.rank = static_cast<int64_t>(res.clusters.size()) + 1;
    c.centre_x_m = g.centre_x[k];
    c.centre_y_m = g.centre_y[k];
    c.radius_m = std::sqrt(radius2);
    c.window_days = b.window;
    c.window_start_s = (end_day - b.window + 1) * kSecondsPerDay;
    c.window_end_s = (end_day + 1) * kSecondsPerDay;
    c.locations = static_cast<int64_t>(members.size());
    c.observed = b.c;
    c.expected = b.mu;
    c.log_glr = b.llr;
    int64_t at_least = 0;
    for (double m : res.replicate_max_log_glr) at_least += m >= b.llr;
    c.p_value = static_cast<double>(1 + at_least) / static_cast<double>(1 + request.replications);
    c.significant = c.p_value <= request.alpha;
    res.clusters.push_back(c);
  }
  return res;
}

grid::Ring ClusterToRing(const ScanCluster& cluster, int vertices, double min_radius_m) {
  PLACECAST_DCHECK(vertices >= 3);
  grid::Ring ring;
  const double r = std::max(cluster.radius_m, min_radius_m);
  for (int k = 0; k < vertices; ++k) {
    const double a = 2 * std::numbers::pi * k / vertices;
    ring.x_m.push_back(cluster.centre_x_m + r * std::cos(a));
    ring.y_m.push_back(cluster.centre_y_m + r * std::sin(a));
  }
  return ring;
}

std::string ScanResultToCsv(const ScanResult& r) {
  using internal::Num;
  std::string out =
      "rank,centre_x_m,centre_y_m,radius_m,window_start,window_end,window_days,locations,observed,"
      "expected,relative_risk,log_glr,p_value,significant\n";
  for (const auto& c : r.clusters) {
    out += std::to_string(c.rank) + "," + Num(c.centre_x_m, 12) + "," + Num(c.centre_y_m, 12) +
           "," + Num(c.radius_m) + "," + FormatDate(c.window_start_s) + "," +
           FormatDate(c.window_end_s - kSecondsPerDay) + "," + std::to_string(c.window_days) + "," +
           std::to_string(c.locations) + "," + std::to_string(c.observed) + "," + Num(c.expected) +
           "," + Num(static_cast<double>(c.observed) / c.expected) + "," + Num(c.log_glr) + "," +
           Num(c.p_value) + "," + (c.significant ? "true" : "false") + "\n";
  }
  return out;
}

std::string ScanResultToJson(const ScanResult& r) {
  using internal::Num;
  const auto& q = r.request;
  std::string out = "{\n  \"analysis\": \"scan\",\n  \"params\": {";
  out += "\"analysis_date\": \"" + FormatDate(q.analysis_date_s) + "\"";
  out += ", \"study_period_days\": " + std::to_string(q.study_period_days);
  out += ", \"max_radius_m\": " + Num(q.max_radius_m);
  out += ", \"max_window_days\": " + std::to_string(q.max_window_days);
  out += std::string(", \"centres\": ") +
         (q.centres == ScanCentres::kGridCells ? "\"cells\"" : "\"events\"");
  out += ", \"centre_cell_size_m\": " + Num(q.centre_cell_size_m);
  out += ", \"min_cases\": " + std::to_string(q.min_cases);
  out += ", \"replications\": " + std::to_string(q.replications);
  out += ", \"seed\": " + std::to_string(q.seed);
  out += ", \"alpha\": " + Num(q.alpha);
  out += ", \"max_clusters\": " + std::to_string(q.max_clusters) + "},\n";
  out += "  \"study_start\": \"" + FormatDate(r.study_start_s) + "\",\n";
  out += "  \"events\": " + std::to_string(r.num_events) + ",\n";
  out += "  \"locations\": " + std::to_string(r.num_locations) + ",\n";
  out += "  \"centres\": " + std::to_string(r.num_centres) + ",\n";
  out += "  \"clusters\": [";
  for (size_t k = 0; k < r.clusters.size(); ++k) {
    const auto& c = r.clusters[k];
    out += k ? ",\n    " : "\n    ";
    out += "{\"rank\": " + std::to_string(c.rank) + ", \"centre_x_m\": " + Num(c.centre_x_m, 12) +
           ", \"centre_y_m\": " + Num(c.centre_y_m, 12) + ", \"radius_m\": " + Num(c.radius_m) +
           ", \"window_start\": \"" + FormatDate(c.window_start_s) + "\", \"window_end\": \"" +
           FormatDate(c.window_end_s - kSecondsPerDay) +
           "\", \"window_days\": " + std::to_string(c.window_days) +
           ", \"locations\": " + std::to_string(c.locations) +
           ", \"observed\": " + std::to_string(c.observed) +
           ", \"expected\": " + Num(c.expected, 10, true) +
           ", \"log_glr\": " + Num(c.log_glr, 10, true) +
           ", \"p_value\": " + Num(c.p_value, 10, true) +
           ", \"significant\": " + (c.significant ? "true" : "false") + "}";
  }
  out += r.clusters.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

}  // namespace placecast::analysis
