// Operating point: the DC solution of a circuit, found the way SPICE finds it.
//
//   1. plain Newton from the initial guess (junctions start at their critical voltage), with
//      .nodeset nodes held at their values for a first solve and then released;
//   2. if that fails, gmin stepping: a shunt conductance from every node to ground, from 1e-2 S
//      down by adaptive factors to none, each step starting from the last solution;
//   3. if that fails, source stepping: independent sources ramped from 0 to full value.
// Failure throws SimulationError naming the nodes that did not settle.
#pragma once

#include <vector>

#include "core/circuit.h"
#include "solvers/mna_system.h"

namespace xbarsim {

struct OperatingPointStatistics {
  long newton_iterations = 0;
  int gmin_steps = 0;
  int source_steps = 0;
};

// `solution` holds the initial guess (size unknowns + 1, or empty for zeros) and receives the
// operating point. `first_point` selects junction initialisation and nodesets (false for later
// points of a sweep, which start from the previous point's solution).
// `held_nodes` are held at their values throughout (a transient's .ic, as ngspice does).
void solve_operating_point(MnaSystem& system, std::vector<double>& solution, AnalysisMode mode, bool first_point,
                           int iteration_limit, OperatingPointStatistics& statistics,
                           const std::vector<std::pair<int, double>>& held_nodes = {});

}  // namespace xbarsim
