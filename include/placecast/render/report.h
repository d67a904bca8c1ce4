// SPDX-License-Identifier: Apache-2.0
// HTML products: the self-contained report of one forecast, and the HTML escaping every HTML
// product uses. The report is written atomically ("<path>.tmp" renamed) and is byte-reproducible
// (no wall-clock time). No shared state; thread-safe as long as no two calls write the same path.
#pragma once

#include <string>
#include <string_view>

#include "placecast/io/products.h"
#include "placecast/status.h"

namespace placecast::render {

// `s` with &, <, >, " and ' as HTML character references (for every HTML product).
std::string HtmlEscape(std::string_view s);

// Single-file HTML report: title, the map (<img src="png_name">, a relative name), settings
// (every parameter in params_json), warnings, the top-20 cells, why the top cells rank high
// (explanations_json), how to read the forecast, the model card and generated_note. Every string
// is HTML-escaped. Errors as io::WriteForecastGeoJson, plus kInvalidInput for explanations_json
// that is not a JSON object.
Status WriteForecastReportHtml(const std::string& path, const io::ForecastProduct& p,
                               const std::string& png_name);

}  // namespace placecast::render
