// SPDX-License-Identifier: Apache-2.0
// Plain polygon geometry in projected metres, enough to mask a grid by a study-area boundary and to
// draw it. Rings are filled by the even-odd rule, so holes need no orientation. Immutable data;
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "placecast/grid/grid.h"
#include "placecast/status.h"

namespace placecast::grid {

struct Ring {
  std::vector<double> x_m, y_m;  // closed implicitly (last point joins the first)
};

// A study area or an area polygon: any number of rings, filled by the even-odd rule.
struct Boundary {
  std::string name;  // area name or code ("" for a study area)
  std::vector<Ring> rings;

  bool empty() const { return rings.empty(); }
  // Bounding box; REQUIRES: !empty().
  void Extent(double* xmin, double* ymin, double* xmax, double* ymax) const;
  // Even-odd point-in-polygon test. Points exactly on an edge may fall either side.
  bool Contains(double x_m, double y_m) const;
};

// A Boundary prepared for many point-in-polygon tests: its edges bucketed into horizontal bands, so
// a test visits only the edges whose y-span reaches the point's band instead of every vertex (a
// city's districts have ~10k vertices; ingest tests ~0.5M points). Gives exactly the answer of
// Boundary::Contains (the same crossing arithmetic over the same edges). Immutable once built;
// thread-safe to query.
class BoundaryIndex {
 public:
  explicit BoundaryIndex(const Boundary& boundary, int32_t bands = 0);  // 0: ~sqrt(edges) bands
  bool Contains(double x_m, double y_m) const;

 private:
  struct Edge {
    double x0, y0, x1, y1;
  };
  double y_min_ = 0, y_max_ = 0, band_height_ = 1;
  std::vector<uint32_t> band_start_;  // CSR offsets into band_edges_, size bands + 1
  std::vector<Edge> band_edges_;
};

// A grid of `cell_size_m` cells aligned to multiples of the cell size over the boundary's extent,
// whose active cells are those with their centre inside the boundary (the rule open_cp's masked
// grids and most analysts' tools use). kInvalidInput when no cell centre falls inside.
Result<Grid> GridFromBoundary(const Boundary& boundary, double cell_size_m, std::string crs);

}  // namespace placecast::grid
