// SPDX-License-Identifier: Apache-2.0
// HTML products: the self-contained report of one forecast, the HTML escaping every HTML
// product uses, and the base64 data URIs that put their images inside them. The report is written
// atomically ("<path>.tmp" renamed) and is byte-reproducible (no wall-clock time). No shared state;
// thread-safe as long as no two calls write the same path.
#pragma once

#include <string>
#include <string_view>

#include "placecast/io/products.h"
#include "placecast/status.h"

namespace placecast::render {

// `s` with &, <, >, " and ' as HTML character references (for every HTML product).
std::string HtmlEscape(std::string_view s);

// `bytes` in standard base64 (RFC 4648 section 4: A-Z a-z 0-9 + /, '=' padding, no line breaks).
std::string Base64Encode(std::string_view bytes);

// "data:image/png;base64,<Base64Encode(png)>", for an <img src> that needs no file beside the
// HTML (a report mailed on its own still shows its images). kInvalidInput when `png` does not
// start with the 8-byte PNG signature (e.g. a file name was passed instead of the bytes).
Result<std::string> PngDataUri(std::string_view png);

// Single-file HTML report: title, the map inlined as a data URI (<img src="data:image/png;
// base64,...">; `map_png` is the PNG's bytes, as RenderForecastPng returns them; empty = no map),
// settings (every parameter in params_json), warnings, the top-20 cells, why the top cells rank
// high (explanations_json), how to read the forecast, the model card and generated_note. It
// refers to no other file. Every string is HTML-escaped. Errors as io::WriteForecastGeoJson, plus
// kInvalidInput for explanations_json that is not a JSON object and for a non-empty `map_png`
// that is not a PNG.
Status WriteForecastReportHtml(const std::string& path, const io::ForecastProduct& p,
                               std::string_view map_png);

}  // namespace placecast::render
