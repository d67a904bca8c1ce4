// SPDX-License-Identifier: Apache-2.0
// Patrollable hotspots: candidate cells from the forecast ranking, their 4-connected components,
// region growing inside components larger than the area limit, ranking by expected events, and the
// outline of each area traced along the cell edges (no GEOS: the union of grid squares is exact on
// the integer lattice of cell corners). Pure functions; thread-safe.
#include "placecast/deploy/hotspots.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <string>
#include <unordered_map>
#include <utility>

namespace placecast::deploy {
namespace {

// A cell corner on the integer lattice (column, row of the cell to its north-east).
struct Vertex {
  int32_t x = 0, y = 0;
  bool operator==(const Vertex&) const = default;
};

// Lattice vertices ordered south first, then west: the "lowest" vertex is the smallest.
bool Lower(const Vertex& a, const Vertex& b) { return a.y != b.y ? a.y < b.y : a.x < b.x; }

int64_t Key(int32_t x, int32_t y) {
  return (static_cast<int64_t>(y) << 32) | static_cast<uint32_t>(x);
}

struct Edge {
  Vertex from, to;
  bool used = false;
};

// Twice the signed area of a lattice ring (positive = counter-clockwise).
int64_t TwiceArea(const std::vector<Vertex>& r) {
  int64_t a = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    const Vertex& p = r[i];
    const Vertex& q = r[(i + 1) % r.size()];
    a += static_cast<int64_t>(p.x) * q.y - static_cast<int64_t>(q.x) * p.y;
  }
  return a;
}

// Even-odd test of a point at half-integer coordinates (a cell centre), never on an edge.
bool RingContains(const std::vector<Vertex>& r, double px, double py) {
  bool in = false;
  for (size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) {
    const double xi = r[i].x, yi = r[i].y, xj = r[j].x, yj = r[j].y;
    if ((yi > py) != (yj > py) && px < (xj - xi) * (py - yi) / (yj - yi) + xi) in = !in;
  }
  return in;
}

// Drops vertices where the ring goes straight on, then rotates it to start at its lowest vertex.
std::vector<Vertex> Simplify(const std::vector<Vertex>& r) {
  std::vector<Vertex> out;
  const size_t n = r.size();
  for (size_t i = 0; i < n; ++i) {
    const Vertex& prev = r[(i + n - 1) % n];
    const Vertex& cur = r[i];
    const Vertex& next = r[(i + 1) % n];
    const int64_t cross = static_cast<int64_t>(cur.x - prev.x) * (next.y - cur.y) -
                          static_cast<int64_t>(cur.y - prev.y) * (next.x - cur.x);
    if (cross != 0) out.push_back(cur);
  }
  const auto lowest = std::min_element(out.begin(), out.end(), Lower);
  std::rotate(out.begin(), lowest, out.end());
  return out;
}

// A traced ring that passes a vertex twice (a hole touching the exterior at a corner) split into
// simple rings: whenever the walk comes back to a vertex still on the path, the loop since then
// is a ring of its own.
std::vector<std::vector<Vertex>> SplitAtRepeats(const std::vector<Vertex>& ring) {
  std::vector<std::vector<Vertex>> out;
  std::vector<Vertex> path;
  std::unordered_map<int64_t, size_t> at;  // vertex -> index in path
  for (const Vertex& v : ring) {
    auto it = at.find(Key(v.x, v.y));
    if (it != at.end()) {
      const size_t i = it->second;
      out.emplace_back(path.begin() + static_cast<std::ptrdiff_t>(i), path.end());
      for (size_t k = i; k < path.size(); ++k) at.erase(Key(path[k].x, path[k].y));
      path.resize(i);
    }
    at[Key(v.x, v.y)] = path.size();
    path.push_back(v);
  }
  out.push_back(std::move(path));
  return out;
}

// Turn rank of going from direction (dx0, dy0) into (dx1, dy1): 0 left, 1 straight, 2 right.
int TurnRank(int dx0, int dy0, int dx1, int dy1) {
  const int cross = dx0 * dy1 - dy0 * dx1;
  if (cross > 0) return 0;
  if (cross == 0) return 1;
  return 2;
}

Status CheckInputs(const grid::Grid& grid, const grid::Surface& surface, const grid::TieBreak& ties,
                   const HotspotOptions& o) {
  if (static_cast<int64_t>(surface.value.size()) != grid.num_cells()) {
    return Status::InvalidInput("hotspots: surface: " + std::to_string(surface.value.size()) +
                                " values for a grid of " + std::to_string(grid.num_cells()) +
                                " active cells");
  }
  for (const auto* key : {&ties.history, &ties.smoothed}) {
    if (!key->empty() && static_cast<int64_t>(key->size()) != grid.num_cells()) {
      return Status::InvalidInput("hotspots: tie keys: " + std::to_string(key->size()) +
                                  " values for a grid of " + std::to_string(grid.num_cells()) +
                                  " active cells");
    }
  }
  for (size_t c = 0; c < surface.value.size(); ++c) {
    const double v = surface.value[c];
    if (!std::isfinite(v) || v < 0) {
      char buf[160];
      std::snprintf(buf, sizeof(buf),
                    "hotspots: surface: cell %zu: risk must be finite and >= 0 (got %g)", c, v);
      return Status::InvalidInput(buf);
    }
  }
  char buf[256];
  if (!(o.coverage_pct > 0 && o.coverage_pct <= 100)) {
    std::snprintf(buf, sizeof(buf), "hotspots: coverage_pct: expected a value in (0, 100] (got %g)",
                  o.coverage_pct);
    return Status::InvalidInput(buf);
  }
  const double cell_m2 = grid.cell_size_m() * grid.cell_size_m();
  if (!std::isfinite(o.max_area_m2) ||
      (o.max_area_m2 != 0 && o.max_area_m2 < cell_m2 * (1 - 1e-9))) {
    std::snprintf(buf, sizeof(buf),
                  "hotspots: max_area_m2: must hold at least one cell of %g m² (got %g)", cell_m2,
                  o.max_area_m2);
    return Status::InvalidInput(buf);
  }
  if (!std::isfinite(o.min_risk) || o.min_risk < 0) {
    std::snprintf(buf, sizeof(buf), "hotspots: min_risk: expected a finite value >= 0 (got %g)",
                  o.min_risk);
    return Status::InvalidInput(buf);
  }
  if (o.max_areas < 0) {
    return Status::InvalidInput("hotspots: max_areas: expected 0 (all) or more (got " +
                                std::to_string(o.max_areas) + ")");
  }
  return Status::Ok();
}

// The rook neighbours of `cell` that are active cells of the grid (kNoCell otherwise).
std::array<grid::CellId, 4> Neighbours(const grid::Grid& g, grid::CellId cell) {
  const int32_t c = g.CellCol(cell), r = g.CellRow(cell);
  return {g.ColRowToCell(c - 1, r), g.ColRowToCell(c + 1, r), g.ColRowToCell(c, r - 1),
          g.ColRowToCell(c, r + 1)};
}

}  // namespace

Result<std::vector<OutlinePolygon>> CellsToOutline(const grid::Grid& grid,
                                                   const std::vector<grid::CellId>& cells) {
  std::unordered_map<int64_t, char> in;  // lattice key of the cell's south-west corner
  in.reserve(cells.size() * 2);
  for (grid::CellId c : cells) {
    if (c < 0 || c >= grid.num_cells()) {
      return Status::InvalidInput("outline: cell " + std::to_string(c) +
                                  ": not an active cell (expected 0.." +
                                  std::to_string(grid.num_cells() - 1) + ")");
    }
    if (!in.emplace(Key(grid.CellCol(c), grid.CellRow(c)), 1).second) {
      return Status::InvalidInput("outline: cell " + std::to_string(c) + ": listed twice");
    }
  }
  auto has = [&](int32_t x, int32_t y) { return in.count(Key(x, y)) > 0; };
  // Boundary edges, each with the region on its left (counter-clockwise around each cell).
  std::vector<Edge> edges;
  for (grid::CellId cell : cells) {
    const int32_t x = grid.CellCol(cell), y = grid.CellRow(cell);
    if (!has(x, y - 1)) edges.push_back({{x, y}, {x + 1, y}});
    if (!has(x + 1, y)) edges.push_back({{x + 1, y}, {x + 1, y + 1}});
    if (!has(x, y + 1)) edges.push_back({{x + 1, y + 1}, {x, y + 1}});
    if (!has(x - 1, y)) edges.push_back({{x, y + 1}, {x, y}});
  }
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) {
    if (!(a.from == b.from)) return Lower(a.from, b.from);
    return Lower(a.to, b.to);
  });
  std::unordered_multimap<int64_t, size_t> out_of;  // vertex -> edges leaving it
  for (size_t i = 0; i < edges.size(); ++i)
    out_of.emplace(Key(edges[i].from.x, edges[i].from.y), i);

  std::vector<std::vector<Vertex>> rings;
  for (size_t start = 0; start < edges.size(); ++start) {
    if (edges[start].used) continue;
    std::vector<Vertex> ring;
    size_t e = start;
    while (true) {
      edges[e].used = true;
      ring.push_back(edges[e].from);
      const Vertex v = edges[e].to;
      const int dx0 = edges[e].to.x - edges[e].from.x, dy0 = edges[e].to.y - edges[e].from.y;
      size_t best = edges.size();
      int best_rank = 3;
      auto range = out_of.equal_range(Key(v.x, v.y));
      for (auto it = range.first; it != range.second; ++it) {
        const Edge& n = edges[it->second];
        if (n.used && it->second != start) continue;
        const int rank = TurnRank(dx0, dy0, n.to.x - n.from.x, n.to.y - n.from.y);
        if (rank < best_rank || (rank == best_rank && it->second < best)) {
          best_rank = rank;
          best = it->second;
        }
      }
      // The turn rule pairs each edge into a vertex with one edge out of it; the ring is closed
      // when that pairing leads back to its first edge.
      if (best == start || best == edges.size()) break;
      e = best;
    }
    for (auto& r : SplitAtRepeats(ring)) rings.push_back(Simplify(r));
  }

  // Exteriors (counter-clockwise) become polygons; each hole goes to the smallest exterior that
  // holds the centre of the unselected cell on its right-hand side.
  std::vector<size_t> exteriors, holes;
  for (size_t i = 0; i < rings.size(); ++i)
    (TwiceArea(rings[i]) > 0 ? exteriors : holes).push_back(i);
  std::sort(exteriors.begin(), exteriors.end(),
            [&](size_t a, size_t b) { return Lower(rings[a][0], rings[b][0]); });
  std::vector<std::vector<size_t>> holes_of(exteriors.size());
  for (size_t h : holes) {
    const Vertex p = rings[h][0], q = rings[h][1];
    const int dx = (q.x > p.x) - (q.x < p.x), dy = (q.y > p.y) - (q.y < p.y);
    // Midpoint of the first edge moved half a cell to its right (the right normal is (dy, -dx)).
    const double px = p.x + 0.5 * dx + 0.5 * dy, py = p.y + 0.5 * dy - 0.5 * dx;
    size_t owner = exteriors.size();
    for (size_t k = 0; k < exteriors.size(); ++k) {
      const auto& ext = rings[exteriors[k]];
      if (!RingContains(ext, px, py)) continue;
      if (owner == exteriors.size() || TwiceArea(ext) < TwiceArea(rings[exteriors[owner]])) {
        owner = k;
      }
    }
    if (owner == exteriors.size()) return Status::Internal("outline: a hole outside every ring");
    holes_of[owner].push_back(h);
  }
  const double s = grid.cell_size_m();
  auto to_ring = [&](const std::vector<Vertex>& r) {
    grid::Ring ring;
    for (const Vertex& v : r) {
      ring.x_m.push_back(grid.x0_m() + v.x * s);
      ring.y_m.push_back(grid.y0_m() + v.y * s);
    }
    return ring;
  };
  std::vector<OutlinePolygon> polys(exteriors.size());
  for (size_t k = 0; k < exteriors.size(); ++k) {
    polys[k].rings.push_back(to_ring(rings[exteriors[k]]));
    std::sort(holes_of[k].begin(), holes_of[k].end(),
              [&](size_t a, size_t b) { return Lower(rings[a][0], rings[b][0]); });
    for (size_t h : holes_of[k]) polys[k].rings.push_back(to_ring(rings[h]));
  }
  return polys;
}

Result<HotspotResult> FindHotspots(const grid::Grid& grid, const grid::Surface& surface,
                                   const grid::TieBreak& ties, const HotspotOptions& options) {
  PLACECAST_RETURN_IF_ERROR(CheckInputs(grid, surface, ties, options));
  HotspotResult res;
  const int32_t n = grid.num_cells();
  const std::vector<double>& v = surface.value;
  for (double x : v) res.total_risk += x;
  const double cell_m2 = grid.cell_size_m() * grid.cell_size_m();
  const double max_area_m2 =
      options.max_area_m2 > 0 ? options.max_area_m2 : std::max(kDefaultMaxAreaM2, cell_m2);
  res.max_area_m2 = max_area_m2;
  res.max_cells_per_area =
      std::max<int32_t>(1, static_cast<int32_t>(std::floor(max_area_m2 / cell_m2 + 1e-9)));
  if (n == 0) return res;

  // 1. Candidates: the top cells of the one ranking, as the products flag them.
  res.cells_considered = grid::TopCellsForShare(options.coverage_pct, n);
  const std::vector<grid::CellId> ranking = grid::RankCells(surface, ties).cells;
  std::vector<int32_t> position(n);
  for (int32_t i = 0; i < n; ++i) position[ranking[i]] = i;
  std::vector<char> selected(n, 0);
  for (int32_t i = 0; i < res.cells_considered; ++i) {
    const grid::CellId c = ranking[i];
    if (v[c] > 0 && v[c] >= options.min_risk) {
      selected[c] = 1;
      ++res.cells_selected;
    }
  }
  // Ranked first: the order seeds and ties use (higher value, then the tie rule).
  auto hotter = [&](grid::CellId a, grid::CellId b) { return position[a] < position[b]; };

  // 2. Components by flood fill from each unvisited selected cell in id order.
  std::vector<int32_t> component(n, -1);
  std::vector<std::vector<grid::CellId>> components;
  for (grid::CellId c = 0; c < n; ++c) {
    if (!selected[c] || component[c] >= 0) continue;
    const int32_t id = static_cast<int32_t>(components.size());
    components.emplace_back();
    std::vector<grid::CellId> stack = {c};
    component[c] = id;
    while (!stack.empty()) {
      const grid::CellId u = stack.back();
      stack.pop_back();
      components[id].push_back(u);
      for (grid::CellId w : Neighbours(grid, u)) {
        if (w != grid::kNoCell && selected[w] && component[w] < 0) {
          component[w] = id;
          stack.push_back(w);
        }
      }
    }
  }
  res.components = static_cast<int32_t>(components.size());

  // 3. Region growing inside each component.
  std::vector<std::vector<grid::CellId>> regions;
  std::vector<char> assigned(n, 0);
  std::vector<char> in_region(n, 0);
  for (auto& comp : components) {
    std::sort(comp.begin(), comp.end(), hotter);
    if (static_cast<int32_t>(comp.size()) <= res.max_cells_per_area) {
      regions.push_back(comp);
      continue;
    }
    const int32_t cid = component[comp[0]];
    for (grid::CellId seed : comp) {
      if (assigned[seed]) continue;
      std::vector<grid::CellId> region = {seed};
      assigned[seed] = in_region[seed] = 1;
      while (static_cast<int32_t>(region.size()) < res.max_cells_per_area) {
        // The frontier is rebuilt each step: regions hold a handful of cells.
        grid::CellId best = grid::kNoCell;
        int best_sides = 0;
        for (grid::CellId u : region) {
          for (grid::CellId w : Neighbours(grid, u)) {
            if (w == grid::kNoCell || component[w] != cid || assigned[w]) continue;
            int sides = 0;
            for (grid::CellId x : Neighbours(grid, w))
              sides += (x != grid::kNoCell && in_region[x]);
            if (best == grid::kNoCell || sides > best_sides ||
                (sides == best_sides && hotter(w, best))) {
              best = w;
              best_sides = sides;
            }
          }
        }
        if (best == grid::kNoCell) break;
        region.push_back(best);
        assigned[best] = in_region[best] = 1;
      }
      for (grid::CellId u : region) in_region[u] = 0;
      std::sort(region.begin(), region.end(), hotter);
      regions.push_back(std::move(region));
    }
  }

  // 4. Areas, ranked by expected events.
  std::vector<PatrolArea> areas;
  areas.reserve(regions.size());
  for (auto& region : regions) {
    PatrolArea a;
    a.seed_cell = region[0];  // sorted hottest first
    std::sort(region.begin(), region.end());
    for (grid::CellId c : region) {
      a.expected_events += v[c];
      a.centroid_x_m += grid.CellCenterX(c);
      a.centroid_y_m += grid.CellCenterY(c);
    }
    a.centroid_x_m /= static_cast<double>(region.size());
    a.centroid_y_m /= static_cast<double>(region.size());
    a.area_m2 = static_cast<double>(region.size()) * cell_m2;
    a.risk_share = res.total_risk > 0 ? a.expected_events / res.total_risk : 0;
    a.cells = std::move(region);
    areas.push_back(std::move(a));
  }
  std::sort(areas.begin(), areas.end(), [&](const PatrolArea& a, const PatrolArea& b) {
    return a.expected_events != b.expected_events ? a.expected_events > b.expected_events
                                                  : hotter(a.seed_cell, b.seed_cell);
  });
  res.areas_before_limit = static_cast<int32_t>(areas.size());
  if (options.max_areas > 0 && static_cast<int32_t>(areas.size()) > options.max_areas) {
    areas.resize(options.max_areas);
  }
  double cum = 0;
  for (size_t i = 0; i < areas.size(); ++i) {
    areas[i].rank = static_cast<int32_t>(i + 1);
    cum += areas[i].risk_share;
    areas[i].cumulative_share = cum;
    PLACECAST_ASSIGN_OR_RETURN(areas[i].outline, CellsToOutline(grid, areas[i].cells));
  }
  res.captured_share = cum;
  res.areas = std::move(areas);
  return res;
}

}  // namespace placecast::deploy
