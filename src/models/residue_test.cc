// SPDX-License-Identifier: Apache-2.0
// Tests of the rounding-residue rule (models/residue.h) and its property over every model: on
// sparse simulated windows and on real Philadelphia burglary windows (50-100 m cells, 30-1,826
// days), every predicted value is finite and >= 0 (issue 14, point 3: sepp failed with "surface
// value of cell 7518: expected a finite value >= 0 (got -1.73092e-17)").
#include "models/residue.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "models/sepp_sim.h"
#include "models/test_util.h"
#include "placecast/models/model.h"

namespace placecast::models {
namespace {

TEST(ResidueTest, ClampsResiduesAndNegativeZero) {
  struct Case {
    std::vector<double> in, want;
  } cases[] = {
      {{1, -1.73092e-17, 0.5}, {1, 0, 0.5}},
      {{2e-3, -1e-12, 0}, {2e-3, 0, 0}},
      {{1, -1e-9, 3}, {1, 0, 3}},  // exactly the tolerance x the peak (3e-9) would be too
      {{1, -0.0, 0}, {1, 0, 0}},
      {{0, 0, 0}, {0, 0, 0}},
      {{}, {}},
  };
  for (const Case& c : cases) {
    grid::Surface s;
    s.value = c.in;
    ASSERT_TRUE(ClampRoundingResidues("sepp", &s).ok()) << ::testing::PrintToString(c.in);
    EXPECT_EQ(s.value, c.want) << ::testing::PrintToString(c.in);
    for (double v : s.value) EXPECT_FALSE(std::signbit(v)) << ::testing::PrintToString(c.in);
  }
}

TEST(ResidueTest, RejectsRealNegativesAndNonFinite) {
  struct Case {
    std::vector<double> in;
    const char* message;
  } cases[] = {
      {{3, 1, -0.25},
       "sepp: surface value of cell 2: expected a finite value >= 0 (got -0.25; larger than a "
       "rounding residue of 1e-09 x the peak 3): a bug, please report"},
      {{1, -2e-9},
       "sepp: surface value of cell 1: expected a finite value >= 0 (got -2e-09; larger than a "
       "rounding residue of 1e-09 x the peak 1): a bug, please report"},
      // Nothing positive to measure a residue against: a negative value is not a residue.
      {{0, -1e-17},
       "sepp: surface value of cell 1: expected a finite value >= 0 (got -1e-17; larger than a "
       "rounding residue of 1e-09 x the peak 1e-17): a bug, please report"},
      {{1, NAN},
       "sepp: surface value of cell 1: expected a finite value >= 0 (got nan): a bug, "
       "please report"},
      {{-INFINITY, 1},
       "sepp: surface value of cell 0: expected a finite value >= 0 (got -inf): a "
       "bug, please report"},
  };
  for (const Case& c : cases) {
    grid::Surface s;
    s.value = c.in;
    const Status st = ClampRoundingResidues("sepp", &s);
    EXPECT_EQ(st.code(), ErrorCode::kInternal) << ::testing::PrintToString(c.in);
    EXPECT_EQ(st.message(), c.message) << ::testing::PrintToString(c.in);
  }
}

constexpr const char* kModels[] = {"naive", "retro", "prospective", "sepp_grid", "sepp"};

// Fits `name` with `window_days` (prospective its bandwidth_days; sepp_grid and sepp a short
// max_iterations to keep the test quick, as the property does not depend on convergence; sepp_grid
// spreads to neighbours) and checks every value of a 7-day forecast: finite, >= 0 and not -0.
void ExpectFiniteNonNegative(const std::string& name, int window_days, const EventSet& ev,
                             const grid::Grid& g, int64_t origin_s, const std::string& where) {
  std::map<std::string, std::string> params;
  if (name == "prospective") {
    params["bandwidth_days"] = std::to_string(window_days);
  } else {
    params["window_days"] = std::to_string(window_days);
  }
  if (name == "sepp" || name == "sepp_grid") params["max_iterations"] = "30";
  if (name == "sepp_grid") params["neighbour_weight"] = "0.5";
  auto m = CreateModel(name, params);
  ASSERT_TRUE(m.ok()) << where << ": " << m.status().message();
  const Status fit = (*m)->Fit(ev, g, origin_s);
  ASSERT_TRUE(fit.ok()) << where << ": " << fit.message();
  auto s = (*m)->Predict(7);
  ASSERT_TRUE(s.ok()) << where << ": " << s.status().message();
  ASSERT_EQ(s->value.size(), static_cast<size_t>(g.num_cells())) << where;
  for (size_t c = 0; c < s->value.size(); ++c) {
    const double v = s->value[c];
    ASSERT_TRUE(std::isfinite(v) && v >= 0 && !std::signbit(v))
        << where << ": cell " << c << " = " << v;
  }
}

TEST(ResidueTest, EveryModelIsFiniteAndNonNegativeOnSparseSimulatedWindows) {
  // A 6 km square city with few events: 0.3 background events a day, some clustered.
  SeppSimSpec spec;
  spec.theta = 0.4;
  spec.omega_per_day = 0.1;
  spec.sigma_m = 40;
  spec.background_per_day = 0.3;
  spec.x1_m = 6000;
  spec.y1_m = 6000;
  spec.blobs = {{1500, 2000, 150, 0.2}, {4200, 3900, 80, 0.2}};
  spec.duration_days = 1900;
  const auto ev = SimulateSepp(spec);
  ASSERT_TRUE(ev.ok()) << ev.status().message();
  const int64_t origin = static_cast<int64_t>(1890 * kSecondsPerDay);
  for (double cell_m : {50.0, 76.2, 100.0}) {
    const auto nx = static_cast<int32_t>(std::ceil(6000 / cell_m));
    const auto g =
        grid::Grid::Create(0, 0, cell_m, nx, nx,
                           std::vector<uint8_t>(static_cast<size_t>(nx) * nx, 1), "EPSG:32618")
            .value();
    for (int window : {30, 90, 365, 1826}) {
      for (const char* name : kModels) {
        std::ostringstream where;
        where << name << " on simulated events, " << cell_m << " m cells, " << window
              << "-day window";
        ExpectFiniteNonNegative(name, window, *ev, g, origin, where.str());
      }
    }
  }
}

// Philadelphia's 2024 residential and commercial burglaries from the shipped sample
// (data/philadelphia), projected to metres by a local equirectangular approximation (exact
// distances do not matter to the property) and kept inside a 6 km square around Center City.
EventSet PhiladelphiaBurglary() {
  const std::string path = std::string(PLACECAST_SOURCE_DIR) +
                           "/data/philadelphia/phl_2024_burglary_theft_robbery.csv.gz";
  EventSet ev;
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return ev;
  constexpr double kLon0 = -75.19, kLat0 = 39.93, kPi = 3.14159265358979323846;
  const double mx = 111320.0 * std::cos(kLat0 * kPi / 180), my = 110574.0;
  char buf[4096];
  while (gzgets(f, buf, sizeof(buf)) != nullptr) {
    std::vector<std::string> col;
    std::string cur;
    for (const char* p = buf; *p != '\0' && *p != '\n' && *p != '\r'; ++p) {
      if (*p == ',') {
        col.push_back(cur);
        cur.clear();
      } else {
        cur.push_back(*p);
      }
    }
    col.push_back(cur);
    if (col.size() < 14 || col[11].rfind("Burglary", 0) != 0 || col[12].empty()) continue;
    const double x = (std::strtod(col[12].c_str(), nullptr) - kLon0) * mx;
    const double y = (std::strtod(col[13].c_str(), nullptr) - kLat0) * my;
    if (!(x >= 0 && x < 6000 && y >= 0 && y < 6000)) continue;
    // dispatch_date_time "2024-01-01 05:45:00+00": days since 2024-01-01 UTC are enough here.
    const int month = std::atoi(col[4].substr(5, 2).c_str());
    const int day = std::atoi(col[4].substr(8, 2).c_str());
    const int hour = std::atoi(col[4].substr(11, 2).c_str());
    static constexpr int kBefore[] = {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335};
    const int64_t t = (int64_t{kBefore[month - 1]} + day - 1) * kSecondsPerDay + hour * 3600;
    ev.Add(t, x, y, OffenceGroup::kBurglaryResidential, "burglary", col[1]);
  }
  gzclose(f);
  ev.SortByTime();
  return ev;
}

TEST(ResidueTest, EveryModelIsFiniteAndNonNegativeOnPhiladelphiaBurglary) {
  const EventSet ev = PhiladelphiaBurglary();
  ASSERT_GT(ev.size(), 300u) << "the shipped sample data/philadelphia is missing or unreadable";
  for (double cell_m : {50.0, 76.2, 100.0}) {
    const auto nx = static_cast<int32_t>(std::ceil(6000 / cell_m));
    const auto g =
        grid::Grid::Create(0, 0, cell_m, nx, nx,
                           std::vector<uint8_t>(static_cast<size_t>(nx) * nx, 1), "EPSG:32618")
            .value();
    // Origins 1 March, 1 July and 31 December 2024 (day 60, 182, 365 of the sample).
    for (int64_t origin_day : {60, 182, 365}) {
      for (int window : {30, 365, 1826}) {
        for (const char* name : kModels) {
          std::ostringstream where;
          where << name << " on Philadelphia burglary, " << cell_m << " m cells, " << window
                << "-day window to day " << origin_day;
          ExpectFiniteNonNegative(name, window, ev, g, origin_day * kSecondsPerDay, where.str());
        }
      }
    }
  }
}

}  // namespace
}  // namespace placecast::models
