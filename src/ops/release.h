// SPDX-License-Identifier: Apache-2.0
// Public release (docs/privacy.md) as operations apply it: the three fields every publishable
// product takes (--public-release, --min-incidents, --epsilon), the keyed identity of a release's
// noise, and the release of a forecast surface, of counts and of an audit.
//
// The noise of a release is keyed (docs/privacy.md, "Keyed randomness"): each figure's draw is an
// HMAC under the store's secret release key of the figure's identity: the operation, every field
// of its request that can change a published figure (numbers as %.17g, input files by the SHA-256
// of their bytes; never the fields marked kNotInQuery, such as --out and --store), the data the
// figures are computed from (the store's incidents, study area and CRS as io::StoreState digests
// them), the sensitivity, ε and the figure's index. There is no seed: the same store and request
// give the same bytes, and nobody without the store's key can reproduce or subtract the noise.
// Internal to src/ops. Not thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ops/common.h"
#include "placecast/audit/audit.h"
#include "placecast/ops/request.h"
#include "placecast/privacy/policy.h"

namespace placecast::ops {

// A release under way: the fields, and the secret key and public query of its noise.
struct Release {
  ReleaseFields f;
  std::string key;    // the store's release key, 32 raw bytes; never leaves the process
  std::string query;  // canonical JSON {"command", "options", "data"}: public
};

// The release as the policies of src/privacy (placecast/privacy/policy.h) take it.
privacy::ReleaseSpec SpecOf(const Release& p);

// The release of the request `request_json` (as WriteRequest gives it) whose fields are `specs`:
// reads the key and the data digest from `store` when noise is asked for (ε > 0). The store's
// errors, wrapped "--public-release".
Result<Release> MakeRelease(io::Store* store, const ReleaseFields& f,
                            const nlohmann::ordered_json& request_json,
                            const std::vector<FieldSpec>& specs);

template <Request R>
Result<Release> MakeRelease(io::Store* store, const R& r) {
  return MakeRelease(store, static_cast<const ReleaseFields&>(r), RequestToJson(r),
                     SpecsOf<R>(R::Fields()));
}

// The "privacy" record of a product's JSON: {"mode": "public-release", "min_incidents": k, the
// members of `counts` in order, "epsilon": ε or null, "sensitivity": Δ, "noise": "keyed" or null,
// "note": note}. The key is never in it.
nlohmann::ordered_json PrivacyJson(const Release& p, const nlohmann::ordered_json& counts,
                                   double sensitivity, const std::string& note);

// "Laplace noise of scale Δ/ε = b added to <what> (ε = .., sensitivity Δ = .. <per>; …), <after>."
// or "No noise added." when ε = 0.
std::string NoiseSentence(const Release& p, double sensitivity, const std::string& what,
                          const std::string& per, const std::string& after);

// privacy::ReleaseCounts of the release: counts below k become privacy::kWithheldCount, the others
// get rounded Laplace noise when ε > 0, keyed by the release and `figures`. Without
// --public-release the counts come back as they are.
Result<std::vector<int64_t>> PublicCounts(const Release& p, const std::vector<int64_t>& counts,
                                          double sensitivity,
                                          const std::string& figures = "counts");

// "1 (sensitivity 1)" or "none (no noise)".
std::string EpsilonText(const Release& p, double sensitivity);

// The stdout line of a public release: "public release: k = K, <lead><part> of <whole> <what>,
// epsilon E".
std::string PublicReleaseLine(const Release& p, const std::string& lead, int64_t part,
                              int64_t whole, const std::string& what, double sensitivity);

// "support R m, ": the lead of PublicReleaseLine for products built on a forecast surface.
std::string SupportLead(double support_m);

// What a public release did to a forecast surface (docs/privacy.md, "forecast").
struct PublicSurface {
  std::vector<uint8_t> suppressed;  // per cell, 1 = withheld
  int64_t suppressed_cells = 0;
  double support_m = 0;
  std::string note;  // the sentence products state
};

// The forecast's public release, shared by forecast, hotspots and allocate: privacy::ReleaseSurface
// (suppression from the training incidents of [train_from_s, origin_s) within support_m, then
// keyed noise clamped at 0) and the note products state. Suppressed values are left for the caller
// to hide. Errors wrapped "--public-release".
Result<PublicSurface> MakeSurfacePublic(const Release& p, const Study& study, int64_t train_from_s,
                                        int64_t origin_s, double support_m, grid::Surface* surface);

// Public release of an audit result (docs/privacy.md, "audit"), shared by audit and allocate:
// privacy::ReleaseAreaNeed applied to `*r` (published need counts, shares and rates; need-based
// group figures withheld, and the group statements say why, when any area is). Returns the number
// of withheld areas.
Result<int64_t> MakeAuditPublic(const Release& p, audit::AuditResult* r);

}  // namespace placecast::ops
