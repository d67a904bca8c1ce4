// SPDX-License-Identifier: Apache-2.0
// PROJ wrappers: per-thread context and transformation cache. See projection.h.
#include "io/projection.h"

#include <proj.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <memory>

#include "placecast/io/ingest.h"

namespace placecast::io {
namespace {

class ThreadProj {
 public:
  ThreadProj() : ctx_(proj_context_create()) { proj_log_level(ctx_, PJ_LOG_NONE); }
  ~ThreadProj() {
    for (auto& [k, pj] : cache_) proj_destroy(pj);
    proj_context_destroy(ctx_);
  }
  PJ_CONTEXT* ctx() { return ctx_; }

  Result<PJ*> Get(const std::string& from, const std::string& to) {
    const std::string key = from + "|" + to;
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    PJ* raw = proj_create_crs_to_crs(ctx_, from.c_str(), to.c_str(), nullptr);
    if (raw == nullptr) {
      return Status::InvalidInput("crs: PROJ cannot transform between " + from + " and " + to +
                                  " (got \"" + from + "\" → \"" + to + "\")");
    }
    PJ* norm = proj_normalize_for_visualization(ctx_, raw);
    proj_destroy(raw);
    if (norm == nullptr) return Status::Internal("proj_normalize_for_visualization failed");
    cache_[key] = norm;
    return norm;
  }

 private:
  PJ_CONTEXT* ctx_;
  std::map<std::string, PJ*> cache_;
};

ThreadProj& Proj() {
  thread_local ThreadProj p;
  return p;
}

}  // namespace

int EpsgCode(const std::string& crs) {
  if (crs.size() < 6 || crs.compare(0, 5, "EPSG:") != 0) return 0;
  int code = 0;
  auto [ptr, ec] = std::from_chars(crs.data() + 5, crs.data() + crs.size(), code);
  if (ec != std::errc() || ptr != crs.data() + crs.size()) return 0;
  return code;
}

Status Transform(const std::string& from, const std::string& to, std::vector<double>& x,
                 std::vector<double>& y) {
  PLACECAST_DCHECK(x.size() == y.size());
  if (x.empty() || from == to) return Status::Ok();
  PLACECAST_ASSIGN_OR_RETURN(PJ * pj, Proj().Get(from, to));
  proj_trans_generic(pj, PJ_FWD, x.data(), sizeof(double), x.size(), y.data(), sizeof(double),
                     y.size(), nullptr, 0, 0, nullptr, 0, 0);
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) {
      return Status::InvalidInput("point " + std::to_string(i) + ": cannot transform from " + from +
                                  " to " + to);
    }
  }
  return Status::Ok();
}

Status TransformLenient(const std::string& from, const std::string& to, std::vector<double>& x,
                        std::vector<double>& y) {
  PLACECAST_DCHECK(x.size() == y.size());
  if (x.empty() || from == to) return Status::Ok();
  PLACECAST_ASSIGN_OR_RETURN(PJ * pj, Proj().Get(from, to));
  proj_trans_generic(pj, PJ_FWD, x.data(), sizeof(double), x.size(), y.data(), sizeof(double),
                     y.size(), nullptr, 0, 0, nullptr, 0, 0);
  return Status::Ok();
}

Result<bool> IsProjectedCrs(const std::string& crs) {
  PJ* pj = proj_create(Proj().ctx(), crs.c_str());
  if (pj == nullptr) return Status::InvalidInput("crs: unknown to PROJ (got \"" + crs + "\")");
  const PJ_TYPE type = proj_get_type(pj);
  proj_destroy(pj);
  return type == PJ_TYPE_PROJECTED_CRS;
}

namespace {

// The linear unit of the projected CRS `pj`: its name ("US survey foot") and metres per unit.
bool LinearUnit(PJ_CONTEXT* ctx, const PJ* pj, std::string* name, double* to_metre) {
  PJ* cs = proj_crs_get_coordinate_system(ctx, pj);
  if (cs == nullptr) return false;
  const char* unit = nullptr;
  const bool ok = proj_cs_get_axis_info(ctx, cs, 0, nullptr, nullptr, nullptr, to_metre, &unit,
                                        nullptr, nullptr) != 0;
  proj_destroy(cs);
  if (ok) *name = unit ? unit : "";
  return ok;
}

// "NAD83(HARN) / Oregon North (ft)" -> "NAD83(HARN) / Oregon North": the name without a final
// "(ft…)" unit suffix; "" when it has none.
std::string WithoutFootSuffix(const std::string& name) {
  const size_t open = name.rfind(" (ft");
  if (open == std::string::npos || name.back() != ')') return "";
  return name.substr(0, open);
}

// The EPSG projected CRS in metres that PROJ's database names as `pj` without its foot suffix
// (EPSG:2913 "… Oregon North (ft)" -> EPSG:2838 "… Oregon North"), as "EPSG:2838 (NAME)"; "" when
// there is none.
std::string MetreTwin(PJ_CONTEXT* ctx, const PJ* pj) {
  const char* own = proj_get_name(pj);
  const std::string want = WithoutFootSuffix(own ? own : "");
  if (want.empty()) return "";
  PROJ_CRS_LIST_PARAMETERS* params = proj_get_crs_list_parameters_create();
  const PJ_TYPE types[] = {PJ_TYPE_PROJECTED_CRS};
  params->types = types;
  params->typesCount = 1;
  int count = 0;
  PROJ_CRS_INFO** list = proj_get_crs_info_list_from_database(ctx, "EPSG", params, &count);
  proj_get_crs_list_parameters_destroy(params);
  std::string twin;
  for (int i = 0; i < count && twin.empty(); ++i) {
    if (list[i]->name == nullptr || want != list[i]->name) continue;
    const std::string code = std::string("EPSG:") + list[i]->code;
    PJ* cand = proj_create(ctx, code.c_str());
    std::string unit;
    double to_metre = 0;
    if (cand != nullptr && LinearUnit(ctx, cand, &unit, &to_metre) && to_metre == 1.0) {
      twin = code + " (" + want + ")";
    }
    if (cand != nullptr) proj_destroy(cand);
  }
  proj_crs_info_list_destroy(list);
  return twin;
}

}  // namespace

Status CheckCrsInMetres(const std::string& crs) {
  PJ_CONTEXT* ctx = Proj().ctx();
  PJ* pj = proj_create(ctx, crs.c_str());
  if (pj == nullptr) return Status::InvalidInput("crs: unknown to PROJ (got \"" + crs + "\")");
  std::string unit;
  double to_metre = 1;
  Status st;
  if (proj_get_type(pj) == PJ_TYPE_PROJECTED_CRS && LinearUnit(ctx, pj, &unit, &to_metre) &&
      to_metre != 1.0) {
    const char* name = proj_get_name(pj);
    std::string msg = crs + " (" + (name ? name : "") + ") is in " + unit +
                      ", not metres: cell sizes, bandwidths and areas would be read in " + unit +
                      "; ";
    const std::string twin = MetreTwin(ctx, pj);
    msg += twin.empty() ? "use a projected CRS in metres" : "use its metre twin " + twin;
    st = Status::InvalidInput(msg);
  }
  proj_destroy(pj);
  return st;
}

Result<std::string> CrsToWkt(const std::string& crs) {
  PJ* pj = proj_create(Proj().ctx(), crs.c_str());
  if (pj == nullptr) return Status::InvalidInput("crs: unknown to PROJ (got \"" + crs + "\")");
  const char* wkt = proj_as_wkt(Proj().ctx(), pj, PJ_WKT1_GDAL, nullptr);
  std::string out = wkt ? wkt : "";
  proj_destroy(pj);
  if (out.empty()) return Status::InvalidInput("crs: no WKT for " + crs);
  return out;
}

Status ProjectToLonLat(const std::string& crs, std::vector<double>& x, std::vector<double>& y) {
  return Transform(crs, "EPSG:4326", x, y);
}

Status ProjectFromLonLat(const std::string& crs, std::vector<double>& x, std::vector<double>& y) {
  return Transform("EPSG:4326", crs, x, y);
}

std::string UtmCrsForLonLat(double lon_deg, double lat_deg) {
  int zone = static_cast<int>(std::floor((lon_deg + 180.0) / 6.0)) + 1;
  zone = std::clamp(zone, 1, 60);
  return "EPSG:" + std::to_string((lat_deg >= 0 ? 32600 : 32700) + zone);
}

}  // namespace placecast::io
