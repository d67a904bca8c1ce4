// SPDX-License-Identifier: Apache-2.0
// Tests of the PNG renderers: signature, byte reproducibility, and pixels read back through Cairo
// at places whose colour the drawing rules fix (cell centres, hotspot edges, overlay marks, curve
// and reliability points).
#include "placecast/render/map.h"

#include <cairo.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <tuple>

#include "io/products_test_fixture.h"
#include "render/render_internal.h"

namespace placecast::render {
namespace {

using internal::kRiskRamp;
using internal::kSeriesColours;
using internal::kTopOutline;
using internal::kZeroRiskFill;
using io::testing::kCell;
using io::testing::kRisk;
using io::testing::kX0;
using io::testing::kY0;
using io::testing::Slurp;
using io::testing::TestDir;
using io::testing::TextForecast;

// A PNG read back into memory.
class Png {
 public:
  explicit Png(const std::string& path) : s_(cairo_image_surface_create_from_png(path.c_str())) {}
  ~Png() { cairo_surface_destroy(s_); }
  bool ok() const { return cairo_surface_status(s_) == CAIRO_STATUS_SUCCESS; }
  int width() const { return cairo_image_surface_get_width(s_); }
  int height() const { return cairo_image_surface_get_height(s_); }
  // 0xRRGGBB of pixel (x, y) (rounded to whole pixels).
  uint32_t At(double x, double y) const {
    const int xi = static_cast<int>(std::floor(x)), yi = static_cast<int>(std::floor(y));
    EXPECT_TRUE(xi >= 0 && yi >= 0 && xi < width() && yi < height()) << xi << "," << yi;
    const unsigned char* row = cairo_image_surface_get_data(s_) +
                               static_cast<ptrdiff_t>(yi) * cairo_image_surface_get_stride(s_);
    uint32_t px;
    std::memcpy(&px, row + 4 * xi, 4);
    return px & 0xffffffu;
  }

 private:
  cairo_surface_t* s_;
};

bool HasPngSignature(const std::string& bytes) {
  return bytes.size() > 8 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
}

TEST(MapTest, ForecastPngHasSignatureAndIsReproducible) {
  TextForecast f(kRisk, 25);
  f.product.study_area = &f.area;
  const std::string dir = TestDir();
  ASSERT_TRUE(RenderForecastPng(dir + "/a.png", f.product).ok());
  ASSERT_TRUE(RenderForecastPng(dir + "/b.png", f.product).ok());
  const std::string a = Slurp(dir + "/a.png");
  EXPECT_TRUE(HasPngSignature(a));
  EXPECT_TRUE(a == Slurp(dir + "/b.png")) << "two renders of one forecast differ";
  EXPECT_FALSE(std::filesystem::exists(dir + "/a.png.tmp"));
  // A different forecast gives a different picture.
  f.surface.value[0] = 4;
  ASSERT_TRUE(RenderForecastPng(dir + "/c.png", f.product).ok());
  EXPECT_FALSE(a == Slurp(dir + "/c.png"));
}

TEST(MapTest, ForecastPngShadesEachCellByItsQuintile) {
  // Positive risks 1, 2, 3, 5, 8 each fall in their own quintile (6 positive cells; the two 1s
  // share the lowest class); zeros are the light fill.
  TextForecast f(kRisk, 25);
  const std::string path = TestDir() + "/map.png";
  ASSERT_TRUE(RenderForecastPng(path, f.product).ok());
  const Png png(path);
  ASSERT_TRUE(png.ok());
  const auto l = internal::ComputeMapLayout(f.grid, nullptr);
  EXPECT_EQ(png.width(), l.width_px);
  EXPECT_EQ(png.height(), l.height_px);
  EXPECT_EQ(png.width(), 1200);
  const std::vector<uint32_t> want = {
      kZeroRiskFill, kZeroRiskFill, kRiskRamp[0], kZeroRiskFill,  // row 0: 0 0 1 0
      kZeroRiskFill, kRiskRamp[3],  kRiskRamp[4], kRiskRamp[2],   // row 1: 0 5 8 3
      kZeroRiskFill, kZeroRiskFill, kRiskRamp[0], kRiskRamp[1],   // row 2: 0 0 1 2
  };
  for (grid::CellId c = 0; c < f.grid.num_cells(); ++c) {
    const uint32_t got = png.At(l.XToPx(f.grid.CellCenterX(c)), l.YToPx(f.grid.CellCenterY(c)));
    EXPECT_EQ(got, want[c]) << "cell " << c << std::hex << ": got " << got << " want " << want[c];
  }
  // Outside the grid (in the padding) the map stays white.
  EXPECT_EQ(png.At(l.XToPx(kX0 - 0.2 * kCell), l.YToPx(kY0 + 1.5 * kCell)), 0xffffffu);
}

TEST(MapTest, TopCellsAreOutlinedAsOneGroup) {
  // Top 25 % = cells 5, 6, 7: the middle row's three eastern cells.
  TextForecast f(kRisk, 25);
  const std::string path = TestDir() + "/map.png";
  ASSERT_TRUE(RenderForecastPng(path, f.product).ok());
  const Png png(path);
  ASSERT_TRUE(png.ok());
  const auto l = internal::ComputeMapLayout(f.grid, nullptr);
  const double north_edge_py = std::round(l.YToPx(kY0 + 2 * kCell));
  const double south_edge_py = std::round(l.YToPx(kY0 + 1 * kCell));
  const double west_edge_px = std::round(l.XToPx(kX0 + 1 * kCell));
  const double mid_y = l.YToPx(kY0 + 1.5 * kCell);
  for (double cx : {1.5, 2.5, 3.5}) {
    const double px = l.XToPx(kX0 + cx * kCell);
    EXPECT_EQ(png.At(px, north_edge_py), kTopOutline) << cx;
    EXPECT_EQ(png.At(px, north_edge_py - 1), kTopOutline) << cx;
    EXPECT_EQ(png.At(px, south_edge_py), kTopOutline) << cx;
  }
  EXPECT_EQ(png.At(west_edge_px, mid_y), kTopOutline);
  // The shared edge between cells 5 and 6 is inside the group: not outlined.
  EXPECT_EQ(png.At(std::round(l.XToPx(kX0 + 2 * kCell)), mid_y), kRiskRamp[4]);
  // The edge between the non-top cells 0 and 1 is not outlined either.
  EXPECT_EQ(png.At(std::round(l.XToPx(kX0 + 1 * kCell)), l.YToPx(kY0 + 0.5 * kCell)),
            kZeroRiskFill);
}

TEST(MapTest, AllZeroForecastAndMaskedCellsRender) {
  TextForecast f({"0 . 0", ". 0 0"}, 5);
  f.product.study_area = &f.area;
  const std::string path = TestDir() + "/map.png";
  ASSERT_TRUE(RenderForecastPng(path, f.product).ok());
  const Png png(path);
  ASSERT_TRUE(png.ok());
  const auto l = internal::ComputeMapLayout(f.grid, &f.area);
  // Active zero cells are light grey; masked cells stay white.
  EXPECT_EQ(png.At(l.XToPx(kX0 + 1.5 * kCell), l.YToPx(kY0 + 0.5 * kCell)), kZeroRiskFill);
  EXPECT_EQ(png.At(l.XToPx(kX0 + 0.5 * kCell), l.YToPx(kY0 + 0.5 * kCell)), 0xffffffu);
  EXPECT_EQ(png.At(l.XToPx(kX0 + 1.5 * kCell), l.YToPx(kY0 + 1.5 * kCell)), 0xffffffu);
}

TEST(MapTest, MapLayoutKeepsAspectAndFitsTheImage) {
  TextForecast wide({"1 1 1 1 1 1 1 1 1 1"});
  TextForecast tall({"1", "1", "1", "1", "1", "1", "1", "1", "1", "1"});
  for (const grid::Grid* g : {&wide.grid, &tall.grid}) {
    const auto l = internal::ComputeMapLayout(*g, nullptr);
    // One metre is the same number of pixels across and down; the grid is inside the frame.
    EXPECT_NEAR(l.XToPx(kX0 + 150) - l.XToPx(kX0), l.YToPx(kY0) - l.YToPx(kY0 + 150), 1e-9);
    EXPECT_GE(l.XToPx(kX0), l.map_left_px);
    EXPECT_LE(l.XToPx(kX0 + g->nx() * kCell), l.map_left_px + l.map_width_px + 1e-9);
    EXPECT_GE(l.YToPx(kY0 + g->ny() * kCell), l.map_top_px);
    EXPECT_LE(l.YToPx(kY0), l.map_top_px + l.map_height_px + 1e-9);
    EXPECT_LE(l.map_left_px + l.map_width_px, l.width_px - 290);  // clear of the legend
    EXPECT_GE(l.height_px, 500);
    EXPECT_LE(l.height_px, 1300);
  }
}

TEST(MapTest, QuantileClassesShareTiesAndSkipZeros) {
  std::vector<double> upper;
  EXPECT_EQ(internal::QuantileClasses({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5, &upper),
            (std::vector<int>{-1, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4}));
  EXPECT_EQ(upper, (std::vector<double>{2, 4, 6, 8, 10}));
  EXPECT_EQ(internal::QuantileClasses({0, 1, 1, 1, 1, 2}, 5, &upper),
            (std::vector<int>{-1, 0, 0, 0, 0, 4}));
  EXPECT_EQ(internal::QuantileClasses({0, 0}, 5, &upper), (std::vector<int>{-1, -1}));
  EXPECT_TRUE(upper.empty());
}

// The overlay is drawn from memory over the map: a circle mark tints its cells, its dot sits at
// its anchor, a polygon mark tints the cells inside it, and an empty overlay changes nothing.
TEST(MapTest, OverlayDrawsMarksWhereTheyAre) {
  TextForecast f(kRisk, 25);
  const std::string dir = TestDir();
  ASSERT_TRUE(RenderForecastPng(dir + "/plain.png", f.product).ok());
  ASSERT_TRUE(RenderForecastPng(dir + "/empty.png", f.product, MapOverlay{}).ok());
  EXPECT_TRUE(Slurp(dir + "/plain.png") == Slurp(dir + "/empty.png"));

  MapOverlay o;
  o.fill = {0, 0, 1, 0.5};
  o.line = {0, 0, 0, 1};
  o.dot_radius_px = 4;
  // A circle around the centre of cell (col 0, row 0) and a square over cell (col 3, row 2).
  const double cx = kX0 + 0.5 * kCell, cy = kY0 + 0.5 * kCell;
  o.marks.push_back({{}, cx, cy, 0.45 * kCell, "1"});
  const double x0 = kX0 + 3 * kCell, y0 = kY0 + 2 * kCell;
  grid::Ring sq{{x0, x0 + kCell, x0 + kCell, x0}, {y0, y0, y0 + kCell, y0 + kCell}};
  o.marks.push_back({{sq}, x0 + 0.5 * kCell, y0 + 0.5 * kCell, 0, ""});
  o.note = "plan <note>";
  ASSERT_TRUE(RenderForecastPng(dir + "/plan.png", f.product, o).ok());
  const Png plain(dir + "/plain.png"), plan(dir + "/plan.png");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.width(), plain.width());
  EXPECT_EQ(plan.height(), plain.height());
  const auto l = internal::ComputeMapLayout(f.grid, nullptr);
  // The dot is drawn in the line colour at the anchor.
  EXPECT_EQ(plan.At(l.XToPx(cx), l.YToPx(cy)), 0x000000u);
  // Inside the circle, off the dot: the cell's zero-risk fill half covered by blue.
  auto blend = [](uint32_t rgb) {
    const uint32_t r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
    return std::make_tuple(r / 2, g / 2, b / 2 + 127);
  };
  auto near = [](uint32_t got, std::tuple<uint32_t, uint32_t, uint32_t> want) {
    const auto [r, g, b] = want;
    return std::abs(static_cast<int>((got >> 16) & 0xff) - static_cast<int>(r)) <= 2 &&
           std::abs(static_cast<int>((got >> 8) & 0xff) - static_cast<int>(g)) <= 2 &&
           std::abs(static_cast<int>(got & 0xff) - static_cast<int>(b)) <= 2;
  };
  const double off = 0.25 * kCell;
  EXPECT_TRUE(near(plan.At(l.XToPx(cx - off), l.YToPx(cy - off)), blend(kZeroRiskFill)))
      << std::hex << plan.At(l.XToPx(cx - off), l.YToPx(cy - off));
  // Inside the square, off its dot: risk 2 (the top class) half covered by blue.
  const double sx = x0 + 0.2 * kCell, sy = y0 + 0.2 * kCell;
  EXPECT_TRUE(near(plan.At(l.XToPx(sx), l.YToPx(sy)), blend(plain.At(l.XToPx(sx), l.YToPx(sy)))))
      << std::hex << plan.At(l.XToPx(sx), l.YToPx(sy));
  // A cell under no mark is untouched.
  const double ux = kX0 + 1.5 * kCell, uy = kY0 + 1.5 * kCell;
  EXPECT_EQ(plan.At(l.XToPx(ux), l.YToPx(uy)), plain.At(l.XToPx(ux), l.YToPx(uy)));
  // Same overlay, same bytes.
  ASSERT_TRUE(RenderForecastPng(dir + "/plan2.png", f.product, o).ok());
  EXPECT_TRUE(Slurp(dir + "/plan.png") == Slurp(dir + "/plan2.png"));
}

TEST(MapTest, HitRatePngDrawsEachSeriesWhereItsPointsAre) {
  const std::vector<CurveSeries> series = {
      {"flat half", {0, 50, 100}, {0.5, 0.5, 0.5}},
      {"flat high", {0, 100}, {0.9, 0.9}},
  };
  const std::string dir = TestDir();
  ASSERT_TRUE(RenderHitRateCurvesPng(dir + "/a.png", series, "Hit rate <by> coverage").ok());
  ASSERT_TRUE(RenderHitRateCurvesPng(dir + "/b.png", series, "Hit rate <by> coverage").ok());
  const std::string a = Slurp(dir + "/a.png");
  EXPECT_TRUE(HasPngSignature(a));
  EXPECT_TRUE(a == Slurp(dir + "/b.png"));
  const Png png(dir + "/a.png");
  ASSERT_TRUE(png.ok());
  const auto l = internal::ComputeCurveLayout();
  EXPECT_EQ(png.width(), l.width_px);
  EXPECT_EQ(png.height(), l.height_px);
  // Hit rate 0.5 lies on a whole pixel row; a 2.4 px line covers that row fully.
  ASSERT_EQ(l.YToPx(0.5), std::floor(l.YToPx(0.5)));
  EXPECT_EQ(png.At(l.XToPx(0, 30), l.YToPx(0.5)), kSeriesColours[0]);
  EXPECT_EQ(png.At(l.XToPx(1, 12), l.YToPx(0.5)), kSeriesColours[0]);
  EXPECT_EQ(png.At(l.XToPx(0, 70), std::floor(l.YToPx(0.9))), kSeriesColours[1]);
  // Away from every line the plot is white.
  EXPECT_EQ(png.At(l.XToPx(0, 70) + 0.5, l.YToPx(0.3) + 0.5), 0xffffffu);
}

TEST(MapTest, HitRatePngBytesAreReturnedAsWritten) {
  const std::string path = TestDir() + "/curves.png";
  std::string bytes;
  ASSERT_TRUE(RenderHitRateCurvesPng(path, {{"kde", {0, 100}, {0, 1}}}, "t", &bytes).ok());
  EXPECT_TRUE(HasPngSignature(bytes));
  EXPECT_TRUE(bytes == Slurp(path));
}

TEST(MapTest, ReliabilityLayoutSpansWholeDecadesOfTheData) {
  struct Case {
    std::vector<double> counts;
    int lo, hi;
  } cases[] = {
      {{0.004, 0.5, 0}, -3, 0},  // zero is not a decade
      {{1e-9, 2}, -5, 1},        // at most 6 decades: the lower end moves up
      {{3, 3}, 0, 1},            // at least one
      {{}, -3, 0},               // none: the default
      {{0, std::numeric_limits<double>::quiet_NaN()}, -3, 0},
  };
  for (const Case& c : cases) {
    const auto l = internal::ComputeReliabilityLayout(c.counts, {0.25, 0.01});
    EXPECT_EQ(l.lo_exp[0], c.lo) << c.counts.size();
    EXPECT_EQ(l.hi_exp[0], c.hi) << c.counts.size();
    EXPECT_EQ(l.lo_exp[1], -2);
    EXPECT_EQ(l.hi_exp[1], 0);
  }
  const auto l = internal::ComputeReliabilityLayout({0.01, 1}, {});
  EXPECT_EQ(l.XToPx(0, 0.01), l.left_px[0]);
  EXPECT_EQ(l.XToPx(0, 0.1), l.left_px[0] + l.plot_px / 2);
  EXPECT_EQ(l.YToPx(0, 1), l.top_px);
  EXPECT_EQ(l.YToPx(0, 0), l.top_px + l.plot_px);  // zero sits on the lower edge
}

TEST(MapTest, ReliabilityPngDrawsEachDecileWhereItIs) {
  const std::vector<ReliabilitySeries> series = {
      {"naive", {1, 0.1, 0.03}, {1, 0.1, 0}, {0.9, 0.09, 0.01}, {0.9, 0.1, 0}},
      {"retro", {}, {}, {0.5, 0.3, 0.2}, {0.2, 0.3, 0.5}},
  };
  const std::string dir = TestDir();
  std::string bytes;
  ASSERT_TRUE(RenderReliabilityPng(dir + "/a.png", "Calibration <by> decile",
                                   "events per cell per day", series, &bytes)
                  .ok());
  ASSERT_TRUE(RenderReliabilityPng(dir + "/b.png", "Calibration <by> decile",
                                   "events per cell per day", series)
                  .ok());
  EXPECT_TRUE(HasPngSignature(bytes));
  EXPECT_TRUE(bytes == Slurp(dir + "/a.png"));
  EXPECT_TRUE(bytes == Slurp(dir + "/b.png"));
  const Png png(dir + "/a.png");
  ASSERT_TRUE(png.ok());
  std::vector<double> counts = {1, 0.1, 0.03, 1, 0.1, 0};
  std::vector<double> shares = {0.9, 0.09, 0.01, 0.9, 0.1, 0, 0.5, 0.3, 0.2, 0.2, 0.3, 0.5};
  const auto l = internal::ComputeReliabilityLayout(counts, shares);
  EXPECT_EQ(png.width(), l.width_px);
  EXPECT_EQ(png.height(), l.height_px);
  // Filled markers at the counts (decile 2 of naive) and at the shares (decile 3 of retro).
  EXPECT_EQ(png.At(l.XToPx(0, 0.1), l.YToPx(0, 0.1)), kSeriesColours[0]);
  EXPECT_EQ(png.At(l.XToPx(1, 0.2), l.YToPx(1, 0.5)), kSeriesColours[1]);
  // Naive's decile 3 observed nothing: a hollow marker on the lower edge.
  EXPECT_EQ(png.At(l.XToPx(0, 0.03), l.top_px + l.plot_px - 2), 0xffffffu);
  // Away from the lines the counts panel is white: retro, without counts, is not drawn there.
  EXPECT_EQ(png.At(l.XToPx(0, 0.5), l.YToPx(0, 0.2)), 0xffffffu);

  // Without any series of counts the left panel says so instead of plotting.
  ASSERT_TRUE(RenderReliabilityPng(dir + "/c.png", "t", "u", {series[1]}).ok());
}

TEST(MapTest, ReliabilityInvalidSeriesAreInvalidInput) {
  const std::string path = TestDir() + "/reliability.png";
  const std::string who = path + ": reliability plot: series \"naive\": ";
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    std::vector<ReliabilitySeries> series;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{}, path + ": reliability plot: no series to plot"},
      {{{"naive", {}, {}, {}, {}}}, who + "no decile"},
      {{{"naive", {}, {}, {0.5, 0.5}, {1}}}, who + "shares: 2 predicted but 1 observed"},
      {{{"naive", {1}, {1, 2}, {1}, {1}}}, who + "counts: 1 predicted but 2 observed"},
      {{{"naive", {1}, {1}, {0.5, 0.5}, {0.5, 0.5}}}, who + "1 deciles of counts but 2 of shares"},
      {{{"naive", {}, {}, {0.5, -0.1}, {1, 0}}},
       who + "decile 2: shares: expected a value >= 0 (got -0.1)"},
      {{{"naive", {inf}, {1}, {1}, {1}}},
       who + "decile 1: counts: expected a value >= 0 (got inf)"},
  };
  for (const Case& c : cases) {
    const Status st = RenderReliabilityPng(path, "t", "u", c.series);
    EXPECT_EQ(st.code(), ErrorCode::kInvalidInput) << c.message;
    EXPECT_EQ(st.message(), c.message);
    EXPECT_FALSE(std::filesystem::exists(path));
  }
}

TEST(MapTest, HitRateInvalidSeriesAreInvalidInput) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    std::vector<CurveSeries> series;
    const char* message;
  };
  const std::vector<Case> cases = {
      {{}, "hit-rate curves: no series to plot"},
      {{{"kde", {}, {}}}, "hit-rate curves: series \"kde\": no points"},
      {{{"kde", {1, 2}, {0.1}}},
       "hit-rate curves: series \"kde\": 2 coverage values but 1 hit rates"},
      {{{"ok", {1}, {0.1}}, {"rhs", {1, 2}, {0.1, 1.5}}},
       "hit-rate curves: series \"rhs\": point 1: hit_rate: expected a value in [0, 1] (got 1.5)"},
      {{{"kde", {-1}, {0.1}}},
       "hit-rate curves: series \"kde\": point 0: coverage_pct: expected a value in [0, 100] "
       "(got -1)"},
      {{{"kde", {5, nan}, {0.1, 0.2}}},
       "hit-rate curves: series \"kde\": point 1: coverage_pct: expected a value in [0, 100] "
       "(got nan)"},
  };
  const std::string path = TestDir() + "/curves.png";
  for (const Case& c : cases) {
    const Status st = RenderHitRateCurvesPng(path, c.series, "t");
    EXPECT_EQ(st.code(), ErrorCode::kInvalidInput) << c.message;
    EXPECT_EQ(st.message(), c.message);
    EXPECT_FALSE(std::filesystem::exists(path));
  }
}

TEST(MapTest, HitRateUnwritablePathIsIoError) {
  const std::string path = TestDir() + "/missing/curves.png";
  const Status st = RenderHitRateCurvesPng(path, {{"kde", {0, 100}, {0, 1}}}, "t");
  EXPECT_EQ(st.code(), ErrorCode::kIo);
  EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(MapTest, LineChartDrawsEachSeriesWhereItsPointsAre) {
  // x runs 0..10 over the 760 px plot from x = 90 px; y 0..1 over the 470 px plot whose bottom
  // is at 70 + 470 = 540 px: y 0.5 -> 540 - 235 = 305 px, y 0.2 -> 540 - 94 = 446 px (whole rows).
  const std::vector<LineSeries> series = {
      {"none", {0, 5, 10}, {0.5, 0.5, 0.5}, {}, {}},
      {"oracle", {0, 10}, {0.2, 0.2}, {}, {}},
  };
  const std::string dir = TestDir();
  for (const char* name : {"/a.png", "/b.png"}) {
    ASSERT_TRUE(
        RenderLineChartPng(dir + name, "Share <by> day", "day", "share", series, 0, 1, 0.8, "truth")
            .ok());
  }
  const std::string a = Slurp(dir + "/a.png");
  EXPECT_TRUE(HasPngSignature(a));
  EXPECT_TRUE(a == Slurp(dir + "/b.png"));
  const Png png(dir + "/a.png");
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png.width(), 1200);
  EXPECT_EQ(png.height(), 640);
  auto px = [](double x) { return 90 + x / 10 * 760; };
  EXPECT_EQ(png.At(px(3), 305), kSeriesColours[0]);
  EXPECT_EQ(png.At(px(8), 305), kSeriesColours[0]);
  EXPECT_EQ(png.At(px(3), 446), kSeriesColours[1]);
  EXPECT_EQ(png.At(px(3) + 0.5, 540 - 0.65 * 470 + 0.5), 0xffffffu);
}

TEST(MapTest, LineChartShadesBandsUnderTheLines) {
  // y 0..1 over the 470 px plot whose bottom is at 540 px: the band 0.3..0.7 spans rows 399..211;
  // the line at 0.5 is row 305. Inside the band but off the line (row 250, y ≈ 0.62) the pixel is
  // the series colour at 16% over white; outside the band (row 150, y ≈ 0.83) it is white.
  const std::vector<LineSeries> series = {{"none", {0, 10}, {0.5, 0.5}, {0.3, 0.3}, {0.7, 0.7}}};
  const std::string path = TestDir() + "/band.png";
  ASSERT_TRUE(RenderLineChartPng(path, "t", "x", "y", series, 0, 1).ok());
  const Png png(path);
  ASSERT_TRUE(png.ok());
  const double x = 90 + 3.3 / 10 * 760;
  EXPECT_EQ(png.At(x, 305), kSeriesColours[0]);
  auto blend = [](uint32_t rgb, int shift) {
    const double c = (rgb >> shift) & 0xff;
    return static_cast<uint32_t>(std::lround(255 - 0.16 * (255 - c)));
  };
  const uint32_t want = blend(kSeriesColours[0], 16) << 16 | blend(kSeriesColours[0], 8) << 8 |
                        blend(kSeriesColours[0], 0);
  const uint32_t got = png.At(x, 250);
  for (int shift : {16, 8, 0}) {
    EXPECT_NEAR(static_cast<double>((got >> shift) & 0xff),
                static_cast<double>((want >> shift) & 0xff), 1.0);
  }
  EXPECT_EQ(png.At(x, 150), 0xffffffu);
}

TEST(MapTest, LineChartInvalidInputs) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::string path = TestDir() + "/line.png";
  struct Case {
    std::vector<LineSeries> series;
    double y_min, y_max;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{}, 0, 1, path + ": line chart: no series to plot"},
      {{{"none", {}, {}, {}, {}}},
       0,
       1,
       path + ": line chart: series \"none\": expected as many y as x values, at least one "
              "(got 0 x, 0 y)"},
      {{{"ipw", {1, 2}, {0.1}, {}, {}}},
       0,
       1,
       path + ": line chart: series \"ipw\": expected as many y as x values, at least one "
              "(got 2 x, 1 y)"},
      {{{"ok", {1}, {0.1}, {}, {}}, {"bad", {1, 2}, {0.1, nan}, {}, {}}},
       0,
       1,
       path + ": line chart: series \"bad\": point 1: not finite (got 2, nan)"},
      {{{"ok", {1}, {0.1}, {}, {}}},
       1,
       1,
       path + ": line chart: expected y_min < y_max (got 1, 1)"},
      {{{"ok", {1, 2}, {0.1, 0.2}, {0.0}, {0.2}}},
       0,
       1,
       path + ": line chart: series \"ok\": band: expected one lo and one hi per x (got 1 lo, 1 hi "
              "for 2 x)"},
      {{{"ok", {1, 2}, {0.1, 0.2}, {0.0, 0.3}, {0.2, 0.25}}},
       0,
       1,
       path +
           ": line chart: series \"ok\": band point 1: expected finite lo <= hi (got 0.3, 0.25)"},
  };
  for (const Case& c : cases) {
    const Status st = RenderLineChartPng(path, "t", "x", "y", c.series, c.y_min, c.y_max);
    EXPECT_EQ(st.code(), ErrorCode::kInvalidInput) << c.message;
    EXPECT_EQ(st.message(), c.message);
    EXPECT_FALSE(std::filesystem::exists(path));
  }
}

TEST(MapTest, BarChartBarsEndAtTheirValues) {
  const std::string dir = TestDir();
  BarItem theft;
  theft.label = "theft";
  theft.value = 1.0;
  const std::vector<BarItem> items = {theft, {"robbery", 2.0, 1.5, 2.05, "PAI 7"}};
  ASSERT_TRUE(RenderBarChartPng(dir + "/bars.png", "t", "hit rate", items, 0.05, "chance").ok());
  Png png(dir + "/bars.png");
  ASSERT_TRUE(png.ok());
  // Layout: plot from x = 290 over 610 px to 1.05 × the largest value or interval end.
  const double vmax = 2.05 * 1.05;
  auto x = [&](double v) { return 290 + v / vmax * 610; };
  const double y0 = 80 + 10 + 5, y1 = 80 + 10 + 36 + 5;  // near the top edge of each bar
  EXPECT_EQ(png.At(x(1.0) - 4, y0), kSeriesColours[0]);
  EXPECT_EQ(png.At(x(1.0) + 4, y0), 0xffffffu);
  EXPECT_EQ(png.At(x(2.0) - 4, y1), kSeriesColours[0]);
  EXPECT_NE(png.At(x(2.0) + 4, y1), kSeriesColours[0]);
  ASSERT_TRUE(RenderBarChartPng(dir + "/bars2.png", "t", "hit rate", items, 0.05, "chance").ok());
  EXPECT_TRUE(Slurp(dir + "/bars.png") == Slurp(dir + "/bars2.png"));
  EXPECT_EQ(RenderBarChartPng(dir + "/none.png", "t", "v", {}).code(), ErrorCode::kInvalidInput);
  BarItem nan_bar;
  nan_bar.label = "x";
  nan_bar.value = std::nan("");
  EXPECT_EQ(RenderBarChartPng(dir + "/nan.png", "t", "v", {nan_bar}).code(),
            ErrorCode::kInvalidInput);
  EXPECT_FALSE(std::filesystem::exists(dir + "/none.png"));
}

}  // namespace
}  // namespace placecast::render
