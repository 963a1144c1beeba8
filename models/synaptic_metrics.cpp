#include "models/synaptic_metrics.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unsupported/Eigen/NonLinearOptimization>

namespace xbarsim {

std::vector<double> sample_at(const Plot& plot, std::string_view name, std::span<const double> times) {
  const std::optional<std::size_t> vector = plot.find(name);
  if (!vector) throw std::invalid_argument(fmt::format("no vector '{}' in plot '{}'", name, plot.name));
  const std::vector<double> scale = plot.values(0);
  const std::vector<double> values = plot.values(*vector);
  std::vector<double> samples;
  for (double time : times) {
    if (scale.empty() || time < scale.front() || time > scale.back())
      throw std::invalid_argument(fmt::format("time {} is outside plot '{}'", time, plot.name));
    auto upper = std::lower_bound(scale.begin(), scale.end(), time);
    std::size_t i = static_cast<std::size_t>(upper - scale.begin());
    if (scale[i] == time || i == 0) {
      samples.push_back(values[i]);
      continue;
    }
    const double fraction = (time - scale[i - 1]) / (scale[i] - scale[i - 1]);
    samples.push_back(values[i - 1] + fraction * (values[i] - values[i - 1]));
  }
  return samples;
}

double nonlinearity(std::span<const double> values) {
  if (values.size() < 3) throw std::invalid_argument("nonlinearity needs at least three values");
  const std::size_t last = values.size() - 1;
  const double first = values.front(), span = values.back() - values.front();
  if (span == 0) throw std::invalid_argument("nonlinearity of a curve that does not change");
  double deviation = 0;
  for (std::size_t k = 0; k <= last; ++k) {
    const double line = first + span * static_cast<double>(k) / static_cast<double>(last);
    deviation = std::max(deviation, std::abs(values[k] - line));
  }
  return deviation / std::abs(span);
}

double pearson_correlation(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size() || x.size() < 2) throw std::invalid_argument("Pearson correlation needs two series of equal length >= 2");
  const double n = static_cast<double>(x.size());
  double mean_x = 0, mean_y = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mean_x += x[i] / n, mean_y += y[i] / n;
  double covariance = 0, variance_x = 0, variance_y = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    covariance += (x[i] - mean_x) * (y[i] - mean_y);
    variance_x += (x[i] - mean_x) * (x[i] - mean_x);
    variance_y += (y[i] - mean_y) * (y[i] - mean_y);
  }
  return covariance / std::sqrt(variance_x * variance_y);
}

namespace {

// Residuals of y = offset + amplitude exp(-x / exp(log_tau)), for Eigen's Levenberg-Marquardt.
struct ExponentialResiduals {
  using Scalar = double;
  using InputType = Eigen::VectorXd;
  using ValueType = Eigen::VectorXd;
  using JacobianType = Eigen::MatrixXd;
  enum { InputsAtCompileTime = Eigen::Dynamic, ValuesAtCompileTime = Eigen::Dynamic };
  std::span<const double> x, y;
  int inputs() const { return 3; }
  int values() const { return static_cast<int>(x.size()); }
  int operator()(const Eigen::VectorXd& p, Eigen::VectorXd& residual) const {
    for (std::size_t i = 0; i < x.size(); ++i) residual[static_cast<Eigen::Index>(i)] = p[0] + p[1] * std::exp(-x[i] / std::exp(p[2])) - y[i];
    return 0;
  }
  int df(const Eigen::VectorXd& p, Eigen::MatrixXd& jacobian) const {
    const double tau = std::exp(p[2]);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const Eigen::Index row = static_cast<Eigen::Index>(i);
      const double decay = std::exp(-x[i] / tau);
      jacobian(row, 0) = 1;
      jacobian(row, 1) = decay;
      jacobian(row, 2) = p[1] * decay * x[i] / tau;
    }
    return 0;
  }
};

}  // namespace

ExponentialFit fit_exponential(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size() || x.size() < 4) throw std::invalid_argument("an exponential fit needs at least four points");
  // Start: offset at the last point, amplitude from the first, tau from the geometric middle of x.
  const double x_low = std::max(*std::min_element(x.begin(), x.end()), 1e-12), x_high = *std::max_element(x.begin(), x.end());
  Eigen::VectorXd p(3);
  p << y.back(), y.front() - y.back(), std::log(std::sqrt(x_low * x_high));
  ExponentialResiduals residuals{x, y};
  Eigen::LevenbergMarquardt<ExponentialResiduals> solver(residuals);
  solver.minimize(p);
  ExponentialFit fit{p[0], p[1], std::exp(p[2]), 0};
  double mean = 0;
  for (double value : y) mean += value / static_cast<double>(y.size());
  double residual_sum = 0, total_sum = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double model = fit.offset + fit.amplitude * std::exp(-x[i] / fit.time_constant);
    residual_sum += (y[i] - model) * (y[i] - model);
    total_sum += (y[i] - mean) * (y[i] - mean);
  }
  fit.r_squared = 1 - residual_sum / total_sum;
  return fit;
}

}  // namespace xbarsim
