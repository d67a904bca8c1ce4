// SPDX-License-Identifier: Apache-2.0
// GeoPackage Store written and read with SQLite directly (schema in docs/formats.md): a point
// feature table `incidents`, a multipolygon feature table `study_area`, attribute tables
// `ingest_runs` and `placecast_metadata` (schema version, CRS). A store that does not exist yet is
// built under a temporary name and renamed on its first Write; later writes are one SQLite
// transaction. Not thread-safe (one object per thread).
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <cstring>
#include <set>
#include <filesystem>
#include <limits>

#include "io/projection.h"
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
    if (!Byte(&order) || !U32(order, &type)) return false;
    type %= 1000;  // ISO Z/M codes: only 2D is written, tolerate others' 2D readers
    if (type == 3) return Polygon(order, out);
    if (type == 6) {
      uint32_t n;
      if (!U32(order, &n)) return false;
      for (uint32_t i = 0; i < n; ++i) {
        if (!ReadGeometry(out)) return false;
      }
      return true;
    }
    return false;
  }

 private:
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
  bool Polygon(uint8_t order, grid::Boundary* out) {
    uint32_t nrings;
    if (!U32(order, &nrings)) return false;
    for (uint32_t r = 0; r < nrings; ++r) {
      uint32_t npts;
      if (!U32(order, &npts)) return false;
      grid::Ring ring;
      for (uint32_t k = 0; k < npts; ++k) {
        double x, y;
        if (!F64(order, &x) || !F64(order, &y)) return false;
        ring.x_m.push_back(x);
        ring.y_m.push_back(y);
      }
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

 private:
  sqlite3_stmt* s_ = nullptr;
  int rc_;
};

Status Exec(sqlite3* db, const std::string& sql, const std::string& path) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    return Status::Io(path + ": sqlite: " + msg);
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

class GeoPackageStore final : public Store {
 public:
  explicit GeoPackageStore(std::string path) : path_(std::move(path)) {}
  ~GeoPackageStore() override { Close(); }

  void Close() {
    if (db_ != nullptr) sqlite3_close(db_);
    db_ = nullptr;
  }

  Status OpenExisting() {
    if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      Close();
      return Status::Io(path_ + ": cannot open: " + msg);
    }
    sqlite3_busy_timeout(db_, 5000);
    int app_id = 0;
    {
      Stmt s(db_, "PRAGMA application_id");
      if (!s.ok() || s.Step() != SQLITE_ROW) {
        const std::string msg = sqlite3_errmsg(db_);
        Close();
        return Status::Corrupt(path_ + ": not a GeoPackage (" + msg + ")");
      }
      app_id = sqlite3_column_int(s.get(), 0);
    }
    if (app_id != kGpkgApplicationId) {
      Close();
      return Status::Corrupt(path_ + ": not a GeoPackage (application_id " +
                             std::to_string(app_id) + ")");
    }
    auto version = Meta("schema_version");
    if (!version) {
      Close();
      return Status::Corrupt(path_ + ": not a placecast store (no placecast_metadata)");
    }
    if (*version != std::to_string(kStoreSchemaVersion)) {
      Close();
      return Status::Corrupt(path_ + ": placecast_metadata: schema_version " + *version +
                             " is not the supported version " +
                             std::to_string(kStoreSchemaVersion) + " (got \"" + *version + "\")");
    }
    crs_ = Meta("crs").value_or("");
    srs_id_ = EpsgCode(crs_);
    return Status::Ok();
  }

  std::optional<std::string> Meta(const char* key) {
    Stmt s(db_, "SELECT value FROM placecast_metadata WHERE key = ?");
    if (!s.ok()) return std::nullopt;
    sqlite3_bind_text(s.get(), 1, key, -1, SQLITE_STATIC);
    if (s.Step() != SQLITE_ROW) return std::nullopt;
    return s.Text(0);
  }

  std::string GetPath() const override { return path_; }

  Result<EventSet> LoadEvents(const std::vector<OffenceGroup>& groups, int64_t t_from_s,
                              int64_t t_to_s) override {
    EventSet out;
    out.crs = crs_;
    if (db_ == nullptr || groups.empty()) return out;
    std::string in;
    for (auto g : groups) {
      if (!in.empty()) in += ",";
      in += std::to_string(static_cast<int>(g));
    }
    const std::string sql =
        "SELECT t_utc_s, x_m, y_m, group_code, offence, id FROM incidents WHERE group_code IN (" +
        in + ") AND t_utc_s >= ? AND t_utc_s < ?";
    Stmt s(db_, sql.c_str());
    if (!s.ok()) return Status::Corrupt(path_ + ": incidents: " + sqlite3_errmsg(db_));
    sqlite3_bind_int64(s.get(), 1, t_from_s);
    sqlite3_bind_int64(s.get(), 2, t_to_s);
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      sqlite3_stmt* st = s.get();
      const auto* off = reinterpret_cast<const char*>(sqlite3_column_text(st, 4));
      const auto* id = reinterpret_cast<const char*>(sqlite3_column_text(st, 5));
      out.Add(sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1),
              sqlite3_column_double(st, 2), static_cast<OffenceGroup>(sqlite3_column_int(st, 3)),
              std::string_view(off ? off : "", sqlite3_column_bytes(st, 4)),
              std::string_view(id ? id : "", sqlite3_column_bytes(st, 5)));
    }
    if (rc != SQLITE_DONE) return Status::Io(path_ + ": reading incidents: " + sqlite3_errmsg(db_));
    out.SortByTime();
    return out;
  }

  Result<std::string> GetCrs() override {
    if (crs_.empty()) return Status::NotFound(path_ + ": empty store has no CRS");
    return crs_;
  }

  Result<grid::Boundary> GetStudyArea() override {
    if (db_ == nullptr) return Status::NotFound(path_ + ": no study area saved");
    Stmt s(db_, "SELECT geom, name FROM study_area ORDER BY fid DESC LIMIT 1");
    if (!s.ok()) return Status::Corrupt(path_ + ": study_area: " + sqlite3_errmsg(db_));
    if (s.Step() != SQLITE_ROW) return Status::NotFound(path_ + ": no study area saved");
    grid::Boundary b;
    b.name = s.Text(1);
    const auto* blob = static_cast<const unsigned char*>(sqlite3_column_blob(s.get(), 0));
    if (!BlobToBoundary(blob, sqlite3_column_bytes(s.get(), 0), &b)) {
      return Status::Corrupt(path_ + ": study_area: geometry is not a readable polygon");
    }
    return b;
  }

  Result<int64_t> CountIncidents() override {
    if (db_ == nullptr) return int64_t{0};
    Stmt s(db_, "SELECT COUNT(*) FROM incidents");
    if (!s.ok() || s.Step() != SQLITE_ROW) {
      return Status::Corrupt(path_ + ": incidents: " + sqlite3_errmsg(db_));
    }
    return static_cast<int64_t>(sqlite3_column_int64(s.get(), 0));
  }

  Result<IncidentAges> CountIncidentsBefore(int64_t cutoff_s) override {
    IncidentAges a;
    if (db_ == nullptr) return a;
    Stmt s(db_,
           "SELECT COALESCE(SUM(t_utc_s < ?1), 0), COALESCE(SUM(t_utc_s >= ?1), 0),"
           " MIN(CASE WHEN t_utc_s >= ?1 THEN t_utc_s END) FROM incidents");
    if (!s.ok()) return Status::Corrupt(path_ + ": incidents: " + sqlite3_errmsg(db_));
    sqlite3_bind_int64(s.get(), 1, cutoff_s);
    if (s.Step() != SQLITE_ROW) {
      return Status::Io(path_ + ": reading incidents: " + sqlite3_errmsg(db_));
    }
    a.before = sqlite3_column_int64(s.get(), 0);
    a.at_or_after = sqlite3_column_int64(s.get(), 1);
    if (sqlite3_column_type(s.get(), 2) != SQLITE_NULL) {
      a.oldest_kept_s = sqlite3_column_int64(s.get(), 2);
    }
    return a;
  }

  Result<int64_t> PurgeIncidentsBefore(int64_t cutoff_s) override {
    if (db_ == nullptr) {
      return Status::NotFound(path_ + ": no such store yet (nothing to purge)");
    }
    // secure_delete overwrites the freed content with zeros as the rows go; VACUUM then rebuilds
    // the file without the free pages, so no purged row survives in the file's bytes.
    PLACECAST_RETURN_IF_ERROR(Exec(db_, "PRAGMA secure_delete = ON; BEGIN IMMEDIATE", path_));
    int64_t purged = 0;
    Status st;
    {
      Stmt d(db_, "DELETE FROM incidents WHERE t_utc_s < ?");
      if (!d.ok()) {
        st = Status::Corrupt(path_ + ": incidents: " + sqlite3_errmsg(db_));
      } else {
        sqlite3_bind_int64(d.get(), 1, cutoff_s);
        if (d.Step() != SQLITE_DONE) {
          st = Status::Io(path_ + ": purging incidents: " + sqlite3_errmsg(db_));
        } else {
          purged = sqlite3_changes64(db_);
        }
      }
    }
    if (st.ok() && purged > 0) {
      st = Exec(db_,
                "UPDATE gpkg_contents SET min_x = (SELECT MIN(x_m) FROM incidents),"
                " min_y = (SELECT MIN(y_m) FROM incidents), max_x = (SELECT MAX(x_m) FROM"
                " incidents), max_y = (SELECT MAX(y_m) FROM incidents),"
                " last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now')"
                " WHERE table_name = 'incidents'",
                path_);
    }
    if (!st.ok()) {
      (void)Exec(db_, "ROLLBACK", path_);
      return st;
    }
    PLACECAST_RETURN_IF_ERROR(Exec(db_, "COMMIT", path_));
    if (purged > 0) PLACECAST_RETURN_IF_ERROR(Exec(db_, "VACUUM", path_));
    return purged;
  }

  Result<std::vector<Incident>> LoadIncidents() override {
    std::vector<Incident> out;
    if (db_ == nullptr) return out;
    Stmt s(db_,
           "SELECT id, t_utc_s, tz, lon, lat, x_m, y_m, offence, group_code, district, beat, "
           "source FROM incidents ORDER BY t_utc_s, id");
    if (!s.ok()) return Status::Corrupt(path_ + ": incidents: " + sqlite3_errmsg(db_));
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      Incident inc;
      inc.id = s.Text(0);
      inc.t_utc_s = sqlite3_column_int64(s.get(), 1);
      inc.tz = s.Text(2);
      inc.lon = sqlite3_column_double(s.get(), 3);
      inc.lat = sqlite3_column_double(s.get(), 4);
      inc.x_m = sqlite3_column_double(s.get(), 5);
      inc.y_m = sqlite3_column_double(s.get(), 6);
      inc.offence = s.Text(7);
      inc.group = static_cast<OffenceGroup>(sqlite3_column_int(s.get(), 8));
      inc.district = s.Text(9);
      inc.beat = s.Text(10);
      inc.source = s.Text(11);
      out.push_back(std::move(inc));
    }
    if (rc != SQLITE_DONE) return Status::Io(path_ + ": reading incidents: " + sqlite3_errmsg(db_));
    return out;
  }

  Result<std::vector<std::string>> GetIds() override {
    std::vector<std::string> out;
    if (db_ == nullptr) return out;
    Stmt s(db_, "SELECT id FROM incidents");
    if (!s.ok()) return Status::Corrupt(path_ + ": incidents: " + sqlite3_errmsg(db_));
    while (s.Step() == SQLITE_ROW) out.push_back(s.Text(0));
    return out;
  }

  Result<std::vector<IngestRun>> GetIngestRuns() override {
    std::vector<IngestRun> out;
    if (db_ == nullptr) return out;
    Stmt s(db_, "SELECT time_utc, inputs, summary_json FROM ingest_runs ORDER BY fid");
    if (!s.ok()) return Status::Corrupt(path_ + ": ingest_runs: " + sqlite3_errmsg(db_));
    while (s.Step() == SQLITE_ROW) {
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
    return out;
  }

  Status Write(const StoreWrite& w) override {
    if (!crs_.empty() && w.crs != crs_) {
      return Status::InvalidInput(path_ + ": store CRS is " + crs_ + ", cannot add points in " +
                                  w.crs + " (got \"" + w.crs + "\")");
    }
    const int srs_id = EpsgCode(w.crs);
    if (srs_id <= 0) return Status::Unsupported("crs: only EPSG codes are stored (got \"" + w.crs + "\")");
    if (db_ != nullptr) {
      PLACECAST_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE", path_));
      Status st = WriteRows(db_, w, srs_id);
      if (!st.ok()) {
        (void)Exec(db_, "ROLLBACK", path_);
        return st;
      }
      return Exec(db_, "COMMIT", path_);
    }
    // First write: build the whole file under a temporary name, then rename it into place.
    const std::string tmp = path_ + ".tmp-" + std::to_string(::getpid());
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(tmp.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close(db);
      return Status::Io(path_ + ": cannot create: " + msg);
    }
    Status st = CreateSchema(db, w.crs, srs_id);
    if (st.ok()) st = WriteRows(db, w, srs_id);
    if (st.ok() && sqlite3_exec(db, kIncidentIndexSql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      st = sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE
               ? Status::InvalidInput(path_ + ": an id occurs twice in the incidents to store (got \"" +
                                      std::string(sqlite3_errmsg(db)) + "\")")
               : Status::Io(path_ + ": sqlite: " + sqlite3_errmsg(db));
    }
    if (st.ok()) st = Exec(db, "COMMIT", tmp);
    sqlite3_close(db);
    if (st.ok()) {
      std::filesystem::rename(tmp, path_, ec);
      if (ec) st = Status::Io(path_ + ": cannot rename " + tmp + ": " + ec.message());
    }
    if (!st.ok()) {
      std::filesystem::remove(tmp, ec);
      return st;
    }
    return OpenExisting();
  }

  Result<LedgerRecord> AppendLedger(LedgerRecord r) override {
    if (db_ == nullptr) {
      return Status::NotFound(path_ + ": no such store yet (the ledger lives in the store)");
    }
    PLACECAST_ASSIGN_OR_RETURN(r.params_json, CanonicalJson(r.params_json, "ledger params"));
    if (r.time_utc.empty()) r.time_utc = NowIso();
    PLACECAST_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE", path_));
    Status st = AppendLedgerRow(&r);
    if (!st.ok()) {
      (void)Exec(db_, "ROLLBACK", path_);
      return st;
    }
    PLACECAST_RETURN_IF_ERROR(Exec(db_, "COMMIT", path_));
    return r;
  }

  Result<std::vector<LedgerRecord>> ReadLedger() override {
    std::vector<LedgerRecord> out;
    if (db_ == nullptr || !HasLedgerTable()) return out;
    Stmt s(db_,
           "SELECT seq, time_utc, command, params, inputs, outputs, code_version, prev_hash, hash"
           " FROM ledger ORDER BY seq");
    if (!s.ok()) return Status::Corrupt(path_ + ": ledger: " + sqlite3_errmsg(db_));
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
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return Status::Io(path_ + ": reading ledger: " + sqlite3_errmsg(db_));
    return out;
  }

 private:
  bool HasLedgerTable() {
    Stmt s(db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger'");
    return s.ok() && s.Step() == SQLITE_ROW;
  }

  // Inside an open transaction: creates the table on first use, then links and inserts `r`.
  // The triggers make the table append-only for ordinary SQL; they are a guard against accidents,
  // not against tampering (anyone with the file can drop them) -- the hash chain is the defence.
  Status AppendLedgerRow(LedgerRecord* r) {
    if (!HasLedgerTable()) {
      PLACECAST_RETURN_IF_ERROR(Exec(db_, R"sql(
CREATE TABLE ledger (seq INTEGER PRIMARY KEY NOT NULL, time_utc TEXT NOT NULL,
  command TEXT NOT NULL, params TEXT NOT NULL, inputs TEXT NOT NULL, outputs TEXT NOT NULL,
  code_version TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
  BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
  BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
  VALUES ('ledger', 'attributes', 'ledger', 'placecast tamper-evident ledger (hash chain)', NULL);
)sql",
                                     path_));
    }
    {
      Stmt s(db_, "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1");
      if (!s.ok()) return Status::Corrupt(path_ + ": ledger: " + sqlite3_errmsg(db_));
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
           " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s.ok()) return Status::Corrupt(path_ + ": ledger: " + sqlite3_errmsg(db_));
    sqlite3_bind_int64(s.get(), 1, r->seq);
    s.BindText(2, r->time_utc);
    s.BindText(3, r->command);
    s.BindText(4, r->params_json);
    s.BindText(5, LedgerFilesToJson(r->inputs));
    s.BindText(6, LedgerFilesToJson(r->outputs));
    s.BindText(7, r->code_version);
    s.BindText(8, r->prev_hash);
    s.BindText(9, r->hash);
    if (s.Step() != SQLITE_DONE) return Status::Io(path_ + ": ledger: " + sqlite3_errmsg(db_));
    return Status::Ok();
  }

  Status CreateSchema(sqlite3* db, const std::string& crs, int srs_id) {
    PLACECAST_RETURN_IF_ERROR(Exec(db,
                                   "PRAGMA application_id = " + std::to_string(kGpkgApplicationId) +
                                       "; PRAGMA user_version = " +
                                       std::to_string(kGpkgUserVersion) +
                                       "; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                                       // The indexes built after the bulk insert sort on a
                                       // second core (SQLite's sorter threads).
                                       " PRAGMA threads = 2;"
                                       " BEGIN",
                                   path_));
    PLACECAST_RETURN_IF_ERROR(Exec(db, kSchemaSql, path_));
    for (const std::string& c : {std::string("EPSG:4326"), crs}) {
      PLACECAST_ASSIGN_OR_RETURN(std::string wkt, CrsToWkt(c));
      Stmt s(db, "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, 'EPSG', ?, ?, NULL)");
      std::string name = wkt.substr(0, wkt.find(','));
      const size_t q = name.find('"');
      name = q == std::string::npos ? c : name.substr(q + 1, name.size() - q - 2);
      s.BindText(1, name);
      sqlite3_bind_int(s.get(), 2, EpsgCode(c));
      sqlite3_bind_int(s.get(), 3, EpsgCode(c));
      s.BindText(4, wkt);
      if (s.Step() != SQLITE_DONE) return Status::Io(path_ + ": sqlite: " + sqlite3_errmsg(db));
    }
    const std::string srs = std::to_string(srs_id);
    PLACECAST_RETURN_IF_ERROR(Exec(
        db,
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES"
        " ('incidents', 'features', 'incidents', 'placecast canonical incidents', " + srs + "),"
        " ('study_area', 'features', 'study_area', 'placecast study area', " + srs + "),"
        " ('ingest_runs', 'attributes', 'ingest_runs', 'placecast ingest summaries', NULL),"
        " ('placecast_metadata', 'attributes', 'placecast_metadata', 'placecast store metadata',"
        " NULL);"
        "INSERT INTO gpkg_geometry_columns VALUES ('incidents', 'geom', 'POINT', " + srs + ", 0, 0),"
        " ('study_area', 'geom', 'MULTIPOLYGON', " + srs + ", 0, 0);"
        "INSERT INTO placecast_metadata (key, value) VALUES ('schema_version', '" +
            std::to_string(kStoreSchemaVersion) + "'), ('crs', '" + crs + "');",
        path_));
    return Status::Ok();
  }

  Status WriteRows(sqlite3* db, const StoreWrite& w, int srs_id) {
    if (!w.incidents.empty()) {
      Stmt s(db,
             "INSERT INTO incidents (geom, id, time_utc, t_utc_s, tz, lon, lat, x_m, y_m, offence,"
             " offence_group, group_code, district, beat, source)"
             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      if (!s.ok()) return Status::Corrupt(path_ + ": incidents: " + sqlite3_errmsg(db));
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
        text(3, std::string_view(time_buf, FormatDateTime(inc.t_utc_s, time_buf, sizeof(time_buf))));
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
        if (rc == SQLITE_CONSTRAINT) {
          return Status::InvalidInput(path_ + ": id already stored (got \"" + inc.id + "\")");
        }
        if (rc != SQLITE_DONE) return Status::Io(path_ + ": sqlite: " + sqlite3_errmsg(db));
        sqlite3_reset(st);
      }
      PLACECAST_RETURN_IF_ERROR(Exec(
          db,
          "UPDATE gpkg_contents SET min_x = (SELECT MIN(x_m) FROM incidents),"
          " min_y = (SELECT MIN(y_m) FROM incidents), max_x = (SELECT MAX(x_m) FROM incidents),"
          " max_y = (SELECT MAX(y_m) FROM incidents),"
          " last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = 'incidents'",
          path_));
    }
    if (w.study_area) {
      PLACECAST_RETURN_IF_ERROR(Exec(db, "DELETE FROM study_area", path_));
      Stmt s(db, "INSERT INTO study_area (geom, name) VALUES (?, ?)");
      s.BindBlob(1, BoundaryBlob(srs_id, *w.study_area));
      s.BindText(2, w.study_area->name);
      if (s.Step() != SQLITE_DONE) return Status::Io(path_ + ": sqlite: " + sqlite3_errmsg(db));
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
        if (u.Step() != SQLITE_DONE) return Status::Io(path_ + ": sqlite: " + sqlite3_errmsg(db));
      }
    }
    if (w.run) {
      Stmt s(db, "INSERT INTO ingest_runs (time_utc, inputs, summary_json) VALUES (?, ?, ?)");
      std::string inputs;
      for (const auto& i : w.run->inputs) inputs += (inputs.empty() ? "" : "\n") + i;
      s.BindText(1, w.run->time_utc.empty() ? NowIso() : w.run->time_utc);
      s.BindText(2, inputs);
      s.BindText(3, w.run->summary_json);
      if (s.Step() != SQLITE_DONE) return Status::Io(path_ + ": sqlite: " + sqlite3_errmsg(db));
    }
    return Status::Ok();
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  std::string crs_;
  int srs_id_ = 0;
};

}  // namespace

Result<std::unique_ptr<Store>> Store::OpenGeoPackage(const std::string& path,
                                                     bool create_if_missing) {
  auto store = std::make_unique<GeoPackageStore>(path);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (!create_if_missing) return Status::NotFound(path + ": no such store");
    return std::unique_ptr<Store>(std::move(store));
  }
  PLACECAST_RETURN_IF_ERROR(store->OpenExisting());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace placecast::io
