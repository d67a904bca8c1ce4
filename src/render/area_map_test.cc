// SPDX-License-Identifier: Apache-2.0
// Tests for the area choropleth: fills by class (read back through Cairo), grey for no value,
// byte reproducibility and invalid inputs.
#include "placecast/render/area_map.h"

#include <cairo.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "common/test_temp.h"
#include "placecast/io/file_util.h"
#include "render/render_internal.h"

namespace placecast::render {
namespace {

uint32_t PixelAt(const std::string& png, int x, int y) {
  cairo_surface_t* s = cairo_image_surface_create_from_png(png.c_str());
  const unsigned char* d = cairo_image_surface_get_data(s);
  const int stride = cairo_image_surface_get_stride(s);
  uint32_t v;
  std::memcpy(&v, d + y * stride + 4 * x, 4);
  cairo_surface_destroy(s);
  return v & 0xffffff;
}

TEST(AreaMapTest, FillsAreasByClassAndGreyWithoutValue) {
  // Three side-by-side 1 km squares: values 1, 5, none.
  std::vector<grid::Boundary> areas;
  for (int i = 0; i < 3; ++i) {
    const double x = 1000.0 * i;
    areas.push_back(
        {std::to_string(i), {grid::Ring{{x, x + 1000, x + 1000, x}, {0, 0, 1000, 1000}}}});
  }
  const std::string dir = placecast::testing::ProcessTempDir("area_map").string();
  std::filesystem::create_directories(dir);
  const std::vector<double> v = {1, 5, std::numeric_limits<double>::quiet_NaN()};
  ASSERT_TRUE(RenderAreaMapPng(dir + "/a.png", areas, v, "t", "per 1k").ok());
  ASSERT_TRUE(RenderAreaMapPng(dir + "/b.png", areas, v, "t", "per 1k").ok());
  EXPECT_EQ(*io::ReadFile(dir + "/a.png"), *io::ReadFile(dir + "/b.png"));
  // Map is 750 px wide over 3000 m: 0.25 px/m from x = 20, top 60. Sample each square away from
  // its label.
  const int y = 60 + 40;
  EXPECT_EQ(PixelAt(dir + "/a.png", 20 + 30, y), internal::kRiskRamp[0]);
  // Two positive values in 5 quantile classes: 1 tops classes 0-1, 5 tops class 2 (the bound of
  // class k is v[ceil((k+1)·2/5) − 1]).
  EXPECT_EQ(PixelAt(dir + "/a.png", 20 + 250 + 30, y), internal::kRiskRamp[2]);
  EXPECT_EQ(PixelAt(dir + "/a.png", 20 + 500 + 30, y), 0xddddddu);
}

// Issue 14: the hotspots map drew every area's label, no study-area outline, no scale bar and no
// north arrow.
TEST(AreaMapTest, Issue14StudyAreaOutlineScaleBarAndNorthArrow) {
  // 30 small squares along the middle of a 3 km × 3 km study area.
  std::vector<grid::Boundary> areas;
  std::vector<double> v;
  for (int i = 0; i < 30; ++i) {
    const double x = 100.0 * i;
    std::string name = "#";
    name += std::to_string(i + 1);
    areas.push_back({name, {grid::Ring{{x, x + 100, x + 100, x}, {1400, 1400, 1500, 1500}}}});
    v.push_back(30 - i);
  }
  const grid::Boundary study{"", {grid::Ring{{0, 3000, 3000, 0}, {0, 0, 3000, 3000}}}};
  AreaMapOptions o;
  o.study_area = &study;
  o.max_labels = 20;
  o.notes = {"Outlined: patrol areas (30)."};
  const std::string dir = placecast::testing::ProcessTempDir("area_map").string();
  std::filesystem::create_directories(dir);
  const std::string png = dir + "/hotspots.png";
  ASSERT_TRUE(RenderAreaMapPng(png, areas, v, "t", "expected events", nullptr, o).ok());
  // 730 px over 3000 m from (20, 60). The study area's west edge is dark (antialiased grey).
  EXPECT_LT(PixelAt(png, 20, 60 + 100) & 0xff, 0x80u);
  // North arrow: its dark head sits in the upper right corner of the map frame.
  cairo_surface_t* img = cairo_image_surface_create_from_png(png.c_str());
  const unsigned char* data = cairo_image_surface_get_data(img);
  const int stride = cairo_image_surface_get_stride(img);
  int dark = 0;
  for (int y = 60 + 14; y < 60 + 62; ++y) {
    for (int x = 20 + 730 - 48; x < 20 + 730 - 12; ++x) {
      uint32_t px;
      std::memcpy(&px, data + y * stride + 4 * x, 4);
      dark += (px & 0xffffff) == 0x222222u;
    }
  }
  cairo_surface_destroy(img);
  EXPECT_GT(dark, 30);
  // Scale bar: a quarter of 3 km → 500 m, 122 px, its first half dark, in the lower left corner.
  EXPECT_DOUBLE_EQ(internal::ScaleBarLengthM(3000.0 / 4), 500);
  // It sits in the strip below the areas (40 px), not over them.
  EXPECT_EQ(PixelAt(png, 20 + 14 + 30, 60 + 730 + 40 - 16 - 5), 0x222222u);
}

TEST(AreaMapTest, InvalidInputs) {
  grid::Boundary a{"a", {grid::Ring{{0, 1, 1}, {0, 0, 1}}}};
  Status st = RenderAreaMapPng("/tmp/x.png", {a}, {1, 2}, "t", "v");
  EXPECT_EQ(st.code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(st.message(), "area map: expected one value per area (1, got 2)");
  st = RenderAreaMapPng("/tmp/x.png", {}, {}, "t", "v");
  EXPECT_EQ(st.message(), "area map: no area");
  st = RenderAreaMapPng("/nonexistent-dir/x.png", {a}, {1}, "t", "v");
  EXPECT_EQ(st.code(), ErrorCode::kIo);
}

}  // namespace
}  // namespace placecast::render
