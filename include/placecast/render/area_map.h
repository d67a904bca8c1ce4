// SPDX-License-Identifier: Apache-2.0
// PNG choropleth of named areas (police districts, tracts, patrol areas): each area filled by the
// quintile class of its value, areas without a value in grey, area names at their centres, a
// title, a legend, a scale bar and a north arrow (the forecast map's, render/map.h), and optionally
// the study area's outline. Used by `placecast audit` for exposure per resident and by `placecast
// hotspots` for the patrol areas. Deterministic bytes on one installation;
// no shared state (safe from several threads as long as no two write the same path).
#pragma once

#include <string>
#include <vector>

#include "placecast/grid/geometry.h"
#include "placecast/status.h"

namespace placecast::render {

// What a caller adds to the area map.
struct AreaMapOptions {
  // Outlined in dark grey under the areas (and part of the map's extent); null = none.
  const grid::Boundary* study_area = nullptr;
  std::string study_area_label = "study area";  // its legend entry
  // How many areas get their name drawn: the first `max_labels` (callers order areas best first);
  // 0 = every area. Names of hundreds of small areas overlap into an unreadable smear.
  size_t max_labels = 0;
  // Legend entry for areas without a value (NaN); "" = no entry.
  std::string no_value_label;
  // Lines under the legend entries, saying what the outlines and labels mean.
  std::vector<std::string> notes;
};

// Draws `areas` (projected metres) filled by `values` (one per area; NaN = no value, grey) into a
// 1000 px wide PNG at `path`, with `title` and a legend headed `value_label`. kInvalidInput when
// there is no area, the sizes differ, or no area has a ring; kIo naming the path when it cannot be
// written. When `png_out` is not null it receives the bytes written to `path` (for a report to
// inline; untouched on failure). Legend numbers have 3 significant figures (tiny values in units
// of 10⁻³ᵏ, said under `value_label`); the "0" entry appears only when an area's value is 0.
Status RenderAreaMapPng(const std::string& path, const std::vector<grid::Boundary>& areas,
                        const std::vector<double>& values, const std::string& title,
                        const std::string& value_label, std::string* png_out = nullptr,
                        const AreaMapOptions& options = {});

}  // namespace placecast::render
