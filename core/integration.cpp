#include "core/integration.h"

#include <algorithm>
#include <cmath>
#include <limits>

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

double truncation_timestep(IntegrationMethod method, int order, std::span<const double> charges, std::span<const double> steps,
                           double derivative_now, double derivative_previous, const SimulationOptions& options) {
  // Error constants of the methods (ngspice's trapCoeff / gearCoeff).
  static constexpr double kTrapezoidal[] = {0.5, 0.08333333333};
  static constexpr double kGear[] = {0.5, 0.2222222222};
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
  const double* error_constants = method == IntegrationMethod::gear ? kGear : kTrapezoidal;
  const double factor = error_constants[std::clamp(order, 1, 2) - 1];
  double step = options.trtol * tolerance / std::max(options.abstol, factor * std::abs(difference[0]));
  if (order == 2) step = std::sqrt(step);
  return step;
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
