// SPDX-License-Identifier: Apache-2.0
// Request fields taken from a ParamSpec table (params.h): operations whose settings a library
// already declares (scan, nearrepeat, simulate-feedback) take the name, type, default, range,
// units and choices of each field from that table instead of copying them, and hand the values
// back to the library as the text ParamValues::Resolve reads. Internal to src/ops. Thread-safe.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "placecast/ops/request.h"
#include "placecast/params.h"

namespace placecast::ops {

// The FieldSpec of the parameter `name` of `table` (kInt, kDouble, kChoice for kEnum, kString,
// kBool), with `doc` when given (else the table's description) and `flags`.
// REQUIRES: `name` is in `table` (a programmer error otherwise). The texts it points to live for
// the life of the process.
FieldSpec FieldOfParam(std::span<const ParamSpec> table, std::string_view name,
                       std::string_view doc = {}, unsigned flags = 0);

// A number as ParamValues::Resolve reads it: integers as digits, others in the shortest form that
// reads back as the same double.
std::string ParamText(int64_t v);
std::string ParamText(double v);

}  // namespace placecast::ops
