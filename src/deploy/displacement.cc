// SPDX-License-Identifier: Apache-2.0
// Displacement measures (WDQ, WDD), period parsing and counting of events in areas. Pure
// functions; thread-safe.
#include "placecast/deploy/displacement.h"

#include <cmath>
#include <cstdio>

namespace placecast::deploy {
namespace {

constexpr double kZ95 = 1.959963984540054;  // the 97.5 % quantile of the standard normal

std::string Fmt(const char* format, double a, double b = 0) {
  char buf[512];
  std::snprintf(buf, sizeof(buf), format, a, b);
  return buf;
}

void ReadWdq(WdqResult& w) {
  if (!w.sm_defined) {
    w.reading = "Undefined: " + w.undefined_reason + ".";
    return;
  }
  if (w.success_measure >= 0) {
    w.reading =
        "No success against the control (SM >= 0: the target did not improve relative to the "
        "control), so the WDQ has no displacement reading.";
    return;
  }
  const double q = w.wdq;
  if (q > 1) {
    w.reading =
        "Diffusion of benefits greater than the direct effect (WDQ > 1): the buffer "
        "improved more than the target, relative to the control.";
  } else if (q > 0) {
    w.reading =
        "Diffusion of benefits (0 < WDQ <= 1): the buffer improved too, by less than the "
        "target.";
  } else if (q == 0) {
    w.reading =
        "Neither displacement nor diffusion (WDQ = 0): the buffer did not change relative "
        "to the control.";
  } else if (q >= -1) {
    w.reading =
        "Displacement smaller than the direct effect (-1 <= WDQ < 0): the buffer worsened, "
        "by less than the target improved; a net benefit.";
  } else {
    w.reading =
        "Displacement greater than the direct effect (WDQ < -1): the buffer worsened by "
        "more than the target improved; the scheme was counter-productive.";
  }
}

void ReadWdd(WddResult& w) {
  if (!w.test_defined) {
    w.reading = "Undefined: every count is 0, so the WDD is 0 with no variance and no test.";
    return;
  }
  std::string r;
  if (w.wdd < 0) {
    r =
        Fmt("About %.1f fewer events in the target and buffer than the control trend predicts "
            "(WDD = %.1f).",
            -w.wdd, w.wdd);
  } else if (w.wdd > 0) {
    r =
        Fmt("About %.1f more events in the target and buffer than the control trend predicts "
            "(WDD = %.1f).",
            w.wdd, w.wdd);
  } else {
    r = "Exactly as many events in the target and buffer as the control trend predicts (WDD = 0).";
  }
  if (w.p_value < 0.05) {
    r += Fmt(" The change is statistically significant at the 5 %% level (z = %.2f, p = %.3g).",
             w.z, w.p_value);
  } else {
    r +=
        Fmt(" The change is not statistically significant at the 5 %% level (z = %.2f, p = %.3g): "
            "it is within what chance alone produces.",
            w.z, w.p_value);
  }
  w.reading = r;
}

Status CheckCount(const PeriodCounts& c, const char* name) {
  if (c.pre < 0 || c.post < 0) {
    return Status::InvalidInput(std::string("displacement: ") + name +
                                ": counts must be >= 0 (got " + std::to_string(c.pre) + " pre, " +
                                std::to_string(c.post) + " post)");
  }
  return Status::Ok();
}

}  // namespace

Result<DisplacementResult> ComputeDisplacement(const DisplacementCounts& k) {
  PLACECAST_RETURN_IF_ERROR(CheckCount(k.target, "target"));
  PLACECAST_RETURN_IF_ERROR(CheckCount(k.buffer, "buffer"));
  PLACECAST_RETURN_IF_ERROR(CheckCount(k.control, "control"));
  if (!k.shared_control) PLACECAST_RETURN_IF_ERROR(CheckCount(k.buffer_control, "buffer control"));
  DisplacementResult r;

  // WDQ: every ratio is to the target's control of the same period.
  WdqResult& q = r.wdq;
  const auto& A = k.target;
  const auto& B = k.buffer;
  const auto& C = k.control;
  if (C.pre == 0 || C.post == 0) {
    q.undefined_reason = "the control area has no event in the " +
                         std::string(C.pre == 0 ? "pre" : "post") +
                         " period, so the ratios to it are undefined";
  } else {
    q.sm_defined = true;
    const double cpre = static_cast<double>(C.pre), cpost = static_cast<double>(C.post);
    q.success_measure = A.post / cpost - A.pre / cpre;
    q.buffer_measure = B.post / cpost - B.pre / cpre;
    if (q.success_measure == 0) {
      q.undefined_reason =
          "the success measure SM is 0 (the target changed exactly as the "
          "control), so WDQ = BDM / SM is undefined";
    } else {
      q.wdq_defined = true;
      q.wdq = q.buffer_measure / q.success_measure;
    }
  }
  ReadWdq(q);

  // WDD.
  WddResult& w = r.wdd;
  const PeriodCounts& cd = k.shared_control ? k.control : k.buffer_control;
  const double dT = static_cast<double>(A.post - A.pre);
  const double dCt = static_cast<double>(C.post - C.pre);
  const double dD = static_cast<double>(B.post - B.pre);
  const double dCd = static_cast<double>(cd.post - cd.pre);
  const double var_t = static_cast<double>(A.pre + A.post);
  const double var_ct = static_cast<double>(C.pre + C.post);
  const double var_d = static_cast<double>(B.pre + B.post);
  const double var_cd = static_cast<double>(cd.pre + cd.post);
  w.local = dT - dCt;
  w.local_se = std::sqrt(var_t + var_ct);
  w.displacement = dD - dCd;
  w.displacement_se = std::sqrt(var_d + var_cd);
  w.wdd = w.local + w.displacement;
  // A shared control enters twice: Var(ΔT + ΔD − 2ΔC) = Var T + Var D + 4 Var C.
  w.variance = k.shared_control ? var_t + var_d + 4 * var_ct : var_t + var_ct + var_d + var_cd;
  w.se = std::sqrt(w.variance);
  if (w.variance > 0) {
    w.test_defined = true;
    w.z = w.wdd / w.se;
    w.p_value = std::erfc(std::fabs(w.z) / std::sqrt(2.0));
    w.ci95_low = w.wdd - kZ95 * w.se;
    w.ci95_high = w.wdd + kZ95 * w.se;
  }
  ReadWdd(w);
  return r;
}

Result<Period> ParsePeriod(const std::string& text, const std::string& what,
                           const Calendar& calendar) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos) {
    return Status::InvalidInput(what + ": expected FROM:TO as YYYY-MM-DD:YYYY-MM-DD (got \"" +
                                text + "\")");
  }
  PLACECAST_ASSIGN_OR_RETURN(int64_t from,
                             calendar.ParseDate(text.substr(0, colon), what + " FROM"));
  PLACECAST_ASSIGN_OR_RETURN(int64_t to, calendar.ParseDate(text.substr(colon + 1), what + " TO"));
  if (to < from) {
    return Status::InvalidInput(what + ": TO is before FROM (got \"" + text + "\")");
  }
  return Period{from, calendar.AddDays(to, 1), text.substr(0, colon), text.substr(colon + 1),
                calendar.DaysBetween(from, to) + 1};
}

Status CheckPeriods(const Period& pre, const Period& post) {
  if (post.from_s < pre.to_s) {
    return Status::InvalidInput("post period: must start after the pre period ends (pre " +
                                pre.first_day + " to " + pre.last_day + ", post " + post.first_day +
                                " to " + post.last_day + ")");
  }
  if (pre.days() != post.days()) {
    return Status::InvalidInput("pre and post periods: must be equally long (got " +
                                std::to_string(pre.days()) + " and " + std::to_string(post.days()) +
                                " days)");
  }
  return Status::Ok();
}

Result<PeriodCounts> CountInArea(const EventSet& events, const grid::Boundary& area,
                                 const Period& pre, const Period& post, const std::string& what) {
  if (area.empty()) return Status::InvalidInput(what + ": the area has no polygon");
  const grid::BoundaryIndex index(area);
  PeriodCounts c;
  for (const auto& [period, count] : {std::pair{&pre, &c.pre}, std::pair{&post, &c.post}}) {
    const auto [first, last] = events.TimeRange(period->from_s, period->to_s);
    for (size_t i = first; i < last; ++i) {
      if (index.Contains(events.x_m[i], events.y_m[i])) ++*count;
    }
  }
  return c;
}

}  // namespace placecast::deploy
