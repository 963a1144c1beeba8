// Synaptic-device metrics: the numbers a memristor characterisation reports, computed from
// simulated waveforms (used by the N-LEM calibration tests, examples/nlem_characterisation and
// `xbarsim fit`).
//
//   sample_at            a vector's value at given times (linear interpolation; pulse corners are
//                        breakpoints, so values at pulse ends are exact time points)
//   nonlinearity         NL = max_k |A_k - L_k| / |A_N - A_1|, L the straight line from A_1 to A_N:
//                        the maximum-deviation definition of weight-update nonlinearity (0 for a
//                        linear update, 0.24 for the saturating curve 1 - exp(-2 n/N) sampled densely)
//   pearson_correlation  Pearson r of two equally long series
//   fit_exponential      y = offset + amplitude exp(-x/tau) by Levenberg-Marquardt (Eigen), with R^2
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "core/waveforms.h"

namespace xbarsim {

// Values of vector `name` of `plot` at `times` (the plot's scale must be time, increasing).
// Throws std::invalid_argument if the vector is missing or a time lies outside the plot.
std::vector<double> sample_at(const Plot& plot, std::string_view name, std::span<const double> times);

double nonlinearity(std::span<const double> values);
double pearson_correlation(std::span<const double> x, std::span<const double> y);

struct ExponentialFit {
  double offset = 0, amplitude = 0, time_constant = 0;
  double r_squared = 0;
};
ExponentialFit fit_exponential(std::span<const double> x, std::span<const double> y);

}  // namespace xbarsim
