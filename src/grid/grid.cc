// SPDX-License-Identifier: Apache-2.0
// Grid and Surface. Pure functions of their inputs; thread-safe after construction.
#include "placecast/grid/grid.h"

#include <algorithm>
#include <cmath>

namespace placecast::grid {

Result<Grid> Grid::Create(double x0_m, double y0_m, double cell_size_m, int32_t nx, int32_t ny,
                          std::vector<uint8_t> mask, std::string crs) {
  if (!(cell_size_m > 0) || !std::isfinite(cell_size_m)) {
    return Status::InvalidInput("grid: cell_size_m: expected a positive number (got " +
                                std::to_string(cell_size_m) + ")");
  }
  if (nx <= 0 || ny <= 0 || static_cast<int64_t>(nx) * ny > 200'000'000) {
    return Status::InvalidInput("grid: expected between 1 and 2e8 cells (got " +
                                std::to_string(nx) + " x " + std::to_string(ny) + ")");
  }
  const size_t n = static_cast<size_t>(nx) * ny;
  if (!mask.empty() && mask.size() != n) {
    return Status::InvalidInput("grid: mask has " + std::to_string(mask.size()) +
                                " entries, expected " + std::to_string(n));
  }
  Grid g;
  g.x0_m_ = x0_m;
  g.y0_m_ = y0_m;
  g.cell_size_m_ = cell_size_m;
  g.nx_ = nx;
  g.ny_ = ny;
  g.crs_ = std::move(crs);
  g.index_.assign(n, kNoCell);
  for (int32_t r = 0; r < ny; ++r) {
    for (int32_t c = 0; c < nx; ++c) {
      const size_t k = static_cast<size_t>(r) * nx + c;
      if (!mask.empty() && mask[k] == 0) continue;
      g.index_[k] = static_cast<CellId>(g.cell_col_.size());
      g.cell_col_.push_back(c);
      g.cell_row_.push_back(r);
    }
  }
  if (g.cell_col_.empty()) return Status::InvalidInput("grid: the mask leaves no active cell");
  return g;
}

Result<Grid> Grid::FromExtent(double xmin, double ymin, double xmax, double ymax,
                              double cell_size_m, std::string crs) {
  if (!(cell_size_m > 0)) {
    return Status::InvalidInput("grid: cell_size_m: expected a positive number (got " +
                                std::to_string(cell_size_m) + ")");
  }
  if (!(xmax >= xmin) || !(ymax >= ymin) || !std::isfinite(xmin) || !std::isfinite(ymax)) {
    return Status::InvalidInput("grid: empty or invalid extent");
  }
  const double x0 = std::floor(xmin / cell_size_m) * cell_size_m;
  const double y0 = std::floor(ymin / cell_size_m) * cell_size_m;
  const auto nx = static_cast<int32_t>(std::floor((xmax - x0) / cell_size_m)) + 1;
  const auto ny = static_cast<int32_t>(std::floor((ymax - y0) / cell_size_m)) + 1;
  return Create(x0, y0, cell_size_m, nx, ny, {}, std::move(crs));
}

CellId Grid::PointToCell(double x_m, double y_m) const {
  const double fx = (x_m - x0_m_) / cell_size_m_;
  const double fy = (y_m - y0_m_) / cell_size_m_;
  if (!(fx >= 0) || !(fy >= 0) || fx >= nx_ || fy >= ny_) return kNoCell;
  return index_[static_cast<size_t>(fy) * nx_ + static_cast<size_t>(fx)];
}

CellId Grid::ColRowToCell(int32_t col, int32_t row) const {
  if (col < 0 || row < 0 || col >= nx_ || row >= ny_) return kNoCell;
  return index_[static_cast<size_t>(row) * nx_ + col];
}

}  // namespace placecast::grid
