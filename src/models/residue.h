// SPDX-License-Identifier: Apache-2.0
// The rule every model's Predict() applies to its surface before returning it: a value below zero
// by no more than a rounding residue (|v| <= kResidueTolerance x the surface's largest |value|),
// such as the -1.7e-17 a difference of cumulative kernel tables leaves in a cell the kernel does
// not reach, is set to 0; a larger negative value, NaN or infinity is a bug and an error. Internal
// to the models subsystem. Pure function; thread-safe.
#pragma once

#include <string_view>

#include "placecast/grid/grid.h"
#include "placecast/status.h"

namespace placecast::models {

// How far below zero, relative to the surface's largest absolute value, a value may be and still
// count as a rounding residue. Kernel sums in double precision round at about 1e-16 of their
// terms; 1e-9 leaves seven orders of margin for sums of many terms, while any real negative value
// (a sign error, a subtraction that went wrong) is far larger than this share of the peak.
inline constexpr double kResidueTolerance = 1e-9;

// Sets every residue of `surface` (see above) and every -0 to +0 and returns Ok, or kInternal
// naming the model, the first bad cell and its value, "sepp: surface value of cell 12: expected a
// finite value >= 0 (got -0.25; larger than a rounding residue of 1e-09 x the peak 3): a bug,
// please report". On error the surface may be partly clamped. REQUIRES: surface != nullptr.
[[nodiscard]] Status ClampRoundingResidues(std::string_view model, grid::Surface* surface);

}  // namespace placecast::models
