// TransientAnalysis: `.tran tstep tstop [tstart [tmax]] [uic]`, SPICE style.
//
//   x(0) = operating point (with .ic nodes held at their values), or .ic values with `uic`
//   q(0) = charges at x(0) (element IC= values with `uic`)
//   h = min(tstep, tstop/100) / 10; order = 1 (backward Euler)
//   repeat until t = tstop:
//     h = min(h, tmax, distance to the next breakpoint)   -- source corners are hit exactly
//     solve f(x) + dq/dt = 0 at t+h by Newton (at most itl4 iterations), dq/dt from the
//       integration formula of the present order (core/integration.h)
//     Newton failed    -> h = h/8, order 1, retry  ("timestep too small" below delmin)
//     h_lte = smallest truncation-error step over all charges
//     h_lte < 0.9 h    -> reject, h = h_lte, retry
//     accept t += h; order 2 (trapezoidal or Gear-2) once its error estimate allows;
//     after a breakpoint: order 1 and a short step; next h = min(2h, h_lte)
// tmax defaults to min(tstep, (tstop - tstart)/50), as in ngspice. The plot holds the accepted
// time points from tstart (or, with `.options interp`, values interpolated onto the tstep grid).
#pragma once

#include <functional>
#include <vector>

#include "core/circuit.h"
#include "core/operating_point.h"
#include "core/waveforms.h"
#include "solvers/mna_system.h"

namespace xbarsim {

struct TransientStatistics {
  long accepted_steps = 0;
  long rejected_steps = 0;        // truncation error too large
  long newton_failures = 0;       // step cut because Newton did not converge
  long newton_iterations = 0;
};

class TransientAnalysis {
 public:
  TransientAnalysis(MnaSystem& system, const TransientRequest& request);

  // Runs the analysis; `record` receives each accepted (time, solution), starting with t = 0
  // (except with `uic`, where ngspice writes no t = 0 point either).
  // Throws SimulationError (timestep too small, no initial operating point).
  void run(OperatingPointStatistics& operating_point_statistics,
           const std::function<void(double, const std::vector<double>&)>& record);

  const TransientStatistics& statistics() const { return statistics_; }

 private:
  MnaSystem& system_;
  TransientRequest request_;
  TransientStatistics statistics_;
};

}  // namespace xbarsim
