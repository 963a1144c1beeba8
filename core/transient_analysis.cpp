#include "core/transient_analysis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/diagnostics.h"
#include "core/integration.h"
#include "core/parallel.h"
#include "solvers/newton.h"

namespace xbarsim {
namespace {

// The iterative linear solver's tolerance during the time steps of a linear circuit
// (LinearSolver::set_relative_tolerance), against the largest solution so far. Measured on
// generated crossbar transients (32 x 32 to 256 x 256, 1000 steps, against KLU), the outputs'
// error is 25 to 100 times the tolerance, relative to each vector's peak: 1e-11 keeps them within
// about 1e-9 of a direct solver's (KLU and ngspice differ by 2.6e-8 on 32 x 32), a thousandth of
// the agreement asked of ngspice, with a quarter fewer iterations than 1e-12. A nonlinear
// circuit keeps the solver's default: its Newton iterations amplified the error of a held N-LEM
// array's solves some 200 times.
constexpr double kLinearStepSolveTolerance = 1e-11;

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

  // The linear solver's starting point at each step is predicted from the last accepted
  // solutions since the last breakpoint (predict_solution): an iterative solver needs fewer
  // iterations from it. Right after a breakpoint it is the last solution itself, which is where
  // the solver starts anyway.
  // earlier[k]: the accepted solution k + 1 points before `solution`.
  std::vector<double> earlier[kPredictionPoints - 1], predicted;
  int points_since_breakpoint = 1;  // accepted solutions from the last breakpoint (or t = 0) on, up to kPredictionPoints
  // The solver's tolerance for the time steps, restored when the analysis ends.
  struct ToleranceScope {
    LinearSolver& solver;
    double saved = solver.relative_tolerance();
    ~ToleranceScope() { solver.set_relative_tolerance(saved); }
  } tolerance_scope{system_.solver()};
  if (system_.is_linear()) system_.solver().set_relative_tolerance(kLinearStepSolveTolerance);

  double time = 0.0;
  double step = std::min(stop / 100.0, request_.step) / 10.0;
  double steps[kPredictionPoints];  // [0] this step, [1], [2], ... the accepted steps before it
  std::fill_n(steps, kPredictionPoints, step);
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
    // history = a1 q1 + a2 q2 + b1 dq/dt_prev, reading only the arrays with a coefficient (no
    // formula has both a2 and b1).
    const double a1 = coefficients.a1, a2 = coefficients.a2, b1 = coefficients.b1;
    const double *q1 = charges[1].data(), *q2 = charges[2].data(), *derivative = derivative_previous.data();
    run_part_ranges(static_cast<long>(charge_count), [&](int, long begin, long end) {
      if (a2 != 0.0)  // Gear-2
        for (long k = begin; k < end; ++k) history[k] = a1 * q1[k] + a2 * q2[k];
      else if (b1 != 0.0)  // trapezoidal
        for (long k = begin; k < end; ++k) history[k] = a1 * q1[k] + b1 * derivative[k];
      else  // backward Euler
        for (long k = begin; k < end; ++k) history[k] = a1 * q1[k];
    });

    NewtonSettings settings;
    settings.mode = AnalysisMode::transient;
    settings.max_iterations = options.itl4;
    settings.time = time + step;
    settings.integration_a0 = coefficients.a0;
    settings.charge_history = history.data();
    settings.charges = charges[0].data();
    const bool predicting = points_since_breakpoint >= 2;
    if (predicting) {
      const double* accepted[kPredictionPoints] = {solution.data()};
      for (int k = 1; k < kPredictionPoints; ++k) accepted[k] = earlier[k - 1].data();
      predicted.resize(size);  // newton_solve's size (with the trash row): it never moves the guess
      predict_solution(accepted, points_since_breakpoint, steps, size, predicted.data());
    }
    if (predicting && system_.is_linear()) {
      // A linear circuit's Newton iteration reads its starting point only in loads that rebuild
      // the matrix, where the prediction does as well as the last solution: no copy of that.
      trial.swap(predicted);
      settings.linear_guess = trial.data();
    } else {
      if (predicting) settings.linear_guess = predicted.data();
      trial.resize(size);
      parallel_copy(solution.data(), size, trial.data());
    }
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
                                      coefficients, derivative_now.data(), derivative_previous.data(), options);
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
    for (int k = kPredictionPoints - 2; k > 0; --k) earlier[k].swap(earlier[k - 1]);
    earlier[0].swap(solution);
    solution.swap(trial);
    points_since_breakpoint = hits_breakpoint ? 1 : std::min(points_since_breakpoint + 1, kPredictionPoints);
    for (int k = 3; k > 0; --k) charges[k].swap(charges[k - 1]);
    derivative_previous.swap(derivative_now);
    for (int k = kPredictionPoints - 1; k > 1; --k) steps[k] = steps[k - 1];
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
