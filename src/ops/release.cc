// SPDX-License-Identifier: Apache-2.0
// Public release as operations apply it (release.h).
#include "ops/release.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>

#include "placecast/io/file_util.h"
#include "placecast/io/store.h"
#include "placecast/privacy/privacy.h"

namespace placecast::ops {
namespace {

// One value as the query holds it: numbers as %.17g (so 1000, 1e3 and 1000.0 are one figure), an
// existing regular file as "sha256:<hex of its bytes>" (so the figure follows the file's content,
// not its name), anything else as given; applied to each comma-separated part and to the value
// side of key=value.
std::string CanonicalToken(const std::string& t) {
  if (t.empty()) return t;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != nullptr && *end == '\0' && std::isfinite(v) && !std::isspace(t[0])) {
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%.17g", v);
    return buf;
  }
  std::error_code ec;
  if (std::filesystem::is_regular_file(t, ec)) {
    auto h = io::Sha256File(t);
    if (h.ok()) return "sha256:" + *h;
  }
  return t;
}

std::string CanonicalValue(const std::string& value) {
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t comma = value.find(',', start);
    std::string part = value.substr(start, comma == std::string::npos ? comma : comma - start);
    const size_t eq = part.find('=');
    part = eq == std::string::npos ? CanonicalToken(part)
                                   : part.substr(0, eq + 1) + CanonicalToken(part.substr(eq + 1));
    out += part;
    if (comma == std::string::npos) break;
    out += ',';
    start = comma + 1;
  }
  return out;
}

// The fields of the request that can change a published figure, canonical, in name order.
nlohmann::ordered_json QueryOptions(const nlohmann::ordered_json& request,
                                    const std::vector<FieldSpec>& specs) {
  std::map<std::string, nlohmann::ordered_json> by_name;
  for (const FieldSpec& f : specs) {
    if (f.flags & kNotInQuery) continue;
    const std::string name(f.name);
    auto it = request.find(name);
    if (it == request.end()) continue;
    if (it->is_array()) {
      std::vector<std::string> values;
      for (const auto& e : *it) values.push_back(CanonicalValue(e.get<std::string>()));
      std::sort(values.begin(), values.end());
      by_name[name] = values;
    } else if (it->is_string()) {
      by_name[name] = CanonicalValue(it->get<std::string>());
    } else if (it->is_number()) {
      char buf[40];
      std::snprintf(buf, sizeof(buf), "%.17g", it->get<double>());
      by_name[name] = std::string(buf);
    } else {
      by_name[name] = *it;
    }
  }
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (auto& [k, v] : by_name) j[k] = std::move(v);
  return j;
}

}  // namespace

Result<Release> MakeRelease(io::Store* store, const ReleaseFields& f,
                            const nlohmann::ordered_json& request_json,
                            const std::vector<FieldSpec>& specs) {
  Release r;
  r.f = f;
  if (!f.public_release || f.epsilon <= 0) return r;
  if (store == nullptr) {
    return Status::InvalidInput(
        "--public-release: noise is keyed by a store's release key, and this run has no --store");
  }
  auto key = store->GetReleaseKey();
  if (!key.ok()) return key.status().Wrap("--public-release: release key of " + store->GetPath());
  PLACECAST_RETURN_IF_ERROR(
      privacy::CheckReleaseKey(*key).Wrap("--public-release: " + store->GetPath()));
  r.key = std::move(*key);
  PLACECAST_ASSIGN_OR_RETURN(io::StoreState state, store->GetState());
  // The data the figures are computed from; the ingest history is left out (an ingest that adds
  // nothing changes no figure).
  nlohmann::ordered_json q;
  q["command"] = request_json.value("op", "");
  q["options"] = QueryOptions(request_json, specs);
  q["data"] = io::Sha256Hex(state.incidents_sum + "\n" + state.study_area + "\n" + state.metadata);
  r.query = q.dump();
  return r;
}

nlohmann::ordered_json PrivacyJson(const Release& p, const nlohmann::ordered_json& counts,
                                   double sensitivity, const std::string& note) {
  nlohmann::ordered_json j;
  j["mode"] = "public-release";
  j["min_incidents"] = p.f.min_incidents;
  for (auto it = counts.begin(); it != counts.end(); ++it) j[it.key()] = it.value();
  j["epsilon"] = p.f.epsilon > 0 ? nlohmann::ordered_json(p.f.epsilon) : nullptr;
  j["sensitivity"] = sensitivity;
  j["noise"] = p.f.epsilon > 0 ? nlohmann::ordered_json("keyed") : nullptr;
  j["note"] = note;
  return j;
}

std::string NoiseSentence(const Release& p, double sensitivity, const std::string& what,
                          const std::string& per, const std::string& after) {
  if (p.f.epsilon <= 0) return "No noise added.";
  char buf[640];
  std::snprintf(buf, sizeof(buf),
                "Laplace noise of scale Δ/ε = %g added to %s (ε = %g, sensitivity Δ = %g %s; "
                "drawn with the store's secret release key, so the same figure gets the same "
                "noise in every release), %s.",
                sensitivity / p.f.epsilon, what.c_str(), p.f.epsilon, sensitivity, per.c_str(),
                after.c_str());
  return buf;
}

privacy::ReleaseSpec SpecOf(const Release& p) {
  privacy::ReleaseSpec spec;
  spec.min_incidents = p.f.min_incidents;
  spec.epsilon = p.f.epsilon > 0 ? p.f.epsilon : 0;
  if (spec.epsilon > 0) {
    spec.key = p.key;
    spec.query = p.query;
  }
  return spec;
}

Result<std::vector<int64_t>> PublicCounts(const Release& p, const std::vector<int64_t>& counts,
                                          double sensitivity, const std::string& figures) {
  if (!p.f.public_release) return counts;
  return privacy::ReleaseCounts(SpecOf(p), counts, sensitivity, figures);
}

std::string EpsilonText(const Release& p, double sensitivity) {
  if (p.f.epsilon <= 0) return "none (no noise)";
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%g (sensitivity %g)", p.f.epsilon, sensitivity);
  return buf;
}

std::string PublicReleaseLine(const Release& p, const std::string& lead, int64_t part,
                              int64_t whole, const std::string& what, double sensitivity) {
  char buf[512];
  std::snprintf(buf, sizeof(buf), "public release: k = %lld, %s%lld of %lld %s, epsilon %s",
                static_cast<long long>(p.f.min_incidents), lead.c_str(),
                static_cast<long long>(part), static_cast<long long>(whole), what.c_str(),
                EpsilonText(p, sensitivity).c_str());
  return buf;
}

std::string SupportLead(double support_m) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "support %g m, ", support_m);
  return buf;
}

Result<PublicSurface> MakeSurfacePublic(const Release& p, const Study& study, int64_t train_from_s,
                                        int64_t origin_s, double support_m,
                                        grid::Surface* surface) {
  constexpr double kSensitivity = 1;  // privacy::ReleaseSurface's
  auto released = privacy::ReleaseSurface(study.grid, study.events, train_from_s, origin_s,
                                          support_m, SpecOf(p), &surface->value);
  if (!released.ok()) return released.status().Wrap("--public-release");
  PublicSurface out;
  out.suppressed = std::move(released->suppressed);
  out.suppressed_cells = released->suppressed_cells;
  out.support_m = released->support_m;
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "Public release: no incident points are published; cells resting on fewer "
                "than k = %lld training incidents (in the cell or within %g m of it) are "
                "suppressed; %s",
                static_cast<long long>(p.f.min_incidents), support_m,
                p.f.epsilon > 0 ? "" : "no noise added.");
  out.note = buf;
  if (p.f.epsilon > 0) {
    out.note += NoiseSentence(p, kSensitivity, "every risk value", "per incident",
                              "negative values set to 0");
  }
  return out;
}

Result<int64_t> MakeAuditPublic(const Release& p, audit::AuditResult* r) {
  std::vector<int64_t> need;
  std::vector<double> residents;
  for (const auto& a : r->areas) {
    need.push_back(a.need_events);
    residents.push_back(a.residents);
  }
  PLACECAST_ASSIGN_OR_RETURN(privacy::PublishedAreaNeed published,
                             privacy::ReleaseAreaNeed(SpecOf(p), need, residents));
  for (size_t i = 0; i < r->areas.size(); ++i) {
    audit::AreaAudit& a = r->areas[i];
    a.need_events = published.need_events[i];
    a.need_share = published.need_share[i];
    a.need_per_1k_residents = published.need_per_1k_residents[i];
  }
  r->need_events = published.total_need_events;
  const int64_t withheld = published.withheld_areas;
  if (published.group_need_withheld) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    char why[256];
    std::snprintf(why, sizeof(why),
                  " Need-based figures are withheld in this public release: %lld area(s) rest "
                  "on fewer than k = %lld victim-reported offences.",
                  static_cast<long long>(withheld), static_cast<long long>(p.f.min_incidents));
    for (auto& g : r->groups) {
      g.need_per_1k_residents = nan;
      g.need_ratio = {nan, nan, nan};
      g.disparity_beyond_need = {nan, nan, nan};
      g.disparity_outside_band = false;
      const size_t cut = g.statement.find(". Victim-reported offences per resident");
      if (cut != std::string::npos) g.statement = g.statement.substr(0, cut + 1) + why;
    }
  }
  return withheld;
}

}  // namespace placecast::ops
