// SPDX-License-Identifier: Apache-2.0
// Even-odd polygon tests and boundary masks. Pure functions; thread-safe.
#include "placecast/grid/geometry.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace placecast::grid {

void Boundary::Extent(double* xmin, double* ymin, double* xmax, double* ymax) const {
  *xmin = *ymin = std::numeric_limits<double>::infinity();
  *xmax = *ymax = -std::numeric_limits<double>::infinity();
  for (const auto& r : rings) {
    for (size_t i = 0; i < r.x_m.size(); ++i) {
      *xmin = std::min(*xmin, r.x_m[i]);
      *xmax = std::max(*xmax, r.x_m[i]);
      *ymin = std::min(*ymin, r.y_m[i]);
      *ymax = std::max(*ymax, r.y_m[i]);
    }
  }
}

bool Boundary::Contains(double x, double y) const {
  bool inside = false;
  for (const auto& r : rings) {
    const size_t n = r.x_m.size();
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
      const double yi = r.y_m[i], yj = r.y_m[j];
      if ((yi > y) != (yj > y)) {
        const double xc = r.x_m[j] + (y - yj) * (r.x_m[i] - r.x_m[j]) / (yi - yj);
        if (x < xc) inside = !inside;
      }
    }
  }
  return inside;
}

BoundaryIndex::BoundaryIndex(const Boundary& boundary, int32_t bands) {
  std::vector<Edge> edges;
  for (const auto& r : boundary.rings) {
    const size_t n = r.x_m.size();
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
      if (r.y_m[i] == r.y_m[j]) continue;  // horizontal edges never cross a scan line
      edges.push_back({r.x_m[j], r.y_m[j], r.x_m[i], r.y_m[i]});
    }
  }
  if (edges.empty()) {
    band_start_ = {0, 0};
    return;
  }
  y_min_ = std::numeric_limits<double>::infinity();
  y_max_ = -y_min_;
  for (const auto& e : edges) {
    y_min_ = std::min({y_min_, e.y0, e.y1});
    y_max_ = std::max({y_max_, e.y0, e.y1});
  }
  if (bands <= 0) {
    bands =
        static_cast<int32_t>(std::clamp(std::sqrt(static_cast<double>(edges.size())), 1.0, 4096.0));
  }
  band_height_ = (y_max_ - y_min_) / bands;
  if (!(band_height_ > 0)) band_height_ = 1;
  auto band_of = [&](double y) {
    return std::clamp(static_cast<int32_t>((y - y_min_) / band_height_), 0, bands - 1);
  };
  std::vector<uint32_t> count(static_cast<size_t>(bands) + 1, 0);
  for (const auto& e : edges) {
    const int32_t b0 = band_of(std::min(e.y0, e.y1)), b1 = band_of(std::max(e.y0, e.y1));
    for (int32_t b = b0; b <= b1; ++b) ++count[b + 1];
  }
  band_start_.assign(count.size(), 0);
  for (size_t b = 1; b < count.size(); ++b) band_start_[b] = band_start_[b - 1] + count[b];
  band_edges_.resize(band_start_.back());
  std::vector<uint32_t> fill(band_start_.begin(), band_start_.end() - 1);
  for (const auto& e : edges) {
    const int32_t b0 = band_of(std::min(e.y0, e.y1)), b1 = band_of(std::max(e.y0, e.y1));
    for (int32_t b = b0; b <= b1; ++b) band_edges_[fill[b]++] = e;
  }
}

bool BoundaryIndex::Contains(double x, double y) const {
  if (band_edges_.empty() || !(y >= y_min_ && y <= y_max_)) return false;
  const int32_t bands = static_cast<int32_t>(band_start_.size()) - 1;
  const int32_t b = std::clamp(static_cast<int32_t>((y - y_min_) / band_height_), 0, bands - 1);
  bool inside = false;
  for (uint32_t k = band_start_[b]; k < band_start_[b + 1]; ++k) {
    const Edge& e = band_edges_[k];
    // The same arithmetic as Boundary::Contains with (i, j) = (end, start).
    if ((e.y1 > y) != (e.y0 > y)) {
      const double xc = e.x0 + (y - e.y0) * (e.x1 - e.x0) / (e.y1 - e.y0);
      if (x < xc) inside = !inside;
    }
  }
  return inside;
}

Result<Grid> GridFromBoundary(const Boundary& boundary, double cell_size_m, std::string crs) {
  if (boundary.empty()) return Status::InvalidInput("study area: boundary has no polygon");
  double xmin, ymin, xmax, ymax;
  boundary.Extent(&xmin, &ymin, &xmax, &ymax);
  PLACECAST_ASSIGN_OR_RETURN(Grid box, Grid::FromExtent(xmin, ymin, xmax, ymax, cell_size_m, crs));
  const int32_t nx = box.nx(), ny = box.ny();
  std::vector<uint8_t> mask(static_cast<size_t>(nx) * ny, 0);
  // Scanline fill at each row's centre line: crossings sorted, cells between pairs are inside.
  std::vector<double> xs;
  for (int32_t r = 0; r < ny; ++r) {
    const double y = box.y0_m() + (r + 0.5) * cell_size_m;
    xs.clear();
    for (const auto& ring : boundary.rings) {
      const size_t n = ring.x_m.size();
      for (size_t i = 0, j = n - 1; i < n; j = i++) {
        const double yi = ring.y_m[i], yj = ring.y_m[j];
        if ((yi > y) != (yj > y)) {
          xs.push_back(ring.x_m[j] + (y - yj) * (ring.x_m[i] - ring.x_m[j]) / (yi - yj));
        }
      }
    }
    std::sort(xs.begin(), xs.end());
    for (size_t k = 0; k + 1 < xs.size(); k += 2) {
      // Cell c is inside when its centre x0 + (c + 0.5)s lies in (xs[k], xs[k+1]).
      const double a = (xs[k] - box.x0_m()) / cell_size_m - 0.5;
      const double b = (xs[k + 1] - box.x0_m()) / cell_size_m - 0.5;
      auto c0 = static_cast<int64_t>(std::floor(a)) + 1;
      auto c1 = static_cast<int64_t>(std::ceil(b)) - 1;
      c0 = std::max<int64_t>(c0, 0);
      c1 = std::min<int64_t>(c1, nx - 1);
      for (int64_t c = c0; c <= c1; ++c) mask[static_cast<size_t>(r) * nx + c] = 1;
    }
  }
  if (std::find(mask.begin(), mask.end(), 1) == mask.end()) {
    return Status::InvalidInput("study area: no cell centre of the " + std::to_string(cell_size_m) +
                                " m grid falls inside the boundary");
  }
  return Grid::Create(box.x0_m(), box.y0_m(), cell_size_m, nx, ny, std::move(mask), std::move(crs));
}

}  // namespace placecast::grid
