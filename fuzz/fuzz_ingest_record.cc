// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the mapping and ingest of records (placecast/io/ingest.h): io::Ingest with
// the generic preset into an in-memory Store. Two modes, by the first byte:
//  - even: the rest is a CSV file (a header and a few rows) read with a fixed generic mapping
//    given as flags (time, x, y, offence, id, district);
//  - odd: the rest is "MAPPING_JSON\0CSV": a mapping file (IngestOptions.mapping_path) and the
//    CSV it is applied to (a fixed one when there is no NUL byte).
// An ingest must end in a value (a summary or a Status), and the summary's counts must add up.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "placecast/io/ingest.h"
#include "placecast/io/store.h"

namespace {

constexpr std::string_view kDefaultCsv =
    "id,when,lon,lat,what,dist\n"
    "1,2024-01-02T03:04:05Z,-75.16,39.95,Burglary,22\n"
    "2,2024-01-03 10:00,-75.12,40.02,Theft,25\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);

  placecast::io::IngestOptions options;
  options.preset = "generic";
  options.fail_on_reject = (mode & 2) != 0;
  std::string_view csv = rest;
  if ((mode & 1) != 0) {
    const size_t nul = rest.find('\0');
    std::string_view mapping = rest.substr(0, nul);
    csv = nul == std::string_view::npos ? kDefaultCsv : rest.substr(nul + 1);
    options.mapping_path = placecast::fuzz::WriteTempFile("mapping.json", mapping);
  } else {
    options.mapping_flags = {{"id", "id"},
                             {"time", "when"},
                             {"x", "lon"},
                             {"y", "lat"},
                             {"offence", "what"},
                             {"district", "dist"},
                             {"tz", "America/New_York"}};
    if ((mode & 4) != 0) options.mapping_flags["strict"] = "true";
  }
  options.inputs = {placecast::fuzz::WriteTempFile("incidents.csv", csv)};

  auto store = placecast::io::Store::InMemory();
  auto summary = placecast::io::Ingest(options, *store);
  if (summary.ok()) {
    const auto& s = *summary;
    if (s.rows_read != s.ingested + s.already_in_store + s.rejected) std::abort();
    (void)s.ToJson();
    (void)s.ToText();
  }
  return 0;
}
