// SPDX-License-Identifier: Apache-2.0
// Grid: square cells over the study area, with a mask of the cells inside the boundary, and
// Surface: one value per active cell (ranked by grid/ranking.h).
// Both are immutable once built and safe to share between threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "placecast/status.h"

namespace placecast::grid {

// Dense index over the active (unmasked) cells, 0 .. num_cells()-1, in row-major order from the
// south-west corner (row 0 is the southernmost row, column 0 the westernmost).
using CellId = int32_t;
inline constexpr CellId kNoCell = -1;

class Grid {
 public:
  Grid() = default;

  // A grid of nx × ny cells of `cell_size_m` whose south-west corner is (x0_m, y0_m).
  // `mask` has nx*ny entries (row-major from the south-west; non-zero = active) or is empty
  // (every cell active). kInvalidInput for a non-positive size or count or a wrong mask length.
  static Result<Grid> Create(double x0_m, double y0_m, double cell_size_m, int32_t nx, int32_t ny,
                             std::vector<uint8_t> mask, std::string crs);

  // The smallest grid of `cell_size_m` cells, aligned to multiples of the cell size, that covers
  // [xmin, xmax] × [ymin, ymax]; every cell active.
  static Result<Grid> FromExtent(double xmin, double ymin, double xmax, double ymax,
                                 double cell_size_m, std::string crs);

  double x0_m() const { return x0_m_; }
  double y0_m() const { return y0_m_; }
  double cell_size_m() const { return cell_size_m_; }
  int32_t nx() const { return nx_; }
  int32_t ny() const { return ny_; }
  const std::string& crs() const { return crs_; }
  int32_t num_cells() const { return static_cast<int32_t>(cell_col_.size()); }
  double cell_area_km2() const { return cell_size_m_ * cell_size_m_ * 1e-6; }
  double area_km2() const { return num_cells() * cell_area_km2(); }

  // The active cell holding (x, y), or kNoCell when the point is outside the grid or in a masked
  // cell. Cells are half-open: [x0 + c·s, x0 + (c+1)·s) × [y0 + r·s, y0 + (r+1)·s), so a point on
  // an inner edge belongs to the cell to its east / north.
  CellId PointToCell(double x_m, double y_m) const;
  // The active cell at (col, row), or kNoCell when outside or masked.
  CellId ColRowToCell(int32_t col, int32_t row) const;
  // REQUIRES: 0 <= cell < num_cells().
  int32_t CellCol(CellId cell) const { return cell_col_[cell]; }
  int32_t CellRow(CellId cell) const { return cell_row_[cell]; }
  double CellCenterX(CellId cell) const { return x0_m_ + (cell_col_[cell] + 0.5) * cell_size_m_; }
  double CellCenterY(CellId cell) const { return y0_m_ + (cell_row_[cell] + 0.5) * cell_size_m_; }

 private:
  double x0_m_ = 0, y0_m_ = 0, cell_size_m_ = 1;
  int32_t nx_ = 0, ny_ = 0;
  std::string crs_;
  std::vector<CellId> index_;  // nx*ny -> CellId or kNoCell
  std::vector<int32_t> cell_col_, cell_row_;
};

// One value per active cell of a grid: a risk score or an expected count. Cells are ranked by
// RankCells (placecast/grid/ranking.h), with its tie rule.
struct Surface {
  std::vector<double> value;
};

}  // namespace placecast::grid
