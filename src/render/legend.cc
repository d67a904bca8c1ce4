// SPDX-License-Identifier: Apache-2.0
// What every map's legend and furniture share (render_internal.h): numbers rounded for reading,
// the scale bar's round length, which top cells stay legible as outlines, which areas are labelled.
// Pure functions; thread-safe.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "render/render_internal.h"

namespace placecast::render::internal {

std::string FormatLegendNumber(double v) {
  if (!std::isfinite(v)) return "–";
  if (v == 0) return "0";
  // "%.2e" rounds to 3 significant figures and says where the point goes: "6.40e-01".
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2e", std::abs(v));
  const std::string digits = std::string(1, buf[0]) + buf[2] + buf[3];
  const int exponent = std::atoi(buf + 5);
  std::string int_part, frac_part;
  if (exponent < 0) {
    int_part = "0";
    frac_part = std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  } else if (exponent < 2) {
    int_part = digits.substr(0, static_cast<size_t>(exponent) + 1);
    frac_part = digits.substr(static_cast<size_t>(exponent) + 1);
  } else {
    int_part = digits + std::string(static_cast<size_t>(exponent) - 2, '0');
  }
  while (!frac_part.empty() && frac_part.back() == '0') frac_part.pop_back();
  std::string grouped;
  for (size_t i = 0; i < int_part.size(); ++i) {
    if (i > 0 && (int_part.size() - i) % 3 == 0) grouped += ',';
    grouped += int_part[i];
  }
  std::string out = v < 0 ? "-" : "";
  out += grouped;
  if (!frac_part.empty()) {
    out += '.';
    out += frac_part;
  }
  return out;
}

std::string FormatLegendRange(double lo, double hi) {
  auto bound = [](double v) {
    if (!(v > 0 && v < kLegendFloor)) return FormatLegendNumber(v);
    std::string out = "<";
    out += FormatLegendNumber(kLegendFloor);
    return out;
  };
  return bound(lo) + " – " + bound(hi);
}

std::string FormatLegendPercent(double pct) { return FormatLegendNumber(pct) + "%"; }

std::string LegendScale::Describe() const {
  if (power == 0) return unit;
  static const char* kSuperscript[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  std::string exp = power < 0 ? "⁻" : "";
  for (char c : std::to_string(std::abs(power))) exp += kSuperscript[c - '0'];
  return unit + (unit.empty() ? "" : ", ") + "in units of 10" + exp;
}

LegendScale PickLegendScale(double max_value, double cell_area_km2, double horizon_days) {
  LegendScale s;
  if (cell_area_km2 > 0 && horizon_days > 0) {
    s.factor = 1 / (cell_area_km2 * horizon_days);
    s.unit = "per km² per day";
  }
  const double top = max_value * s.factor;
  if (top > 0 && std::isfinite(top) && top < 0.01) {
    s.power = 3 * static_cast<int>(std::floor(std::log10(top) / 3));
    s.factor *= std::pow(10.0, -s.power);
  }
  return s;
}

double ScaleBarLengthM(double target_m) {
  const double p = std::pow(10.0, std::floor(std::log10(target_m)));
  for (double m : {5.0, 2.0, 1.0}) {
    if (m * p <= target_m) return m * p;
  }
  return p;
}

std::string ScaleBarLabel(double length_m) {
  if (length_m >= 1000) return FormatLegendNumber(length_m / 1000) + " km";
  return FormatLegendNumber(length_m) + " m";
}

TopOutlinePlan PlanTopOutline(const grid::Grid& g, const std::vector<uint8_t>& top,
                              double px_per_m) {
  TopOutlinePlan plan;
  plan.cell_px = g.cell_size_m() * px_per_m;
  for (uint8_t t : top) plan.top_cells += t != 0;
  if (plan.top_cells == 0) return plan;
  for (int32_t k = 1; k == 1 || k * plan.cell_px <= kMaxOutlineBlockPx; ++k) {
    if (k * plan.cell_px < kMinOutlineCellPx) continue;
    // 1 = a block holding an active cell, 2 = one holding a top cell.
    const int32_t bnx = (g.nx() + k - 1) / k, bny = (g.ny() + k - 1) / k;
    std::vector<uint8_t> block(static_cast<size_t>(bnx) * static_cast<size_t>(bny), 0);
    for (grid::CellId c = 0; c < g.num_cells(); ++c) {
      uint8_t& b = block[static_cast<size_t>(g.CellRow(c) / k) * bnx + g.CellCol(c) / k];
      b = std::max<uint8_t>(b, top[c] ? 2 : 1);
    }
    const int64_t active = std::count_if(block.begin(), block.end(), [](uint8_t b) { return b; });
    const int64_t flagged = std::count(block.begin(), block.end(), uint8_t{2});
    if (flagged > kMaxOutlinedShapes) continue;
    // A block outline over-covers; covering most of the map, it no longer shows where.
    if (k > 1 && static_cast<double>(flagged) > kMaxOutlinedBlockShare * active) break;
    plan.mode = k == 1 ? TopOutlineMode::kCells : TopOutlineMode::kBlocks;
    plan.block_cells = k;
    plan.outlined = flagged;
    return plan;
  }
  plan.mode = TopOutlineMode::kNone;
  return plan;
}

std::string TopCellsLabel(const io::ForecastProduct& p, int32_t top_count) {
  if (p.top_area_km2 > 0) return io::TopCellsText(p);
  return "top " + FormatLegendPercent(p.top_share_pct) + " of cells (" + std::to_string(top_count) +
         ")";
}

std::string TopOutlineCaption(const TopOutlinePlan& plan, const std::string& top_label) {
  const std::string top = "the " + top_label;
  switch (plan.mode) {
    case TopOutlineMode::kCells:
      return "the blue outline marks " + top;
    case TopOutlineMode::kBlocks: {
      const std::string k = std::to_string(plan.block_cells);
      return "the blue outline marks " + top + ", merged into blocks of " + k + " × " + k +
             " cells that hold one (single cells are too small on this map to outline)";
    }
    case TopOutlineMode::kNone:
      break;
  }
  return top +
         " are too small and too many on this map to outline; the cell table and the "
         "layers list them";
}

std::vector<size_t> AreasToLabel(size_t num_areas, size_t max_labels) {
  std::vector<size_t> out;
  for (size_t i = 0; i < num_areas && i < max_labels; ++i) out.push_back(i);
  return out;
}

}  // namespace placecast::render::internal
