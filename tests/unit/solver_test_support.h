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
    REQUIRE(expected.vectors.size() == actual.vectors.size());
    double largest[2] = {0.0, 0.0};
    for (const Vector& vector : expected.vectors)
      for (double value : vector.values) {
        double& scale = largest[vector.quantity == Quantity::voltage];
        scale = std::max(scale, std::abs(value));
      }
    for (std::size_t v = 0; v < expected.vectors.size(); ++v) {
      const Vector& vector = expected.vectors[v];
      REQUIRE(actual.vectors[v].name == vector.name);
      REQUIRE(actual.vectors[v].values.size() == vector.values.size());
      for (std::size_t k = 0; k < vector.values.size(); ++k)
        worst = std::max(worst, std::abs(actual.vectors[v].values[k] - vector.values[k]) / largest[vector.quantity == Quantity::voltage]);
    }
  }
  return worst;
}

}  // namespace xbarsim::testing
