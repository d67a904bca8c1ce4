// SPDX-License-Identifier: Apache-2.0
// Times one full ingest into a fresh GeoPackage and one LoadEvents of thefts, for docs and the
// speed target (not a unit test): `placecast_ingest_timing INPUT PRESET STORE.gpkg`.
// The store and its side files are removed first. Single-threaded.
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "placecast/io/ingest.h"

int main(int argc, char** argv) {
  using placecast::io::Store;
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s INPUT PRESET STORE.gpkg\n", argv[0]);
    return 1;
  }
  const std::string store_path = argv[3];
  for (const char* suffix : {"", ".rejects.csv", ".ingest.json"}) {
    std::filesystem::remove(store_path + suffix);
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto store = Store::OpenGeoPackage(store_path, true);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return static_cast<int>(store.status().code());
  }
  placecast::io::IngestOptions opt;
  opt.inputs = {argv[1]};
  opt.preset = argv[2];
  auto summary = placecast::io::Ingest(opt, **store);
  const auto t1 = std::chrono::steady_clock::now();
  if (!summary.ok()) {
    std::fprintf(stderr, "%s\n", summary.status().ToString().c_str());
    return static_cast<int>(summary.status().code());
  }
  std::printf("%s", summary->ToText().c_str());
  std::printf("ingest wall time: %.3f s\n", std::chrono::duration<double>(t1 - t0).count());
  auto reopened = Store::OpenGeoPackage(store_path, false);
  if (!reopened.ok()) return 5;
  const auto t2 = std::chrono::steady_clock::now();
  auto events = (*reopened)->LoadEvents({placecast::OffenceGroup::kTheft}, INT64_MIN, INT64_MAX);
  const auto t3 = std::chrono::steady_clock::now();
  if (!events.ok()) return 5;
  std::printf("LoadEvents(theft): %zu events in %.3f s\n", events->size(),
              std::chrono::duration<double>(t3 - t2).count());
  return 0;
}
