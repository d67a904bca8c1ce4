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
#include <cstdlib>
#include <limits>
#include <memory>
#include <new>
#include <numbers>
#include <random>
#include <thread>
#include <type_traits>

#ifdef __linux__
#include <sys/mman.h>
#endif

#include "analysis/format_util.h"
#include "analysis/random.h"
#include "analysis/result_json.h"

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

// An uninitialised array for the location-centre lists (tens of millions of entries), backed by
// transparent huge pages where the kernel allows it: the lists are written once in scattered
// order, and with 4 KiB pages the page faults cost as much as the writes.
template <typename T>
class BigArray {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  void Allocate(size_t n) {
    constexpr size_t kHuge = size_t{2} << 20;
    const size_t bytes = std::max<size_t>(kHuge, (n * sizeof(T) + kHuge - 1) / kHuge * kHuge);
    p_.reset(static_cast<T*>(std::aligned_alloc(kHuge, bytes)));
    if (p_ == nullptr) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    madvise(p_.get(), bytes, MADV_HUGEPAGE);  // advice only: failure leaves 4 KiB pages
#endif
  }
  T& operator[](size_t i) { return p_.get()[i]; }
  const T& operator[](size_t i) const { return p_.get()[i]; }

 private:
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T, Free> p_;
};

// The fixed part of the problem: locations, centres, and for every location the centres whose
// circles reach it, each with C = the whole-period events within that location's distance of the
// centre (ties included). C grows strictly with distance (every location has an event), so
// sorting a centre's entries by C orders them by distance and groups equal distances.
struct Geometry {
  std::vector<double> loc_x, loc_y;
  std::vector<int64_t> loc_total;  // events per location over the whole period
  std::vector<double> centre_x, centre_y;
  std::vector<uint32_t> rev_start;  // CSR over locations
  struct Reach {
    uint32_t centre;
    uint32_t c;  // C of the circle around `centre` that just reaches the location
  };
  BigArray<Reach> rev;  // per location, its centres in a fixed order (not sorted)
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
        ++s.bucket_start[g.rev[e].centre + 1];
      }
    }
    for (size_t k = 0; k < num_centres; ++k) s.bucket_start[k + 1] += s.bucket_start[k];
    s.entries.resize(s.bucket_start[num_centres]);
    std::vector<uint32_t>& fill = fill_;
    fill.assign(s.bucket_start.begin(), s.bucket_start.end() - 1);
    for (size_t l = 0; l < num_loc; ++l) {
      if (rec.start[l] == rec.start[l + 1]) continue;
      for (uint32_t e = g.rev_start[l]; e < g.rev_start[l + 1]; ++e) {
        s.entries[fill[g.rev[e].centre]++] = {g.rev[e].c, static_cast<uint32_t>(l)};
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

// The locations bucketed in a uniform grid (row-major cells, CSR), their coordinates and totals
// copied in cell order so that a circle's candidates are a few contiguous runs, one per cell row.
class LocationGrid {
 public:
  LocationGrid(const std::vector<double>& x, const std::vector<double>& y,
               const std::vector<int64_t>& total, double radius_m) {
    const auto [xmin, xmax] = std::minmax_element(x.begin(), x.end());
    const auto [ymin, ymax] = std::minmax_element(y.begin(), y.end());
    x0_ = *xmin;
    y0_ = *ymin;
    // Cells of half the radius (about 5.5 r² of candidates per circle of π r²), but never more
    // cells than about four per location.
    const double w = *xmax - *xmin, h = *ymax - *ymin;
    cell_ = std::max({radius_m / 2, std::sqrt(w * h / (4.0 * static_cast<double>(x.size()))),
                      std::max(w, h) / 65536.0, 1e-9});
    nx_ = static_cast<int64_t>(w / cell_) + 1;
    ny_ = static_cast<int64_t>(h / cell_) + 1;
    std::vector<uint32_t> cell_of(x.size());
    start_.assign(static_cast<size_t>(nx_ * ny_) + 1, 0);
    for (size_t l = 0; l < x.size(); ++l) {
      cell_of[l] = static_cast<uint32_t>(Row(y[l]) * nx_ + Col(x[l]));
      ++start_[cell_of[l] + 1];
    }
    for (size_t c = 0; c + 1 < start_.size(); ++c) start_[c + 1] += start_[c];
    std::vector<uint32_t> fill(start_.begin(), start_.end() - 1);
    x_.resize(x.size());
    y_.resize(x.size());
    loc_.resize(x.size());
    total_.resize(x.size());
    for (size_t l = 0; l < x.size(); ++l) {  // ascending location order within each cell
      const uint32_t a = fill[cell_of[l]]++;
      x_[a] = x[l];
      y_[a] = y[l];
      loc_[a] = static_cast<uint32_t>(l);
      total_[a] = static_cast<uint32_t>(total[l]);
    }
  }

  // Calls f(d2, location, total) for every location with d2 = (x − cx)² + (y − cy)² <= r2.
  template <typename F>
  void ForEachWithin(double cx, double cy, double r, double r2, F f) const {
    const int64_t j0 = Row(cy - r), j1 = Row(cy + r);
    for (int64_t j = j0; j <= j1; ++j) {
      const double lo = y0_ + static_cast<double>(j) * cell_, hi = lo + cell_;
      const double dy = cy < lo ? lo - cy : (cy > hi ? cy - hi : 0.0);
      if (dy * dy > r2) continue;
      const double ext = std::sqrt(r2 - dy * dy);
      const int64_t i0 = Col(cx - ext), i1 = Col(cx + ext);
      const uint32_t a1 = start_[static_cast<size_t>(j * nx_ + i1) + 1];
      for (uint32_t a = start_[static_cast<size_t>(j * nx_ + i0)]; a < a1; ++a) {
        const double ex = x_[a] - cx, ey = y_[a] - cy;
        const double d2 = ex * ex + ey * ey;
        if (d2 <= r2) f(d2, loc_[a], total_[a]);
      }
    }
  }

 private:
  int64_t Col(double x) const {
    return std::clamp<int64_t>(static_cast<int64_t>(std::floor((x - x0_) / cell_)), 0, nx_ - 1);
  }
  int64_t Row(double y) const {
    return std::clamp<int64_t>(static_cast<int64_t>(std::floor((y - y0_) / cell_)), 0, ny_ - 1);
  }

  double x0_ = 0, y0_ = 0, cell_ = 1;
  int64_t nx_ = 1, ny_ = 1;
  std::vector<uint32_t> start_;
  std::vector<double> x_, y_;
  std::vector<uint32_t> loc_, total_;
};

// One centre's locations within the radius, with C (whole-period events within each location's
// distance, ties included). Reused per thread.
struct Circle {
  std::vector<double> d2;
  std::vector<uint32_t> loc, total;
  std::vector<uint32_t> start, order;  // bucket sort scratch

  void Gather(const LocationGrid& grid, double cx, double cy, double r, double r2) {
    d2.clear();
    loc.clear();
    total.clear();
    grid.ForEachWithin(cx, cy, r, r2, [&](double d, uint32_t l, uint32_t t) {
      d2.push_back(d);
      loc.push_back(l);
      total.push_back(t);
    });
  }

  // Calls f(location, C) for every gathered location, nearest first. The locations are sorted
  // by squared distance with a bucket sort: buckets of equal width in d² are rings of equal area,
  // so with locations spread over the circle each holds about two, and insertion sort finishes
  // them. Exact: buckets are monotone in d², and equal distances form one group sharing one C.
  template <typename F>
  void ForEachC(double r2, F f) {
    const size_t m = d2.size();
    const size_t nb = m / 2 + 1;
    const double scale = static_cast<double>(nb) / r2;
    auto bucket = [&](double d) { return std::min(nb - 1, static_cast<size_t>(d * scale)); };
    start.assign(nb + 1, 0);
    for (size_t q = 0; q < m; ++q) ++start[bucket(d2[q]) + 1];
    for (size_t b = 0; b < nb; ++b) start[b + 1] += start[b];
    order.resize(m);
    for (size_t q = 0; q < m; ++q) order[start[bucket(d2[q])]++] = static_cast<uint32_t>(q);
    // start[b] is now the end of bucket b.
    for (size_t b = 0, b0 = 0; b < nb; b0 = start[b++]) {
      for (size_t a = b0 + 1; a < start[b]; ++a) {
        const uint32_t v = order[a];
        size_t z = a;
        for (; z > b0 && d2[order[z - 1]] > d2[v]; --z) order[z] = order[z - 1];
        order[z] = v;
      }
    }
    uint32_t c = 0;
    for (size_t a = 0; a < m;) {
      const double d = d2[order[a]];
      size_t z = a;
      for (; z < m && d2[order[z]] == d; ++z) c += total[order[z]];
      for (; a < z; ++a) f(loc[order[a]], c);
    }
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
  const Calendar& cal = request.calendar;
  const int64_t end_day = cal.DayOf(request.analysis_date_s);
  const int64_t first_day = end_day - request.study_period_days + 1;
  const int64_t w = request.max_window_days;

  // Events in the study period, their locations (distinct coordinates) and day offsets.
  std::vector<size_t> keep;
  for (size_t i = 0; i < events.size(); ++i) {
    const int64_t d = cal.DayOf(events.t_s[i]);
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
                                cal.FormatDate(cal.DayStart(first_day)) + " and " +
                                cal.FormatDate(cal.DayStart(end_day)) + " (got " +
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
    kept_offset[a] = end_day - cal.DayOf(events.t_s[keep[a]]);
    if (kept_offset[a] < w) ++n_window[static_cast<size_t>(kept_offset[a]) + 1];
  }
  for (int64_t k = 1; k <= w; ++k) n_window[k] += n_window[k - 1];

  const double rmax = request.max_radius_m;
  const double rmax2 = rmax * rmax;
  const LocationGrid loc_grid(g.loc_x, g.loc_y, g.loc_total, rmax);
  // Locations within max_radius_m of (cx, cy) as (squared distance, location), sorted.
  auto neighbours = [&](double cx, double cy, std::vector<std::pair<double, uint32_t>>& nb) {
    nb.clear();
    loc_grid.ForEachWithin(cx, cy, rmax, rmax2, [&](double d2, uint32_t l, uint32_t) {
      nb.push_back({d2, l});
    });
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

  // The per-location lists of (centre, C), in two parallel passes over blocks of candidates.
  // Pass 1 counts, per block, the centres reaching each location and the candidates with a
  // location in reach (which become centres, numbered in candidate order). Pass 2 sorts each
  // centre's locations by distance and writes (centre, C) straight into the lists: block t
  // writes after blocks 0 .. t−1 in every list, so each list is in ascending centre order.
  const int threads = request.threads;
  const size_t per = (cand.size() + threads - 1) / threads;
  std::vector<std::vector<uint32_t>> reach(static_cast<size_t>(threads));
  std::vector<uint32_t> block_centres(static_cast<size_t>(threads) + 1, 0);
  auto parallel = [&](auto body) {
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(body, t);
    body(0);
    for (auto& th : pool) th.join();
  };
  parallel([&](int t) {
    std::vector<uint32_t>& count = reach[static_cast<size_t>(t)];
    count.assign(num_loc, 0);
    const size_t first = per * static_cast<size_t>(t);
    const size_t last = std::min(cand.size(), first + per);
    uint32_t centres = 0;
    for (size_t k = first; k < last; ++k) {
      bool any = false;
      loc_grid.ForEachWithin(cand[k].first, cand[k].second, rmax, rmax2,
                             [&](double, uint32_t l, uint32_t) {
                               ++count[l];
                               any = true;
                             });
      centres += any;
    }
    block_centres[static_cast<size_t>(t) + 1] = centres;
  });
  g.rev_start.assign(num_loc + 1, 0);
  for (size_t l = 0; l < num_loc; ++l) {
    uint32_t at = g.rev_start[l];
    for (auto& count : reach) {  // count becomes this block's write cursor
      const uint32_t c = count[l];
      count[l] = at;
      at += c;
    }
    g.rev_start[l + 1] = at;
  }
  for (int t = 0; t < threads; ++t) block_centres[t + 1] += block_centres[t];
  g.rev.Allocate(g.rev_start[num_loc]);
  g.centre_x.resize(block_centres.back());
  g.centre_y.resize(block_centres.back());
  parallel([&](int t) {
    std::vector<uint32_t>& cursor = reach[static_cast<size_t>(t)];
    const size_t first = per * static_cast<size_t>(t);
    const size_t last = std::min(cand.size(), first + per);
    uint32_t centre = block_centres[static_cast<size_t>(t)];
    Circle circle;
    for (size_t k = first; k < last; ++k) {
      circle.Gather(loc_grid, cand[k].first, cand[k].second, rmax, rmax2);
      if (circle.d2.empty()) continue;
      g.centre_x[centre] = cand[k].first;
      g.centre_y[centre] = cand[k].second;
      circle.ForEachC(rmax2, [&](uint32_t l, uint32_t c) { g.rev[cursor[l]++] = {centre, c}; });
      ++centre;
    }
  });
  reach = {};
  const size_t num_centres = g.centre_x.size();

  ScanResult res;
  res.request = request;
  res.num_events = n;
  res.num_locations = static_cast<int64_t>(num_loc);
  res.num_centres = static_cast<int64_t>(num_centres);
  res.study_start_s = cal.DayStart(first_day);

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
    c.window_start_s = cal.DayStart(end_day - b.window + 1);
    c.window_end_s = cal.DayStart(end_day + 1);
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
  const Calendar& cal = r.request.calendar;
  std::string out =
      "rank,centre_x_m,centre_y_m,radius_m,window_start,window_end,window_days,locations,observed,"
      "expected,relative_risk,log_glr,p_value,significant\n";
  for (const auto& c : r.clusters) {
    out += std::to_string(c.rank) + "," + Num(c.centre_x_m, 12) + "," + Num(c.centre_y_m, 12) +
           "," + Num(c.radius_m) + "," + cal.FormatDate(c.window_start_s) + "," +
           cal.FormatDate(c.window_end_s - 1) + "," + std::to_string(c.window_days) + "," +
           std::to_string(c.locations) + "," + std::to_string(c.observed) + "," + Num(c.expected) +
           "," + Num(static_cast<double>(c.observed) / c.expected) + "," + Num(c.log_glr) + "," +
           Num(c.p_value) + "," + (c.significant ? "true" : "false") + "\n";
  }
  return out;
}

internal::Json internal::ScanResultDoc(const ScanResult& r) {
  const auto& q = r.request;
  const Calendar& cal = q.calendar;
  Json params;
  params["analysis_date"] = cal.FormatDate(q.analysis_date_s);
  params["days"] = cal.Describe();
  params["study_period_days"] = q.study_period_days;
  params["max_radius_m"] = q.max_radius_m;
  params["max_window_days"] = q.max_window_days;
  params["centres"] = q.centres == ScanCentres::kGridCells ? "cells" : "events";
  params["centre_cell_size_m"] = q.centre_cell_size_m;
  params["min_cases"] = q.min_cases;
  params["replications"] = q.replications;
  params["seed"] = q.seed;
  params["alpha"] = q.alpha;
  params["max_clusters"] = q.max_clusters;
  Json doc;
  doc["analysis"] = "scan";
  doc["params"] = std::move(params);
  doc["study_start"] = cal.FormatDate(r.study_start_s);
  doc["events"] = r.num_events;
  doc["locations"] = r.num_locations;
  doc["centres"] = r.num_centres;
  Json clusters = Json::array();
  for (const auto& c : r.clusters) {
    Json one;
    one["rank"] = c.rank;
    one["centre_x_m"] = c.centre_x_m;
    one["centre_y_m"] = c.centre_y_m;
    one["radius_m"] = c.radius_m;
    one["window_start"] = cal.FormatDate(c.window_start_s);
    one["window_end"] = cal.FormatDate(c.window_end_s - 1);
    one["window_days"] = c.window_days;
    one["locations"] = c.locations;
    one["observed"] = c.observed;
    one["expected"] = c.expected;
    one["log_glr"] = c.log_glr;
    one["p_value"] = c.p_value;
    one["significant"] = c.significant;
    clusters.push_back(std::move(one));
  }
  doc["clusters"] = std::move(clusters);
  return doc;
}

std::string ScanResultToJson(const ScanResult& r) {
  return internal::DumpAnalysisJson(internal::ScanResultDoc(r), internal::kScanJsonDigits);
}

}  // namespace placecast::analysis
