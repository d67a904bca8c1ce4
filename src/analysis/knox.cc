// SPDX-License-Identifier: Apache-2.0
// The multi-band Knox test: close pairs found once with a spatial grid index, then each
// permutation of the days re-bins only those pairs. Pure functions; KnoxTest runs its
// permutations on `threads` std::threads, each writing only its own accumulators.
#include "placecast/analysis/knox.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <thread>
#include <unordered_map>

#include "analysis/format_util.h"
#include "analysis/random.h"
#include "analysis/result_json.h"

namespace placecast::analysis {
namespace {

constexpr ParamSpec kKnoxParams[] = {
    {"space_bands_m", ParamType::kString, "100,200,300", -1e300, 1e300, "m",
     "Upper edges of the spatial bands, strictly increasing: rows are same location (distance 0), "
     "(0, b1), [b1, b2), ..., [bK, inf)."},
    {"time_bands_days", ParamType::kString, "7,14,21", -1e300, 1e300, "days",
     "Upper edges of the temporal bands in whole days, strictly increasing: columns are [0, t1), "
     "[t1, t2), ..., [tL, inf)."},
    {"distance", ParamType::kEnum, "euclidean", -1e300, 1e300, "",
     "Distance between two events: euclidean or manhattan (|dx| + |dy|).", "euclidean|manhattan"},
    {"coordinate_precision", ParamType::kEnum, "double", -1e300, 1e300, "",
     "float32 rounds coordinates to single precision first, as the Near Repeat Calculator does; "
     "only for reproducing its counts.",
     "double|float32"},
    {"permutations", ParamType::kInt, "999", 1, 1000000, "",
     "Monte Carlo permutations of the days over the locations; the smallest p-value is "
     "1 / (permutations + 1)."},
    {"seed", ParamType::kInt, "1", 0, 9007199254740992.0, "",
     "Master seed; permutation k uses a seed derived from (seed, k)."},
    {"threads", ParamType::kInt, "2", 1, 64, "",
     "Worker threads for the permutations; results do not depend on it."},
};

struct Pair {
  uint32_t i, j;
  uint32_t row;
};

std::string SpaceLabel(const std::vector<double>& edges, int row) {
  using internal::Num;
  const int k = static_cast<int>(edges.size());
  if (row == 0) return "same location";
  if (row == 1) return "(0, " + Num(edges[0]) + ") m";
  if (row == k + 1) return "[" + Num(edges[k - 1]) + ", inf) m";
  return "[" + Num(edges[row - 2]) + ", " + Num(edges[row - 1]) + ") m";
}

std::string TimeLabel(const std::vector<int64_t>& edges, int col) {
  const int l = static_cast<int>(edges.size());
  const int64_t lo = col == 0 ? 0 : edges[col - 1];
  if (col == l) return "[" + std::to_string(lo) + ", inf) days";
  return "[" + std::to_string(lo) + ", " + std::to_string(edges[col]) + ") days";
}

// Accumulators for one block of permutations; exact integers, so merging blocks in any split
// gives the same totals.
struct Accum {
  std::vector<int64_t> sum;
  std::vector<unsigned __int128> sum_sq;
  std::vector<int64_t> at_least;
};

}  // namespace

std::span<const ParamSpec> KnoxParams() { return kKnoxParams; }

Status KnoxRequest::Validate() const {
  if (space_bands_m.empty()) {
    return Status::InvalidInput("space_bands_m: at least one band edge is needed (got none)");
  }
  for (size_t k = 0; k < space_bands_m.size(); ++k) {
    const double b = space_bands_m[k];
    if (!std::isfinite(b) || b <= 0) {
      return Status::InvalidInput("space_bands_m: edges must be finite and > 0 (got " +
                                  internal::Num(b) + ")");
    }
    if (k > 0 && b <= space_bands_m[k - 1]) {
      return Status::InvalidInput("space_bands_m: edges must be strictly increasing (got " +
                                  internal::Num(b) + " after " +
                                  internal::Num(space_bands_m[k - 1]) + ")");
    }
  }
  if (space_bands_m.size() > 1000) {
    return Status::InvalidInput("space_bands_m: at most 1000 edges (got " +
                                std::to_string(space_bands_m.size()) + ")");
  }
  if (time_bands_days.empty()) {
    return Status::InvalidInput("time_bands_days: at least one band edge is needed (got none)");
  }
  for (size_t k = 0; k < time_bands_days.size(); ++k) {
    const int64_t t = time_bands_days[k];
    if (t <= 0 || t > 1000000) {
      return Status::InvalidInput("time_bands_days: edges must be in [1, 1000000] days (got " +
                                  std::to_string(t) + ")");
    }
    if (k > 0 && t <= time_bands_days[k - 1]) {
      return Status::InvalidInput("time_bands_days: edges must be strictly increasing (got " +
                                  std::to_string(t) + " after " +
                                  std::to_string(time_bands_days[k - 1]) + ")");
    }
  }
  if (time_bands_days.size() > 1000) {
    return Status::InvalidInput("time_bands_days: at most 1000 edges (got " +
                                std::to_string(time_bands_days.size()) + ")");
  }
  if (permutations < 1 || permutations > 1000000) {
    return Status::InvalidInput("permutations: must be in [1, 1000000] (got " +
                                std::to_string(permutations) + ")");
  }
  if (threads < 1 || threads > 64) {
    return Status::InvalidInput("threads: must be in [1, 64] (got " + std::to_string(threads) +
                                ")");
  }
  return Status::Ok();
}

Result<std::vector<double>> EqualBandEdges(double step, int64_t count, std::string_view what) {
  if (!std::isfinite(step) || step <= 0) {
    return Status::InvalidInput(std::string(what) + ": step must be > 0 (got " +
                                internal::Num(step) + ")");
  }
  if (count < 1 || count > 1000) {
    return Status::InvalidInput(std::string(what) + ": count must be in [1, 1000] (got " +
                                std::to_string(count) + ")");
  }
  std::vector<double> edges;
  for (int64_t k = 1; k <= count; ++k) edges.push_back(step * static_cast<double>(k));
  return edges;
}

Result<KnoxRequest> KnoxRequestFromParams(const ParamValues& values) {
  KnoxRequest r;
  PLACECAST_ASSIGN_OR_RETURN(
      r.space_bands_m,
      internal::ParseNumberList(values.GetString("space_bands_m"), "space_bands_m"));
  PLACECAST_ASSIGN_OR_RETURN(
      std::vector<double> t,
      internal::ParseNumberList(values.GetString("time_bands_days"), "time_bands_days"));
  for (double v : t) {
    if (v != std::floor(v) || std::fabs(v) > 1e9) {
      return Status::InvalidInput("time_bands_days: edges must be whole days (got " +
                                  internal::Num(v) + ")");
    }
    r.time_bands_days.push_back(static_cast<int64_t>(v));
  }
  r.distance = values.GetString("distance") == "manhattan" ? DistanceMetric::kManhattan
                                                           : DistanceMetric::kEuclidean;
  r.float32_coordinates = values.GetString("coordinate_precision") == "float32";
  r.permutations = values.GetInt("permutations");
  r.seed = static_cast<uint64_t>(values.GetInt("seed"));
  r.threads = static_cast<int>(values.GetInt("threads"));
  PLACECAST_RETURN_IF_ERROR(r.Validate());
  return r;
}

Result<KnoxResult> KnoxTest(const EventSet& events, const KnoxRequest& request) {
  PLACECAST_RETURN_IF_ERROR(request.Validate());
  const size_t n = events.size();
  if (events.x_m.size() != n || events.y_m.size() != n) {
    return Status::InvalidInput("events: x_m, y_m and t_s differ in length");
  }
  if (n < 2) {
    return Status::InvalidInput("events: the Knox test needs at least 2 events (got " +
                                std::to_string(n) + ")");
  }
  if (n > std::numeric_limits<uint32_t>::max() / 2) {
    return Status::InvalidInput("events: too many events (" + std::to_string(n) + ")");
  }
  std::vector<double> x(n), y(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = events.x_m[i];
    y[i] = events.y_m[i];
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) {
      return Status::InvalidInput("events: event " + std::to_string(i) + " (id \"" +
                                  (i < events.id.size() ? events.id[i] : std::string()) +
                                  "\"): coordinates are not finite");
    }
    if (request.float32_coordinates) {
      x[i] = static_cast<float>(x[i]);
      y[i] = static_cast<float>(y[i]);
    }
  }
  std::vector<int64_t> day(n);
  for (size_t i = 0; i < n; ++i) day[i] = request.calendar.DayOf(events.t_s[i]);

  KnoxResult res;
  res.request = request;
  const auto& sedges = request.space_bands_m;
  const auto& tedges = request.time_bands_days;
  const int k_space = static_cast<int>(sedges.size());
  const int l_time = static_cast<int>(tedges.size());
  res.rows = k_space + 2;
  res.cols = l_time + 1;
  res.num_events = static_cast<int64_t>(n);
  res.num_pairs = static_cast<int64_t>(n) * static_cast<int64_t>(n - 1) / 2;
  for (int r = 0; r < res.rows; ++r) res.space_labels.push_back(SpaceLabel(sedges, r));
  for (int c = 0; c < res.cols; ++c) res.time_labels.push_back(TimeLabel(tedges, c));
  const size_t cells = static_cast<size_t>(res.rows) * res.cols;

  // Time band of a gap in days: a lookup table up to the last edge.
  const int64_t t_max = tedges.back();
  std::vector<uint16_t> col_of_gap(static_cast<size_t>(t_max));
  for (int64_t g = 0, c = 0; g < t_max; ++g) {
    while (c < l_time && g >= tedges[c]) ++c;
    col_of_gap[g] = static_cast<uint16_t>(c);
  }
  auto col_of = [&](int64_t gap) -> int {
    return gap >= t_max ? l_time : col_of_gap[static_cast<size_t>(gap)];
  };

  // Close pairs (distance < last space edge) via a grid of cells of that size: both points of a
  // close pair lie in the same or adjacent cells, for either metric (|dx| + |dy| >= Euclidean).
  const double b_max = sedges.back();
  const bool manhattan = request.distance == DistanceMetric::kManhattan;
  std::vector<std::pair<int64_t, int64_t>> cell(n);
  std::vector<uint32_t> order(n);
  for (size_t i = 0; i < n; ++i) {
    cell[i] = {static_cast<int64_t>(std::floor(x[i] / b_max)),
               static_cast<int64_t>(std::floor(y[i] / b_max))};
    order[i] = static_cast<uint32_t>(i);
  }
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return cell[a] != cell[b] ? cell[a] < cell[b] : a < b; });
  struct PairHash {
    size_t operator()(const std::pair<int64_t, int64_t>& p) const {
      return std::hash<int64_t>()(p.first * 0x9E3779B97F4A7C15LL ^ p.second);
    }
  };
  std::unordered_map<std::pair<int64_t, int64_t>, std::pair<uint32_t, uint32_t>, PairHash> bucket;
  for (size_t a = 0; a < n;) {
    size_t b = a;
    while (b < n && cell[order[b]] == cell[order[a]]) ++b;
    bucket[cell[order[a]]] = {static_cast<uint32_t>(a), static_cast<uint32_t>(b)};
    a = b;
  }
  std::vector<Pair> pairs;
  for (size_t i = 0; i < n; ++i) {
    for (int64_t dx = -1; dx <= 1; ++dx) {
      for (int64_t dy = -1; dy <= 1; ++dy) {
        auto it = bucket.find({cell[i].first + dx, cell[i].second + dy});
        if (it == bucket.end()) continue;
        for (uint32_t a = it->second.first; a < it->second.second; ++a) {
          const uint32_t j = order[a];
          if (j <= i) continue;
          const double ddx = std::fabs(x[i] - x[j]), ddy = std::fabs(y[i] - y[j]);
          const double d = manhattan ? ddx + ddy : std::sqrt(ddx * ddx + ddy * ddy);
          if (d >= b_max) continue;
          uint32_t row = 0;
          if (d > 0) {
            row = 1 + static_cast<uint32_t>(std::upper_bound(sedges.begin(), sedges.end(), d) -
                                            sedges.begin());
          }
          pairs.push_back({static_cast<uint32_t>(i), j, row});
        }
      }
    }
  }
  std::sort(pairs.begin(), pairs.end(),
            [](const Pair& a, const Pair& b) { return a.i != b.i ? a.i < b.i : a.j < b.j; });
  res.close_pairs = static_cast<int64_t>(pairs.size());
  {
    std::vector<int64_t> degree(n, 0);
    for (const Pair& p : pairs) {
      ++degree[p.i];
      ++degree[p.j];
    }
    res.max_close_pairs_per_event = *std::max_element(degree.begin(), degree.end());
  }

  // Pairs per time band over all pairs: fixed by the multiset of days, so the same in every
  // permutation. The last row is that total minus the close pairs.
  std::vector<int64_t> col_total(res.cols, 0);
  {
    std::map<int64_t, int64_t> hist;
    for (int64_t d : day) ++hist[d];
    std::vector<std::pair<int64_t, int64_t>> h(hist.begin(), hist.end());
    int64_t below = 0;
    for (size_t a = 0; a < h.size(); ++a) {
      const int64_t same = h[a].second * (h[a].second - 1) / 2;
      col_total[col_of(0)] += same;
      below += same;
      for (size_t b = a + 1; b < h.size() && h[b].first - h[a].first < t_max; ++b) {
        const int64_t c = h[a].second * h[b].second;
        col_total[col_of(h[b].first - h[a].first)] += c;
        below += c;
      }
    }
    col_total[l_time] += res.num_pairs - below;
  }

  auto count_table = [&](const std::vector<int64_t>& d, std::vector<int64_t>& table) {
    std::fill(table.begin(), table.end(), 0);
    for (const Pair& p : pairs) {
      const int64_t gap = d[p.i] > d[p.j] ? d[p.i] - d[p.j] : d[p.j] - d[p.i];
      ++table[static_cast<size_t>(p.row) * res.cols + col_of(gap)];
    }
    for (int c = 0; c < res.cols; ++c) {
      int64_t close = 0;
      for (int r = 0; r < res.rows - 1; ++r) close += table[static_cast<size_t>(r) * res.cols + c];
      table[static_cast<size_t>(res.rows - 1) * res.cols + c] = col_total[c] - close;
    }
  };

  res.observed.assign(cells, 0);
  count_table(day, res.observed);

  const int threads = static_cast<int>(std::min<int64_t>(request.threads, request.permutations));
  std::vector<Accum> acc(threads);
  auto work = [&](int t) {
    Accum& a = acc[t];
    a.sum.assign(cells, 0);
    a.sum_sq.assign(cells, 0);
    a.at_least.assign(cells, 0);
    std::vector<int64_t> perm_day(n), table(cells);
    const int64_t per = (request.permutations + threads - 1) / threads;
    const int64_t first = per * t, last = std::min(request.permutations, first + per);
    for (int64_t k = first; k < last; ++k) {
      std::mt19937_64 rng(internal::DeriveSeed(request.seed, static_cast<uint64_t>(k)));
      perm_day = day;
      internal::Shuffle(std::span<int64_t>(perm_day), rng);
      count_table(perm_day, table);
      for (size_t c = 0; c < cells; ++c) {
        a.sum[c] += table[c];
        a.sum_sq[c] += static_cast<unsigned __int128>(table[c]) * static_cast<uint64_t>(table[c]);
        if (table[c] >= res.observed[c]) ++a.at_least[c];
      }
    }
  };
  if (threads == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
    for (auto& th : pool) th.join();
  }

  const double p = static_cast<double>(request.permutations);
  res.expected.assign(cells, 0);
  res.expected_sd.assign(cells, 0);
  res.knox_ratio.assign(cells, 0);
  res.p_value.assign(cells, 0);
  for (size_t c = 0; c < cells; ++c) {
    int64_t sum = 0, at_least = 0;
    unsigned __int128 sum_sq = 0;
    for (const Accum& a : acc) {
      sum += a.sum[c];
      sum_sq += a.sum_sq[c];
      at_least += a.at_least[c];
    }
    const double mean = static_cast<double>(sum) / p;
    res.expected[c] = mean;
    if (request.permutations > 1) {
      // Var = (Σx² − (Σx)²/P) / (P − 1), from exact integer sums.
      const unsigned __int128 s = static_cast<unsigned __int128>(sum);
      const long double num =
          static_cast<long double>(sum_sq * static_cast<uint64_t>(request.permutations) - s * s);
      const long double var = num / (static_cast<long double>(p) * (p - 1));
      res.expected_sd[c] = static_cast<double>(std::sqrt(std::max<long double>(var, 0)));
    }
    res.knox_ratio[c] = mean > 0 ? static_cast<double>(res.observed[c]) / mean
                                 : std::numeric_limits<double>::quiet_NaN();
    res.p_value[c] = static_cast<double>(1 + at_least) / (p + 1);
  }
  return res;
}

std::string KnoxResultToCsv(const KnoxResult& r) {
  using internal::Num;
  std::string out =
      "space_band,time_band,space_lo_m,space_hi_m,time_lo_days,time_hi_days,observed,expected,"
      "expected_sd,knox_ratio,p_value\n";
  const auto& se = r.request.space_bands_m;
  const auto& te = r.request.time_bands_days;
  for (int row = 0; row < r.rows; ++row) {
    const double lo = row <= 1 ? 0 : se[row - 2];
    const std::string hi = row == 0 ? "0" : (row == r.rows - 1 ? "inf" : Num(se[row - 1]));
    for (int col = 0; col < r.cols; ++col) {
      const size_t i = r.Index(row, col);
      const int64_t tlo = col == 0 ? 0 : te[col - 1];
      const std::string thi = col == r.cols - 1 ? "inf" : std::to_string(te[col]);
      out += "\"" + r.space_labels[row] + "\",\"" + r.time_labels[col] + "\"," + Num(lo) + "," +
             hi + "," + std::to_string(tlo) + "," + thi + ",";
      out += r.IsWithheld(i) ? ",,,,\n"
                             : std::to_string(r.observed[i]) + "," + Num(r.expected[i]) + "," +
                                   Num(r.expected_sd[i]) + "," + Num(r.knox_ratio[i]) + "," +
                                   Num(r.p_value[i]) + "\n";
    }
  }
  return out;
}

internal::Json internal::KnoxResultDoc(const KnoxResult& r) {
  const auto& q = r.request;
  Json params;
  params["space_bands_m"] = q.space_bands_m;
  params["time_bands_days"] = q.time_bands_days;
  params["distance"] = q.distance == DistanceMetric::kManhattan ? "manhattan" : "euclidean";
  params["coordinate_precision"] = q.float32_coordinates ? "float32" : "double";
  params["permutations"] = q.permutations;
  params["seed"] = q.seed;
  Json doc;
  doc["analysis"] = "knox";
  doc["params"] = std::move(params);
  doc["events"] = r.num_events;
  doc["pairs"] = r.num_pairs;
  doc["close_pairs"] = r.close_pairs < 0 ? Json(nullptr) : Json(r.close_pairs);
  doc["space_bands"] = r.space_labels;
  doc["time_bands"] = r.time_labels;
  Json cells = Json::array();
  for (int row = 0; row < r.rows; ++row) {
    for (int col = 0; col < r.cols; ++col) {
      const size_t i = r.Index(row, col);
      Json c;
      c["space_band"] = row;
      c["time_band"] = col;
      const bool withheld = r.IsWithheld(i);
      c["observed"] = withheld ? Json(nullptr) : Json(r.observed[i]);
      c["expected"] = withheld ? Json(nullptr) : Json(r.expected[i]);
      c["expected_sd"] = withheld ? Json(nullptr) : Json(r.expected_sd[i]);
      c["knox_ratio"] = withheld ? Json(nullptr) : Json(r.knox_ratio[i]);
      c["p_value"] = withheld ? Json(nullptr) : Json(r.p_value[i]);
      if (withheld) c["withheld"] = true;
      cells.push_back(std::move(c));
    }
  }
  doc["cells"] = std::move(cells);
  return doc;
}

std::string KnoxResultToJson(const KnoxResult& r) {
  return internal::DumpAnalysisJson(internal::KnoxResultDoc(r));
}

std::string KnoxResultToTable(const KnoxResult& r) {
  size_t w0 = 13;
  for (const auto& s : r.space_labels) w0 = std::max(w0, s.size());
  size_t w = 10;
  for (const auto& s : r.time_labels) w = std::max(w, s.size());
  auto table = [&](const char* title, auto cell) {
    std::string out = std::string(title) + "\n";
    char buf[128];
    std::snprintf(buf, sizeof buf, "%-*s", static_cast<int>(w0), "");
    out += buf;
    for (const auto& s : r.time_labels) {
      std::snprintf(buf, sizeof buf, " %*s", static_cast<int>(w), s.c_str());
      out += buf;
    }
    out += "\n";
    for (int row = 0; row < r.rows; ++row) {
      std::snprintf(buf, sizeof buf, "%-*s", static_cast<int>(w0), r.space_labels[row].c_str());
      out += buf;
      for (int col = 0; col < r.cols; ++col) {
        std::snprintf(buf, sizeof buf, " %*s", static_cast<int>(w),
                      cell(r.Index(row, col)).c_str());
        out += buf;
      }
      out += "\n";
    }
    return out + "\n";
  };
  auto fixed = [](double v, int digits) {
    if (!std::isfinite(v)) return std::string("-");
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return std::string(buf);
  };
  std::string out;
  // Withheld cells (a public release) show as "x".
  out += table("Knox ratio (observed / mean of permutations)", [&](size_t i) {
    return r.IsWithheld(i) ? std::string("x") : fixed(r.knox_ratio[i], 2);
  });
  out += table("p-value", [&](size_t i) {
    return r.IsWithheld(i) ? std::string("x") : fixed(r.p_value[i], 3);
  });
  out += table("Observed pairs", [&](size_t i) {
    return r.IsWithheld(i) ? std::string("x") : std::to_string(r.observed[i]);
  });
  return out;
}

}  // namespace placecast::analysis
