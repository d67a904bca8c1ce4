// SPDX-License-Identifier: Apache-2.0
// The polygon-layer GeoPackage writer (placecast/io/vector_layer.h). The layer is checked in full
// before GDAL is touched, then written under "<path>.tmp" in one transaction and renamed.
// Thread-safe: GDAL's config option for the GeoPackage date and its error handler are per thread.
#include "placecast/io/vector_layer.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <cstdio>
#include <limits>
#include <optional>
#include <set>

#include "io/gdal_quiet.h"
#include "io/products_internal.h"

namespace placecast::io {
namespace {

// Sets a GDAL config option for this thread for the lifetime of the object.
class ScopedThreadConfig {
 public:
  ScopedThreadConfig(const char* key, const std::string& value) : key_(key) {
    const char* old = CPLGetThreadLocalConfigOption(key, nullptr);
    if (old != nullptr) old_ = std::string(old);
    CPLSetThreadLocalConfigOption(key, value.c_str());
  }
  ~ScopedThreadConfig() { CPLSetThreadLocalConfigOption(key_, old_ ? old_->c_str() : nullptr); }

 private:
  const char* key_;
  std::optional<std::string> old_;
};

std::string GdalError() {
  const char* m = CPLGetLastErrorMsg();
  return (m != nullptr && *m != '\0') ? std::string(m) : std::string("unknown GDAL error");
}

const char* TypeName(LayerFieldType t) {
  switch (t) {
    case LayerFieldType::kInt32:
      return "an int32";
    case LayerFieldType::kInt64:
      return "an int64";
    case LayerFieldType::kDouble:
      return "a double";
    case LayerFieldType::kString:
      return "a string";
  }
  return "?";
}

OGRFieldType ToOgr(LayerFieldType t) {
  switch (t) {
    case LayerFieldType::kInt32:
      return OFTInteger;
    case LayerFieldType::kInt64:
      return OFTInteger64;
    case LayerFieldType::kDouble:
      return OFTReal;
    case LayerFieldType::kString:
      return OFTString;
  }
  return OFTString;
}

// Everything GDAL would otherwise reject half-way through the file, checked up front.
Status CheckLayer(const std::string& path, const PolygonLayer& layer) {
  const std::string where = path + ": layer \"" + layer.name + "\"";
  if (layer.name.empty()) return Status::InvalidInput(path + ": layer name is empty");
  std::set<std::string> names;
  for (const LayerField& f : layer.fields) {
    if (f.name.empty()) return Status::InvalidInput(where + ": a field name is empty");
    if (!names.insert(f.name).second) {
      return Status::InvalidInput(where + ": field \"" + f.name + "\" appears twice");
    }
  }
  for (size_t i = 0; i < layer.features.size(); ++i) {
    const LayerFeature& feat = layer.features[i];
    const std::string fw = where + ": feature " + std::to_string(i + 1);
    if (feat.values.size() != layer.fields.size()) {
      return Status::InvalidInput(fw + ": " + std::to_string(feat.values.size()) + " values for " +
                                  std::to_string(layer.fields.size()) + " fields");
    }
    for (size_t k = 0; k < feat.values.size(); ++k) {
      const LayerValue& v = feat.values[k];
      const LayerFieldType t = layer.fields[k].type;
      const bool ok = std::holds_alternative<std::monostate>(v) ||
                      ((t == LayerFieldType::kInt32 || t == LayerFieldType::kInt64) &&
                       std::holds_alternative<int64_t>(v)) ||
                      (t == LayerFieldType::kDouble && std::holds_alternative<double>(v)) ||
                      (t == LayerFieldType::kString && std::holds_alternative<std::string>(v));
      if (!ok) {
        return Status::InvalidInput(fw + ": field " + layer.fields[k].name + ": expected " +
                                    TypeName(t) + " or null");
      }
      if (t == LayerFieldType::kInt32 && std::holds_alternative<int64_t>(v)) {
        const int64_t n = std::get<int64_t>(v);
        if (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max()) {
          return Status::InvalidInput(fw + ": field " + layer.fields[k].name +
                                      ": expected an int32 (got " + std::to_string(n) + ")");
        }
      }
    }
    const bool multi = layer.geometry == LayerGeometry::kMultiPolygon;
    if (multi ? feat.polygons.empty() : feat.polygons.size() != 1) {
      return Status::InvalidInput(fw + ": expected " +
                                  (multi ? "at least one polygon" : "one polygon") + " (got " +
                                  std::to_string(feat.polygons.size()) + ")");
    }
    for (const LayerPolygon& poly : feat.polygons) {
      if (poly.rings.empty()) return Status::InvalidInput(fw + ": a polygon has no ring");
      for (const grid::Ring& r : poly.rings) {
        if (r.x_m.size() != r.y_m.size() || r.x_m.size() < 3) {
          return Status::InvalidInput(fw + ": a ring needs at least 3 vertices with x and y (got " +
                                      std::to_string(r.x_m.size()) + " x, " +
                                      std::to_string(r.y_m.size()) + " y)");
        }
      }
    }
  }
  return Status::Ok();
}

OGRGeometryH PolygonToOgr(const LayerPolygon& p) {
  OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
  for (const grid::Ring& r : p.rings) {
    OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
    for (size_t v = 0; v <= r.x_m.size(); ++v) {
      const size_t k = v % r.x_m.size();
      OGR_G_AddPoint_2D(ring, r.x_m[k], r.y_m[k]);
    }
    OGR_G_AddGeometryDirectly(poly, ring);
  }
  return poly;
}

// Writes the layer into an already created dataset.
Status FillGpkg(GDALDatasetH ds, const PolygonLayer& layer, const std::string& path) {
  OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
  struct SrsFree {
    OGRSpatialReferenceH h;
    ~SrsFree() { OSRRelease(h); }
  } srs_free{srs};
  if (OSRSetFromUserInput(srs, layer.crs.c_str()) != OGRERR_NONE) {
    return Status::InvalidInput(path + ": crs: GDAL does not know \"" + layer.crs + "\"");
  }
  OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);

  const std::string desc_opt = "DESCRIPTION=" + layer.description;
  const std::string ident_opt = "IDENTIFIER=" + layer.identifier;
  std::vector<const char*> options = {"FID=fid", "GEOMETRY_NAME=geom"};
  if (!layer.description.empty()) options.push_back(desc_opt.c_str());
  if (!layer.identifier.empty()) options.push_back(ident_opt.c_str());
  options.push_back(nullptr);
  const bool multi = layer.geometry == LayerGeometry::kMultiPolygon;
  OGRLayerH lh =
      GDALDatasetCreateLayer(ds, layer.name.c_str(), srs, multi ? wkbMultiPolygon : wkbPolygon,
                             const_cast<char**>(options.data()));
  if (lh == nullptr) return Status::Io(path + ": cannot create layer (" + GdalError() + ")");
  for (const LayerField& f : layer.fields) {
    OGRFieldDefnH fd = OGR_Fld_Create(f.name.c_str(), ToOgr(f.type));
    const OGRErr err = OGR_L_CreateField(lh, fd, TRUE);
    OGR_Fld_Destroy(fd);
    if (err != OGRERR_NONE) {
      return Status::Io(path + ": cannot create field " + f.name + " (" + GdalError() + ")");
    }
  }

  if (OGR_L_StartTransaction(lh) != OGRERR_NONE) {
    return Status::Io(path + ": cannot start a transaction (" + GdalError() + ")");
  }
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lh);
  for (size_t i = 0; i < layer.features.size(); ++i) {
    const LayerFeature& lf = layer.features[i];
    OGRFeatureH feat = OGR_F_Create(defn);
    for (size_t k = 0; k < lf.values.size(); ++k) {
      const int idx = static_cast<int>(k);
      const LayerValue& v = lf.values[k];
      if (std::holds_alternative<std::monostate>(v)) {
        OGR_F_SetFieldNull(feat, idx);
      } else if (const int64_t* n = std::get_if<int64_t>(&v)) {
        if (layer.fields[k].type == LayerFieldType::kInt32) {
          OGR_F_SetFieldInteger(feat, idx, static_cast<int>(*n));
        } else {
          OGR_F_SetFieldInteger64(feat, idx, static_cast<GIntBig>(*n));
        }
      } else if (const double* d = std::get_if<double>(&v)) {
        OGR_F_SetFieldDouble(feat, idx, *d);
      } else {
        OGR_F_SetFieldString(feat, idx, std::get<std::string>(v).c_str());
      }
    }
    OGRGeometryH geom;
    if (multi) {
      geom = OGR_G_CreateGeometry(wkbMultiPolygon);
      for (const LayerPolygon& p : lf.polygons) OGR_G_AddGeometryDirectly(geom, PolygonToOgr(p));
    } else {
      geom = PolygonToOgr(lf.polygons[0]);
    }
    OGR_F_SetGeometryDirectly(feat, geom);
    const OGRErr err = OGR_L_CreateFeature(lh, feat);
    OGR_F_Destroy(feat);
    if (err != OGRERR_NONE) {
      OGR_L_RollbackTransaction(lh);
      return Status::Io(path + ": cannot write feature " + std::to_string(i + 1) + " (" +
                        GdalError() + ")");
    }
  }
  if (OGR_L_CommitTransaction(lh) != OGRERR_NONE) {
    return Status::Io(path + ": cannot commit (" + GdalError() + ")");
  }
  return Status::Ok();
}

}  // namespace

Status WriteGeoPackageLayer(const std::string& path, const PolygonLayer& layer) {
  PLACECAST_RETURN_IF_ERROR(CheckLayer(path, layer));
  RegisterGdalOnce();
  GDALDriverH driver = GDALGetDriverByName("GPKG");
  if (driver == nullptr) return Status::Internal(path + ": GDAL has no GPKG driver");

  const std::string tmp = path + ".tmp";
  ScopedQuietGdal quiet;
  // gpkg_contents.last_change (and any other date GDAL writes) comes from this option, so the
  // file depends on the layer, not on the clock.
  ScopedThreadConfig date("OGR_CURRENT_DATE",
                          products_internal::FormatUtcMillis(layer.timestamp_s));
  VSIUnlink(tmp.c_str());
  GDALDatasetH ds = GDALCreate(driver, tmp.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
  if (ds == nullptr) {
    VSIUnlink(tmp.c_str());
    return Status::Io(path + ": cannot create GeoPackage (" + GdalError() + ")");
  }
  Status st = FillGpkg(ds, layer, path);
  CPLErrorReset();
  GDALClose(ds);
  if (st.ok() && CPLGetLastErrorType() >= CE_Failure) {
    st = Status::Io(path + ": cannot finish GeoPackage (" + GdalError() + ")");
  }
  if (st.ok() && std::rename(tmp.c_str(), path.c_str()) != 0) {
    st = Status::Io(path + ": cannot rename " + tmp + " into place");
  }
  if (!st.ok()) VSIUnlink(tmp.c_str());
  return st;
}

}  // namespace placecast::io
