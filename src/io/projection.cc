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
      return Status::Unsupported("crs: PROJ cannot transform between " + from + " and " + to +
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
  if (pj == nullptr) return Status::Unsupported("crs: unknown to PROJ (got \"" + crs + "\")");
  const PJ_TYPE type = proj_get_type(pj);
  proj_destroy(pj);
  return type == PJ_TYPE_PROJECTED_CRS;
}

Result<std::string> CrsToWkt(const std::string& crs) {
  PJ* pj = proj_create(Proj().ctx(), crs.c_str());
  if (pj == nullptr) return Status::Unsupported("crs: unknown to PROJ (got \"" + crs + "\")");
  const char* wkt = proj_as_wkt(Proj().ctx(), pj, PJ_WKT1_GDAL, nullptr);
  std::string out = wkt ? wkt : "";
  proj_destroy(pj);
  if (out.empty()) return Status::Unsupported("crs: no WKT for " + crs);
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
