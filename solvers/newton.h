// Newton–Raphson iteration on an MnaSystem, SPICE style.
//
//   x = initial guess
//   repeat up to max_iterations:
//     load every device at x (junctions limit their voltage step; limiting marks "not converged")
//     r = A(x) x - b(x)                      -- the KCL/branch residual at x
//     x_new = A(x)^-1 b(x)                   -- devices stamp companion models, so this is the step
//     converged when, for every unknown k,
//        |x_new_k - x_k| <= reltol * max(|x_new_k|, |x_k|) + (vntol for voltages | abstol for currents)
//        |r_k|          <= reltol * scale_k + (abstol for node rows | vntol for branch rows)
//       and no device limited its step; scale_k is the largest term of row k.
//     x = x_new
// A linear circuit converges in one solve (no residual or convergence test: it is exact); its
// charges are then evaluated at the solution (MnaSystem::load_charges), without another load.
// On failure the result names the unknowns whose updates were furthest outside their tolerance.
#pragma once

#include <string>
#include <vector>

#include "core/device_group.h"
#include "solvers/mna_system.h"

namespace xbarsim {

struct NewtonSettings {
  int max_iterations = 100;
  AnalysisMode mode = AnalysisMode::operating_point;
  double source_factor = 1.0;
  double node_shunt = 0.0;  // gmin-stepping conductance from every node to ground
  bool initialize_junctions = false;
  double time = 0.0;
  // Nodes held at a value through a large conductance (nodesets, .ic during a transient's
  // initial operating point).
  std::vector<std::pair<int, double>> clamped_nodes;
  // Transient integration (see LoadContext): a0, per-charge history, where charges are written.
  double integration_a0 = 0.0;
  const double* charge_history = nullptr;
  double* charges = nullptr;
  // A guess of the first iteration's result (size()+1 entries, e.g. a transient's predictor),
  // handed to the linear solver as its starting point (LinearSolver::set_initial_guess): an
  // iterative solver converges in fewer iterations. The Newton iterate itself still starts from
  // `solution`. Later iterations start the solver from its previous solution.
  const double* linear_guess = nullptr;
};

struct NewtonResult {
  bool converged = false;
  int iterations = 0;
  std::vector<int> worst_unknowns;  // most out-of-tolerance unknowns of the last iteration
  double worst_residual = 0.0;
};

NewtonResult newton_solve(MnaSystem& system, std::vector<double>& solution, const NewtonSettings& settings);

}  // namespace xbarsim
