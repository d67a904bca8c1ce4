// SPDX-License-Identifier: Apache-2.0
// Tests of the HTML report, HtmlEscape and the base64 data URIs that inline the report's map, and
// of the failures the report and the map share with every forecast product (unwritable path,
// invalid product, bad parameters), on the 4×3 grid drawn as text in io/products_test_fixture.h.
#include "placecast/render/report.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/products_test_fixture.h"
#include "placecast/render/area_map.h"
#include "placecast/render/map.h"
#include "render/render_internal.h"

namespace placecast::render {
namespace {

using io::ForecastProduct;
using io::testing::kRisk;
using io::testing::Slurp;
using io::testing::TestDir;
using io::testing::TextForecast;

// A base64 decoder written apart from the encoder (RFC 4648 section 4), so a test can check that a
// data URI gives back the bytes it was made from. Returns "?" on a character outside the alphabet.
std::string Base64Decode(std::string_view text) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int nbits = 0;
  for (char c : text) {
    if (c == '=') break;
    const size_t v = kAlphabet.find(c);
    if (v == std::string::npos) return "?";
    bits = (bits << 6) | static_cast<uint32_t>(v);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out += static_cast<char>((bits >> nbits) & 0xff);
    }
  }
  return out;
}

// The value of every src="..." attribute in `html`, in order.
std::vector<std::string> ImageSources(const std::string& html) {
  std::vector<std::string> out;
  for (size_t pos = 0; (pos = html.find("src=\"", pos)) != std::string::npos;) {
    pos += 5;
    const size_t end = html.find('"', pos);
    out.push_back(html.substr(pos, end - pos));
  }
  return out;
}

constexpr std::string_view kDataUriPrefix = "data:image/png;base64,";

TEST(ReportTest, Base64EncodeKnownAnswers) {
  // RFC 4648 section 10, then bytes that use the last two symbols and a NUL.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
      {std::string("\xfb\xff\xbf", 3), "+/+/"},
      {std::string("\0\0\0\xff", 4), "AAAA/w=="},
      {std::string("\x89PNG\r\n\x1a\n", 8), "iVBORw0KGgo="},
  };
  for (const auto& [bytes, want] : cases) {
    EXPECT_EQ(Base64Encode(bytes), want) << "bytes: " << bytes;
    EXPECT_EQ(Base64Decode(want), bytes) << want;
  }
}

TEST(ReportTest, PngDataUriOfAPngAndRefusalOfAnythingElse) {
  const std::string signature("\x89PNG\r\n\x1a\n", 8);
  auto uri = PngDataUri(signature + "abc");
  ASSERT_TRUE(uri.ok()) << uri.status().ToString();
  EXPECT_EQ(*uri, "data:image/png;base64,iVBORw0KGgphYmM=");
  // A file name where the bytes belong, nothing, a truncated signature, a JPEG.
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"map.png", "got 7 bytes: \"map.png\")"},
      {"", "got 0 bytes: \"\")"},
      {signature.substr(0, 7), "got 7 bytes: \"?PNG???\")"},
      {"\xff\xd8\xff\xe0 JFIF and a long tail", "got 25 bytes: \"???? JFIF and a ...\")"},
  };
  for (const auto& [bytes, got] : bad) {
    const auto r = PngDataUri(bytes);
    ASSERT_FALSE(r.ok()) << got;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput) << got;
    EXPECT_EQ(r.status().message(),
              "PNG data URI: expected PNG bytes, which start with the 8-byte PNG signature (" + got)
        << got;
  }
}

// Each renderer a report inlines hands back exactly the bytes it wrote, and leaves the caller's
// string alone when it fails.
TEST(ReportTest, RenderersReturnTheBytesTheyWrite) {
  TextForecast f(kRisk, 25);
  const std::string dir = TestDir();
  std::string png;
  ASSERT_TRUE(RenderForecastPng(dir + "/map.png", f.product, {}, &png).ok());
  EXPECT_EQ(png.substr(0, 4), "\x89PNG");
  EXPECT_EQ(png, Slurp(dir + "/map.png"));
  grid::Boundary a{"a", {grid::Ring{{0, 1000, 1000}, {0, 0, 1000}}}};
  ASSERT_TRUE(RenderAreaMapPng(dir + "/area.png", {a}, {2}, "t", "v", &png).ok());
  EXPECT_EQ(png, Slurp(dir + "/area.png"));
  ASSERT_TRUE(RenderBarChartPng(dir + "/bars.png", "t", "v", {{"x", 1.5}}, 1.0, "one", &png).ok());
  EXPECT_EQ(png, Slurp(dir + "/bars.png"));
  png = "untouched";
  EXPECT_EQ(RenderForecastPng(dir + "/no-such-dir/map.png", f.product, {}, &png).code(),
            ErrorCode::kIo);
  EXPECT_EQ(RenderAreaMapPng(dir + "/no-such-dir/a.png", {a}, {2}, "t", "v", &png).code(),
            ErrorCode::kIo);
  EXPECT_EQ(RenderBarChartPng(dir + "/no-such-dir/b.png", "t", "v", {{"x", 1.5}}, 1.0, "one", &png)
                .code(),
            ErrorCode::kIo);
  EXPECT_EQ(png, "untouched");
}

// Issue 14 point 6: the report carries its map inside it, so a report mailed on its own shows the
// map; decoding its one image gives back the bytes of the map.png written beside it.
TEST(ReportTest, InlinesTheMapSoTheReportStandsAlone) {
  TextForecast f(kRisk, 25);
  const std::string dir = TestDir();
  std::string png;
  ASSERT_TRUE(RenderForecastPng(dir + "/map.png", f.product, {}, &png).ok());
  ASSERT_TRUE(WriteForecastReportHtml(dir + "/report.html", f.product, png).ok());
  const std::string html = Slurp(dir + "/report.html");
  EXPECT_NE(html.find("<img class=\"map\" src=\"data:image/png;base64,iVBORw0KGgo"),
            std::string::npos);
  const std::vector<std::string> srcs = ImageSources(html);
  ASSERT_EQ(srcs.size(), 1u);
  ASSERT_EQ(srcs[0].substr(0, kDataUriPrefix.size()), kDataUriPrefix);
  EXPECT_EQ(Base64Decode(srcs[0].substr(kDataUriPrefix.size())), Slurp(dir + "/map.png"));
  // No reference to any file beside it.
  EXPECT_EQ(html.find(".png"), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  // No map given: no image. A file name given where the bytes belong: refused, nothing written.
  ASSERT_TRUE(WriteForecastReportHtml(dir + "/bare.html", f.product, "").ok());
  EXPECT_EQ(Slurp(dir + "/bare.html").find("<img"), std::string::npos);
  const Status st = WriteForecastReportHtml(dir + "/named.html", f.product, "map.png");
  EXPECT_EQ(st.code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(st.message(),
            "forecast report: map_png: PNG data URI: expected PNG bytes, which start with the "
            "8-byte PNG signature (got 7 bytes: \"map.png\")");
  EXPECT_FALSE(std::filesystem::exists(dir + "/named.html"));
}

// Issue 14: the caption said "the blue outline marks the top 0.640361 % of cells".
TEST(ReportTest, Issue14CaptionRoundsTheShareAndSaysHowTheTopCellsAreOutlined) {
  TextForecast f(kRisk, 0.640361);
  const std::string dir = TestDir();
  ASSERT_TRUE(WriteForecastReportHtml(dir + "/report.html", f.product, "").ok());
  const std::string html = Slurp(dir + "/report.html");
  EXPECT_NE(html.find("the blue outline marks the top 0.64% of cells (1)"), std::string::npos);
  EXPECT_NE(html.find("0.64% of cells = 1 cells"), std::string::npos);
  EXPECT_EQ(html.find("0.640361"), std::string::npos);
  // The other captions of the rule, as the map draws it.
  internal::TopOutlinePlan plan;
  plan.top_cells = 4744;
  plan.mode = internal::TopOutlineMode::kBlocks;
  plan.block_cells = 3;
  EXPECT_EQ(internal::TopOutlineCaption(plan, "top 5% of cells (4744)"),
            "the blue outline marks the top 5% of cells (4744), merged into blocks of 3 × 3 cells "
            "that hold one (single cells are too small on this map to outline)");
  plan.mode = internal::TopOutlineMode::kNone;
  EXPECT_EQ(internal::TopOutlineCaption(plan, "top 5% of cells (4744)"),
            "the top 5% of cells (4744) are too small and too many on this map to outline; the "
            "cell table and the layers list them");
}

TEST(ReportTest, HtmlEscapeKnownAnswer) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">Tom's & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; co&lt;/a&gt;");
}

TEST(ReportTest, IsByteReproducible) {
  TextForecast f(kRisk, 25);
  const std::string dir = TestDir();
  std::string png;
  ASSERT_TRUE(RenderForecastPng(dir + "/map.png", f.product, {}, &png).ok());
  ASSERT_TRUE(WriteForecastReportHtml(dir + "/a.html", f.product, png).ok());
  ASSERT_TRUE(WriteForecastReportHtml(dir + "/b.html", f.product, png).ok());
  EXPECT_EQ(Slurp(dir + "/a.html"), Slurp(dir + "/b.html"));
}

TEST(ReportTest, EscapesHostileStrings) {
  TextForecast f(kRisk, 25);
  f.product.model = "<script>alert('model')</script>";
  f.product.title = "Forecast <script>alert(1)</script>";
  f.product.warnings = {"only 3 events & <script>x()</script>", "second warning"};
  f.product.params_json = R"({"<img src=x>":"<b>bold</b>","bandwidth_m":200})";
  f.product.generated_note = "note <i>";
  const std::string path = TestDir() + "/report.html";
  ASSERT_TRUE(WriteForecastReportHtml(path, f.product, "").ok());
  const std::string html = Slurp(path);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img src=x>"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("<i>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;model&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("only 3 events &amp; &lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("parameter &lt;img src=x&gt;"), std::string::npos);
  EXPECT_NE(html.find("note &lt;i&gt;"), std::string::npos);
}

TEST(ReportTest, HasSettingsWarningsAndTopCells) {
  TextForecast f(kRisk, 25);
  f.product.warnings = {"few events in the training window"};
  const std::string path = TestDir() + "/report.html";
  std::string png;
  ASSERT_TRUE(RenderForecastPng(TestDir() + "/map.png", f.product, {}, &png).ok());
  ASSERT_TRUE(WriteForecastReportHtml(path, f.product, png).ok());
  const std::string html = Slurp(path);
  for (const char* want :
       {"<title>kde forecast of burglary for 2024-03-01</title>",
        "<img class=\"map\" src=\"data:image/png;base64,",
        "<tr><th>parameter bandwidth_m</th><td>200</td></tr>",
        "<tr><th>parameter window_days</th><td>90</td></tr>",
        "<tr><th>parameter kernel</th><td>quartic</td></tr>",
        "<tr><th>offence</th><td>burglary</td></tr>", "<tr><th>origin</th><td>2024-03-01</td></tr>",
        "<tr><th>horizon</th><td>7 days</td></tr>",
        "<tr><th>training window</th><td>2023-12-02 \xe2\x80\x93 2024-03-01</td></tr>",
        "<tr><th>training events</th><td>321</td></tr>", "<tr><th>CRS</th><td>EPSG:32618</td></tr>",
        "class=\"warnings\"", "<li>few events in the training window</li>", "Top 12 cells",
        "How to read this", "not people", "Generated by products_test."}) {
    EXPECT_NE(html.find(want), std::string::npos) << want;
  }
  // One table row per cell (12 < 20), the top cell first.
  size_t rows = 0;
  for (size_t pos = 0; (pos = html.find("<tr><td class=\"num\">", pos)) != std::string::npos;
       ++pos) {
    ++rows;
  }
  EXPECT_EQ(rows, 12u);
  EXPECT_NE(html.find("<tr><td class=\"num\">1</td><td class=\"num\">6</td>"), std::string::npos);
  // No warnings, no box.
  f.product.warnings.clear();
  ASSERT_TRUE(WriteForecastReportHtml(path, f.product, "").ok());
  EXPECT_EQ(Slurp(path).find("class=\"warnings\""), std::string::npos);
}

TEST(ReportTest, ExplainsTopCells) {
  TextForecast f(kRisk, 25);
  const std::string path = TestDir() + "/report.html";
  // No explanations: no section.
  ASSERT_TRUE(WriteForecastReportHtml(path, f.product, "").ok());
  EXPECT_EQ(Slurp(path).find("Why these cells"), std::string::npos);
  f.product.explanations_json = R"({"model": "retro", "explained_cells": 1, "note": "top <1>",
    "cells": [{"rank": 1, "cell": 6, "risk": 1.5, "note": "kernel weights",
      "parts": [{"name": "0-50 m", "value": 1.5, "share": 1}],
      "bands": [{"distance_from_m": 0, "distance_to_m": 50, "age_from_days": 0,
                 "age_to_days": 7, "events": 2, "value": 1.5, "share": 1}],
      "top_events": [{"time_utc": "2024-02-28T10:00:00Z", "offence": "Burglary <res>",
                      "group": "burglary", "distance_m": 20, "age_days": 1.58,
                      "contribution": 0.75}]}]})";
  ASSERT_TRUE(WriteForecastReportHtml(path, f.product, "").ok());
  const std::string html = Slurp(path);
  for (const char* want :
       {"<h2>Why these cells</h2>\n<p>top &lt;1&gt;</p>", "<h3>Rank 1: cell 6, value 1.5</h3>",
        "<tr><td>0-50 m</td><td class=\"num\">1.5</td><td class=\"num\">100.0 %</td></tr>",
        "<tr><td>0\xe2\x80\x93"
        "50 m</td><td>0\xe2\x80\x93"
        "7 days</td><td class=\"num\">2</td>",
        "<tr><td>2024-02-28T10:00:00Z</td><td>Burglary &lt;res&gt;</td><td class=\"num\">20 m</td>"
        "<td class=\"num\">0.75</td></tr>"}) {
    EXPECT_NE(html.find(want), std::string::npos) << want;
  }
  // The section sits between the top cells and how to read them.
  EXPECT_LT(html.find("Top 12 cells"), html.find("Why these cells"));
  EXPECT_LT(html.find("Why these cells"), html.find("How to read this"));
  // A model that cannot be explained: the note alone.
  f.product.explanations_json =
      R"({"model": "kde", "note": "kde cannot be explained", "cells": []})";
  ASSERT_TRUE(WriteForecastReportHtml(path, f.product, "").ok());
  EXPECT_NE(Slurp(path).find("<h2>Why these cells</h2>\n<p>kde cannot be explained</p>\n<h2>"),
            std::string::npos);
  f.product.explanations_json = "[1]";
  const Status bad = WriteForecastReportHtml(path, f.product, "");
  EXPECT_EQ(bad.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(bad.message().find("explanations_json: expected a JSON object (got \"[1]\")"),
            std::string::npos)
      << bad.message();
}

TEST(ReportTest, ExplainsLearnedModelsByTheirFeatures) {
  // boost (issue 15): the features' contributions in words instead of parts, the features not
  // listed summed, and past events without a share of their own ("contribution": null).
  TextForecast f(kRisk, 25);
  const std::string path = TestDir() + "/report.html";
  f.product.explanations_json = R"({"model": "boost", "explained_cells": 1, "note": "top",
    "cells": [{"rank": 1, "cell": 6, "risk": 2.5, "note": "exp of the margin", "margin": 0.916,
      "bias": -1.2, "other_features_contribution": 0.116, "num_features": 19,
      "features": [{"name": "count_7d_1x1", "words": "events in the cell in the last 7 days",
                    "value": 4, "contribution": 2}],
      "parts": [], "bands": [],
      "top_events": [{"time_utc": "2024-02-28T10:00:00Z", "offence": "Thefts",
                      "group": "theft", "distance_m": 20, "age_days": 1.58,
                      "contribution": null}]}]})";
  ASSERT_TRUE(WriteForecastReportHtml(path, f.product, "").ok());
  const std::string html = Slurp(path);
  for (const char* want :
       {"<tr><th>feature</th><th>value</th><th>adds (log scale)</th></tr>\n"
        "<tr><td>bias</td><td></td><td class=\"num\">-1.2</td></tr>\n"
        "<tr><td>events in the cell in the last 7 days</td><td class=\"num\">4</td>"
        "<td class=\"num\">+2</td></tr>\n"
        "<tr><td>the other 18 features</td><td></td><td class=\"num\">+0.116</td></tr>\n"
        "<tr><td>margin</td><td></td><td class=\"num\">+0.916</td></tr>",
        "<td class=\"num\">20 m</td><td>\xe2\x80\x93</td></tr>"}) {
    EXPECT_NE(html.find(want), std::string::npos) << want;
  }
  EXPECT_EQ(html.find("<th>part</th>"), std::string::npos);  // no empty parts table
}

TEST(ReportTest, ShowsModelCard) {
  TextForecast f(kRisk, 25);
  f.product.model_card_json =
      R"({"model":"kde","training_window":{"from":"2023-12-02","to":"2024-03-01"},)"
      R"("known_limitations":["learns from <recorded> incidents"],"intended_use":"review"})";
  const std::string path = TestDir() + "/card.html";
  ASSERT_TRUE(WriteForecastReportHtml(path, f.product, "").ok());
  const std::string html = Slurp(path);
  for (const char* want :
       {"<h2>Model card</h2>", "<tr><th>model</th><td>kde</td></tr>",
        "<tr><th>training_window</th><td>from: 2023-12-02<br>to: 2024-03-01<br></td></tr>",
        "<li>learns from &lt;recorded&gt; incidents</li>",
        "<tr><th>intended_use</th><td>review</td></tr>"}) {
    EXPECT_NE(html.find(want), std::string::npos) << want;
  }
  f.product.model_card_json = "[1]";
  const Status bad = WriteForecastReportHtml(path, f.product, "");
  EXPECT_EQ(bad.code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(bad.message(),
            "forecast product: model_card_json: expected a JSON object (got \"[1]\")");
  f.product.model_card_json = "";
  ASSERT_TRUE(WriteForecastReportHtml(path, f.product, "").ok());
  EXPECT_EQ(Slurp(path).find("Model card"), std::string::npos);
}

// A public release: the report states it and counts the suppressed cells, and the map draws.
TEST(ReportTest, NamesSuppressedCellsOfAPublicRelease) {
  TextForecast f(kRisk, 25);
  f.product.suppressed.assign(12, 0);
  f.product.suppressed[6] = 1;
  f.product.privacy_note = "public release: k = 3";
  const std::string dir = TestDir();
  ASSERT_TRUE(WriteForecastReportHtml(dir + "/report.html", f.product, "").ok());
  const std::string html = Slurp(dir + "/report.html");
  EXPECT_NE(html.find("<h2>Public release</h2>\n<p>public release: k = 3</p>"), std::string::npos);
  EXPECT_NE(html.find("1 of 12 cells are suppressed"), std::string::npos);
  ASSERT_TRUE(RenderForecastPng(dir + "/map.png", f.product).ok());
}

// The map and the report, for the failures every product writer shares.
using ProductWriter = std::function<Status(const std::string&, const ForecastProduct&)>;
std::vector<std::pair<std::string, ProductWriter>> RenderWriters() {
  return {
      {"map.png",
       [](const std::string& p, const ForecastProduct& f) { return RenderForecastPng(p, f); }},
      {"report.html", [](const std::string& p,
                         const ForecastProduct& f) { return WriteForecastReportHtml(p, f, ""); }},
  };
}

TEST(ReportTest, UnwritablePathIsIoErrorNamingPathWithNoPartialFile) {
  TextForecast f(kRisk, 25);
  const std::string dir = TestDir() + "/no-such-dir";
  for (const auto& [name, write] : RenderWriters()) {
    const std::string path = dir + "/" + name;
    const Status st = write(path, f.product);
    EXPECT_EQ(st.code(), ErrorCode::kIo) << name << ": " << st.ToString();
    EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
    EXPECT_FALSE(std::filesystem::exists(path)) << name;
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp")) << name;
  }
}

TEST(ReportTest, InvalidProductsAreInvalidInput) {
  const std::string dir = TestDir();
  for (const io::testing::InvalidProductCase& c : io::testing::InvalidProductCases()) {
    for (const auto& [name, write] : RenderWriters()) {
      TextForecast f(kRisk, 25);
      c.mutate(f.product, f.surface);
      const std::string path = dir + "/" + name;
      const Status st = write(path, f.product);
      EXPECT_EQ(st.code(), ErrorCode::kInvalidInput) << c.what << ", " << name;
      EXPECT_EQ(st.message(), c.message) << c.what << ", " << name;
      EXPECT_FALSE(std::filesystem::exists(path)) << c.what << ", " << name;
    }
  }
}

TEST(ReportTest, BadParamsJsonIsInvalidInput) {
  TextForecast f(kRisk, 25);
  const std::string dir = TestDir();
  for (const char* bad : {"{\"bandwidth_m\":", "[1,2]", "not json"}) {
    f.product.params_json = bad;
    const Status st = WriteForecastReportHtml(dir + "/r.html", f.product, "");
    EXPECT_EQ(st.code(), ErrorCode::kInvalidInput) << bad;
    EXPECT_NE(st.message().find("params_json: expected a JSON object (got \"" + std::string(bad)),
              std::string::npos)
        << st.message();
  }
}

}  // namespace
}  // namespace placecast::render
