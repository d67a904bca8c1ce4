// SPDX-License-Identifier: Apache-2.0
// Internal: silences GDAL's default stderr error handler for the current thread while in scope.
// GDAL prints each failure (and PROJ's own diagnostics, which it forwards) as "ERROR 1: …" lines;
// placecast reads the last one back with CPLGetLastErrorMsg and reports one Status instead.
// Thread-safe: GDAL's handler stack is per thread. Also: registering GDAL's drivers once, and
// opening a vector file for reading with placecast's error.
#pragma once

#include <cpl_error.h>
#include <gdal.h>

#include <mutex>
#include <string>

#include "placecast/status.h"

namespace placecast::io {

class ScopedQuietGdal {
 public:
  ScopedQuietGdal() {
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
  }
  ~ScopedQuietGdal() { CPLPopErrorHandler(); }
  ScopedQuietGdal(const ScopedQuietGdal&) = delete;
  ScopedQuietGdal& operator=(const ScopedQuietGdal&) = delete;
};

// Registers GDAL's drivers, once per process.
inline void RegisterGdalOnce() {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
}

// `path` opened as a vector dataset for reading (drivers registered first); the caller closes it
// with GDALClose. kInvalidInput "PATH: not a vector file GDAL/OGR can read" when GDAL cannot.
// Call it inside a ScopedQuietGdal so GDAL's own messages stay off stderr.
inline Result<GDALDatasetH> OpenVectorFile(const std::string& path) {
  RegisterGdalOnce();
  GDALDatasetH ds =
      GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
  if (ds == nullptr) {
    return Status::InvalidInput(path + ": not a vector file GDAL/OGR can read (got \"" + path +
                                "\")");
  }
  return ds;
}

}  // namespace placecast::io
