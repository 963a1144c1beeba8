// Integration formulas and truncation-error step control for transient analysis.
//
// Devices with storage contribute charges (or fluxes) q(x) in DAE form f(x) + dq/dt = 0. At each
// time step the derivative is replaced by a linear combination of the charge at the new point and
// at earlier accepted points:
//   dq/dt(t_n) = a0*q_n + a1*q_{n-1} + a2*q_{n-2} + b1*dq/dt(t_{n-1})
//   backward Euler (order 1): a0 = 1/h,           a1 = -1/h
//   trapezoidal   (order 2): a0 = 2/h,           a1 = -2/h, b1 = -1
//   Gear-2 / BDF2 (order 2, variable step h = h_n, h' = h_n + h_{n-1}):
//                            a0 = 1/h + 1/h',     a1 = -h'/(h (h'-h)),  a2 = h/(h' (h'-h))
// The local truncation error of each charge is estimated from divided differences of its last
// order+2 values, as in SPICE (ngspice CKTterr), and gives the largest step that keeps it within
//   tol = max(abstol + reltol*max|dq/dt|, reltol*max(max|q|, chgtol)/h)   times trtol.
#pragma once

#include <span>
#include <vector>

#include "core/simulation_options.h"

namespace xbarsim {

struct IntegrationCoefficients {
  double a0 = 0, a1 = 0, a2 = 0, b1 = 0;
};

// `steps[0]` is the step being taken (h_n), `steps[1]` the one before (h_{n-1}).
IntegrationCoefficients integration_coefficients(IntegrationMethod method, int order, std::span<const double> steps);

// Largest step allowed by one charge's truncation error. `charges[0]` is the charge at the new
// point, charges[1..order+1] at earlier accepted points; `steps[0..order]` the steps between
// them (steps[0] = the step just taken). `derivative_now/previous` are dq/dt at the new and the
// previous point.
double truncation_timestep(IntegrationMethod method, int order, std::span<const double> charges,
                           std::span<const double> steps, double derivative_now, double derivative_previous,
                           const SimulationOptions& options);

// The same estimate over many charges at once, for a transient's step control: returns the
// smallest truncation_timestep of `order` over all `count` charges and, when
// `with_order_two`, also the smallest for order 2 (the test for raising the order), in one
// pass over the charge arrays. The divided differences are linear in the charges, so their
// weights are worked out once from the steps; the per-charge work is a few multiply-adds,
// the root of order 2 is taken once on the minimum. While reading the charges it also writes
// dq/dt at the new point, a0 q0 + (a1 q1 + a2 q2 + b1 dq/dt_prev) with the step's `coefficients`:
// the history term the loads read, worked out again from arrays this pass reads anyway.
struct TruncationTimesteps {
  double present_order;  // smallest step allowed at `order`
  double order_two;      // smallest step allowed at order 2 (+infinity unless asked for)
};
TruncationTimesteps smallest_truncation_timesteps(IntegrationMethod method, int order, bool with_order_two,
                                                  const double* const charges[4], std::size_t count, std::span<const double> steps,
                                                  const IntegrationCoefficients& coefficients, double* derivative_now,
                                                  const double* derivative_previous, const SimulationOptions& options);

// The solution predicted at the next time point from the last accepted ones: an iterative
// linear solver's starting point, and a linear circuit's Newton starting point (it changes
// nothing else). `solutions[0]` is the last accepted
// point x_n, [1] to [3] the ones before it, of which the first `count` (1 to
// kPredictionPoints) may be used (those from the last breakpoint on: the slope changes there);
// `steps[0]` is the step about to be taken, steps[1] to steps[count - 1] the accepted ones ending
// at x_n, x_{n-1}, ... The prediction is the combination of the points that continues exactly
//   4 points: a line plus a component alternating in sign from point to point whose amplitude
//             changes linearly in time (on equal steps: 2 x_{n-1} - x_{n-3}, a line through
//             the points of the new one's parity)
//   3 points: a line plus an alternating component of constant amplitude (on equal steps:
//             x_n + x_{n-1} - x_{n-2})
//   2 points: a line (x_n + h / h_1 * (x_n - x_{n-1}))
//   1 point:  x_n
// The alternating component is the stiff modes of a circuit integrated by the trapezoidal rule
// (each is multiplied by about -1 per step), which is what remains of the change of a settling
// linear circuit: the 2-point extrapolation doubles it. Its amplitude decays from step to step;
// following that (4 points) took the 256 x 256 transient benchmark from 2713 CG iterations to
// 1866. A quadratic instead (with a constant alternation) took 2963.
constexpr int kPredictionPoints = 4;
void predict_solution(std::span<const double* const> solutions, int count, std::span<const double> steps, std::size_t size,
                      double* predicted);

// Sorted time points the simulation must land on exactly (source corners, tstop).
class BreakpointTable {
 public:
  BreakpointTable(std::vector<double> times, double minimum_spacing);
  // The first breakpoint strictly after `time` (beyond `minimum_spacing`), or +infinity.
  double next_after(double time) const;
  const std::vector<double>& times() const { return times_; }

 private:
  std::vector<double> times_;
  double minimum_spacing_;
};

}  // namespace xbarsim
