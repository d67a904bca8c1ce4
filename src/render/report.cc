// SPDX-License-Identifier: Apache-2.0
// The HTML report of a forecast product, the HTML escaping of every HTML product and the base64
// data URIs of their images. The report is built in memory from io::RankProductCells, its map
// inlined, and written atomically. Thread-safe.
#include "placecast/render/report.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/products_internal.h"
#include "placecast/io/file_util.h"
#include "render/render_internal.h"

namespace placecast::render {

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                       static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (const size_t rest = bytes.size() - i; rest > 0) {
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Result<std::string> PngDataUri(std::string_view png) {
  static constexpr std::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);
  if (png.substr(0, kPngSignature.size()) != kPngSignature) {
    std::string start;
    for (char c : png.substr(0, 16)) start += c >= 0x20 && c < 0x7f ? c : '?';
    return Status::InvalidInput(
        "PNG data URI: expected PNG bytes, which start with the 8-byte PNG signature (got " +
        std::to_string(png.size()) + " bytes: \"" + start + (png.size() > 16 ? "...\")" : "\")"));
  }
  return "data:image/png;base64," + Base64Encode(png);
}

namespace {

using io::ForecastProduct;
using io::ProductCell;
using io::products_internal::Dump;
using io::products_internal::Format;
using io::products_internal::FormatLocal;
using io::products_internal::ParseParams;

std::string ParamValueText(const nlohmann::ordered_json& v) {
  if (v.is_string()) return v.get<std::string>();
  return Dump(v);
}

void Row(std::string* out, std::string_view key, std::string_view value) {
  *out += "<tr><th>";
  *out += HtmlEscape(key);
  *out += "</th><td>";
  *out += HtmlEscape(value);
  *out += "</td></tr>\n";
}

constexpr const char* kReportStyle = R"(<style>
body{font-family:"DejaVu Sans",Arial,sans-serif;max-width:1240px;margin:1.5em auto;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.warnings{border:2px solid #c60;background:#fff4e5;padding:.6em 1em;margin:1em 0}
.warnings h2{margin-top:0;color:#a40}
img.map{max-width:100%;border:1px solid #ccc}
.note{color:#555;font-size:.9em}
</style>
)";

// The "Why these cells" section from the explanations JSON (see ForecastProduct): per cell its
// note, the model's parts (or, for a learned model, its features' contributions in words), the
// distance x age bands and the top past events (time, offence and distance only).
Status AppendExplanations(const std::string& json, std::string* out) {
  const auto j = nlohmann::ordered_json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidInput(
        "forecast product: explanations_json: expected a JSON object (got \"" + json.substr(0, 80) +
        "\")");
  }
  std::string& h = *out;
  h += "<h2>Why these cells</h2>\n";
  const auto cells = j.value("cells", nlohmann::ordered_json::array());
  if (j.contains("note")) h += "<p>" + HtmlEscape(j["note"].get<std::string>()) + "</p>\n";
  // Missing or non-numeric members show as 0 rather than throwing.
  auto get = [](const nlohmann::ordered_json& o, const char* key) {
    return o.is_object() && o.contains(key) && o[key].is_number() ? o[key].get<double>() : 0.0;
  };
  auto num = [&](const nlohmann::ordered_json& o, const char* key, const char* fmt) {
    return "<td class=\"num\">" + Format(fmt, get(o, key)) + "</td>";
  };
  auto pct = [&](const nlohmann::ordered_json& o, const char* key) {
    return "<td class=\"num\">" + Format("%.1f", 100 * get(o, key)) + " %</td>";
  };
  for (const auto& c : cells) {
    h += "<h3>Rank " + std::to_string(c.value("rank", 0)) + ": cell " +
         std::to_string(c.value("cell", -1)) + ", value " + Format("%.6g", get(c, "risk")) +
         "</h3>\n<p class=\"note\">" + HtmlEscape(c.value("note", "")) + "</p>\n";
    const auto parts = c.value("parts", nlohmann::ordered_json::array());
    if (!parts.empty()) {
      h += "<table>\n<tr><th>part</th><th>value</th><th>share</th></tr>\n";
      for (const auto& part : parts) {
        h += "<tr><td>" + HtmlEscape(part.value("name", "")) + "</td>" +
             num(part, "value", "%.6g") + pct(part, "share") + "</tr>\n";
      }
      h += "</table>\n";
    }
    const auto features = c.value("features", nlohmann::ordered_json::array());
    if (c.contains("features")) {
      h += "<table>\n<tr><th>feature</th><th>value</th><th>adds (log scale)</th></tr>\n"
           "<tr><td>bias</td><td></td>" +
           num(c, "bias", "%+.4g") + "</tr>\n";
      for (const auto& f : features) {
        h += "<tr><td>" + HtmlEscape(f.value("words", "")) + "</td>" + num(f, "value", "%g") +
             num(f, "contribution", "%+.4g") + "</tr>\n";
      }
      const int64_t rest =
          c.value("num_features", int64_t{0}) - static_cast<int64_t>(features.size());
      if (rest > 0) {
        h += "<tr><td>the other " + std::to_string(rest) + " features</td><td></td>" +
             num(c, "other_features_contribution", "%+.4g") + "</tr>\n";
      }
      h += "<tr><td>margin</td><td></td>" + num(c, "margin", "%+.4g") + "</tr>\n</table>\n";
    }
    const auto bands = c.value("bands", nlohmann::ordered_json::array());
    if (!bands.empty()) {
      h += "<table>\n<tr><th>distance from centre</th><th>age</th><th>events</th>"
           "<th>value</th><th>share</th></tr>\n";
      for (const auto& b : bands) {
        h += "<tr><td>" + Format("%g", get(b, "distance_from_m")) + "\xe2\x80\x93" +
             Format("%g", get(b, "distance_to_m")) + " m</td><td>" +
             Format("%g", get(b, "age_from_days")) + "\xe2\x80\x93" +
             Format("%g", get(b, "age_to_days")) + " days</td><td class=\"num\">" +
             Format("%.0f", get(b, "events")) + "</td>" + num(b, "value", "%.6g") +
             pct(b, "share") + "</tr>\n";
      }
      h += "</table>\n";
    }
    const auto events = c.value("top_events", nlohmann::ordered_json::array());
    if (!events.empty()) {
      h += "<table>\n<tr><th>past event (UTC)</th><th>offence</th><th>distance</th>"
           "<th>adds</th></tr>\n";
      for (const auto& e : events) {
        // A null contribution (boost): the event is context, with no share of its own.
        const bool share = e.contains("contribution") && e["contribution"].is_number();
        h += "<tr><td>" + HtmlEscape(e.value("time_utc", "")) + "</td><td>" +
             HtmlEscape(e.value("offence", "")) + "</td><td class=\"num\">" +
             Format("%g", get(e, "distance_m")) + " m</td>" +
             (share ? num(e, "contribution", "%.6g") : std::string("<td>\xe2\x80\x93</td>")) +
             "</tr>\n";
      }
      h += "</table>\n";
    }
  }
  return Status::Ok();
}

}  // namespace

Status WriteForecastReportHtml(const std::string& path, const ForecastProduct& p,
                               std::string_view map_png) {
  PLACECAST_ASSIGN_OR_RETURN(std::vector<ProductCell> cells, io::RankProductCells(p));
  std::string map_uri;
  if (!map_png.empty()) {
    auto uri = PngDataUri(map_png);
    if (!uri.ok()) return uri.status().Wrap("forecast report: map_png");
    map_uri = std::move(*uri);
  }
  PLACECAST_ASSIGN_OR_RETURN(nlohmann::ordered_json params, ParseParams(p.params_json));
  const grid::Grid& g = *p.grid;
  const std::string title = io::products_internal::ProductTitle(p);
  const int32_t top = io::TopCellCount(p);

  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
  h += HtmlEscape(title);
  h += "</title>\n";
  h += kReportStyle;
  h += "</head>\n<body>\n<h1>" + HtmlEscape(title) + "</h1>\n";

  if (!p.warnings.empty()) {
    h += "<div class=\"warnings\" role=\"alert\">\n<h2>Warnings</h2>\n<ul>\n";
    for (const auto& w : p.warnings) h += "<li>" + HtmlEscape(w) + "</li>\n";
    h += "</ul>\n</div>\n";
  }

  if (!map_uri.empty()) {
    h += "<p><img class=\"map\" src=\"" + map_uri + "\" alt=\"" + HtmlEscape("Map: " + title) +
         "\"></p>\n";
  }

  h += "<h2>Settings</h2>\n<table>\n";
  Row(&h, "model", p.model);
  for (auto it = params.begin(); it != params.end(); ++it) {
    Row(&h, "parameter " + it.key(), ParamValueText(it.value()));
  }
  Row(&h, "offence", p.offence);
  Row(&h, "origin", FormatLocal(p, p.origin_s));
  Row(&h, "days", p.calendar.Describe());
  Row(&h, "horizon", Format("%g", p.horizon_days) + " days");
  Row(&h, "training window", io::products_internal::TrainingWindowText(p));
  Row(&h, "training events", std::to_string(p.training_events));
  Row(&h, "grid cells",
      std::to_string(g.num_cells()) + " active of " +
          std::to_string(static_cast<int64_t>(g.nx()) * g.ny()) + " (" + std::to_string(g.nx()) +
          " × " + std::to_string(g.ny()) + ")");
  Row(&h, "cell size",
      Format("%g", g.cell_size_m()) + " m (" + Format("%.4g", g.cell_area_km2()) + " km²)");
  Row(&h, "CRS", g.crs());
  if (p.top_area_km2 > 0) {
    Row(&h, "top area", io::TopCellsText(p));
  } else {
    Row(&h, "top share",
        internal::FormatLegendPercent(p.top_share_pct) + " of cells = " + std::to_string(top) +
            " cells");
  }
  if (!p.code_version.empty()) Row(&h, "placecast version", p.code_version);
  h += "</table>\n";

  if (!p.privacy_note.empty()) {
    const int64_t withheld =
        std::count_if(p.suppressed.begin(), p.suppressed.end(), [](uint8_t b) { return b != 0; });
    h += "<h2>Public release</h2>\n<p>" + HtmlEscape(p.privacy_note) + "</p>\n<p>" +
         std::to_string(withheld) + " of " + std::to_string(g.num_cells()) +
         " cells are suppressed: their risk is not published and they are left unshaded on the "
         "map.</p>\n";
  }

  size_t shown = std::min<size_t>(20, cells.size());
  while (shown > 0 && cells[shown - 1].suppressed) --shown;
  h += "<h2>Top " + std::to_string(shown) + " cells</h2>\n";
  h += "<table>\n<tr><th>rank</th><th>cell</th><th>col, row</th><th>lon, lat (centre)</th>"
       "<th>risk</th><th>share of total risk</th><th>cumulative share</th></tr>\n";
  for (size_t i = 0; i < shown; ++i) {
    const ProductCell& c = cells[i];
    h += "<tr><td class=\"num\">" + std::to_string(c.rank) + "</td><td class=\"num\">" +
         std::to_string(c.cell) + "</td><td class=\"num\">" + std::to_string(c.col) + ", " +
         std::to_string(c.row) + "</td><td class=\"num\">" + Format("%.6f", c.lon) + ", " +
         Format("%.6f", c.lat) + "</td><td class=\"num\">" + Format("%.6g", c.risk) +
         "</td><td class=\"num\">" + Format("%.2f", 100 * c.risk_share) +
         " %</td><td class=\"num\">" + Format("%.2f", 100 * c.cumulative_share) + " %</td></tr>\n";
  }
  h += "</table>\n";

  if (!p.explanations_json.empty()) {
    PLACECAST_RETURN_IF_ERROR(AppendExplanations(p.explanations_json, &h));
  }

  h += "<h2>How to read this</h2>\n<p>Each square is a grid cell of " +
       Format("%g", g.cell_size_m()) +
       " m. Its risk is relative: it ranks places against each other for the " +
       Format("%g", p.horizon_days) +
       "-day horizon and is not the probability that a crime will happen there. The darker the "
       "shade, the higher the cell ranks; " +
       internal::TopOutlineCaption(internal::PlanProductTopOutline(p, cells),
                                   internal::TopCellsLabel(p, top)) +
       ", where the model expects the largest share of " + HtmlEscape(p.offence) +
       " incidents. The forecast learns only from recorded incidents, so it inherits how and "
       "where incidents were reported and recorded.</p>\n<p>This is decision support: a person "
       "who knows the area should review it before any resources are moved, and check it "
       "against local knowledge and against the warnings above. It describes places, not "
       "people: nothing in it says anything about any individual, and it must not be used to "
       "target one.</p>\n";

  if (!p.model_card_json.empty()) {
    const auto card = nlohmann::ordered_json::parse(p.model_card_json, nullptr, false);
    if (card.is_discarded() || !card.is_object()) {
      return Status::InvalidInput(
          "forecast product: model_card_json: expected a JSON object (got \"" +
          p.model_card_json.substr(0, 80) + "\")");
    }
    h += "<h2>Model card</h2>\n<table class=\"card\">\n";
    for (auto it = card.begin(); it != card.end(); ++it) {
      const auto& v = it.value();
      if (v.is_array()) {
        h += "<tr><th>" + HtmlEscape(it.key()) + "</th><td><ul>";
        for (const auto& e : v) h += "<li>" + HtmlEscape(ParamValueText(e)) + "</li>";
        h += "</ul></td></tr>\n";
      } else if (v.is_object()) {
        h += "<tr><th>" + HtmlEscape(it.key()) + "</th><td>";
        for (auto e = v.begin(); e != v.end(); ++e) {
          h += HtmlEscape(e.key()) + ": " + HtmlEscape(ParamValueText(e.value())) + "<br>";
        }
        h += "</td></tr>\n";
      } else {
        Row(&h, it.key(), ParamValueText(v));
      }
    }
    h += "</table>\n";
  }

  if (!p.generated_note.empty()) {
    h += "<p class=\"note\">" + HtmlEscape(p.generated_note) + "</p>\n";
  }
  h += "<p class=\"note\">Generated by placecast";
  if (!p.code_version.empty()) h += " " + HtmlEscape(p.code_version);
  h += ".</p>\n</body>\n</html>\n";
  return io::WriteFileAtomic(path, h);
}

}  // namespace placecast::render
