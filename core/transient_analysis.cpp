#include "core/transient_analysis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/diagnostics.h"
#include "core/integration.h"
#include "solvers/newton.h"

namespace xbarsim {
namespace {

std::string unsettled_unknowns(const Circuit& circuit, const NewtonResult& result, const std::vector<double>& solution) {
  std::vector<std::string> names;
  for (int unknown : result.worst_unknowns)
    names.push_back(fmt::format("{} (last value {:.6g})", circuit.unknown_label(unknown), solution[static_cast<std::size_t>(unknown)]));
  return names.empty() ? std::string("no single unknown stands out") : fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

TransientAnalysis::TransientAnalysis(MnaSystem& system, const TransientRequest& request) : system_(system), request_(request) {}

void TransientAnalysis::run(OperatingPointStatistics& operating_point_statistics,
                            const std::function<void(double, const std::vector<double>&)>& record) {
  Circuit& circuit = system_.circuit();
  const SimulationOptions& options = circuit.options;
  const double stop = request_.stop;
  const double max_step = request_.max_step > 0 ? request_.max_step : std::min(request_.step, (stop - request_.start) / 50.0);
  const double minimum_step = 1e-11 * max_step;
  const int order_limit = std::clamp(options.max_order, 1, 2);

  std::vector<double> breakpoint_times{stop};
  for (const auto& group : circuit.groups()) group->prepare_transient(request_.step, stop, breakpoint_times);
  std::erase_if(breakpoint_times, [&](double time) { return time <= 0.0 || time > stop; });
  const BreakpointTable breakpoints(std::move(breakpoint_times), minimum_step);

  // Initial point.
  const std::size_t size = static_cast<std::size_t>(system_.size()) + 1;
  std::vector<double> solution(size, 0.0);
  std::vector<std::pair<int, double>> held_nodes;
  for (const NodeValue& condition : circuit.initial_conditions) held_nodes.emplace_back(condition.node, condition.value);
  if (request_.use_initial_conditions) {
    for (const auto& [node, value] : held_nodes) solution[static_cast<std::size_t>(node)] = value;
  } else {
    solve_operating_point(system_, solution, AnalysisMode::transient_operating_point, true, options.itl1, operating_point_statistics, held_nodes);
  }

  // Charge states: [0] at the point being solved, [1..3] at earlier accepted points.
  const std::size_t charge_count = static_cast<std::size_t>(system_.charge_count());
  std::vector<double> charges[4], derivative_now(charge_count, 0.0), derivative_previous(charge_count, 0.0);
  for (auto& charge : charges) charge.assign(charge_count, 0.0);
  std::vector<double> history(charge_count, 0.0);
  {
    LoadContext context;
    context.solution = solution.data();
    context.options = &options;
    context.mode = AnalysisMode::transient;
    context.charge_history = history.data();
    context.charges = charges[0].data();
    context.use_initial_conditions = request_.use_initial_conditions;
    system_.load(context);  // only the charges at t = 0 are wanted
    for (int k = 1; k < 4; ++k) charges[k] = charges[0];
  }
  // As ngspice does, a `uic` run has no output point at t = 0 (only its initial conditions).
  if (!request_.use_initial_conditions) record(0.0, solution);

  // Linear extrapolation of the last two accepted solutions to the new time point: the linear
  // solver's starting point (an iterative solver needs fewer iterations from it). Right after a
  // breakpoint the slope has just changed, so the last solution itself is the guess there.
  std::vector<double> previous_solution, predicted;
  bool have_previous = false;

  double time = 0.0;
  double step = std::min(stop / 100.0, request_.step) / 10.0;
  double steps[3] = {step, step, step};  // [0] this step, [1] and [2] the accepted steps before it
  int order = 1;
  bool at_breakpoint = true;
  bool first_step = true;
  double saved_step = step;
  std::vector<double> trial;

  while (time < stop * (1.0 - 1e-12)) {
    const double next_breakpoint = breakpoints.next_after(time);
    step = std::min(step, max_step);
    if (at_breakpoint) step = std::min(step, 0.1 * std::min(saved_step, next_breakpoint - time));
    bool hits_breakpoint = false;
    const double proposed_step = step;
    const double gap = next_breakpoint - time;
    if (step >= gap - minimum_step) {
      step = gap;
      hits_breakpoint = true;
    } else if (gap - step < 0.25 * step) {
      step = 0.5 * gap;  // two even steps rather than a sliver before the breakpoint
    }
    steps[0] = step;

    const IntegrationCoefficients coefficients = integration_coefficients(options.method, order, steps);
    for (std::size_t k = 0; k < charge_count; ++k)
      history[k] = coefficients.a1 * charges[1][k] + coefficients.a2 * charges[2][k] + coefficients.b1 * derivative_previous[k];

    NewtonSettings settings;
    settings.mode = AnalysisMode::transient;
    settings.max_iterations = options.itl4;
    settings.time = time + step;
    settings.integration_a0 = coefficients.a0;
    settings.charge_history = history.data();
    settings.charges = charges[0].data();
    if (have_previous && !at_breakpoint) {
      const double ratio = step / steps[1];
      predicted.resize(size);
      for (std::size_t k = 0; k < size; ++k) predicted[k] = solution[k] + ratio * (solution[k] - previous_solution[k]);
      settings.linear_guess = predicted.data();
    }
    trial = solution;
    NewtonResult result = newton_solve(system_, trial, settings);
    statistics_.newton_iterations += result.iterations;

    if (!result.converged) {
      ++statistics_.newton_failures;
      step /= 8.0;
      order = 1;
      if (step < minimum_step)
        throw SimulationError(fmt::format("timestep too small at t={:.6g} s (step {:.3g} s): Newton did not converge; not settled: {}",
                                          time, step, unsettled_unknowns(circuit, result, trial)));
      continue;
    }

    // dq/dt at the new point and the truncation-error steps, in one pass over the charges. Order 2
    // needs three earlier accepted points for its error estimate.
    const bool try_order_two = order == 1 && order_limit == 2 && statistics_.accepted_steps >= 2 && !hits_breakpoint;
    const double* const charge_states[4] = {charges[0].data(), charges[1].data(), charges[2].data(), charges[3].data()};
    const TruncationTimesteps truncation =
        smallest_truncation_timesteps(options.method, order, try_order_two && !first_step, charge_states, charge_count, steps,
                                      coefficients.a0, history.data(), derivative_now.data(), derivative_previous.data(), options);
    double allowed_step = first_step ? 2.0 * step : truncation.present_order;
    if (allowed_step < 0.9 * step) {
      ++statistics_.rejected_steps;
      step = allowed_step;
      if (step < minimum_step)
        throw SimulationError(fmt::format("timestep too small at t={:.6g} s (step {:.3g} s): truncation error does not fall", time, step));
      continue;
    }
    if (try_order_two && truncation.order_two > 1.05 * step) order = 2;

    // Accept. The charge states move back one place by swapping (charges[0] is rewritten by the
    // next solve).
    time = hits_breakpoint ? next_breakpoint : time + step;
    previous_solution.swap(solution);
    solution.swap(trial);
    have_previous = true;
    for (int k = 3; k > 0; --k) charges[k].swap(charges[k - 1]);
    derivative_previous.swap(derivative_now);
    steps[2] = steps[1];
    steps[1] = step;
    ++statistics_.accepted_steps;
    first_step = false;
    record(time, solution);

    at_breakpoint = hits_breakpoint;
    if (hits_breakpoint) {
      order = 1;
      saved_step = proposed_step;
    }
    step = std::min(2.0 * step, allowed_step);
  }
}

}  // namespace xbarsim
