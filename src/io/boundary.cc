// SPDX-License-Identifier: Apache-2.0
// Vector polygon readers (GeoJSON, Shapefile, GeoPackage, anything OGR reads) reprojected to a
// store CRS. Uses GDAL's C API with its stderr messages silenced (gdal_quiet.h); each call opens
// its own dataset, so calls are thread-safe.
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string_view>

#include "io/gdal_quiet.h"
#include "placecast/io/ingest.h"

namespace placecast::io {
namespace {

// Appends every ring of a (multi)polygon geometry.
void AddRings(OGRGeometryH g, grid::Boundary* out) {
  const OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
  if (t == wkbPolygon) {
    for (int r = 0; r < OGR_G_GetGeometryCount(g); ++r) {
      OGRGeometryH ring = OGR_G_GetGeometryRef(g, r);
      grid::Ring out_ring;
      const int n = OGR_G_GetPointCount(ring);
      for (int k = 0; k < n; ++k) {
        out_ring.x_m.push_back(OGR_G_GetX(ring, k));
        out_ring.y_m.push_back(OGR_G_GetY(ring, k));
      }
      if (out_ring.x_m.size() > 1 && out_ring.x_m.front() == out_ring.x_m.back() &&
          out_ring.y_m.front() == out_ring.y_m.back()) {
        out_ring.x_m.pop_back();
        out_ring.y_m.pop_back();
      }
      if (out_ring.x_m.size() >= 3) out->rings.push_back(std::move(out_ring));
    }
  } else if (t == wkbMultiPolygon || t == wkbGeometryCollection) {
    for (int i = 0; i < OGR_G_GetGeometryCount(g); ++i) AddRings(OGR_G_GetGeometryRef(g, i), out);
  }
}

// "x y" of the first point with a NaN or infinite coordinate, or "" when every point is finite.
std::string FirstNonFinite(const grid::Boundary& b) {
  for (const auto& r : b.rings) {
    for (size_t k = 0; k < r.x_m.size(); ++k) {
      if (!std::isfinite(r.x_m[k]) || !std::isfinite(r.y_m[k])) {
        std::ostringstream os;
        os << r.x_m[k] << ' ' << r.y_m[k];
        return os.str();
      }
    }
  }
  return "";
}

struct Areas {
  std::vector<grid::Boundary> areas;
};

// The polygons of `path` reprojected to `crs`, from the file's CRS or `source_crs` when given. A
// file without a CRS (a shapefile without its .prj) is refused unless it is GeoJSON (WGS 84 by
// RFC 7946): `crs_hint` says how to give one.
Result<Areas> ReadPolygons(const std::string& path, const std::string& name_field,
                           const std::string& crs, const std::string& source_crs,
                           const std::string& crs_hint) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::Io(path + ": no such file");
  ScopedQuietGdal quiet;
  PLACECAST_ASSIGN_OR_RETURN(GDALDatasetH ds, OpenVectorFile(path));
  OGRLayerH layer = nullptr;
  for (int i = 0; i < GDALDatasetGetLayerCount(ds); ++i) {
    OGRLayerH l = GDALDatasetGetLayer(ds, i);
    const OGRwkbGeometryType t = wkbFlatten(OGR_L_GetGeomType(l));
    if (t == wkbPolygon || t == wkbMultiPolygon || t == wkbUnknown) {
      layer = l;
      if (t != wkbUnknown) break;
    }
  }
  if (layer == nullptr) {
    GDALClose(ds);
    return Status::InvalidInput(path + ": no polygon layer (got \"" + path + "\")");
  }
  int name_idx = -1;
  if (!name_field.empty()) {
    name_idx = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(layer), name_field.c_str());
    if (name_idx < 0) {
      GDALClose(ds);
      return Status::InvalidInput(path + ": " + name_field + ": no such attribute (got \"" +
                                  name_field + "\")");
    }
  }
  OGRSpatialReferenceH src = OGR_L_GetSpatialRef(layer);
  OGRSpatialReferenceH given = nullptr;
  if (!source_crs.empty() || src == nullptr) {
    const char* driver = GDALGetDriverShortName(GDALGetDatasetDriver(ds));
    const bool geojson = driver != nullptr && std::string_view(driver) == "GeoJSON";
    if (source_crs.empty() && !geojson) {
      GDALClose(ds);
      return Status::InvalidInput(path + ": no CRS (a shapefile without its .prj file?): its " +
                                  "coordinates cannot be placed; " + crs_hint);
    }
    // GeoJSON without crs is WGS 84 by RFC 7946.
    const std::string wanted = source_crs.empty() ? "EPSG:4326" : source_crs;
    given = OSRNewSpatialReference(nullptr);
    if (OSRSetFromUserInput(given, wanted.c_str()) != OGRERR_NONE) {
      OSRDestroySpatialReference(given);
      GDALClose(ds);
      return Status::InvalidInput("--boundary-crs: not a CRS GDAL/PROJ knows (got \"" + wanted +
                                  "\")");
    }
    src = given;
  }
  OGRSpatialReferenceH dst = OSRNewSpatialReference(nullptr);
  OGRCoordinateTransformationH ct = nullptr;
  Status st;
  if (OSRSetFromUserInput(dst, crs.c_str()) != OGRERR_NONE) {
    st = Status::InvalidInput("crs: unknown (got \"" + crs + "\")");
  } else {
    OGRSpatialReferenceH src_clone = OSRClone(src);
    OSRSetAxisMappingStrategy(src_clone, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(dst, OAMS_TRADITIONAL_GIS_ORDER);
    ct = OCTNewCoordinateTransformation(src_clone, dst);
    OSRDestroySpatialReference(src_clone);
    if (ct == nullptr) st = Status::InvalidInput(path + ": cannot transform to " + crs);
  }
  Areas out;
  if (st.ok()) {
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != nullptr) {
      OGRGeometryH g = OGR_F_GetGeometryRef(f);
      if (g != nullptr) {
        OGRGeometryH copy = OGR_G_Clone(g);
        if (OGR_G_Transform(copy, ct) != OGRERR_NONE) {
          st =
              Status::InvalidInput(path + ": feature " + std::to_string(OGR_F_GetFID(f)) +
                                   ": cannot be transformed to " + crs + " (got \"" + path + "\")");
        } else {
          grid::Boundary b;
          if (name_idx >= 0) b.name = OGR_F_GetFieldAsString(f, name_idx);
          AddRings(copy, &b);
          // GDAL reads NaN and 1e400 (inf) as coordinates, and a transformation to a geographic
          // CRS passes them through: such a ring would make every point-in-area test false.
          if (std::string bad = FirstNonFinite(b); !bad.empty()) {
            st = Status::InvalidInput(path + ": feature " + std::to_string(OGR_F_GetFID(f)) +
                                      ": coordinate not finite (got \"" + bad + "\")");
          } else if (!b.rings.empty()) {
            out.areas.push_back(std::move(b));
          }
        }
        OGR_G_DestroyGeometry(copy);
      }
      OGR_F_Destroy(f);
      if (!st.ok()) break;
    }
  }
  if (ct) OCTDestroyCoordinateTransformation(ct);
  OSRDestroySpatialReference(dst);
  if (given) OSRDestroySpatialReference(given);
  GDALClose(ds);
  if (!st.ok()) return st;
  if (out.areas.empty()) return Status::InvalidInput(path + ": no polygon (got \"" + path + "\")");
  return out;
}

}  // namespace

Result<grid::Boundary> ReadBoundary(const std::string& path, const std::string& crs,
                                    const std::string& boundary_crs) {
  PLACECAST_ASSIGN_OR_RETURN(
      Areas a, ReadPolygons(path, "", crs, boundary_crs,
                            "give its CRS with --boundary-crs EPSG:NNNN (see docs/cli.md)"));
  grid::Boundary b;
  for (auto& area : a.areas) {
    for (auto& r : area.rings) b.rings.push_back(std::move(r));
  }
  return b;
}

Result<std::vector<grid::Boundary>> ReadAreas(const std::string& path,
                                              const std::string& name_field,
                                              const std::string& crs) {
  if (name_field.empty()) {
    return Status::InvalidInput(path + ": name_field: empty (got \"\")");
  }
  PLACECAST_ASSIGN_OR_RETURN(
      Areas a, ReadPolygons(path, name_field, crs, "",
                            "add its .prj file, or set one with ogr2ogr -a_srs EPSG:NNNN"));
  return std::move(a.areas);
}

Result<std::vector<NamedPoint>> ReadPoints(const std::string& path, const std::string& name_field,
                                           const std::string& crs) {
  if (!std::filesystem::exists(path)) return Status::Io(path + ": no such file");
  RegisterGdalOnce();
  ScopedQuietGdal quiet;
  GDALDatasetH ds =
      GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
  if (ds == nullptr) return Status::InvalidInput(path + ": not a vector file GDAL can open");
  std::unique_ptr<void, void (*)(void*)> close(ds, [](void* d) { GDALClose(d); });
  OGRLayerH layer = GDALDatasetGetLayerCount(ds) > 0 ? GDALDatasetGetLayer(ds, 0) : nullptr;
  if (layer == nullptr) return Status::InvalidInput(path + ": no layer");
  OGRSpatialReferenceH wgs = OSRNewSpatialReference(nullptr);
  OSRImportFromEPSG(wgs, 4326);
  OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
  OGRSpatialReferenceH src = nullptr;
  OGRCoordinateTransformationH ct = nullptr;
  if (OGRSpatialReferenceH layer_srs = OGR_L_GetSpatialRef(layer)) {
    src = OSRClone(layer_srs);
    OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
    ct = OCTNewCoordinateTransformation(src, wgs);
  }
  const int name_idx =
      name_field.empty() ? -1 : OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(layer), name_field.c_str());
  std::vector<NamedPoint> points;
  std::vector<double> xs, ys;
  Status status = Status::Ok();
  OGR_L_ResetReading(layer);
  while (OGRFeatureH feat = OGR_L_GetNextFeature(layer)) {
    OGRGeometryH geom = OGR_F_GetGeometryRef(feat);
    NamedPoint p;
    p.name =
        name_idx >= 0 ? OGR_F_GetFieldAsString(feat, name_idx) : std::to_string(OGR_F_GetFID(feat));
    double x = 0, y = 0;
    if (geom == nullptr || wkbFlatten(OGR_G_GetGeometryType(geom)) != wkbPoint) {
      status = Status::InvalidInput(path + ": feature " + p.name + ": not a point");
    } else {
      x = OGR_G_GetX(geom, 0);
      y = OGR_G_GetY(geom, 0);
      if (ct != nullptr && !OCTTransform(ct, 1, &x, &y, nullptr)) {
        status = Status::InvalidInput(path + ": feature " + p.name + ": cannot be reprojected");
      }
    }
    OGR_F_Destroy(feat);
    if (!status.ok()) break;
    xs.push_back(x);
    ys.push_back(y);
    points.push_back(std::move(p));
  }
  if (ct != nullptr) OCTDestroyCoordinateTransformation(ct);
  if (src != nullptr) OSRDestroySpatialReference(src);
  OSRDestroySpatialReference(wgs);
  PLACECAST_RETURN_IF_ERROR(status);
  if (points.empty()) return Status::InvalidInput(path + ": no point");
  PLACECAST_RETURN_IF_ERROR(ProjectFromLonLat(crs, xs, ys).Wrap(path));
  for (size_t i = 0; i < points.size(); ++i) {
    points[i].x_m = xs[i];
    points[i].y_m = ys[i];
  }
  return points;
}

}  // namespace placecast::io
