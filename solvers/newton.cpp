#include "solvers/newton.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/parallel.h"
#include "core/prefault.h"

namespace xbarsim {
namespace {

constexpr double kClampConductance = 1e10;  // holds a nodeset node at its value

}  // namespace

NewtonResult newton_solve(MnaSystem& system, std::vector<double>& solution, const NewtonSettings& settings) {
  const SimulationOptions& options = system.circuit().options;
  const int n = system.size();
  reserve_prefaulted(solution, static_cast<std::size_t>(n) + 1);
  solution.resize(static_cast<std::size_t>(n) + 1, 0.0);
  solution[static_cast<std::size_t>(n)] = 0.0;
  MnaSystem::NewtonWorkspace& workspace = system.newton_workspace();
  std::vector<double>& next = workspace.next;
  reserve_prefaulted(next, static_cast<std::size_t>(n) + 1);
  std::vector<double>& residual = workspace.residual;
  std::vector<double>& scale = workspace.scale;
  std::vector<double>& excess = workspace.excess;  // convergence measure per unknown: a linear solve needs none
  if (system.is_linear())
    excess.clear();
  else
    excess.assign(static_cast<std::size_t>(n), 0.0);

  for (const auto& group : system.circuit().groups()) group->reset_iteration_state();

  NewtonResult result;
  for (int iteration = 0; iteration < settings.max_iterations; ++iteration) {
    LoadContext context;
    context.solution = solution.data();
    context.options = &options;
    context.mode = settings.mode;
    context.source_factor = settings.source_factor;
    context.junction_gmin = options.gmin;
    context.initialize_junctions = settings.initialize_junctions && iteration == 0;
    context.time = settings.time;
    context.integration_a0 = settings.integration_a0;
    context.charge_history = settings.charge_history;
    context.charges = settings.charges;
    // A linear circuit's matrix depends only on the mode and a0: reloaded only when they change.
    if (system.is_linear())
      system.load_reusing_matrix(context);
    else
      system.load(context);
    if (settings.node_shunt > 0) system.add_node_shunt(settings.node_shunt);
    for (const auto& [node, value] : settings.clamped_nodes) {
      system.matrix_values()[system.structure().diagonal_slot(node)] += kClampConductance;
      system.rhs()[node] += kClampConductance * value;
    }
    if (iteration == 0 && settings.linear_guess) system.solver().set_initial_guess(settings.linear_guess);
    if (system.is_linear()) {
      // A linear system is solved exactly in one step: no residual, no convergence test. The
      // charges are then evaluated at the solution, so the devices' state matches it.
      system.factor_and_solve(next);
      ++result.iterations;
      solution.swap(next);
      solution[static_cast<std::size_t>(n)] = 0.0;
      if (!all_finite(solution.data(), solution.size())) break;
      if (system.charge_count() > 0 && settings.charges) {
        context.solution = solution.data();
        system.load_charges(context);
      }
      result.converged = true;
      return result;
    }
    system.residual(solution.data(), residual, scale);
    system.factor_and_solve(next);
    ++result.iterations;

    bool converged = context.limited_devices == 0 && iteration > 0;
    result.worst_residual = 0.0;
    for (int i = 0; i < n; ++i) {
      const bool is_voltage = system.is_node_row(i);
      const double absolute = is_voltage ? options.vntol : options.abstol;
      const double update_tolerance = options.reltol * std::max(std::abs(next[i]), std::abs(solution[i])) + absolute;
      const double residual_tolerance = options.reltol * scale[i] + (is_voltage ? options.abstol : options.vntol);
      const double update_excess = std::abs(next[i] - solution[i]) / update_tolerance;
      const double residual_excess = std::abs(residual[i]) / residual_tolerance;
      excess[i] = std::max(update_excess, residual_excess);
      result.worst_residual = std::max(result.worst_residual, std::abs(residual[i]));
      if (excess[i] > 1.0) converged = false;
    }
    solution.swap(next);
    solution[static_cast<std::size_t>(n)] = 0.0;
    if (!all_finite(solution.data(), solution.size())) break;
    if (converged) {
      result.converged = true;
      return result;
    }
  }
  excess.resize(static_cast<std::size_t>(n), 0.0);  // zeros after a linear solve that failed
  std::vector<int> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return excess[a] > excess[b]; });
  for (int i = 0; i < std::min(n, 5); ++i)
    if (excess[order[i]] > 1.0 || !std::isfinite(solution[order[i]])) result.worst_unknowns.push_back(order[i]);
  return result;
}

}  // namespace xbarsim
