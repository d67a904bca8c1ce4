// SPDX-License-Identifier: Apache-2.0
// Displacement analysis of a place-based intervention: counts of events in a target area, a buffer
// around it and a control area (or one control for the target and one for the buffer) before and
// after, and the two standard measures built on them:
//  - the weighted displacement quotient, WDQ (Bowers and Johnson 2003), with its reading;
//  - the weighted displacement difference, WDD, and its Poisson z test (Wheeler and Ratcliffe
//    2018).
// Pure functions of their arguments: safe to call from several threads. Method:
// docs/displacement.md.
#pragma once

#include <cstdint>
#include <string>

#include "placecast/common/calendar.h"
#include "placecast/common/event_set.h"
#include "placecast/grid/geometry.h"
#include "placecast/status.h"

namespace placecast::deploy {

// Event counts of one area in the pre and post periods.
struct PeriodCounts {
  int64_t pre = 0;
  int64_t post = 0;
};

struct DisplacementCounts {
  PeriodCounts target;          // A in Bowers and Johnson, T in Wheeler and Ratcliffe
  PeriodCounts buffer;          // B, D: the displacement (catchment) area around the target
  PeriodCounts control;         // C, Ct: the control for the target (and the buffer when shared)
  PeriodCounts buffer_control;  // Cd: the control for the buffer; ignored when shared_control
  // One control area serves both target and buffer (the WDQ's design). Its counts then enter the
  // WDD twice, and its Poisson variance four times (Var(2C) = 4 Var(C)).
  bool shared_control = true;
};

// The weighted displacement quotient. With ratios to the control of the same period,
//   SM  = A_post/C_post − A_pre/C_pre   (success measure; < 0 when the target improved),
//   BDM = B_post/C_post − B_pre/C_pre   (buffer displacement measure; > 0 when the buffer
//   worsened), WDQ = BDM / SM.
// The WDQ uses the target's control (`control`) for every ratio.
struct WdqResult {
  bool sm_defined = false;     // false when C_pre or C_post is 0
  bool wdq_defined = false;    // false when SM is undefined or 0
  double success_measure = 0;  // SM (0 when undefined)
  double buffer_measure = 0;   // BDM (0 when undefined)
  double wdq = 0;              // BDM / SM (0 when undefined)
  // Why the quotient is undefined ("" when defined).
  std::string undefined_reason;
  // The standard reading (Bowers and Johnson 2003; Ratcliffe's WDQ guide):
  //   SM >= 0          no success against the control: the WDQ has no displacement reading;
  //   WDQ > 1          diffusion of benefits greater than the direct effect;
  //   0 < WDQ <= 1     diffusion of benefits (the buffer improved too);
  //   WDQ = 0          neither displacement nor diffusion;
  //   -1 <= WDQ < 0    displacement, smaller than the direct effect (net benefit);
  //   WDQ < -1         displacement greater than the direct effect (the scheme backfired).
  std::string reading;
};

// The weighted displacement difference, with Δ = post − pre:
//   WDD = (ΔT − ΔCt) + (ΔD − ΔCd), negative when events fell more than the controls suggest.
// Under independent Poisson counts Var(WDD) = T0 + T1 + Ct0 + Ct1 + D0 + D1 + Cd0 + Cd1; with one
// shared control C (Ct = Cd = C) WDD = ΔT + ΔD − 2ΔC and Var = T0 + T1 + D0 + D1 + 4 (C0 + C1).
// z = WDD / sqrt(Var), the two-sided p-value from the standard normal, and the 95 % interval
// WDD ± 1.959964 sqrt(Var).
struct WddResult {
  double local = 0;         // ΔT − ΔCt: the direct effect
  double local_se = 0;      // sqrt(T0 + T1 + Ct0 + Ct1)
  double displacement = 0;  // ΔD − ΔCd: what happened around the target (> 0: displacement)
  double displacement_se = 0;
  double wdd = 0;  // local + displacement
  double variance = 0;
  double se = 0;
  bool test_defined = false;  // false when every count is 0 (variance 0)
  double z = 0, p_value = 1, ci95_low = 0, ci95_high = 0;  // z, p = 1 when undefined
  std::string reading;
};

struct DisplacementResult {
  WdqResult wdq;
  WddResult wdd;
};

// Both measures from the counts. kInvalidInput when a count is negative (naming the area and
// period).
Result<DisplacementResult> ComputeDisplacement(const DisplacementCounts& counts);

// A period of whole local days: [from_s, to_s) in UTC seconds, from the start of its first day
// to the start of the day after its last.
struct Period {
  int64_t from_s = 0;
  int64_t to_s = 0;
  std::string first_day, last_day;  // "YYYY-MM-DD", both included
  int64_t num_days = 0;
  int64_t days() const { return num_days; }
};

// "YYYY-MM-DD:YYYY-MM-DD", both days included: [FROM 00:00, TO + 1 day 00:00) local time of
// `calendar` (the store's). kInvalidInput naming `what` for a missing ':', a bad date, or TO
// before FROM.
Result<Period> ParsePeriod(const std::string& text, const std::string& what,
                           const Calendar& calendar = Calendar());

// The pre and post periods must not overlap, pre must end before post starts, and both must be
// equally long (the WDD compares raw counts; unequal periods would need weights whose Poisson
// variance is not the one above). kInvalidInput naming the lengths otherwise.
Status CheckPeriods(const Period& pre, const Period& post);

// Events of `events` inside `area` (even-odd rule) with t in `pre` and in `post`. The events must
// be time-sorted (EventSet order). kInvalidInput when `area` has no ring (naming `what`).
Result<PeriodCounts> CountInArea(const EventSet& events, const grid::Boundary& area,
                                 const Period& pre, const Period& post, const std::string& what);

}  // namespace placecast::deploy
