// SPDX-License-Identifier: Apache-2.0
// PNG choropleth of named areas (police districts, tracts): each area filled by the quintile class
// of its value, areas without a value in grey, area names at their centres, a title and a legend.
// Used by `placecast audit` for exposure per resident. Deterministic bytes on one installation;
// no shared state (safe from several threads as long as no two write the same path).
#pragma once

#include <string>
#include <vector>

#include "placecast/grid/geometry.h"
#include "placecast/status.h"

namespace placecast::render {

// Draws `areas` (projected metres) filled by `values` (one per area; NaN = no value, grey) into a
// 1000 px wide PNG at `path`, with `title` and a legend headed `value_label`. kInvalidInput when
// there is no area, the sizes differ, or no area has a ring; kIo naming the path when it cannot be
// written. When `png_out` is not null it receives the bytes written to `path` (for a report to
// inline; untouched on failure).
Status RenderAreaMapPng(const std::string& path, const std::vector<grid::Boundary>& areas,
                        const std::vector<double>& values, const std::string& title,
                        const std::string& value_label, std::string* png_out = nullptr);

}  // namespace placecast::render
