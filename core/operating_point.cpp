#include "core/operating_point.h"

#include <fmt/format.h>

#include <cmath>

#include "core/diagnostics.h"
#include "solvers/newton.h"

namespace xbarsim {
namespace {

std::string describe_failure(const Circuit& circuit, const NewtonResult& result, const std::vector<double>& solution) {
  std::vector<std::string> names;
  for (int unknown : result.worst_unknowns)
    names.push_back(fmt::format("{} (last value {:.6g})", circuit.unknown_label(unknown), solution[static_cast<std::size_t>(unknown)]));
  return fmt::format("no convergence in DC operating point after {} Newton iterations; not settled: {}; last residual {:.3g}",
                     result.iterations, names.empty() ? std::string("(no single unknown stands out)") : fmt::format("{}", fmt::join(names, ", ")),
                     result.worst_residual);
}

struct Attempt {
  MnaSystem& system;
  NewtonSettings settings;
  OperatingPointStatistics& statistics;
  NewtonResult last;

  bool run(std::vector<double>& solution) {
    last = newton_solve(system, solution, settings);
    statistics.newton_iterations += last.iterations;
    return last.converged;
  }
};

}  // namespace

void solve_operating_point(MnaSystem& system, std::vector<double>& solution, AnalysisMode mode, bool first_point,
                           int iteration_limit, OperatingPointStatistics& statistics,
                           const std::vector<std::pair<int, double>>& held_nodes) {
  Circuit& circuit = system.circuit();
  const std::size_t size = static_cast<std::size_t>(system.size()) + 1;
  if (solution.size() != size) solution.assign(size, 0.0);

  Attempt attempt{system, {}, statistics, {}};
  attempt.settings.mode = mode;
  attempt.settings.max_iterations = iteration_limit;
  attempt.settings.initialize_junctions = first_point;
  attempt.settings.clamped_nodes = held_nodes;

  std::vector<double> start = solution;
  if (first_point && !circuit.nodesets.empty()) {
    for (const NodeValue& nodeset : circuit.nodesets) attempt.settings.clamped_nodes.emplace_back(nodeset.node, nodeset.value);
    attempt.run(solution);  // a guess only: its convergence does not matter
    attempt.settings.clamped_nodes = held_nodes;
    attempt.settings.initialize_junctions = false;
    start = solution;
  }
  if (attempt.run(solution)) return;
  NewtonResult plain_failure = attempt.last;
  std::vector<double> plain_solution = solution;

  // Gmin stepping.
  solution = start;
  attempt.settings.initialize_junctions = first_point;
  double shunt = 1e-2;
  double factor = 10.0;
  std::vector<double> good;
  bool have_good = false;
  double good_shunt = 0.0;
  for (int step = 0; step < 1000; ++step) {
    attempt.settings.node_shunt = shunt;
    std::vector<double> trial = have_good ? good : solution;
    if (attempt.run(trial)) {
      ++statistics.gmin_steps;
      good = trial;
      have_good = true;
      good_shunt = shunt;
      attempt.settings.initialize_junctions = false;
      if (shunt <= circuit.options.gmin) {
        attempt.settings.node_shunt = 0.0;
        std::vector<double> final_trial = good;
        if (attempt.run(final_trial)) {
          solution = final_trial;
          return;
        }
        break;
      }
      factor = std::min(factor * std::sqrt(factor), 10.0);
      shunt = std::max(shunt / factor, circuit.options.gmin * 0.999);
    } else {
      if (!have_good) {
        shunt *= 10.0;  // not even the first step converged: start higher
        if (shunt > 1.0) break;
        continue;
      }
      factor = std::sqrt(factor);
      if (factor < 1.00005) break;
      shunt = good_shunt / factor;
    }
  }
  attempt.settings.node_shunt = 0.0;

  // Source stepping.
  solution.assign(size, 0.0);
  attempt.settings.initialize_junctions = first_point;
  double reached = 0.0;
  double increment = 0.0;
  attempt.settings.source_factor = 0.0;
  if (attempt.run(solution)) {
    good = solution;
    increment = 0.1;
    attempt.settings.initialize_junctions = false;
    while (reached < 1.0) {
      double target = std::min(1.0, reached + increment);
      attempt.settings.source_factor = target;
      std::vector<double> trial = good;
      if (attempt.run(trial)) {
        ++statistics.source_steps;
        good = trial;
        reached = target;
        increment = std::min(increment * 1.5, 0.5);
      } else {
        increment *= 0.5;
        if (increment < 1e-7) break;
      }
    }
    if (reached >= 1.0) {
      solution = good;
      return;
    }
  }
  solution = plain_solution;
  throw SimulationError(describe_failure(circuit, plain_failure, plain_solution) +
                        fmt::format(" (gmin stepping and source stepping also failed; source stepping reached {:.3g} %)", 100 * reached));
}

}  // namespace xbarsim
