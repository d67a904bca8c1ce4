// SPDX-License-Identifier: Apache-2.0
// Internal: silences GDAL's default stderr error handler for the current thread while in scope.
// GDAL prints each failure (and PROJ's own diagnostics, which it forwards) as "ERROR 1: …" lines;
// placecast reads the last one back with CPLGetLastErrorMsg and reports one Status instead.
// Thread-safe: GDAL's handler stack is per thread.
#pragma once

#include <cpl_error.h>

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

}  // namespace placecast::io
