// SPDX-License-Identifier: Apache-2.0
// Environment layer reading (GDAL/OGR C API, messages silenced by gdal_quiet.h) and the protected
// attribute list. Each call opens its own dataset, so calls are thread-safe.
#include "placecast/io/env_layer.h"

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "io/gdal_quiet.h"
#include "placecast/io/file_util.h"

namespace placecast::io {
namespace {

grid::Ring LineRing(OGRGeometryH g, bool drop_closing) {
  grid::Ring r;
  const int n = OGR_G_GetPointCount(g);
  for (int k = 0; k < n; ++k) {
    r.x_m.push_back(OGR_G_GetX(g, k));
    r.y_m.push_back(OGR_G_GetY(g, k));
  }
  if (drop_closing && r.x_m.size() > 1 && r.x_m.front() == r.x_m.back() &&
      r.y_m.front() == r.y_m.back()) {
    r.x_m.pop_back();
    r.y_m.pop_back();
  }
  return r;
}

// Appends the parts of `g` to `out` and sets `*kind` from its type; false for a geometry of
// another kind than `*kind` when `*have_kind`, or one that is not a point, line or polygon.
bool AddParts(OGRGeometryH g, EnvLayerKind* kind, bool* have_kind, EnvFeature* out) {
  const OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
  auto set_kind = [&](EnvLayerKind k) {
    if (*have_kind && *kind != k) return false;
    *kind = k;
    *have_kind = true;
    return true;
  };
  switch (t) {
    case wkbPoint:
      if (!set_kind(EnvLayerKind::kPoint)) return false;
      if (!OGR_G_IsEmpty(g))
        out->parts.push_back(grid::Ring{{OGR_G_GetX(g, 0)}, {OGR_G_GetY(g, 0)}});
      return true;
    case wkbLineString:
      if (!set_kind(EnvLayerKind::kLine)) return false;
      if (OGR_G_GetPointCount(g) >= 2) out->parts.push_back(LineRing(g, false));
      return true;
    case wkbPolygon:
      if (!set_kind(EnvLayerKind::kPolygon)) return false;
      for (int r = 0; r < OGR_G_GetGeometryCount(g); ++r) {
        grid::Ring ring = LineRing(OGR_G_GetGeometryRef(g, r), true);
        if (ring.x_m.size() >= 3) out->parts.push_back(std::move(ring));
      }
      return true;
    case wkbMultiPoint:
    case wkbMultiLineString:
    case wkbMultiPolygon:
    case wkbGeometryCollection:
      for (int i = 0; i < OGR_G_GetGeometryCount(g); ++i) {
        if (!AddParts(OGR_G_GetGeometryRef(g, i), kind, have_kind, out)) return false;
      }
      return true;
    default:
      return false;
  }
}

// The lower-case letter words of `s` ("VIC_RACE" -> "vic", "race").
std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  std::string w;
  for (char c : s) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!w.empty()) {
      out.push_back(std::move(w));
      w.clear();
    }
  }
  if (!w.empty()) out.push_back(std::move(w));
  return out;
}

}  // namespace

bool EnvFeature::operator==(const EnvFeature& other) const {
  if (parts.size() != other.parts.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].x_m != other.parts[i].x_m || parts[i].y_m != other.parts[i].y_m) return false;
  }
  return true;
}

std::string_view EnvLayerKindName(EnvLayerKind kind) {
  switch (kind) {
    case EnvLayerKind::kPoint:
      return "point";
    case EnvLayerKind::kLine:
      return "line";
    case EnvLayerKind::kPolygon:
      return "polygon";
  }
  return "point";
}

Status CheckEnvLayerName(std::string_view name, std::string_view field) {
  bool ok = !name.empty() && name.size() <= 40 && name[0] >= 'a' && name[0] <= 'z';
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (ok) return Status::Ok();
  return Status::InvalidInput(std::string(field) +
                              ": not a layer name: lower-case letters, digits and '_', starting "
                              "with a letter, at most 40 characters (got \"" +
                              std::string(name) + "\")");
}

const std::vector<std::string>& ProtectedAttributeWords() {
  static const std::vector<std::string> kWords = {
      "race",      "racial",      "ethnicity", "ethnic",    "descent",     "sex",
      "gender",    "age",         "religion",  "religious", "nationality", "disability",
      "pregnancy", "orientation", "sexuality", "caste",     "dob",         "birthdate"};
  return kWords;
}

bool IsProtectedAttributeName(std::string_view field_name) {
  const auto& list = ProtectedAttributeWords();
  for (const std::string& w : Words(field_name)) {
    for (const std::string& p : list) {
      if (w == p) return true;
    }
  }
  return false;
}

Result<EnvLayer> ReadEnvLayerFile(const std::string& path, const std::string& layer_name,
                                  const std::string& crs, const std::string& source_crs) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::Io(path + ": no such file");
  EnvLayer out;
  PLACECAST_ASSIGN_OR_RETURN(out.source_sha256, Sha256File(path));
  out.source_file = std::filesystem::path(path).filename().string();
  ScopedQuietGdal quiet;
  PLACECAST_ASSIGN_OR_RETURN(GDALDatasetH ds, OpenVectorFile(path));
  std::unique_ptr<void, void (*)(void*)> close(ds, [](void* d) { GDALClose(d); });
  OGRLayerH layer = layer_name.empty()
                        ? (GDALDatasetGetLayerCount(ds) > 0 ? GDALDatasetGetLayer(ds, 0) : nullptr)
                        : GDALDatasetGetLayerByName(ds, layer_name.c_str());
  if (layer == nullptr) {
    return Status::InvalidInput(path + ": layer: no such layer (got \"" + layer_name + "\")");
  }
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
  for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) {
    const std::string field = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
    if (IsProtectedAttributeName(field)) {
      return Status::InvalidInput(
          path + ": " + field +
          ": a protected attribute (race, ethnicity, sex, gender, age, religion, …) may not "
          "enter the store, even unused: drop the field from the file and add it again (got \"" +
          field + "\")");
    }
  }
  OGRSpatialReferenceH src = OGR_L_GetSpatialRef(layer);
  std::unique_ptr<void, void (*)(void*)> given(nullptr, [](void* s) {
    if (s) OSRDestroySpatialReference(s);
  });
  if (!source_crs.empty() || src == nullptr) {
    if (source_crs.empty()) {
      return Status::InvalidInput(path +
                                  ": no CRS (a shapefile without its .prj file?): its coordinates "
                                  "cannot be placed; give the file's CRS with --crs");
    }
    given.reset(OSRNewSpatialReference(nullptr));
    if (OSRSetFromUserInput(given.get(), source_crs.c_str()) != OGRERR_NONE) {
      return Status::InvalidInput("--crs: not a CRS GDAL/PROJ knows (got \"" + source_crs + "\")");
    }
    src = given.get();
  }
  std::unique_ptr<void, void (*)(void*)> dst(OSRNewSpatialReference(nullptr),
                                             [](void* s) { OSRDestroySpatialReference(s); });
  if (OSRSetFromUserInput(dst.get(), crs.c_str()) != OGRERR_NONE) {
    return Status::InvalidInput("crs: unknown (got \"" + crs + "\")");
  }
  OGRSpatialReferenceH src_clone = OSRClone(src);
  OSRSetAxisMappingStrategy(src_clone, OAMS_TRADITIONAL_GIS_ORDER);
  OSRSetAxisMappingStrategy(dst.get(), OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<void, void (*)(void*)> ct(OCTNewCoordinateTransformation(src_clone, dst.get()),
                                            [](void* c) {
                                              if (c) OCTDestroyCoordinateTransformation(c);
                                            });
  OSRDestroySpatialReference(src_clone);
  if (ct == nullptr) return Status::InvalidInput(path + ": cannot transform to " + crs);
  bool have_kind = false;
  OGR_L_ResetReading(layer);
  OGRFeatureH f;
  while ((f = OGR_L_GetNextFeature(layer)) != nullptr) {
    std::unique_ptr<void, void (*)(void*)> fguard(f, [](void* p) { OGR_F_Destroy(p); });
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (g == nullptr || OGR_G_IsEmpty(g)) continue;
    const std::string where = path + ": feature " + std::to_string(OGR_F_GetFID(f));
    std::unique_ptr<void, void (*)(void*)> copy(OGR_G_Clone(g),
                                                [](void* p) { OGR_G_DestroyGeometry(p); });
    if (OGR_G_Transform(copy.get(), ct.get()) != OGRERR_NONE) {
      return Status::InvalidInput(where + ": cannot be transformed to " + crs);
    }
    EnvFeature feature;
    const EnvLayerKind before = out.kind;
    const bool had_kind = have_kind;
    if (!AddParts(copy.get(), &out.kind, &have_kind, &feature)) {
      return Status::InvalidInput(where + ": geometry: " +
                                  (had_kind ? "kinds mixed in one layer (the layer is " +
                                                  std::string(EnvLayerKindName(before)) + ")"
                                            : std::string("not a point, line or polygon")) +
                                  " (got \"" + OGR_G_GetGeometryName(g) + "\")");
    }
    for (const auto& p : feature.parts) {
      for (size_t k = 0; k < p.x_m.size(); ++k) {
        if (!std::isfinite(p.x_m[k]) || !std::isfinite(p.y_m[k])) {
          std::ostringstream os;
          os << p.x_m[k] << ' ' << p.y_m[k];
          return Status::InvalidInput(where + ": coordinate not finite (got \"" + os.str() + "\")");
        }
      }
    }
    if (!feature.parts.empty()) out.features.push_back(std::move(feature));
  }
  if (out.features.empty()) {
    return Status::InvalidInput(path + ": no feature with a geometry (got \"" + path + "\")");
  }
  out.feature_count = static_cast<int64_t>(out.features.size());
  return out;
}

}  // namespace placecast::io
