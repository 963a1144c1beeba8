// Helpers for unit tests that run one netlist through two linear solvers and compare.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/simulator.h"
#include "netlist_test_support.h"

namespace xbarsim::testing {

struct SolverRun {
  Waveforms waveforms;
  std::string solver;  // the solver's --stats description
  LinearSolverStatistics statistics;
};

inline SolverRun simulate(const std::string& netlist, const std::string& solver) {
  auto parsed = parse_netlist(netlist);
  SimulatorSettings settings;
  settings.linear_solver = solver;
  Simulator simulator(parsed.circuit, settings);
  SolverRun run{simulator.run(), simulator.solver_description(), simulator.solver_statistics()};
  return run;
}

// Largest difference relative to the largest magnitude of its quantity (voltages, currents),
// over every plot; the plots must have the same vectors.
inline double worst_relative_difference(const Waveforms& reference, const Waveforms& result) {
  REQUIRE(reference.plots.size() == result.plots.size());
  double worst = 0.0;
  for (std::size_t p = 0; p < reference.plots.size(); ++p) {
    const Plot& expected = reference.plots[p];
    const Plot& actual = result.plots[p];
    REQUIRE(expected.vector_count() == actual.vector_count());
    REQUIRE(expected.point_count() == actual.point_count());
    double largest[2] = {0.0, 0.0};
    for (std::size_t v = 0; v < expected.vector_count(); ++v)
      for (std::size_t k = 0; k < expected.point_count(); ++k) {
        double& scale = largest[expected.quantity(v) == Quantity::voltage];
        scale = std::max(scale, std::abs(expected.value(v, k)));
      }
    for (std::size_t v = 0; v < expected.vector_count(); ++v) {
      REQUIRE(actual.vector_name(v) == expected.vector_name(v));
      for (std::size_t k = 0; k < expected.point_count(); ++k)
        worst = std::max(worst, std::abs(actual.value(v, k) - expected.value(v, k)) / largest[expected.quantity(v) == Quantity::voltage]);
    }
  }
  return worst;
}

}  // namespace xbarsim::testing
