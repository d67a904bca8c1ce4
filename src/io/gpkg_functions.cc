// SPDX-License-Identifier: Apache-2.0
// GeoPackage SQL functions for the R-tree triggers (gpkg_functions.h).
#include "io/gpkg_functions.h"

#include <sqlite3.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace placecast::io::internal {
namespace {

struct Envelope {
  double min_x = 0, max_x = 0, min_y = 0, max_y = 0;
};

enum class BlobKind { kInvalid, kEmpty, kEnvelope };

template <typename T>
T Read(const unsigned char* p, bool little_endian) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, p, sizeof(T));
  if (little_endian != (std::endian::native == std::endian::little)) std::reverse(b, b + sizeof(T));
  T v;
  std::memcpy(&v, b, sizeof(T));
  return v;
}

// GeoPackage binary: "GP", version, flags (bit 0 byte order, bits 1-3 envelope kind, bit 4
// empty), srs id, the envelope (0, 4, 6, 6 or 8 doubles: min x, max x, min y, max y, …), WKB.
BlobKind ReadEnvelope(const unsigned char* p, size_t n, Envelope* e) {
  if (p == nullptr || n < 8 || p[0] != 'G' || p[1] != 'P') return BlobKind::kInvalid;
  const unsigned flags = p[3];
  const bool little = (flags & 1) != 0;
  const unsigned kind = (flags >> 1) & 7;
  constexpr size_t kEnvelopeBytes[] = {0, 32, 48, 48, 64};
  if (kind > 4 || n < 8 + kEnvelopeBytes[kind]) return BlobKind::kInvalid;
  if ((flags & 0x10) != 0) return BlobKind::kEmpty;
  if (kind > 0) {
    *e = {Read<double>(p + 8, little), Read<double>(p + 16, little), Read<double>(p + 24, little),
          Read<double>(p + 32, little)};
    return BlobKind::kEnvelope;
  }
  // No envelope: a WKB point (byte order, type 1 or its Z/M/ZM forms, x, y).
  const unsigned char* w = p + 8;
  if (n - 8 < 21 || w[0] > 1) return BlobKind::kInvalid;
  const bool wkb_little = w[0] == 1;
  if (Read<uint32_t>(w + 1, wkb_little) % 1000 != 1) return BlobKind::kInvalid;
  const double x = Read<double>(w + 5, wkb_little), y = Read<double>(w + 13, wkb_little);
  if (std::isnan(x) && std::isnan(y)) return BlobKind::kEmpty;  // WKB's empty point
  *e = {x, x, y, y};
  return BlobKind::kEnvelope;
}

BlobKind ArgEnvelope(sqlite3_value* v, Envelope* e) {
  const auto* p = static_cast<const unsigned char*>(sqlite3_value_blob(v));
  const int n = sqlite3_value_bytes(v);
  return ReadEnvelope(p, static_cast<size_t>(std::max(n, 0)), e);
}

template <double Envelope::*kMember>
void StBound(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  Envelope e;
  if (ArgEnvelope(argv[0], &e) != BlobKind::kEnvelope) {
    sqlite3_result_null(ctx);
    return;
  }
  sqlite3_result_double(ctx, e.*kMember);
}

void StIsEmpty(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  Envelope e;
  const BlobKind kind = ArgEnvelope(argv[0], &e);
  if (kind == BlobKind::kInvalid && sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  sqlite3_result_int(ctx, kind == BlobKind::kEmpty ? 1 : 0);
}

}  // namespace

int RegisterGpkgFunctions(sqlite3* db) {
  using Fn = void (*)(sqlite3_context*, int, sqlite3_value**);
  const struct {
    const char* name;
    Fn fn;
  } functions[] = {{"ST_MinX", StBound<&Envelope::min_x>},
                   {"ST_MaxX", StBound<&Envelope::max_x>},
                   {"ST_MinY", StBound<&Envelope::min_y>},
                   {"ST_MaxY", StBound<&Envelope::max_y>},
                   {"ST_IsEmpty", StIsEmpty}};
  for (const auto& f : functions) {
    const int rc = sqlite3_create_function_v2(db, f.name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                              nullptr, f.fn, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

}  // namespace placecast::io::internal
