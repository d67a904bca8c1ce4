// SPDX-License-Identifier: Apache-2.0
// ClampRoundingResidues: rounding residues below zero become 0; real negative values are errors.
#include "models/residue.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace placecast::models {
namespace {

std::string Fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

}  // namespace

Status ClampRoundingResidues(std::string_view model, grid::Surface* surface) {
  std::vector<double>& v = surface->value;
  double peak = 0;
  for (size_t c = 0; c < v.size(); ++c) {
    if (!std::isfinite(v[c])) {
      return Status::Internal(std::string(model) + ": surface value of cell " + std::to_string(c) +
                              ": expected a finite value >= 0 (got " + Fmt(v[c]) +
                              "): a bug, please report");
    }
    peak = std::max(peak, std::abs(v[c]));
  }
  const double tolerance = kResidueTolerance * peak;
  for (size_t c = 0; c < v.size(); ++c) {
    if (v[c] > 0) continue;
    if (v[c] < -tolerance) {
      return Status::Internal(std::string(model) + ": surface value of cell " + std::to_string(c) +
                              ": expected a finite value >= 0 (got " + Fmt(v[c]) +
                              "; larger than a rounding residue of " + Fmt(kResidueTolerance) +
                              " x the peak " + Fmt(peak) + "): a bug, please report");
    }
    v[c] = 0;
  }
  return Status::Ok();
}

}  // namespace placecast::models
