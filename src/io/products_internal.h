// SPDX-License-Identifier: Apache-2.0
// Internal: text helpers shared by the forecast product writers (products.cc, vector_layer.cc) and
// the renderers of src/render (map.cc, report.cc), exposed here so the tests can check them. Pure
// functions; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "placecast/io/products.h"
#include "placecast/status.h"

namespace placecast::io::products_internal {

// A time of product `p` in its study's local days: "YYYY-MM-DD" at the start of a local day,
// "YYYY-MM-DDTHH:MM:SS-05:00" otherwise.
std::string FormatLocal(const ForecastProduct& p, int64_t s);
// "YYYY-MM-DDTHH:MM:SS.000Z", the form GDAL's OGR_CURRENT_DATE expects.
std::string FormatUtcMillis(int64_t s);

// printf-style formatting into a std::string (for fixed, locale-free number formats).
std::string Format(const char* fmt, double v);

// The product title, or "<model> forecast of <offence>" when none was given.
std::string ProductTitle(const ForecastProduct& p);
// "2024-01-01 – 2024-03-01" (or "all events before 2024-03-01" when train_from_s <= 0).
std::string TrainingWindowText(const ForecastProduct& p);

// The params_json object, or {} when empty; kInvalidInput naming params_json when it is not a JSON
// object.
Result<nlohmann::ordered_json> ParseParams(const std::string& params_json);
// Compact JSON text; invalid UTF-8 replaced, never thrown.
std::string Dump(const nlohmann::ordered_json& j);

}  // namespace placecast::io::products_internal
