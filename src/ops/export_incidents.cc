// SPDX-License-Identifier: Apache-2.0
// export-incidents (export_incidents.h).
#include "placecast/ops/export_incidents.h"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "io/projection.h"
#include "ops/common.h"
#include "ops/record.h"
#include "placecast/common/event_set.h"
#include "placecast/io/calendar.h"
#include "placecast/io/staging.h"
#include "placecast/io/store.h"
#include "placecast/privacy/privacy.h"

namespace placecast::ops {

std::span<const Field<ExportIncidentsRequest>> ExportIncidentsRequest::Fields() {
  using R = ExportIncidentsRequest;
  static const std::vector<Field<R>> fields = {
      {{.name = "store",
        .doc = "GeoPackage store written by `placecast ingest`",
        .flags = kRequired | kNotInQuery},
       &R::store},
      {{.name = "offence", .doc = "offence group (see `placecast offences`)", .flags = kRequired},
       &R::offence},
      {{.name = "from",
        .type = FieldType::kDate,
        .doc = "first date YYYY-MM-DD (inclusive)",
        .flags = kRequired},
       &R::from},
      {{.name = "to",
        .type = FieldType::kDate,
        .doc = "last date YYYY-MM-DD (exclusive)",
        .flags = kRequired},
       &R::to},
      {{.name = "geomask", .default_json = "\"donut\"", .doc = "geomasking method (donut)"},
       &R::geomask},
      {{.name = "min_m",
        .type = FieldType::kDouble,
        .default_json = "50",
        .min = 0,
        .max = 1e6,
        .units = "m",
        .doc = "least displacement in metres"},
       &R::min_m},
      {{.name = "max_m",
        .type = FieldType::kDouble,
        .default_json = "250",
        .min = 0,
        .max = 1e6,
        .units = "m",
        .doc = "greatest displacement in metres"},
       &R::max_m},
      {{.name = "out",
        .type = FieldType::kOutputFile,
        .doc = "output CSV",
        .flags = kRequired | kNotInQuery},
       &R::out},
      {kAllowEnforcementField, &R::allow_enforcement_types},
  };
  return fields;
}

Status ExportIncidentsRequest::Validate() const {
  if (geomask != "donut") {
    return Status::InvalidInput("--geomask: expected \"donut\" (got \"" + geomask + "\")");
  }
  PLACECAST_ASSIGN_OR_RETURN(int64_t from_s, ParseDate(from, "--from"));
  PLACECAST_ASSIGN_OR_RETURN(int64_t to_s, ParseDate(to, "--to"));
  if (from_s >= to_s) return Status::InvalidInput("--from " + from + " is not before --to " + to);
  return Status::Ok();
}

Result<Product> Run(io::Store& store, const ExportIncidentsRequest& r, Context& ctx) {
  PLACECAST_ASSIGN_OR_RETURN(const Calendar cal, io::StoreCalendar(store));
  PLACECAST_ASSIGN_OR_RETURN(int64_t from_s, cal.ParseDate(r.from, "--from"));
  PLACECAST_ASSIGN_OR_RETURN(int64_t to_s, cal.ParseDate(r.to, "--to"));
  PLACECAST_ASSIGN_OR_RETURN(Study study, LoadStudy(store, r.offence, "", "", 0, from_s, to_s,
                                                    r.allow_enforcement_types, *ctx.progress));
  const EventSet& ev = study.events;
  auto key = store.GetReleaseKey();
  if (!key.ok()) return key.status().Wrap("export-incidents: release key of " + r.store);
  if (ev.id.size() != ev.size()) {
    return Status::Internal("export-incidents: events loaded without their ids");
  }
  std::vector<double> x, y;
  x.reserve(ev.size());
  y.reserve(ev.size());
  for (size_t i = 0; i < ev.size(); ++i) {
    PLACECAST_ASSIGN_OR_RETURN(
        privacy::GeomaskedPoint p,
        privacy::DonutGeomask(ev.x_m[i], ev.y_m[i], r.min_m, r.max_m, *key, ev.id[i]));
    x.push_back(p.x_m);
    y.push_back(p.y_m);
  }
  PLACECAST_RETURN_IF_ERROR(io::Transform(ev.crs, "EPSG:4326", x, y));
  std::string csv = "date,offence_group,lon,lat\n";
  char buf[64];
  for (size_t i = 0; i < ev.size(); ++i) {
    std::snprintf(buf, sizeof(buf), ",%.6f,%.6f\n", x[i], y[i]);
    csv += cal.FormatDate(ev.t_s[i]);  // the local date: the day an analyst would name
    csv += ',';
    csv += GetOffenceGroupInfo(ev.group[i]).name;
    csv += buf;
  }
  // The file is staged beside --out and moved into place only after its ledger record commits
  // (io/staging.h): a failed or killed run publishes nothing.
  auto stage = io::OutputStage::ForFiles();
  PLACECAST_RETURN_IF_ERROR(stage->StageFile(r.out, csv));
  Product out;
  PLACECAST_ASSIGN_OR_RETURN(out.ledger_seq, RecordAndPublish(store, ctx, r, *stage));
  char radii[64];
  std::snprintf(radii, sizeof(radii), "%g-%g m", r.min_m, r.max_m);
  std::string line = "export-incidents: " + std::to_string(ev.size()) + " ";
  line += r.offence + " incident(s) from " + r.from + " to " + r.to + ", donut geomask ";
  line += radii;
  line += " keyed by the store's release key; wrote " + r.out;
  out.lines.push_back(std::move(line));
  out.summary["incidents"] = ev.size();
  out.summary["ledger_seq"] = out.ledger_seq;
  out.files.push_back(r.out);
  return out;
}

OpInfo ExportIncidentsOp() {
  return MakeOpInfo<ExportIncidentsRequest>(
      StoreUse::kRead,
      [](io::Store* s, const ExportIncidentsRequest& r, Context& c) { return Run(*s, r, c); });
}

}  // namespace placecast::ops
