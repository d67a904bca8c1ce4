// SPDX-License-Identifier: Apache-2.0
// The analysis products' JSON documents before layout (DumpAnalysisJson), for the operations that
// add members to them (the `privacy` record of a public release) instead of splicing text.
// Internal to the analysis and ops libraries. Pure functions; thread-safe.
#pragma once

#include "analysis/format_util.h"
#include "placecast/analysis/knox.h"
#include "placecast/analysis/scan.h"

namespace placecast::analysis::internal {

// The document KnoxResultToJson lays out.
Json KnoxResultDoc(const KnoxResult& r);
// The document ScanResultToJson lays out, and the digits it lays it out with.
Json ScanResultDoc(const ScanResult& r);
// Centres keep 12 significant digits (millimetres in any projected CRS), as they always had.
inline const JsonDigits kScanJsonDigits = {{"centre_x_m", 12}, {"centre_y_m", 12}};

}  // namespace placecast::analysis::internal
