#include "core/integration.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "core/parallel.h"

namespace xbarsim {

IntegrationCoefficients integration_coefficients(IntegrationMethod method, int order, std::span<const double> steps) {
  const double h = steps[0];
  IntegrationCoefficients c;
  if (order <= 1) {
    c.a0 = 1.0 / h;
    c.a1 = -1.0 / h;
    return c;
  }
  if (method == IntegrationMethod::trapezoidal) {
    c.a0 = 2.0 / h;
    c.a1 = -2.0 / h;
    c.b1 = -1.0;
    return c;
  }
  const double span = steps[0] + steps[1];
  c.a0 = 1.0 / h + 1.0 / span;
  c.a1 = -span / (h * (span - h));
  c.a2 = h / (span * (span - h));
  return c;
}

namespace {

// Error constants of the methods at orders 1 and 2 (ngspice's trapCoeff / gearCoeff).
const double* error_constants_of(IntegrationMethod method) {
  static constexpr double kTrapezoidal[] = {0.5, 0.08333333333};
  static constexpr double kGear[] = {0.5, 0.2222222222};
  return method == IntegrationMethod::gear ? kGear : kTrapezoidal;
}

}  // namespace

double truncation_timestep(IntegrationMethod method, int order, std::span<const double> charges, std::span<const double> steps,
                           double derivative_now, double derivative_previous, const SimulationOptions& options) {
  const double current_tolerance =
      options.abstol + options.reltol * std::max(std::abs(derivative_now), std::abs(derivative_previous));
  const double charge_scale = std::max(std::abs(charges[0]), std::abs(charges[1]));
  const double charge_tolerance = options.reltol * std::max(charge_scale, options.chgtol) / steps[0];
  const double tolerance = std::max(current_tolerance, charge_tolerance);

  double difference[4];
  double spacing[3];
  for (int i = 0; i <= order + 1; ++i) difference[i] = charges[static_cast<std::size_t>(i)];
  for (int i = 0; i <= order; ++i) spacing[i] = steps[static_cast<std::size_t>(i)];
  for (int j = order;; --j) {
    for (int i = 0; i <= j; ++i) difference[i] = (difference[i] - difference[i + 1]) / spacing[i];
    if (j == 0) break;
    for (int i = 0; i < j; ++i) spacing[i] = spacing[i + 1] + steps[static_cast<std::size_t>(i)];
  }
  const double factor = error_constants_of(method)[std::clamp(order, 1, 2) - 1];
  double step = options.trtol * tolerance / std::max(options.abstol, factor * std::abs(difference[0]));
  if (order == 2) step = std::sqrt(step);
  return step;
}

namespace {

// Weights w[0..order+1] with (order+1)-th divided difference = sum_i w[i] * q_i, found by running
// truncation_timestep's recurrence on unit vectors (so both give the same differences).
void divided_difference_weights(int order, std::span<const double> steps, double* weights) {
  for (int unit = 0; unit <= order + 1; ++unit) {
    double difference[4] = {0, 0, 0, 0};
    double spacing[3];
    difference[unit] = 1.0;
    for (int i = 0; i <= order; ++i) spacing[i] = steps[static_cast<std::size_t>(i)];
    for (int j = order;; --j) {
      for (int i = 0; i <= j; ++i) difference[i] = (difference[i] - difference[i + 1]) / spacing[i];
      if (j == 0) break;
      for (int i = 0; i < j; ++i) spacing[i] = spacing[i + 1] + steps[static_cast<std::size_t>(i)];
    }
    weights[unit] = difference[0];
  }
}

// What one part of smallest_truncation_timesteps' pass reads.
struct TruncationPass {
  const double *q0, *q1, *q2, *q3, *derivative_previous;
  double* derivative_now;
  IntegrationCoefficients coefficients;
  double first[4], second[4];  // divided-difference weights at the present order and at order 2
  double factor_first, factor_second, abstol, reltol, charge_floor, inverse_step;
};

// The largest inverse steps over charges [begin, end) at the present order (its divided
// difference has kTerms charges) and, with kOrderTwo, at order 2; writes dq/dt at the new point,
// a0 q0 + (a1 q1 + a2 q2 + b1 dq/dt_prev) (the history term the loads read; a zero coefficient
// adds 0). Every value is a local and the arrays do not alias, so that the loop is vectorised.
template <int kTerms, bool kOrderTwo>
std::pair<double, double> worst_inverse_steps(const TruncationPass& pass, std::size_t begin, std::size_t end) {
  const double* __restrict q0 = pass.q0;
  const double* __restrict q1 = pass.q1;
  const double* __restrict q2 = pass.q2;
  const double* __restrict q3 = pass.q3;
  const double* __restrict derivative_previous = pass.derivative_previous;
  double* __restrict derivative_now = pass.derivative_now;
  const double a0 = pass.coefficients.a0, a1 = pass.coefficients.a1, a2 = pass.coefficients.a2, b1 = pass.coefficients.b1;
  const double f0 = pass.first[0], f1 = pass.first[1], f2 = pass.first[2], f3 = pass.first[3];
  const double s0 = pass.second[0], s1 = pass.second[1], s2 = pass.second[2], s3 = pass.second[3];
  const double factor_first = pass.factor_first, factor_second = pass.factor_second;
  const double abstol = pass.abstol, reltol = pass.reltol, charge_floor = pass.charge_floor, inverse_step = pass.inverse_step;
  double worst_first = 0.0, worst_second = 0.0;
#pragma omp simd reduction(max : worst_first, worst_second)
  for (std::size_t k = begin; k < end; ++k) {
    const double now = a0 * q0[k] + (a1 * q1[k] + a2 * q2[k] + b1 * derivative_previous[k]);
    derivative_now[k] = now;
    const double current_tolerance = abstol + reltol * std::max(std::abs(now), std::abs(derivative_previous[k]));
    const double charge_tolerance = reltol * std::max(std::max(std::abs(q0[k]), std::abs(q1[k])), charge_floor) * inverse_step;
    const double tolerance = std::max(current_tolerance, charge_tolerance);
    double difference = f0 * q0[k] + f1 * q1[k] + f2 * q2[k];
    if constexpr (kTerms == 4) difference += f3 * q3[k];
    const double inverse = std::max(abstol, factor_first * std::abs(difference)) / tolerance;
    worst_first = std::max(worst_first, inverse);
    if constexpr (kOrderTwo) {
      const double difference_two = s0 * q0[k] + s1 * q1[k] + s2 * q2[k] + s3 * q3[k];
      const double inverse_two = std::max(abstol, factor_second * std::abs(difference_two)) / tolerance;
      worst_second = std::max(worst_second, inverse_two);
    }
  }
  return {worst_first, worst_second};
}

}  // namespace

TruncationTimesteps smallest_truncation_timesteps(IntegrationMethod method, int order, bool with_order_two,
                                                  const double* const charges[4], std::size_t count, std::span<const double> steps,
                                                  const IntegrationCoefficients& coefficients, double* derivative_now,
                                                  const double* derivative_previous, const SimulationOptions& options) {
  const double* error_constants = error_constants_of(method);
  order = std::clamp(order, 1, 2);
  with_order_two = with_order_two && order == 1;
  // Each charge's step is trtol * tol / max(abstol, factor * |dd|); the smallest is found as the
  // largest inverse max(abstol, factor * |dd|) / tol, with trtol (and the root) applied once.
  TruncationPass pass{};
  divided_difference_weights(order, steps, pass.first);
  if (with_order_two) divided_difference_weights(2, steps, pass.second);
  pass.q0 = charges[0];
  pass.q1 = charges[1];
  pass.q2 = charges[2];
  pass.q3 = charges[3];
  pass.derivative_previous = derivative_previous;
  pass.derivative_now = derivative_now;
  pass.coefficients = coefficients;
  pass.factor_first = error_constants[order - 1];
  pass.factor_second = error_constants[1];
  pass.abstol = options.abstol;
  pass.reltol = options.reltol;
  pass.charge_floor = options.chgtol;
  pass.inverse_step = 1.0 / steps[0];
  auto worst_of = [&](std::size_t begin, std::size_t end) {
    if (order == 2) return worst_inverse_steps<4, false>(pass, begin, end);
    return with_order_two ? worst_inverse_steps<3, true>(pass, begin, end) : worst_inverse_steps<3, false>(pass, begin, end);
  };
  // Split into parts on large circuits (core/parallel.h); the maximum does not depend on the split.
  std::pair<double, double> worst_of_part[kMaximumParts];
  const int parts = run_part_ranges(static_cast<long>(count), [&](int part, long begin, long end) {
    worst_of_part[part] = worst_of(static_cast<std::size_t>(begin), static_cast<std::size_t>(end));
  });
  double worst_first = 0.0, worst_second = 0.0;
  for (int part = 0; part < parts; ++part) {
    worst_first = std::max(worst_first, worst_of_part[part].first);
    worst_second = std::max(worst_second, worst_of_part[part].second);
  }
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  auto to_step = [&](double worst, int step_order) {
    if (!(worst > 0.0)) return kInfinity;
    const double step = options.trtol / worst;
    return step_order == 2 ? std::sqrt(step) : step;
  };
  return {to_step(worst_first, order), with_order_two ? to_step(worst_second, 2) : kInfinity};
}

namespace {

// The weights of predict_solution's points (count from 1 to kPredictionPoints): row r of the
// system makes the combination exact for function r of {1, t, s, s t} (t the time in units of
// the coming step, the new point at 0; s = +1 at points of the new one's parity, -1 at the
// others), which is 1 at the new point for 1 and s, 0 for t and s t. Solved by Gauss-Jordan
// elimination with partial pivoting: never singular, since the points' times differ (on each
// parity's points the functions are a constant and a line).
void prediction_weights(int count, std::span<const double> steps, double* weights) {
  double system[kPredictionPoints][kPredictionPoints + 1];
  double elapsed = 0.0;
  for (int point = 0; point < count; ++point) {
    elapsed += steps[static_cast<std::size_t>(point)];
    const double time = -elapsed / steps[0];
    const double sign = point % 2 == 0 ? -1.0 : 1.0;  // x_n is one step from the new point
    const double functions[kPredictionPoints] = {1.0, time, sign, sign * time};
    for (int row = 0; row < count; ++row) system[row][point] = functions[row];
  }
  const double at_new_point[kPredictionPoints] = {1.0, 0.0, 1.0, 0.0};
  for (int row = 0; row < count; ++row) system[row][count] = at_new_point[row];
  for (int column = 0; column < count; ++column) {
    int pivot = column;
    for (int row = column + 1; row < count; ++row)
      if (std::abs(system[row][column]) > std::abs(system[pivot][column])) pivot = row;
    std::swap(system[column], system[pivot]);
    for (int row = 0; row < count; ++row) {
      if (row == column) continue;
      const double factor = system[row][column] / system[column][column];
      for (int k = column; k <= count; ++k) system[row][k] -= factor * system[column][k];
    }
  }
  for (int point = 0; point < count; ++point) weights[point] = system[point][count] / system[point][point];
}

}  // namespace

void predict_solution(std::span<const double* const> solutions, int count, std::span<const double> steps, std::size_t size,
                      double* predicted) {
  count = std::clamp(count, 1, kPredictionPoints);
  double w[kPredictionPoints] = {1.0, 0.0, 0.0, 0.0};
  if (count > 1) prediction_weights(count, steps, w);
  const double* x[kPredictionPoints] = {};
  for (int point = 0; point < count; ++point) x[point] = solutions[static_cast<std::size_t>(point)];
  run_part_ranges(static_cast<long>(size), [&](int, long begin, long end) {
    switch (count) {
      case 4:
        for (long k = begin; k < end; ++k) predicted[k] = w[0] * x[0][k] + w[1] * x[1][k] + w[2] * x[2][k] + w[3] * x[3][k];
        break;
      case 3:
        for (long k = begin; k < end; ++k) predicted[k] = w[0] * x[0][k] + w[1] * x[1][k] + w[2] * x[2][k];
        break;
      case 2:
        for (long k = begin; k < end; ++k) predicted[k] = w[0] * x[0][k] + w[1] * x[1][k];
        break;
      default: std::copy(x[0] + begin, x[0] + end, predicted + begin);
    }
  });
}

BreakpointTable::BreakpointTable(std::vector<double> times, double minimum_spacing)
    : times_(std::move(times)), minimum_spacing_(minimum_spacing) {
  std::sort(times_.begin(), times_.end());
  std::vector<double> unique;
  for (double time : times_)
    if (unique.empty() || time - unique.back() > minimum_spacing_) unique.push_back(time);
  times_ = std::move(unique);
}

double BreakpointTable::next_after(double time) const {
  auto it = std::upper_bound(times_.begin(), times_.end(), time + minimum_spacing_);
  return it == times_.end() ? std::numeric_limits<double>::infinity() : *it;
}

}  // namespace xbarsim
