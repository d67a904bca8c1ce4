// SPDX-License-Identifier: Apache-2.0
// GeoPackage Store written and read with SQLite directly (schema in docs/formats.md): a point
// feature table `incidents`, a multipolygon feature table `study_area`, attribute tables
// `ingest_runs` and `placecast_metadata` (schema version, CRS), and the tables SQLite-only readers
// never need: `ledger`, `placecast_state` (the maintained incidents digest) and `placecast_secret`
// (the release key). The file is created in place by the first write transaction and written in
// WAL mode under SQLite's locking (docs/reliability.md). Not thread-safe (one object per thread).
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <future>
#include <limits>
#include <set>
#include <tuple>

#include "io/gpkg_functions.h"
#include "io/projection.h"
#include "placecast/io/file_util.h"
#include "placecast/io/store.h"

namespace placecast::io {
namespace {

constexpr int kGpkgApplicationId = 0x47504B47;  // "GPKG"
constexpr int kGpkgUserVersion = 10300;         // GeoPackage 1.3

// ---- geometry blobs ---------------------------------------------------------------------------

void PutU32(std::string& b, uint32_t v) { b.append(reinterpret_cast<const char*>(&v), 4); }
void PutF64(std::string& b, double v) { b.append(reinterpret_cast<const char*>(&v), 8); }

// GeoPackage binary header: magic, version 0, flags (little endian, no envelope), srs id.
std::string GpkgHeader(int32_t srs_id) {
  std::string b = "GP";
  b += '\0';
  b += '\x01';
  b.append(reinterpret_cast<const char*>(&srs_id), 4);
  return b;
}

std::string PointBlob(int32_t srs_id, double x, double y) {
  std::string b = GpkgHeader(srs_id);
  b += '\x01';
  PutU32(b, 1);
  PutF64(b, x);
  PutF64(b, y);
  return b;
}

bool RingContains(const grid::Ring& r, double x, double y) {
  bool in = false;
  const size_t n = r.x_m.size();
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    if ((r.y_m[i] > y) != (r.y_m[j] > y) &&
        x < (r.x_m[j] - r.x_m[i]) * (y - r.y_m[i]) / (r.y_m[j] - r.y_m[i]) + r.x_m[i]) {
      in = !in;
    }
  }
  return in;
}

// Whether ring `inner` lies inside ring `outer`. Adjacent areas (police districts) share border
// vertices, and a shared vertex may test as inside its neighbour, so only vertices of `inner` that
// are not vertices of `outer` vote, and the majority decides. A ring made only of `outer`'s
// vertices (a duplicate) is not inside it.
bool RingInsideRing(const grid::Ring& inner, const grid::Ring& outer) {
  std::set<std::pair<double, double>> outer_vertices;
  for (size_t k = 0; k < outer.x_m.size(); ++k) outer_vertices.emplace(outer.x_m[k], outer.y_m[k]);
  int inside = 0, votes = 0;
  const size_t n = inner.x_m.size();
  const size_t step = std::max<size_t>(1, n / 31);
  for (size_t k = 0; k < n; k += step) {
    if (outer_vertices.count({inner.x_m[k], inner.y_m[k]})) continue;
    ++votes;
    if (RingContains(outer, inner.x_m[k], inner.y_m[k])) ++inside;
  }
  return votes > 0 && 2 * inside > votes;
}

// Even-odd rings → MultiPolygon WKB: a ring inside an even number of rings is an outer ring; one
// inside an odd number is a hole of the innermost ring holding it.
std::string BoundaryBlob(int32_t srs_id, const grid::Boundary& b) {
  const size_t n = b.rings.size();
  std::vector<int> depth(n, 0), parent(n, -1);
  for (size_t i = 0; i < n; ++i) {
    if (b.rings[i].x_m.empty()) continue;
    for (size_t j = 0; j < n; ++j) {
      if (i == j || b.rings[j].x_m.size() < 3) continue;
      if (RingInsideRing(b.rings[i], b.rings[j])) ++depth[i];
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (depth[i] % 2 == 0 || b.rings[i].x_m.empty()) continue;
    for (size_t j = 0; j < n; ++j) {
      if (depth[j] == depth[i] - 1 && b.rings[j].x_m.size() >= 3 &&
          RingInsideRing(b.rings[i], b.rings[j])) {
        parent[i] = static_cast<int>(j);
        break;
      }
    }
  }
  auto put_ring = [](std::string& s, const grid::Ring& r) {
    PutU32(s, static_cast<uint32_t>(r.x_m.size() + 1));
    for (size_t k = 0; k < r.x_m.size(); ++k) {
      PutF64(s, r.x_m[k]);
      PutF64(s, r.y_m[k]);
    }
    PutF64(s, r.x_m[0]);
    PutF64(s, r.y_m[0]);
  };
  std::string polys;
  uint32_t npoly = 0;
  for (size_t i = 0; i < n; ++i) {
    if (depth[i] % 2 != 0 || b.rings[i].x_m.size() < 3) continue;
    std::vector<size_t> holes;
    for (size_t j = 0; j < n; ++j) {
      if (parent[j] == static_cast<int>(i) && b.rings[j].x_m.size() >= 3) holes.push_back(j);
    }
    polys += '\x01';
    PutU32(polys, 3);
    PutU32(polys, static_cast<uint32_t>(1 + holes.size()));
    put_ring(polys, b.rings[i]);
    for (size_t h : holes) put_ring(polys, b.rings[h]);
    ++npoly;
  }
  std::string blob = GpkgHeader(srs_id);
  blob += '\x01';
  PutU32(blob, 6);
  PutU32(blob, npoly);
  return blob + polys;
}

// Parses a GeoPackage (Multi)Polygon blob into rings (closing point dropped).
class WkbReader {
 public:
  WkbReader(const unsigned char* p, size_t n) : p_(p), n_(n) {}
  bool ReadGeometry(grid::Boundary* out) {
    uint8_t order;
    uint32_t type;
    if (!Header(&order, &type)) return false;
    if (type == 3) return Polygon(order, out);
    if (type == 6) return Each(order, [&] { return ReadGeometry(out); });
    return false;
  }
  // Any 2D point, line or polygon geometry (or a collection of them) as parts, the way
  // io::EnvFeature keeps them: one vertex per point, a polyline per line, rings of polygons
  // without their closing vertex.
  bool ReadParts(std::vector<grid::Ring>* out) {
    uint8_t order;
    uint32_t type;
    if (!Header(&order, &type)) return false;
    if (type == 1) {
      double x, y;
      if (!F64(order, &x) || !F64(order, &y)) return false;
      out->push_back(grid::Ring{{x}, {y}});
      return true;
    }
    if (type == 2) {
      grid::Ring line;
      if (!Points(order, &line)) return false;
      out->push_back(std::move(line));
      return true;
    }
    if (type == 3) {
      grid::Boundary b;
      if (!Polygon(order, &b)) return false;
      for (auto& r : b.rings) out->push_back(std::move(r));
      return true;
    }
    if (type >= 4 && type <= 7) return Each(order, [&] { return ReadParts(out); });
    return false;
  }

 private:
  // A geometry's byte order and its 2D type code (ISO Z/M codes: only 2D is written; others'
  // 2D readers are tolerated).
  bool Header(uint8_t* order, uint32_t* type) {
    if (!Byte(order) || !U32(*order, type)) return false;
    *type %= 1000;
    return true;
  }
  // A count, then that many parts each read by `read` (the members of a multi-geometry).
  template <typename Read>
  bool Each(uint8_t order, Read&& read) {
    uint32_t n;
    if (!U32(order, &n)) return false;
    for (uint32_t i = 0; i < n; ++i) {
      if (!read()) return false;
    }
    return true;
  }
  bool Byte(uint8_t* v) {
    if (pos_ + 1 > n_) return false;
    *v = p_[pos_++];
    return true;
  }
  bool U32(uint8_t order, uint32_t* v) {
    if (pos_ + 4 > n_) return false;
    uint32_t x;
    std::memcpy(&x, p_ + pos_, 4);
    if (order == 0) x = __builtin_bswap32(x);
    *v = x;
    pos_ += 4;
    return true;
  }
  bool F64(uint8_t order, double* v) {
    if (pos_ + 8 > n_) return false;
    uint64_t x;
    std::memcpy(&x, p_ + pos_, 8);
    if (order == 0) x = __builtin_bswap64(x);
    std::memcpy(v, &x, 8);
    pos_ += 8;
    return true;
  }
  // A point count, then that many (x, y) pairs appended to `out`.
  bool Points(uint8_t order, grid::Ring* out) {
    uint32_t npts;
    if (!U32(order, &npts)) return false;
    for (uint32_t k = 0; k < npts; ++k) {
      double x, y;
      if (!F64(order, &x) || !F64(order, &y)) return false;
      out->x_m.push_back(x);
      out->y_m.push_back(y);
    }
    return true;
  }
  bool Polygon(uint8_t order, grid::Boundary* out) {
    uint32_t nrings;
    if (!U32(order, &nrings)) return false;
    for (uint32_t r = 0; r < nrings; ++r) {
      grid::Ring ring;
      if (!Points(order, &ring)) return false;
      if (ring.x_m.size() > 1 && ring.x_m.front() == ring.x_m.back() &&
          ring.y_m.front() == ring.y_m.back()) {
        ring.x_m.pop_back();
        ring.y_m.pop_back();
      }
      if (ring.x_m.size() >= 3) out->rings.push_back(std::move(ring));
    }
    return true;
  }
  const unsigned char* p_;
  size_t n_;
  size_t pos_ = 0;
};

bool BlobToBoundary(const unsigned char* p, size_t n, grid::Boundary* out) {
  if (n < 8 || p[0] != 'G' || p[1] != 'P') return false;
  static constexpr size_t kEnvelopeBytes[] = {0, 32, 48, 48, 64};
  const int env = (p[3] >> 1) & 7;
  if (env > 4) return false;
  const size_t off = 8 + kEnvelopeBytes[env];
  if (off > n) return false;
  WkbReader r(p + off, n - off);
  return r.ReadGeometry(out);
}

// An environment feature as a GeoPackage blob: MultiPoint, MultiLineString or (through
// BoundaryBlob's even-odd nesting) MultiPolygon.
std::string EnvFeatureBlob(int32_t srs_id, EnvLayerKind kind, const EnvFeature& f) {
  if (kind == EnvLayerKind::kPolygon) return BoundaryBlob(srs_id, grid::Boundary{"", f.parts});
  std::string b = GpkgHeader(srs_id);
  b += '\x01';
  PutU32(b, kind == EnvLayerKind::kPoint ? 4 : 5);
  PutU32(b, static_cast<uint32_t>(f.parts.size()));
  for (const grid::Ring& p : f.parts) {
    b += '\x01';
    if (kind == EnvLayerKind::kPoint) {
      PutU32(b, 1);
    } else {
      PutU32(b, 2);
      PutU32(b, static_cast<uint32_t>(p.x_m.size()));
    }
    for (size_t k = 0; k < p.x_m.size(); ++k) {
      PutF64(b, p.x_m[k]);
      PutF64(b, p.y_m[k]);
    }
  }
  return b;
}

bool BlobToEnvFeature(std::string_view blob, EnvFeature* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  const size_t n = blob.size();
  if (n < 8 || p[0] != 'G' || p[1] != 'P') return false;
  static constexpr size_t kEnvelopeBytes[] = {0, 32, 48, 48, 64};
  const int env = (p[3] >> 1) & 7;
  if (env > 4) return false;
  const size_t off = 8 + kEnvelopeBytes[env];
  if (off > n) return false;
  WkbReader r(p + off, n - off);
  return r.ReadParts(&out->parts);
}

// The environment layer tables, created on first use (docs/formats.md): `env_layers` holds one
// row per layer, `env_features` one row per feature with its geometry.
constexpr const char* kEnvTablesSql = R"sql(
CREATE TABLE IF NOT EXISTS env_layers (name TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL,
  source_file TEXT NOT NULL, source_sha256 TEXT NOT NULL, snapshot_date TEXT NOT NULL,
  feature_count INTEGER NOT NULL, crs TEXT NOT NULL, added_utc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS env_features (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  geom GEOMETRY, layer TEXT NOT NULL REFERENCES env_layers (name), seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS env_features_layer ON env_features (layer, seq);
)sql";

// ---- SQLite helpers ---------------------------------------------------------------------------

class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr); }
  ~Stmt() { sqlite3_finalize(s_); }
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return s_; }
  int Step() { return sqlite3_step(s_); }
  void BindText(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void BindBlob(int i, const std::string& v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  std::string Text(int col) {
    const unsigned char* t = sqlite3_column_text(s_, col);
    return t ? std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(s_, col)) : "";
  }
  std::string_view TextView(int col) {
    const unsigned char* t = sqlite3_column_text(s_, col);
    return t ? std::string_view(reinterpret_cast<const char*>(t), sqlite3_column_bytes(s_, col))
             : std::string_view();
  }
  std::string_view BlobView(int col) {
    const void* b = sqlite3_column_blob(s_, col);
    return b ? std::string_view(static_cast<const char*>(b), sqlite3_column_bytes(s_, col))
             : std::string_view();
  }

 private:
  sqlite3_stmt* s_ = nullptr;
  int rc_;
};

int BusyTimeoutMs() {
  if (const char* e = std::getenv("PLACECAST_BUSY_TIMEOUT_MS")) {
    char* end = nullptr;
    const long v = std::strtol(e, &end, 10);
    if (end != e && *end == '\0' && v >= 0 && v <= 86400000) return static_cast<int>(v);
  }
  return 60000;
}

// One error translation for every SQLite failure: busy and locked stores, full disks and
// read-only files are the user's to fix (kIo); a damaged file is kData.
Status SqlError(sqlite3* db, const std::string& path, const std::string& what) {
  const int rc = db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;
  const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Io(path + ": store is busy: another placecast process is writing it (waited " +
                        std::to_string(BusyTimeoutMs() / 1000) +
                        " s; try again, or set PLACECAST_BUSY_TIMEOUT_MS)");
    case SQLITE_FULL:
      return Status::Io(path + ": " + what + ": disk full (" + msg + "); nothing was changed");
    case SQLITE_READONLY:
      return Status::Io(path + ": " + what + ": the store is read-only (" + msg + ")");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Data(path + ": " + what + ": the file is damaged (" + msg +
                          "); restore it from a backup");
    case SQLITE_CONSTRAINT:
      return Status::InvalidInput(path + ": " + what + ": " + msg);
    default:
      return Status::Io(path + ": " + what + ": " + msg);
  }
}

// Grows the extent gpkg_contents records for `table` to take in [x0, x1] x [y0, y1] and stamps its
// last_change, in the open transaction.
Status GrowContentsExtent(sqlite3* db, const std::string& path, const std::string& table, double x0,
                          double y0, double x1, double y1) {
  Stmt u(db,
         "UPDATE gpkg_contents SET min_x = MIN(COALESCE(min_x, ?1), ?1),"
         " min_y = MIN(COALESCE(min_y, ?2), ?2), max_x = MAX(COALESCE(max_x, ?3), ?3),"
         " max_y = MAX(COALESCE(max_y, ?4), ?4),"
         " last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = ?5");
  if (!u.ok()) return SqlError(db, path, "gpkg_contents");
  sqlite3_bind_double(u.get(), 1, x0);
  sqlite3_bind_double(u.get(), 2, y0);
  sqlite3_bind_double(u.get(), 3, x1);
  sqlite3_bind_double(u.get(), 4, y1);
  sqlite3_bind_text(u.get(), 5, table.c_str(), -1, SQLITE_TRANSIENT);
  if (u.Step() != SQLITE_DONE) return SqlError(db, path, "gpkg_contents");
  return Status::Ok();
}

Status Exec(sqlite3* db, const std::string& sql, const std::string& path) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    sqlite3_free(err);
    return SqlError(db, path, "sqlite");
  }
  return Status::Ok();
}

std::string NowIso() {
  const int64_t t = static_cast<int64_t>(std::time(nullptr));
  return FormatDateTime(t);
}

// The indexes of `incidents`, built once after the bulk insert of a new store (a sorted build is
// much faster than keeping them up to date row by row); later writes maintain them. The unique
// index on `id` enforces what the UNIQUE column constraint of earlier stores did.
constexpr const char* kIncidentIndexSql =
    "CREATE UNIQUE INDEX incidents_id ON incidents (id);"
    "CREATE INDEX incidents_group_time ON incidents (group_code, t_utc_s);";

constexpr const char* kSchemaSql = R"sql(
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE incidents (
  fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom POINT, id TEXT NOT NULL,
  time_utc TEXT NOT NULL, t_utc_s INTEGER NOT NULL, tz TEXT NOT NULL, lon REAL NOT NULL,
  lat REAL NOT NULL, x_m REAL NOT NULL, y_m REAL NOT NULL, offence TEXT NOT NULL,
  offence_group TEXT NOT NULL, group_code INTEGER NOT NULL, district TEXT NOT NULL,
  beat TEXT NOT NULL, source TEXT NOT NULL);
CREATE TABLE study_area (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom MULTIPOLYGON,
  name TEXT NOT NULL);
CREATE TABLE ingest_runs (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, time_utc TEXT NOT NULL,
  inputs TEXT NOT NULL, summary_json TEXT NOT NULL);
CREATE TABLE placecast_metadata (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  key TEXT NOT NULL UNIQUE, value TEXT NOT NULL);
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
)sql";

// The GeoPackage R-tree spatial index of `incidents` (GeoPackage 1.3, annex F.3; the extension GDAL
// writes for every product layer, so QGIS and GDAL use it): the index, its gpkg_extensions row and
// the standard triggers that keep it in step with the rows (they call the ST_ functions of
// io/gpkg_functions.h). Built here in one pass over the rows: for a new store after its bulk
// insert, for a store written before placecast kept the index at its first write (ingest). The
// triggers then maintain it, a purge's deletes included.
constexpr const char* kIncidentsRtreeSql = R"sql(
CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT,
  extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
INSERT OR IGNORE INTO gpkg_extensions VALUES ('incidents', 'geom', 'gpkg_rtree_index',
  'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');
CREATE VIRTUAL TABLE rtree_incidents_geom USING rtree(id, minx, maxx, miny, maxy);
INSERT INTO rtree_incidents_geom SELECT fid, ST_MinX(geom), ST_MaxX(geom), ST_MinY(geom),
  ST_MaxY(geom) FROM incidents WHERE geom NOT NULL AND NOT ST_IsEmpty(geom);
CREATE TRIGGER rtree_incidents_geom_insert AFTER INSERT ON incidents
  WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
  BEGIN INSERT OR REPLACE INTO rtree_incidents_geom VALUES (NEW.fid, ST_MinX(NEW.geom),
    ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
CREATE TRIGGER rtree_incidents_geom_update1 AFTER UPDATE OF geom ON incidents
  WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
  BEGIN INSERT OR REPLACE INTO rtree_incidents_geom VALUES (NEW.fid, ST_MinX(NEW.geom),
    ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
CREATE TRIGGER rtree_incidents_geom_update2 AFTER UPDATE OF geom ON incidents
  WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
  BEGIN DELETE FROM rtree_incidents_geom WHERE id = OLD.fid; END;
CREATE TRIGGER rtree_incidents_geom_update3 AFTER UPDATE ON incidents
  WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
  BEGIN DELETE FROM rtree_incidents_geom WHERE id = OLD.fid;
    INSERT OR REPLACE INTO rtree_incidents_geom VALUES (NEW.fid, ST_MinX(NEW.geom),
    ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
CREATE TRIGGER rtree_incidents_geom_update4 AFTER UPDATE ON incidents
  WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
  BEGIN DELETE FROM rtree_incidents_geom WHERE id IN (OLD.fid, NEW.fid); END;
CREATE TRIGGER rtree_incidents_geom_delete AFTER DELETE ON incidents WHEN old.geom NOT NULL
  BEGIN DELETE FROM rtree_incidents_geom WHERE id = OLD.fid; END;
)sql";

// Tables outside the data the state digest covers; created on demand in older stores.
constexpr const char* kStateTableSql =
    "CREATE TABLE IF NOT EXISTS placecast_state (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT "
    "NULL)";
constexpr const char* kPendingTableSql =
    "CREATE TABLE IF NOT EXISTS placecast_pending (pid INTEGER NOT NULL, tmp TEXT NOT NULL, final "
    "TEXT NOT NULL)";
constexpr const char* kSecretTableSql =
    "CREATE TABLE IF NOT EXISTS placecast_secret (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT "
    "NULL)";

// The data tables whose definitions the schema digest covers (with their indexes).
constexpr const char* kDataTablesSql =
    "('gpkg_spatial_ref_sys','gpkg_contents','gpkg_geometry_columns','incidents','study_area',"
    "'ingest_runs','placecast_metadata')";

// Every column of `incidents` but fid last: the canonical fields from column 1 (ReadIncident), then
// the derived ones (geom, time_utc, offence_group) that verify checks against them.
constexpr const char* kSelectIncidentSql =
    "SELECT fid, id, t_utc_s, tz, lon, lat, x_m, y_m, offence, group_code, district, beat, source,"
    " geom, time_utc, offence_group FROM incidents";

bool SameFile(const std::string& path, dev_t dev, ino_t ino) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

void PutLen(std::string& s, std::string_view v) {
  const uint64_t n = v.size();
  s.append(reinterpret_cast<const char*>(&n), 8);
  s.append(v);
}

class GeoPackageStore final : public Store {
 public:
  explicit GeoPackageStore(std::string path) : path_(std::move(path)) {}
  ~GeoPackageStore() override {
    RollbackWrite();
    Close();
  }

  void Close() {
    if (db_ != nullptr) sqlite3_close(db_);
    db_ = nullptr;
  }

  // Opens the file (creating it when `create`), and reads what it holds. A file without the
  // placecast schema (empty: created by an interrupted first write) opens as a new store.
  Status OpenFile(bool create) {
    const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      Close();
      return Status::Io(path_ + ": cannot open: " + msg);
    }
    sqlite3_busy_timeout(db_, BusyTimeoutMs());
    sqlite3_extended_result_codes(db_, 1);
    if (internal::RegisterGpkgFunctions(db_) != SQLITE_OK) {
      const Status st = SqlError(db_, path_, "registering the GeoPackage functions");
      Close();
      return st;
    }
    struct stat st;
    if (::stat(path_.c_str(), &st) == 0) {
      dev_ = st.st_dev;
      ino_ = st.st_ino;
    }
    return ReadHeader();
  }

  // Reads the application id, schema version and CRS; schema_ready_ is false for an empty file.
  Status ReadHeader() {
    schema_ready_ = false;
    crs_.clear();
    srs_id_ = 0;
    int tables = 0;
    {
      Stmt s(db_, "SELECT COUNT(*) FROM sqlite_master");
      if (!s.ok() || s.Step() != SQLITE_ROW) {
        Status st = SqlError(db_, path_, "not a GeoPackage");
        if (st.code() == ErrorCode::kIo && st.message().find("busy") == std::string::npos) {
          st = Status::Data(path_ + ": not a GeoPackage (" + sqlite3_errmsg(db_) + ")");
        }
        return st;
      }
      tables = sqlite3_column_int(s.get(), 0);
    }
    if (tables == 0) return Status::Ok();  // a new or emptied file: no schema yet
    int app_id = 0;
    {
      Stmt s(db_, "PRAGMA application_id");
      if (!s.ok() || s.Step() != SQLITE_ROW) return SqlError(db_, path_, "not a GeoPackage");
      app_id = sqlite3_column_int(s.get(), 0);
    }
    if (app_id != kGpkgApplicationId) {
      return Status::Data(path_ + ": not a GeoPackage (application_id " + std::to_string(app_id) +
                          ")");
    }
    auto version = Meta("schema_version");
    if (!version) {
      return Status::Data(path_ + ": not a placecast store (no placecast_metadata)");
    }
    if (*version != std::to_string(kStoreSchemaVersion)) {
      return Status::Data(path_ + ": placecast_metadata: schema_version " + *version +
                          " is not the supported version " + std::to_string(kStoreSchemaVersion) +
                          " (got \"" + *version + "\")");
    }
    crs_ = Meta("crs").value_or("");
    srs_id_ = EpsgCode(crs_);
    schema_ready_ = true;
    return Status::Ok();
  }

  bool schema_ready() const { return schema_ready_; }

  std::optional<std::string> Meta(const char* key) {
    Stmt s(db_, "SELECT value FROM placecast_metadata WHERE key = ?");
    if (!s.ok()) return std::nullopt;
    sqlite3_bind_text(s.get(), 1, key, -1, SQLITE_STATIC);
    if (s.Step() != SQLITE_ROW) return std::nullopt;
    return s.Text(0);
  }

  std::string GetPath() const override { return path_; }

  // ---- reads ----------------------------------------------------------------------------------

  Result<EventSet> LoadEvents(const std::vector<OffenceGroup>& groups, int64_t t_from_s,
                              int64_t t_to_s) override {
    EventSet out;
    out.crs = crs_;
    if (!schema_ready_ || groups.empty()) return out;
    std::string in;
    for (auto g : groups) {
      if (!in.empty()) in += ",";
      in += std::to_string(static_cast<int>(g));
    }
    const std::string sql =
        "SELECT t_utc_s, x_m, y_m, group_code, offence, id FROM incidents WHERE group_code IN (" +
        in + ") AND t_utc_s >= ? AND t_utc_s < ?";
    Stmt s(db_, sql.c_str());
    if (!s.ok()) return SqlError(db_, path_, "incidents");
    sqlite3_bind_int64(s.get(), 1, t_from_s);
    sqlite3_bind_int64(s.get(), 2, t_to_s);
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      sqlite3_stmt* st = s.get();
      out.Add(sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1),
              sqlite3_column_double(st, 2), static_cast<OffenceGroup>(sqlite3_column_int(st, 3)),
              s.TextView(4), s.TextView(5));
    }
    if (rc != SQLITE_DONE) return SqlError(db_, path_, "reading incidents");
    out.SortByTime();
    return out;
  }

  Result<std::optional<std::string>> GetCrs() override {
    if (crs_.empty()) return std::optional<std::string>();
    return std::optional<std::string>(crs_);
  }

  Result<std::string> GetTimeZone() override {
    if (!schema_ready_) return std::string();
    Stmt first(db_, "SELECT tz FROM incidents LIMIT 1");
    if (!first.ok()) return SqlError(db_, path_, "incidents");
    int rc = first.Step();
    if (rc == SQLITE_DONE) return std::string();
    if (rc != SQLITE_ROW) return SqlError(db_, path_, "reading incidents");
    const std::string tz = first.Text(0);
    Stmt other(db_, "SELECT tz FROM incidents WHERE tz <> ? LIMIT 1");
    if (!other.ok()) return SqlError(db_, path_, "incidents");
    sqlite3_bind_text(other.get(), 1, tz.c_str(), -1, SQLITE_TRANSIENT);
    rc = other.Step();
    if (rc == SQLITE_ROW) return MixedTimeZones(path_, tz, other.Text(0));
    if (rc != SQLITE_DONE) return SqlError(db_, path_, "reading incidents");
    return tz;
  }

  Result<std::optional<grid::Boundary>> GetStudyArea() override {
    if (!schema_ready_) return std::optional<grid::Boundary>();
    Stmt s(db_, "SELECT geom, name FROM study_area ORDER BY fid DESC LIMIT 1");
    if (!s.ok()) return SqlError(db_, path_, "study_area");
    const int rc = s.Step();
    if (rc == SQLITE_DONE) return std::optional<grid::Boundary>();
    if (rc != SQLITE_ROW) return SqlError(db_, path_, "study_area");
    grid::Boundary b;
    b.name = s.Text(1);
    const auto* blob = static_cast<const unsigned char*>(sqlite3_column_blob(s.get(), 0));
    if (!BlobToBoundary(blob, sqlite3_column_bytes(s.get(), 0), &b)) {
      return Status::Data(path_ + ": study_area: geometry is not a readable polygon");
    }
    return std::optional<grid::Boundary>(std::move(b));
  }

  Result<int64_t> CountIncidents() override {
    if (!schema_ready_) return int64_t{0};
    Stmt s(db_, "SELECT COUNT(*) FROM incidents");
    if (!s.ok() || s.Step() != SQLITE_ROW) return SqlError(db_, path_, "incidents");
    return static_cast<int64_t>(sqlite3_column_int64(s.get(), 0));
  }

  Result<IncidentAges> CountIncidentsBefore(int64_t cutoff_s) override {
    IncidentAges a;
    if (!schema_ready_) return a;
    Stmt s(db_,
           "SELECT COALESCE(SUM(t_utc_s < ?1), 0), COALESCE(SUM(t_utc_s >= ?1), 0),"
           " MIN(CASE WHEN t_utc_s >= ?1 THEN t_utc_s END) FROM incidents");
    if (!s.ok()) return SqlError(db_, path_, "incidents");
    sqlite3_bind_int64(s.get(), 1, cutoff_s);
    if (s.Step() != SQLITE_ROW) return SqlError(db_, path_, "reading incidents");
    a.before = sqlite3_column_int64(s.get(), 0);
    a.at_or_after = sqlite3_column_int64(s.get(), 1);
    if (sqlite3_column_type(s.get(), 2) != SQLITE_NULL) {
      a.oldest_kept_s = sqlite3_column_int64(s.get(), 2);
    }
    return a;
  }

  Result<std::vector<Incident>> LoadIncidents() override {
    std::vector<Incident> out;
    if (!schema_ready_) return out;
    Stmt s(db_,
           "SELECT id, t_utc_s, tz, lon, lat, x_m, y_m, offence, group_code, district, beat, "
           "source FROM incidents ORDER BY t_utc_s, id");
    if (!s.ok()) return SqlError(db_, path_, "incidents");
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadIncident(s, 0));
    if (rc != SQLITE_DONE) return SqlError(db_, path_, "reading incidents");
    return out;
  }

  Result<std::vector<std::string>> GetIds() override {
    std::vector<std::string> out;
    if (!schema_ready_) return out;
    Stmt s(db_, "SELECT id FROM incidents");
    if (!s.ok()) return SqlError(db_, path_, "incidents");
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) out.push_back(s.Text(0));
    if (rc != SQLITE_DONE) return SqlError(db_, path_, "reading incidents");
    return out;
  }

  Result<std::vector<IngestRun>> GetIngestRuns() override {
    std::vector<IngestRun> out;
    if (!schema_ready_) return out;
    Stmt s(db_, "SELECT time_utc, inputs, summary_json FROM ingest_runs ORDER BY fid");
    if (!s.ok()) return SqlError(db_, path_, "ingest_runs");
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      IngestRun r;
      r.time_utc = s.Text(0);
      std::string inputs = s.Text(1);
      size_t start = 0;
      while (start <= inputs.size() && !inputs.empty()) {
        const size_t nl = inputs.find('\n', start);
        r.inputs.push_back(inputs.substr(start, nl == std::string::npos ? nl : nl - start));
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
      r.summary_json = s.Text(2);
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return SqlError(db_, path_, "reading ingest_runs");
    return out;
  }

  // ---- environment layers ------------------------------------------------------------------

  Result<std::vector<EnvLayer>> LoadEnvLayers(bool with_geometry) override {
    std::vector<EnvLayer> out;
    if (!schema_ready_ || !HasTable("env_layers")) return out;
    {
      Stmt s(db_,
             "SELECT name, kind, source_file, source_sha256, snapshot_date, feature_count FROM"
             " env_layers ORDER BY name");
      if (!s.ok()) return SqlError(db_, path_, "env_layers");
      int rc;
      while ((rc = s.Step()) == SQLITE_ROW) {
        EnvLayer l;
        l.name = s.Text(0);
        const std::string kind = s.Text(1);
        if (kind == "point") {
          l.kind = EnvLayerKind::kPoint;
        } else if (kind == "line") {
          l.kind = EnvLayerKind::kLine;
        } else if (kind == "polygon") {
          l.kind = EnvLayerKind::kPolygon;
        } else {
          return Status::Data(path_ + ": env_layers: " + l.name +
                              ": kind: not point, line or "
                              "polygon (got \"" +
                              kind + "\")");
        }
        l.source_file = s.Text(2);
        l.source_sha256 = s.Text(3);
        l.snapshot_date = s.Text(4);
        l.feature_count = sqlite3_column_int64(s.get(), 5);
        out.push_back(std::move(l));
      }
      if (rc != SQLITE_DONE) return SqlError(db_, path_, "reading env_layers");
    }
    if (!with_geometry) return out;
    for (EnvLayer& l : out) {
      Stmt s(db_, "SELECT geom FROM env_features WHERE layer = ? ORDER BY seq");
      if (!s.ok()) return SqlError(db_, path_, "env_features");
      s.BindText(1, l.name);
      int rc;
      while ((rc = s.Step()) == SQLITE_ROW) {
        EnvFeature f;
        if (!BlobToEnvFeature(s.BlobView(0), &f)) {
          return Status::Data(path_ + ": env_features: layer " + l.name + ": feature " +
                              std::to_string(l.features.size() + 1) + ": geometry is not readable");
        }
        l.features.push_back(std::move(f));
      }
      if (rc != SQLITE_DONE) return SqlError(db_, path_, "reading env_features");
      if (static_cast<int64_t>(l.features.size()) != l.feature_count) {
        return Status::Data(path_ + ": env_layers: " + l.name + ": feature_count " +
                            std::to_string(l.feature_count) + " but " +
                            std::to_string(l.features.size()) + " features stored");
      }
    }
    return out;
  }

  Status WriteEnvLayer(const EnvLayer& layer, bool replace) override {
    if (db_ == nullptr || !schema_ready_) {
      return Status::InvalidInput(path_ +
                                  ": no CRS yet (ingest incidents first: layers are kept in the "
                                  "store's CRS)");
    }
    PLACECAST_RETURN_IF_ERROR(CheckEnvLayer(layer, crs_, path_));
    return InTransaction([&]() -> Status {
      const bool fresh = !HasTable("env_layers");
      PLACECAST_RETURN_IF_ERROR(Exec(db_, kEnvTablesSql, path_));
      const std::string srs = std::to_string(srs_id_);
      if (fresh) {
        PLACECAST_RETURN_IF_ERROR(Exec(
            db_,
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description,"
            " srs_id) VALUES ('env_features', 'features', 'env_features',"
            " 'placecast environment layer features', " +
                srs +
                "),"
                " ('env_layers', 'attributes', 'env_layers', 'placecast environment layers', NULL);"
                "INSERT OR IGNORE INTO gpkg_geometry_columns VALUES ('env_features', 'geom',"
                " 'GEOMETRY', " +
                srs + ", 0, 0);",
            path_));
      }
      {
        Stmt q(db_, "SELECT 1 FROM env_layers WHERE name = ?");
        if (!q.ok()) return SqlError(db_, path_, "env_layers");
        q.BindText(1, layer.name);
        if (q.Step() == SQLITE_ROW) {
          if (!replace) {
            return Status::InvalidInput(path_ + ": name: layer already stored (got \"" +
                                        layer.name + "\"); add --replace to replace it");
          }
          Stmt d1(db_, "DELETE FROM env_features WHERE layer = ?");
          d1.BindText(1, layer.name);
          if (d1.Step() != SQLITE_DONE) return SqlError(db_, path_, "env_features");
          Stmt d2(db_, "DELETE FROM env_layers WHERE name = ?");
          d2.BindText(1, layer.name);
          if (d2.Step() != SQLITE_DONE) return SqlError(db_, path_, "env_layers");
        }
      }
      Stmt ins(db_,
               "INSERT INTO env_layers (name, kind, source_file, source_sha256, snapshot_date,"
               " feature_count, crs, added_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      if (!ins.ok()) return SqlError(db_, path_, "env_layers");
      ins.BindText(1, layer.name);
      ins.BindText(2, std::string(EnvLayerKindName(layer.kind)));
      ins.BindText(3, layer.source_file);
      ins.BindText(4, layer.source_sha256);
      ins.BindText(5, layer.snapshot_date);
      sqlite3_bind_int64(ins.get(), 6, layer.feature_count);
      ins.BindText(7, crs_);
      ins.BindText(8, NowIso());
      if (ins.Step() != SQLITE_DONE) return SqlError(db_, path_, "env_layers");
      Stmt f(db_, "INSERT INTO env_features (geom, layer, seq) VALUES (?, ?, ?)");
      if (!f.ok()) return SqlError(db_, path_, "env_features");
      for (size_t i = 0; i < layer.features.size(); ++i) {
        f.BindBlob(1, EnvFeatureBlob(srs_id_, layer.kind, layer.features[i]));
        f.BindText(2, layer.name);
        sqlite3_bind_int64(f.get(), 3, static_cast<int64_t>(i + 1));
        if (f.Step() != SQLITE_DONE) return SqlError(db_, path_, "env_features");
        sqlite3_reset(f.get());
      }
      // The table's extent grows by this layer's (a replaced layer's old extent may remain).
      double x0 = HUGE_VAL, y0 = HUGE_VAL, x1 = -HUGE_VAL, y1 = -HUGE_VAL;
      for (const EnvFeature& feature : layer.features) {
        for (const grid::Ring& p : feature.parts) {
          for (size_t k = 0; k < p.x_m.size(); ++k) {
            x0 = std::min(x0, p.x_m[k]);
            x1 = std::max(x1, p.x_m[k]);
            y0 = std::min(y0, p.y_m[k]);
            y1 = std::max(y1, p.y_m[k]);
          }
        }
      }
      if (x0 > x1) return Status::Ok();
      return GrowContentsExtent(db_, path_, "env_features", x0, y0, x1, y1);
    });
  }

  // ---- transactions -----------------------------------------------------------------------------

  Status BeginWrite() override {
    if (in_txn_) return Status::InvalidInput(path_ + ": a write transaction is already open");
    for (int attempt = 0;; ++attempt) {
      if (db_ == nullptr) {
        // A new store: the file is created in place; SQLite's lock on it orders creators.
        std::error_code ec;
        const bool existed = std::filesystem::exists(path_, ec);
        PLACECAST_RETURN_IF_ERROR(OpenFile(true));
        created_file_ = !existed;
      }
      if (schema_ready_) (void)EnsureWal();
      if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
        return SqlError(db_, path_, "taking the write lock");
      }
      // Another creator may have abandoned (and unlinked) the file we opened while we waited.
      if (!SameFile(path_, dev_, ino_) && attempt < 5) {
        (void)Exec(db_, "ROLLBACK", path_);
        Close();
        continue;
      }
      break;
    }
    in_txn_ = true;
    change_ = StateChange{};
    vacuum_after_commit_ = false;
    Status st = ReadHeader();  // another process may have created or changed the store meanwhile
    if (!st.ok()) {
      RollbackWrite();
      return st;
    }
    schema_existed_at_begin_ = schema_ready_;
    return Status::Ok();
  }

  Status CommitWrite() override {
    if (!in_txn_) return Status::InvalidInput(path_ + ": no write transaction is open");
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      Status st = SqlError(db_, path_, "committing");
      RollbackWrite();
      return st;
    }
    in_txn_ = false;
    created_file_ = false;
    change_ = StateChange{};
    (void)EnsureWal();
    if (vacuum_after_commit_) {
      vacuum_after_commit_ = false;
      // The purge committed with secure_delete on; VACUUM rebuilds the file without the freed
      // pages and the checkpoint empties the WAL, so no purged row survives in the files' bytes.
      PLACECAST_RETURN_IF_ERROR(Exec(db_, "PRAGMA secure_delete = ON; VACUUM", path_));
      PLACECAST_RETURN_IF_ERROR(Exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)", path_));
    }
    return Status::Ok();
  }

  void RollbackWrite() override {
    if (!in_txn_ || db_ == nullptr) return;
    in_txn_ = false;
    change_ = StateChange{};
    vacuum_after_commit_ = false;
    if (created_file_ && !schema_existed_at_begin_) {
      // We created the file and nothing was committed to it: remove it while we still hold the
      // lock (a creator waiting on it re-opens the path when it gets the lock).
      ::unlink(path_.c_str());
      (void)Exec(db_, "ROLLBACK", path_);
      Close();
      std::error_code ec;
      std::filesystem::remove(path_ + "-journal", ec);
      std::filesystem::remove(path_ + "-wal", ec);
      std::filesystem::remove(path_ + "-shm", ec);
      created_file_ = false;
      schema_ready_ = false;
      crs_.clear();
      return;
    }
    (void)Exec(db_, "ROLLBACK", path_);
    (void)ReadHeader();
  }

  // ---- writes -----------------------------------------------------------------------------------

  Status Write(const StoreWrite& w) override {
    if (!crs_.empty() && w.crs != crs_) {
      return Status::InvalidInput(path_ + ": store CRS is " + crs_ + ", cannot add points in " +
                                  w.crs + " (got \"" + w.crs + "\")");
    }
    const int srs_id = EpsgCode(w.crs);
    if (srs_id <= 0) {
      return Status::InvalidInput("crs: only EPSG codes are stored (got \"" + w.crs + "\")");
    }
    return InTransaction([&] { return WriteInTransaction(w, srs_id); });
  }

  Result<int64_t> PurgeIncidentsBefore(int64_t cutoff_s) override {
    if (db_ == nullptr || !schema_ready_) {
      return Status::Io(path_ + ": no such store yet (nothing to purge)");
    }
    int64_t purged = 0;
    PLACECAST_RETURN_IF_ERROR(InTransaction([&]() -> Status {
      // secure_delete overwrites the freed content with zeros as the rows go.
      PLACECAST_RETURN_IF_ERROR(Exec(db_, "PRAGMA secure_delete = ON", path_));
      PLACECAST_RETURN_IF_ERROR(EnsureStateRows());
      RowSetDigest removed;
      {
        const std::string sql = std::string(kSelectIncidentSql) + " WHERE t_utc_s < ?";
        Stmt q(db_, sql.c_str());
        if (!q.ok()) return SqlError(db_, path_, "incidents");
        sqlite3_bind_int64(q.get(), 1, cutoff_s);
        int rc;
        while ((rc = q.Step()) == SQLITE_ROW) removed.Add(IncidentRowBytes(ReadIncident(q, 1)));
        if (rc != SQLITE_DONE) return SqlError(db_, path_, "reading incidents");
      }
      Stmt d(db_, "DELETE FROM incidents WHERE t_utc_s < ?");
      if (!d.ok()) return SqlError(db_, path_, "incidents");
      sqlite3_bind_int64(d.get(), 1, cutoff_s);
      if (d.Step() != SQLITE_DONE) return SqlError(db_, path_, "purging incidents");
      purged = sqlite3_changes64(db_);
      if (purged == 0) return Status::Ok();
      PLACECAST_RETURN_IF_ERROR(
          Exec(db_,
               "UPDATE gpkg_contents SET min_x = (SELECT MIN(x_m) FROM incidents),"
               " min_y = (SELECT MIN(y_m) FROM incidents), max_x = (SELECT MAX(x_m) FROM"
               " incidents), max_y = (SELECT MAX(y_m) FROM incidents),"
               " last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now')"
               " WHERE table_name = 'incidents'",
               path_));
      change_.removed += purged;
      change_.removed_sum.Add(removed);
      PLACECAST_RETURN_IF_ERROR(UpdateStateRows(-purged, nullptr, &removed));
      vacuum_after_commit_ = true;
      return Status::Ok();
    }));
    return purged;
  }

  Result<LedgerRecord> AppendLedger(LedgerRecord r) override {
    if (db_ == nullptr || !schema_ready_) {
      return Status::Io(path_ + ": no such store yet (the ledger lives in the store)");
    }
    PLACECAST_ASSIGN_OR_RETURN(r.params_json, CanonicalJson(r.params_json, "ledger params"));
    if (r.time_utc.empty()) r.time_utc = NowIso();
    PLACECAST_RETURN_IF_ERROR(InTransaction([&]() -> Status {
      PLACECAST_RETURN_IF_ERROR(EnsureStateRows());
      PLACECAST_ASSIGN_OR_RETURN(StoreState state, GetState());
      r.state_json = StateToJson(state, change_);
      change_ = StateChange{};
      return AppendLedgerRow(&r);
    }));
    return r;
  }

  Result<std::vector<LedgerRecord>> ReadLedger() override {
    std::vector<LedgerRecord> out;
    if (!schema_ready_ || !HasTable("ledger")) return out;
    const bool has_state = HasColumn("ledger", "state");
    const bool has_paths = has_state && HasColumn("ledger", "paths");
    const std::string sql =
        std::string(
            "SELECT seq, time_utc, command, params, inputs, outputs, code_version,"
            " prev_hash, hash") +
        (has_state ? ", state" : "") + (has_paths ? ", paths" : "") + " FROM ledger ORDER BY seq";
    Stmt s(db_, sql.c_str());
    if (!s.ok()) return SqlError(db_, path_, "ledger");
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      LedgerRecord r;
      r.seq = sqlite3_column_int64(s.get(), 0);
      r.time_utc = s.Text(1);
      r.command = s.Text(2);
      r.params_json = s.Text(3);
      const std::string at = path_ + ": ledger seq " + std::to_string(r.seq);
      PLACECAST_ASSIGN_OR_RETURN(r.inputs, LedgerFilesFromJson(s.Text(4), at + ": inputs"));
      PLACECAST_ASSIGN_OR_RETURN(r.outputs, LedgerFilesFromJson(s.Text(5), at + ": outputs"));
      r.code_version = s.Text(6);
      r.prev_hash = s.Text(7);
      r.hash = s.Text(8);
      if (has_state) r.state_json = s.Text(9);
      if (has_paths) r.paths = s.Text(10);
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return SqlError(db_, path_, "reading ledger");
    return out;
  }

  // ---- state ------------------------------------------------------------------------------------

  Result<StoreState> GetState() override {
    StoreState st;
    if (!schema_ready_) return st;
    std::optional<std::string> count, sum;
    if (HasTable("placecast_state")) {
      count = StateRow("incidents");
      sum = StateRow("incidents_sum");
    }
    if (count && sum) {
      st.incidents = std::strtoll(count->c_str(), nullptr, 10);
      st.incidents_sum = *sum;
    } else {
      // A store written before states were kept: digest its rows once (persisted by the next
      // write transaction through EnsureStateRows).
      RowSetDigest d;
      PLACECAST_ASSIGN_OR_RETURN(st.incidents, ScanIncidents(&d, nullptr));
      st.incidents_sum = d.ToHex();
    }
    PLACECAST_RETURN_IF_ERROR(SmallDigests(&st));
    return st;
  }

  Result<StoreState> RecomputeState(std::vector<std::string>* problems) override {
    StoreState st;
    if (!schema_ready_) return st;
    for (const char* t :
         {"incidents", "study_area", "ingest_runs", "placecast_metadata", "gpkg_spatial_ref_sys"}) {
      if (!HasTable(t)) {
        return Status::Data(path_ + ": table `" + std::string(t) + "` is missing");
      }
    }
    RowSetDigest d;
    PLACECAST_ASSIGN_OR_RETURN(st.incidents, ScanIncidents(&d, problems));
    st.incidents_sum = d.ToHex();
    PLACECAST_RETURN_IF_ERROR(SmallDigests(&st));
    return st;
  }

  Status CheckIntegrity(bool full) override {
    if (db_ == nullptr) return Status::Ok();
    Stmt s(db_, full ? "PRAGMA integrity_check(20)" : "PRAGMA quick_check(20)");
    if (!s.ok()) return SqlError(db_, path_, full ? "integrity_check" : "quick_check");
    std::string problems;
    int n = 0, rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      const std::string line = s.Text(0);
      if (line == "ok") continue;
      ++n;
      if (problems.size() < 400) problems += (problems.empty() ? "" : "; ") + line;
    }
    if (rc != SQLITE_DONE) {
      Status st = SqlError(db_, path_, full ? "integrity_check" : "quick_check");
      if (st.code() != ErrorCode::kIo || st.message().find("busy") == std::string::npos) {
        return Status::Data(path_ + ": SQLite " + (full ? "integrity_check" : "quick_check") +
                            " failed: " + sqlite3_errmsg(db_) + "; restore it from a backup");
      }
      return st;
    }
    if (n > 0) {
      return Status::Data(path_ + ": the file is damaged (SQLite " +
                          (full ? "integrity_check" : "quick_check") + ": " + std::to_string(n) +
                          " problem(s): " + problems + "); restore it from a backup");
    }
    return Status::Ok();
  }

  Status RecordPendingMoves(
      const std::vector<std::pair<std::string, std::string>>& moves) override {
    if (moves.empty()) return Status::Ok();
    if (db_ == nullptr || !schema_ready_) {
      return Status::Io(path_ + ": no such store yet (nothing to publish into)");
    }
    return InTransaction([&]() -> Status {
      PLACECAST_RETURN_IF_ERROR(Exec(db_, kPendingTableSql, path_));
      Stmt s(db_, "INSERT INTO placecast_pending (pid, tmp, final) VALUES (?, ?, ?)");
      if (!s.ok()) return SqlError(db_, path_, "placecast_pending");
      for (const auto& [tmp, final_path] : moves) {
        sqlite3_reset(s.get());
        sqlite3_bind_int64(s.get(), 1, static_cast<int64_t>(::getpid()));
        s.BindText(2, tmp);
        s.BindText(3, final_path);
        if (s.Step() != SQLITE_DONE) return SqlError(db_, path_, "placecast_pending");
      }
      return Status::Ok();
    });
  }

  Status ClearPendingMoves() override {
    if (db_ == nullptr || !schema_ready_ || !HasTable("placecast_pending")) return Status::Ok();
    return InTransaction([&]() -> Status {
      Stmt s(db_, "DELETE FROM placecast_pending WHERE pid = ?");
      if (!s.ok()) return SqlError(db_, path_, "placecast_pending");
      sqlite3_bind_int64(s.get(), 1, static_cast<int64_t>(::getpid()));
      if (s.Step() != SQLITE_DONE) return SqlError(db_, path_, "placecast_pending");
      return Status::Ok();
    });
  }

  // Finishes the publication of products whose ledger record committed in a process that died
  // before renaming them (kill -9 right after the commit). Best effort: a read-only store or a
  // busy one is left for the next opener.
  void RollForwardPendingMoves() {
    if (db_ == nullptr || !schema_ready_ || !HasTable("placecast_pending")) return;
    std::vector<std::tuple<int64_t, std::string, std::string>> rows;
    {
      Stmt s(db_, "SELECT pid, tmp, final FROM placecast_pending ORDER BY rowid");
      if (!s.ok()) return;
      while (s.Step() == SQLITE_ROW) {
        rows.emplace_back(sqlite3_column_int64(s.get(), 0), s.Text(1), s.Text(2));
      }
    }
    std::set<int64_t> dead;
    for (const auto& [pid, tmp, final_path] : rows) {
      if (pid == ::getpid() || (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)) {
        continue;  // its own process is still publishing
      }
      dead.insert(pid);
      std::error_code ec;
      if (std::filesystem::is_regular_file(tmp, ec)) std::rename(tmp.c_str(), final_path.c_str());
    }
    if (dead.empty()) return;
    (void)InTransaction([&]() -> Status {
      for (int64_t pid : dead) {
        Stmt s(db_, "DELETE FROM placecast_pending WHERE pid = ?");
        if (!s.ok()) return SqlError(db_, path_, "placecast_pending");
        sqlite3_bind_int64(s.get(), 1, pid);
        if (s.Step() != SQLITE_DONE) return SqlError(db_, path_, "placecast_pending");
      }
      return Status::Ok();
    });
  }

  Result<std::string> GetReleaseKey() override {
    if (db_ == nullptr || !schema_ready_) {
      return Status::Io(path_ + ": no such store yet (the release key lives in the store)");
    }
    if (HasTable("placecast_secret")) {
      Stmt s(db_, "SELECT value FROM placecast_secret WHERE key = 'release_key'");
      if (s.ok() && s.Step() == SQLITE_ROW && sqlite3_column_bytes(s.get(), 0) == 32) {
        return std::string(s.BlobView(0));
      }
    }
    std::string key;
    PLACECAST_RETURN_IF_ERROR(InTransaction([&]() -> Status {
      PLACECAST_ASSIGN_OR_RETURN(key, EnsureReleaseKey());
      return Status::Ok();
    }));
    return key;
  }

 private:
  // The canonical fields of an incident from a row whose columns start at `first` in the order
  // id, t_utc_s, tz, lon, lat, x_m, y_m, offence, group_code, district, beat, source.
  static Incident ReadIncident(Stmt& s, int first) {
    Incident inc;
    sqlite3_stmt* st = s.get();
    inc.id = s.Text(first);
    inc.t_utc_s = sqlite3_column_int64(st, first + 1);
    inc.tz = s.Text(first + 2);
    inc.lon = sqlite3_column_double(st, first + 3);
    inc.lat = sqlite3_column_double(st, first + 4);
    inc.x_m = sqlite3_column_double(st, first + 5);
    inc.y_m = sqlite3_column_double(st, first + 6);
    inc.offence = s.Text(first + 7);
    inc.group = static_cast<OffenceGroup>(sqlite3_column_int(st, first + 8));
    inc.district = s.Text(first + 9);
    inc.beat = s.Text(first + 10);
    inc.source = s.Text(first + 11);
    return inc;
  }

  // Runs `body` inside the open write transaction, or inside one of its own.
  template <typename F>
  Status InTransaction(F&& body) {
    if (in_txn_) return body();
    PLACECAST_RETURN_IF_ERROR(BeginWrite());
    Status st = body();
    if (!st.ok()) {
      RollbackWrite();
      return st;
    }
    return CommitWrite();
  }

  Status EnsureWal() {
    Stmt s(db_, "PRAGMA journal_mode");
    if (!s.ok() || s.Step() != SQLITE_ROW) return SqlError(db_, path_, "journal_mode");
    if (s.Text(0) == "wal") return Status::Ok();
    Stmt w(db_, "PRAGMA journal_mode = WAL");
    if (!w.ok() || w.Step() != SQLITE_ROW) return SqlError(db_, path_, "journal_mode");
    return Exec(db_, "PRAGMA synchronous = FULL", path_);
  }

  bool HasTable(const char* name) {
    Stmt s(db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    if (!s.ok()) return false;
    sqlite3_bind_text(s.get(), 1, name, -1, SQLITE_STATIC);
    return s.Step() == SQLITE_ROW;
  }

  bool HasColumn(const char* table, const char* column) {
    const std::string sql = std::string("SELECT 1 FROM pragma_table_info('") + table +
                            "') WHERE name = '" + column + "'";
    Stmt s(db_, sql.c_str());
    return s.ok() && s.Step() == SQLITE_ROW;
  }

  std::optional<std::string> StateRow(const char* key) {
    Stmt s(db_, "SELECT value FROM placecast_state WHERE key = ?");
    if (!s.ok()) return std::nullopt;
    sqlite3_bind_text(s.get(), 1, key, -1, SQLITE_STATIC);
    if (s.Step() != SQLITE_ROW) return std::nullopt;
    return s.Text(0);
  }

  // Inside a write transaction: makes sure placecast_state holds the incidents' count and digest
  // (digesting every row once for a store written before states were kept).
  Status EnsureStateRows() {
    if (HasTable("placecast_state") && StateRow("incidents") && StateRow("incidents_sum")) {
      return Status::Ok();
    }
    PLACECAST_RETURN_IF_ERROR(Exec(db_, kStateTableSql, path_));
    RowSetDigest d;
    PLACECAST_ASSIGN_OR_RETURN(int64_t n, ScanIncidents(&d, nullptr));
    return PutStateRows(n, d);
  }

  Status PutStateRows(int64_t count, const RowSetDigest& sum) {
    Stmt s(db_, "INSERT OR REPLACE INTO placecast_state (key, value) VALUES (?, ?), (?, ?)");
    if (!s.ok()) return SqlError(db_, path_, "placecast_state");
    s.BindText(1, "incidents");
    s.BindText(2, std::to_string(count));
    s.BindText(3, "incidents_sum");
    s.BindText(4, sum.ToHex());
    if (s.Step() != SQLITE_DONE) return SqlError(db_, path_, "placecast_state");
    return Status::Ok();
  }

  // Adds `delta` rows and `added` / removes `removed` from the maintained digest.
  Status UpdateStateRows(int64_t delta, const RowSetDigest* added, const RowSetDigest* removed) {
    auto count = StateRow("incidents");
    auto sum = StateRow("incidents_sum");
    if (!count || !sum) return Status::Internal(path_ + ": placecast_state rows missing");
    PLACECAST_ASSIGN_OR_RETURN(RowSetDigest d, RowSetDigest::FromHex(*sum, path_ + ": state"));
    if (added) d.Add(*added);
    if (removed) d.Remove(*removed);
    return PutStateRows(std::strtoll(count->c_str(), nullptr, 10) + delta, d);
  }

  // Digests every incident row; with `problems`, also checks the derived columns.
  Result<int64_t> ScanIncidents(RowSetDigest* d, std::vector<std::string>* problems) {
    Stmt s(db_, kSelectIncidentSql);
    if (!s.ok()) return SqlError(db_, path_, "incidents");
    int64_t n = 0, bad = 0;
    int rc;
    char time_buf[48];
    while ((rc = s.Step()) == SQLITE_ROW) {
      const Incident inc = ReadIncident(s, 1);
      d->Add(IncidentRowBytes(inc));
      ++n;
      if (problems == nullptr) continue;
      std::string why;
      const std::string want_geom = PointBlob(srs_id_, inc.x_m, inc.y_m);
      if (s.BlobView(13) != want_geom) why = "geom does not match x_m, y_m";
      const std::string_view want_time(time_buf,
                                       FormatDateTime(inc.t_utc_s, time_buf, sizeof(time_buf)));
      if (s.TextView(14) != want_time)
        why += (why.empty() ? "" : "; ") + std::string("time_utc does not match t_utc_s");
      if (s.TextView(15) != GetOffenceGroupInfo(inc.group).name) {
        why += (why.empty() ? "" : "; ") + std::string("offence_group does not match group_code");
      }
      if (!why.empty()) {
        if (++bad <= 20) {
          problems->push_back("incidents fid " + std::to_string(sqlite3_column_int64(s.get(), 0)) +
                              " (id " + inc.id + "): " + why);
        }
      }
    }
    if (rc != SQLITE_DONE) return SqlError(db_, path_, "reading incidents");
    if (problems && bad > 20) {
      problems->push_back("… and " + std::to_string(bad - 20) + " more incidents rows");
    }
    return n;
  }

  // SHA-256 over the canonical rows of a query (every column, typed, length-prefixed).
  Result<std::string> DigestQuery(const char* sql, const char* what) {
    Stmt s(db_, sql);
    if (!s.ok()) return SqlError(db_, path_, what);
    std::string buf;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      const int cols = sqlite3_column_count(s.get());
      buf += 'R';
      for (int c = 0; c < cols; ++c) {
        switch (sqlite3_column_type(s.get(), c)) {
          case SQLITE_NULL:
            buf += 'N';
            break;
          case SQLITE_INTEGER: {
            buf += 'I';
            PutLen(buf, std::to_string(sqlite3_column_int64(s.get(), c)));
            break;
          }
          case SQLITE_FLOAT: {
            buf += 'F';
            const double v = sqlite3_column_double(s.get(), c);
            buf.append(reinterpret_cast<const char*>(&v), 8);
            break;
          }
          case SQLITE_BLOB:
            buf += 'B';
            PutLen(buf, s.BlobView(c));
            break;
          default:
            buf += 'T';
            PutLen(buf, s.TextView(c));
        }
      }
    }
    if (rc != SQLITE_DONE) return SqlError(db_, path_, what);
    return Sha256Hex(buf);
  }

  Status SmallDigests(StoreState* st) {
    PLACECAST_ASSIGN_OR_RETURN(
        st->study_area,
        DigestQuery("SELECT geom, name FROM study_area ORDER BY fid", "study_area"));
    PLACECAST_ASSIGN_OR_RETURN(
        st->metadata,
        DigestQuery("SELECT 'meta', key, value, NULL, NULL, NULL FROM placecast_metadata UNION ALL"
                    " SELECT 'srs', srs_name, srs_id, organization, organization_coordsys_id,"
                    " definition FROM gpkg_spatial_ref_sys ORDER BY 1, 2, 3",
                    "placecast_metadata"));
    PLACECAST_ASSIGN_OR_RETURN(
        st->ingest_runs,
        DigestQuery("SELECT time_utc, inputs, summary_json FROM ingest_runs ORDER BY fid",
                    "ingest_runs"));
    const std::string schema_sql =
        std::string("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name IN ") +
        kDataTablesSql + " ORDER BY type, name";
    PLACECAST_ASSIGN_OR_RETURN(st->schema, DigestQuery(schema_sql.c_str(), "schema"));
    return Status::Ok();
  }

  Result<std::string> EnsureReleaseKey() {
    PLACECAST_RETURN_IF_ERROR(Exec(db_, kSecretTableSql, path_));
    {
      Stmt s(db_, "SELECT value FROM placecast_secret WHERE key = 'release_key'");
      if (s.ok() && s.Step() == SQLITE_ROW && sqlite3_column_bytes(s.get(), 0) == 32) {
        return std::string(s.BlobView(0));
      }
    }
    PLACECAST_ASSIGN_OR_RETURN(std::string key, RandomBytes(32));
    Stmt s(db_, "INSERT OR REPLACE INTO placecast_secret (key, value) VALUES ('release_key', ?)");
    if (!s.ok()) return SqlError(db_, path_, "placecast_secret");
    s.BindBlob(1, key);
    if (s.Step() != SQLITE_DONE) return SqlError(db_, path_, "placecast_secret");
    return key;
  }

  // Inside an open transaction: creates the table on first use, then links and inserts `r`.
  // The triggers make the table append-only for ordinary SQL; they are a guard against accidents,
  // not against tampering (anyone with the file can drop them) -- the hash chain is the defence.
  Status AppendLedgerRow(LedgerRecord* r) {
    if (!HasTable("ledger")) {
      PLACECAST_RETURN_IF_ERROR(Exec(db_, R"sql(
CREATE TABLE ledger (seq INTEGER PRIMARY KEY NOT NULL, time_utc TEXT NOT NULL,
  command TEXT NOT NULL, params TEXT NOT NULL, inputs TEXT NOT NULL, outputs TEXT NOT NULL,
  code_version TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT '', paths TEXT NOT NULL DEFAULT '');
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
  BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
  BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
  VALUES ('ledger', 'attributes', 'ledger', 'placecast tamper-evident ledger (hash chain)', NULL);
)sql",
                                     path_));
    } else {
      // Columns added since the table's first version; older records hold '' (docs/ledger.md).
      for (const char* column : {"state", "paths"}) {
        if (HasColumn("ledger", column)) continue;
        PLACECAST_RETURN_IF_ERROR(Exec(
            db_,
            std::string("ALTER TABLE ledger ADD COLUMN ") + column + " TEXT NOT NULL DEFAULT ''",
            path_));
      }
    }
    {
      Stmt s(db_, "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1");
      if (!s.ok()) return SqlError(db_, path_, "ledger");
      if (s.Step() == SQLITE_ROW) {
        r->seq = sqlite3_column_int64(s.get(), 0) + 1;
        r->prev_hash = s.Text(1);
      } else {
        r->seq = 1;
        r->prev_hash = std::string(kLedgerGenesisHash);
      }
    }
    PLACECAST_ASSIGN_OR_RETURN(r->hash, LedgerRecordHash(*r));
    Stmt s(db_,
           "INSERT INTO ledger (seq, time_utc, command, params, inputs, outputs, code_version,"
           " prev_hash, hash, state, paths) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s.ok()) return SqlError(db_, path_, "ledger");
    sqlite3_bind_int64(s.get(), 1, r->seq);
    s.BindText(2, r->time_utc);
    s.BindText(3, r->command);
    s.BindText(4, r->params_json);
    s.BindText(5, LedgerFilesToJson(r->inputs));
    s.BindText(6, LedgerFilesToJson(r->outputs));
    s.BindText(7, r->code_version);
    s.BindText(8, r->prev_hash);
    s.BindText(9, r->hash);
    s.BindText(10, r->state_json);
    s.BindText(11, r->paths);
    if (s.Step() != SQLITE_DONE) return SqlError(db_, path_, "ledger");
    return Status::Ok();
  }

  Status CreateSchema(const std::string& crs, int srs_id) {
    PLACECAST_RETURN_IF_ERROR(
        Exec(db_,
             "PRAGMA application_id = " + std::to_string(kGpkgApplicationId) +
                 "; PRAGMA user_version = " + std::to_string(kGpkgUserVersion),
             path_));
    PLACECAST_RETURN_IF_ERROR(Exec(db_, kSchemaSql, path_));
    for (const std::string& c : {std::string("EPSG:4326"), crs}) {
      PLACECAST_ASSIGN_OR_RETURN(std::string wkt, CrsToWkt(c));
      Stmt s(db_, "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, 'EPSG', ?, ?, NULL)");
      std::string name = wkt.substr(0, wkt.find(','));
      const size_t q = name.find('"');
      name = q == std::string::npos ? c : name.substr(q + 1, name.size() - q - 2);
      s.BindText(1, name);
      sqlite3_bind_int(s.get(), 2, EpsgCode(c));
      sqlite3_bind_int(s.get(), 3, EpsgCode(c));
      s.BindText(4, wkt);
      if (s.Step() != SQLITE_DONE) return SqlError(db_, path_, "gpkg_spatial_ref_sys");
    }
    const std::string srs = std::to_string(srs_id);
    PLACECAST_RETURN_IF_ERROR(Exec(
        db_,
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES"
        " ('incidents', 'features', 'incidents', 'placecast canonical incidents', " +
            srs +
            "),"
            " ('study_area', 'features', 'study_area', 'placecast study area', " +
            srs +
            "),"
            " ('ingest_runs', 'attributes', 'ingest_runs', 'placecast ingest summaries', NULL),"
            " ('placecast_metadata', 'attributes', 'placecast_metadata', 'placecast store "
            "metadata',"
            " NULL);"
            "INSERT INTO gpkg_geometry_columns VALUES ('incidents', 'geom', 'POINT', " +
            srs +
            ", 0, 0),"
            " ('study_area', 'geom', 'MULTIPOLYGON', " +
            srs +
            ", 0, 0);"
            "INSERT INTO placecast_metadata (key, value) VALUES ('schema_version', '" +
            std::to_string(kStoreSchemaVersion) + "'), ('crs', '" + crs + "');",
        path_));
    PLACECAST_RETURN_IF_ERROR(Exec(db_, kStateTableSql, path_));
    PLACECAST_RETURN_IF_ERROR(PutStateRows(0, RowSetDigest{}));
    PLACECAST_ASSIGN_OR_RETURN(std::string key, EnsureReleaseKey());
    (void)key;
    return Status::Ok();
  }

  Status WriteInTransaction(const StoreWrite& w, int srs_id) {
    const bool fresh = !schema_ready_;
    if (fresh) {
      // The sorter threads build the indexes after the bulk insert on a second core.
      PLACECAST_RETURN_IF_ERROR(Exec(db_, "PRAGMA threads = 2", path_));
      PLACECAST_RETURN_IF_ERROR(CreateSchema(w.crs, srs_id));
      crs_ = w.crs;
      srs_id_ = srs_id;
      schema_ready_ = true;
    } else {
      PLACECAST_RETURN_IF_ERROR(EnsureStateRows());
    }
    // The digest of the new rows is taken on a second core while SQLite inserts them.
    auto added = std::async(std::launch::async, [&w] {
      RowSetDigest d;
      for (const Incident& inc : w.incidents) d.Add(IncidentRowBytes(inc));
      return d;
    });
    Status st = WriteRows(w, srs_id);
    RowSetDigest added_sum = added.get();
    PLACECAST_RETURN_IF_ERROR(st);
    if (fresh && sqlite3_exec(db_, kIncidentIndexSql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      return (sqlite3_extended_errcode(db_) & 0xff) == SQLITE_CONSTRAINT
                 ? Status::InvalidInput(path_ +
                                        ": an id occurs twice in the incidents to store (got \"" +
                                        std::string(sqlite3_errmsg(db_)) + "\")")
                 : SqlError(db_, path_, "building indexes");
    }
    if (fresh) change_.metadata = change_.schema = true;
    if (!HasTable("rtree_incidents_geom")) {
      PLACECAST_RETURN_IF_ERROR(Exec(db_, kIncidentsRtreeSql, path_));
      change_.schema = true;
    }
    if (w.study_area) change_.study_area = true;
    if (w.run) change_.ingest_runs = true;
    const int64_t n = static_cast<int64_t>(w.incidents.size());
    if (n > 0) {
      change_.added += n;
      change_.added_sum.Add(added_sum);
      PLACECAST_RETURN_IF_ERROR(UpdateStateRows(n, &added_sum, nullptr));
    }
    return Status::Ok();
  }

  Status WriteRows(const StoreWrite& w, int srs_id) {
    sqlite3* db = db_;
    if (!w.incidents.empty()) {
      Stmt s(db,
             "INSERT INTO incidents (geom, id, time_utc, t_utc_s, tz, lon, lat, x_m, y_m, offence,"
             " offence_group, group_code, district, beat, source)"
             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      if (!s.ok()) return SqlError(db, path_, "incidents");
      sqlite3_stmt* st = s.get();
      // Every bound value outlives its step (the incident's strings, the local buffers), so
      // SQLite reads them in place (SQLITE_STATIC) instead of copying each one.
      auto text = [st](int i, std::string_view v) {
        sqlite3_bind_text(st, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
      };
      std::string blob = PointBlob(srs_id, 0, 0);
      const size_t xy_at = blob.size() - 16;  // the point's x and y close the blob
      char time_buf[48];
      for (const Incident& inc : w.incidents) {
        std::memcpy(blob.data() + xy_at, &inc.x_m, 8);
        std::memcpy(blob.data() + xy_at + 8, &inc.y_m, 8);
        sqlite3_bind_blob(st, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
        text(2, inc.id);
        text(3,
             std::string_view(time_buf, FormatDateTime(inc.t_utc_s, time_buf, sizeof(time_buf))));
        sqlite3_bind_int64(st, 4, inc.t_utc_s);
        text(5, inc.tz);
        sqlite3_bind_double(st, 6, inc.lon);
        sqlite3_bind_double(st, 7, inc.lat);
        sqlite3_bind_double(st, 8, inc.x_m);
        sqlite3_bind_double(st, 9, inc.y_m);
        text(10, inc.offence);
        text(11, GetOffenceGroupInfo(inc.group).name);
        sqlite3_bind_int(st, 12, static_cast<int>(inc.group));
        text(13, inc.district);
        text(14, inc.beat);
        text(15, inc.source);
        const int rc = sqlite3_step(st);
        if ((rc & 0xff) == SQLITE_CONSTRAINT) {
          return Status::InvalidInput(path_ + ": id already stored (got \"" + inc.id + "\")");
        }
        if (rc != SQLITE_DONE) return SqlError(db, path_, "writing incidents");
        sqlite3_reset(st);
      }
      // The layer's extent grows by the new points' extent (computed here: four scans of the
      // table for MIN and MAX cost a second on 553k rows).
      double x0 = w.incidents[0].x_m, x1 = x0, y0 = w.incidents[0].y_m, y1 = y0;
      for (const Incident& inc : w.incidents) {
        x0 = std::min(x0, inc.x_m);
        x1 = std::max(x1, inc.x_m);
        y0 = std::min(y0, inc.y_m);
        y1 = std::max(y1, inc.y_m);
      }
      PLACECAST_RETURN_IF_ERROR(GrowContentsExtent(db, path_, "incidents", x0, y0, x1, y1));
    }
    if (w.study_area) {
      PLACECAST_RETURN_IF_ERROR(Exec(db, "DELETE FROM study_area", path_));
      Stmt s(db, "INSERT INTO study_area (geom, name) VALUES (?, ?)");
      s.BindBlob(1, BoundaryBlob(srs_id, *w.study_area));
      s.BindText(2, w.study_area->name);
      if (s.Step() != SQLITE_DONE) return SqlError(db, path_, "study_area");
      if (!w.study_area->empty()) {
        double x0, y0, x1, y1;
        w.study_area->Extent(&x0, &y0, &x1, &y1);
        Stmt u(db,
               "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?,"
               " last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now')"
               " WHERE table_name = 'study_area'");
        sqlite3_bind_double(u.get(), 1, x0);
        sqlite3_bind_double(u.get(), 2, y0);
        sqlite3_bind_double(u.get(), 3, x1);
        sqlite3_bind_double(u.get(), 4, y1);
        if (u.Step() != SQLITE_DONE) return SqlError(db, path_, "study_area");
      }
    }
    if (w.run) {
      Stmt s(db, "INSERT INTO ingest_runs (time_utc, inputs, summary_json) VALUES (?, ?, ?)");
      std::string inputs;
      for (const auto& i : w.run->inputs) inputs += (inputs.empty() ? "" : "\n") + i;
      s.BindText(1, w.run->time_utc.empty() ? NowIso() : w.run->time_utc);
      s.BindText(2, inputs);
      s.BindText(3, w.run->summary_json);
      if (s.Step() != SQLITE_DONE) return SqlError(db, path_, "ingest_runs");
    }
    return Status::Ok();
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  std::string crs_;
  int srs_id_ = 0;
  bool schema_ready_ = false;
  bool in_txn_ = false;
  bool created_file_ = false;
  bool schema_existed_at_begin_ = false;
  bool vacuum_after_commit_ = false;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  StateChange change_;
};

}  // namespace

Result<std::unique_ptr<Store>> Store::OpenGeoPackage(const std::string& path,
                                                     bool create_if_missing) {
  auto store = std::make_unique<GeoPackageStore>(path);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (!create_if_missing) return Status::Io(path + ": no such store");
    return std::unique_ptr<Store>(std::move(store));
  }
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::InvalidInput(path + ": not a regular file (a store is a GeoPackage file)");
  }
  PLACECAST_RETURN_IF_ERROR(store->OpenFile(false));
  if (!store->schema_ready()) {
    if (!create_if_missing) {
      return Status::Data(path +
                          ": empty store (no placecast data yet; an interrupted first ingest "
                          "leaves such a file, and the next ingest fills it)");
    }
    return std::unique_ptr<Store>(std::move(store));
  }
  PLACECAST_RETURN_IF_ERROR(store->CheckIntegrity(false));
  store->RollForwardPendingMoves();
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace placecast::io
