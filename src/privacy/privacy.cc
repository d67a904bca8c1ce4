// SPDX-License-Identifier: Apache-2.0
// Small-cell suppression, the Laplace mechanism and donut geomasking (see
// placecast/privacy/privacy.h). Keyed randomness comes from HMAC-SHA-256 (OpenSSL, through
// file_util) under the store's release key, turned into doubles by bit arithmetic, so results are
// the same bits on every platform and standard library. Stateless; safe on several threads.
#include "placecast/privacy/privacy.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace placecast::privacy {

std::string HmacSha256(std::string_view key, std::string_view message) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), md,
           &len) == nullptr) {
    return "";
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

namespace {

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

// %.17g: the shortest text that round-trips every double, used inside keyed messages.
std::string Exact(double v) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

// Appends `field` length-prefixed ("<decimal length>:<bytes>;"), so a message's fields can never
// be re-split into another tuple (an id holding a separator cannot collide with another id).
void AppendField(std::string* msg, std::string_view field) {
  *msg += std::to_string(field.size());
  *msg += ':';
  *msg += field;
  *msg += ';';
}

// Inverse CDF of Laplace(0, b) at u in (0, 1).
double LaplaceFromUnit(double u, double b) {
  const double v = u - 0.5;
  return (v < 0 ? b : -b) * std::log1p(-2 * std::abs(v));
}

Status CheckFiniteValues(const std::vector<double>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return Status::InvalidInput("privacy: values[" + std::to_string(i) +
                                  "]: expected a finite number (got " + Num(values[i]) + ")");
    }
  }
  return Status::Ok();
}

Status CheckScale(double sensitivity, double epsilon) {
  if (!std::isfinite(sensitivity) || sensitivity <= 0) {
    return Status::InvalidInput("privacy: sensitivity: expected a finite value > 0 (got " +
                                Num(sensitivity) + ")");
  }
  if (!std::isfinite(epsilon) || epsilon <= 0) {
    return Status::InvalidInput("privacy: epsilon: expected a finite value > 0 (got " +
                                Num(epsilon) + ")");
  }
  return Status::Ok();
}

Status CheckDonut(double x_m, double y_m, double min_m, double max_m) {
  if (!std::isfinite(x_m) || !std::isfinite(y_m)) {
    return Status::InvalidInput("geomask: point: expected finite coordinates (got " + Num(x_m) +
                                ", " + Num(y_m) + ")");
  }
  if (!std::isfinite(min_m) || min_m < 0) {
    return Status::InvalidInput("geomask: min_m: expected a finite distance >= 0 m (got " +
                                Num(min_m) + ")");
  }
  if (!std::isfinite(max_m) || max_m < min_m || max_m <= 0) {
    return Status::InvalidInput("geomask: max_m: expected a finite distance > 0 m and >= min_m " +
                                Num(min_m) + " (got " + Num(max_m) + ")");
  }
  return Status::Ok();
}

// The point at `angle_unit` of a full turn and area quantile `area_unit` of the annulus.
GeomaskedPoint DonutFromUnits(double x_m, double y_m, double min_m, double max_m, double angle_unit,
                              double area_unit) {
  const double angle = 2 * std::numbers::pi * angle_unit;
  double r = std::sqrt(min_m * min_m + area_unit * (max_m * max_m - min_m * min_m));
  r = std::clamp(r, min_m, max_m);
  return GeomaskedPoint{x_m + r * std::cos(angle), y_m + r * std::sin(angle), r};
}

Status CheckNoiseCounts(const std::vector<int64_t>& counts, int64_t min_incidents, double epsilon,
                        std::vector<double>* values) {
  if (min_incidents < 0) {
    return Status::InvalidInput("privacy: min_incidents: expected a value >= 0 (got " +
                                std::to_string(min_incidents) + ")");
  }
  if (!std::isfinite(epsilon) || epsilon < 0) {
    return Status::InvalidInput("privacy: epsilon: expected a finite value >= 0 (got " +
                                Num(epsilon) + ")");
  }
  values->assign(counts.size(), 0);
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] < 0) {
      return Status::InvalidInput("privacy: counts[" + std::to_string(i) +
                                  "]: expected a count >= 0 (got " + std::to_string(counts[i]) +
                                  ")");
    }
    (*values)[i] = static_cast<double>(counts[i]);
  }
  return Status::Ok();
}

std::vector<int64_t> RoundWithheld(const std::vector<int64_t>& counts,
                                   const std::vector<double>& values, int64_t min_incidents) {
  std::vector<int64_t> out(counts.size());
  for (size_t i = 0; i < counts.size(); ++i) {
    out[i] = counts[i] < min_incidents ? kWithheldCount
                                       : static_cast<int64_t>(std::max(0.0, std::round(values[i])));
  }
  return out;
}

}  // namespace

Status CheckReleaseKey(std::string_view key) {
  if (key.size() != kReleaseKeyBytes) {
    return Status::InvalidInput("privacy: release key: expected " +
                                std::to_string(kReleaseKeyBytes) + " bytes (got " +
                                std::to_string(key.size()) + ")");
  }
  return Status::Ok();
}

std::string LaplaceMessage(std::string_view figures, double sensitivity, double epsilon,
                           uint64_t index) {
  std::string msg;
  AppendField(&msg, "placecast/laplace/v1");
  AppendField(&msg, figures);
  AppendField(&msg, Exact(sensitivity));
  AppendField(&msg, Exact(epsilon));
  AppendField(&msg, std::to_string(index));
  return msg;
}

std::string GeomaskMessage(double min_m, double max_m, std::string_view incident_id) {
  std::string msg;
  AppendField(&msg, "placecast/geomask/v1");
  AppendField(&msg, Exact(min_m));
  AppendField(&msg, Exact(max_m));
  AppendField(&msg, incident_id);
  return msg;
}

UnitPair KeyedUnits(std::string_view key, std::string_view message) {
  const std::string mac = HmacSha256(key, message);
  PLACECAST_DCHECK(mac.size() == 32);
  auto word = [&mac](size_t at) {
    uint64_t w = 0;
    for (size_t i = 0; i < 8 && at + i < mac.size(); ++i) {
      w = (w << 8) | static_cast<unsigned char>(mac[at + i]);
    }
    return (static_cast<double>(w >> 11) + 0.5) * 0x1.0p-53;
  };
  return UnitPair{word(0), word(8)};
}

Result<std::vector<double>> AddLaplaceNoise(const std::vector<double>& values, double sensitivity,
                                            double epsilon, std::string_view key,
                                            std::string_view figures) {
  PLACECAST_RETURN_IF_ERROR(CheckReleaseKey(key));
  PLACECAST_RETURN_IF_ERROR(CheckScale(sensitivity, epsilon));
  PLACECAST_RETURN_IF_ERROR(CheckFiniteValues(values));
  const double b = sensitivity / epsilon;
  std::vector<double> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const double u = KeyedUnits(key, LaplaceMessage(figures, sensitivity, epsilon, i)).u1;
    out[i] = values[i] + LaplaceFromUnit(u, b);
  }
  return out;
}

Result<std::vector<int64_t>> PublishCounts(const std::vector<int64_t>& counts,
                                           int64_t min_incidents, double sensitivity,
                                           double epsilon, std::string_view key,
                                           std::string_view figures) {
  std::vector<double> values;
  PLACECAST_RETURN_IF_ERROR(CheckNoiseCounts(counts, min_incidents, epsilon, &values));
  if (epsilon > 0) {
    PLACECAST_ASSIGN_OR_RETURN(values, AddLaplaceNoise(values, sensitivity, epsilon, key, figures));
  }
  return RoundWithheld(counts, values, min_incidents);
}

Result<GeomaskedPoint> DonutGeomask(double x_m, double y_m, double min_m, double max_m,
                                    std::string_view key, std::string_view incident_id) {
  PLACECAST_RETURN_IF_ERROR(CheckDonut(x_m, y_m, min_m, max_m));
  PLACECAST_RETURN_IF_ERROR(CheckReleaseKey(key));
  const UnitPair u = KeyedUnits(key, GeomaskMessage(min_m, max_m, incident_id));
  return DonutFromUnits(x_m, y_m, min_m, max_m, u.u1, u.u2);
}

Result<std::vector<int64_t>> CountSupportingEvents(const grid::Grid& grid, const EventSet& events,
                                                   int64_t t0_s, int64_t t1_s, double support_m) {
  if (!std::isfinite(support_m) || support_m < 0) {
    return Status::InvalidInput("privacy: support_m: expected a finite distance >= 0 m (got " +
                                Num(support_m) + ")");
  }
  if (t0_s > t1_s) {
    return Status::InvalidInput("privacy: training window: from (" + std::to_string(t0_s) +
                                ") is after to (" + std::to_string(t1_s) + ")");
  }
  std::vector<int64_t> counts(static_cast<size_t>(grid.num_cells()), 0);
  const auto [first, last] = events.TimeRange(t0_s, t1_s);
  const double s = grid.cell_size_m();
  const int32_t reach = static_cast<int32_t>(std::ceil(support_m / s));
  for (size_t i = first; i < last; ++i) {
    const double x = events.x_m[i], y = events.y_m[i];
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    // Column/row of the event on the unbounded lattice of the grid (may be outside it).
    const double fc = std::floor((x - grid.x0_m()) / s);
    const double fr = std::floor((y - grid.y0_m()) / s);
    if (std::abs(fc) > 1e9 || std::abs(fr) > 1e9) continue;
    const int64_t ec = static_cast<int64_t>(fc), er = static_cast<int64_t>(fr);
    const int64_t c_lo = std::max<int64_t>(0, ec - reach);
    const int64_t c_hi = std::min<int64_t>(grid.nx() - 1, ec + reach);
    const int64_t r_lo = std::max<int64_t>(0, er - reach);
    const int64_t r_hi = std::min<int64_t>(grid.ny() - 1, er + reach);
    for (int64_t r = r_lo; r <= r_hi; ++r) {
      for (int64_t c = c_lo; c <= c_hi; ++c) {
        const grid::CellId cell =
            grid.ColRowToCell(static_cast<int32_t>(c), static_cast<int32_t>(r));
        if (cell == grid::kNoCell) continue;
        // Distance from the event to the cell's square (0 inside it).
        const double xmin = grid.x0_m() + c * s, ymin = grid.y0_m() + r * s;
        const double dx = std::max({xmin - x, 0.0, x - (xmin + s)});
        const double dy = std::max({ymin - y, 0.0, y - (ymin + s)});
        const bool inside = (c == ec && r == er);
        if (inside || dx * dx + dy * dy <= support_m * support_m) ++counts[cell];
      }
    }
  }
  return counts;
}

Status SuppressSmallCells(const grid::Grid& grid, const EventSet& events, int64_t t0_s,
                          int64_t t1_s, double support_m, int64_t min_incidents,
                          std::vector<uint8_t>* suppressed, std::vector<int64_t>* counts) {
  if (suppressed == nullptr) return Status::InvalidInput("privacy: suppressed: null output");
  if (min_incidents < 0) {
    return Status::InvalidInput("privacy: min_incidents: expected an integer >= 0 (got " +
                                std::to_string(min_incidents) + ")");
  }
  PLACECAST_ASSIGN_OR_RETURN(auto n, CountSupportingEvents(grid, events, t0_s, t1_s, support_m));
  suppressed->assign(n.size(), 0);
  for (size_t c = 0; c < n.size(); ++c) (*suppressed)[c] = n[c] < min_incidents ? 1 : 0;
  if (counts != nullptr) *counts = std::move(n);
  return Status::Ok();
}

}  // namespace placecast::privacy
