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
