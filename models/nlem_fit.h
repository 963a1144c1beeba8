// Fitting the N-LEM compact model to measured pulse data (`xbarsim fit nlem DATA.csv`).
//
// A measurement is a sampled record of the applied voltage (and UV irradiance) with the device
// current (and emitted optical power). The fit replays the applied record through the model
// (simulate_nlem_response, models/nlem_response.h) and adjusts the chosen parameters with Eigen's
// Levenberg-Marquardt (unsupported/Eigen/NonLinearOptimization, forward-difference Jacobian).
//
// Coordinates: a parameter whose starting value is positive is fitted as its logarithm (it stays
// positive, and steps are relative); any other is fitted as it is.
// Residuals, one per sample and measured channel, all weighted alike:
//   r_i = (model_i - measured_i) / (|measured_i| + floor),  floor = 1e-3 max_i |measured_i|
// per channel: a relative error, the maximum-likelihood weighting for noise proportional to the
// signal, with a floor so samples near zero (0 V between pulses) cannot dominate. With optical
// power measured, current and light residuals count equally.
// Relative standard errors come from the Jacobian J at the optimum, cov = s^2 (J^T J)^-1 with
// s^2 = sum r^2 / (n - parameters): large values flag parameters the data does not determine. Here
// and in the RMS residual, n counts the residuals whose measured value is not exactly 0 (a sample
// at 0 V has r_i = 0 whatever the parameters, and carries no information).
// Several starts (`starts` > 1) add starting points drawn log-uniformly within a factor of 2 of
// the given ones from a SeededRandom; the fit with the smallest residual wins.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "models/nlem_model.h"
#include "models/nlem_response.h"

namespace xbarsim {

struct NlemMeasurement {
  NlemStimulus stimulus;
  std::vector<double> current;        // A, anode -> cathode
  std::vector<double> optical_power;  // W; empty when the data has no optical column
  bool has_irradiance = false;        // the data has a UV column (else the irradiance is 0)
};

// CSV: a header row naming the columns, then one row per sample; commas separate fields, `#`
// starts a comment. Names (any order, case-insensitive, an optional unit in brackets or
// parentheses after the name is ignored): time (s), voltage (V), current (A), and optionally
// optical_power (W) and uv_irradiance (W/m^2). Throws std::invalid_argument naming the file,
// line and column of bad input.
NlemMeasurement read_nlem_measurement_csv(const std::filesystem::path& path);
void write_nlem_measurement_csv(const std::filesystem::path& path, const NlemMeasurement& measurement);

// The model's response to `stimulus` with Gaussian noise of standard deviation
// relative_noise x |value| on every current and optical sample (seeded, deterministic).
NlemMeasurement synthetic_nlem_measurement(const NlemParameters& parameters, const NlemStimulus& stimulus,
                                           bool with_optical_power, bool with_irradiance, double relative_noise,
                                           std::uint64_t seed);

// What the data can determine: g0, aw, kw, tauw; eta, cw with optical power; kuv with UV.
std::vector<std::string> default_nlem_fit_parameters(const NlemMeasurement& measurement);

struct NlemFitSettings {
  std::vector<std::string> parameters;  // names to fit (NlemParameters::fields(), not w0, f0, hold)
  NlemParameters initial;               // starting values; the others stay fixed at these
  int starts = 1;
  std::uint64_t seed = 1;
  int max_evaluations = 4000;           // model runs per start
};

struct NlemFittedParameter {
  std::string name;
  double initial = 0, fitted = 0;
  double relative_standard_error = 0;
  bool logarithmic = false;  // fitted as log(value)
};

struct NlemFitResult {
  NlemParameters parameters;  // initial values with the fitted ones replaced
  std::vector<NlemFittedParameter> fitted;
  NlemResponse response;                      // the fitted model on the measured stimulus
  std::vector<double> current_residuals;       // r_i of each sample at the optimum
  std::vector<double> optical_power_residuals; // empty without optical data
  double rms_relative_residual = 0;           // over the n informative residuals r_i
  double rms_current_error = 0;               // A
  double rms_optical_power_error = 0;         // W (0 without optical data)
  long iterations = 0, evaluations = 0;       // of the winning start
  int best_start = 0;                         // 0: the given starting values
  std::string status;                         // why Levenberg-Marquardt stopped
  bool converged = false;
};

// Throws std::invalid_argument for unknown, duplicate or read-mode parameter names, hold != 0,
// or a measurement with mismatched columns.
NlemFitResult fit_nlem(const NlemMeasurement& measurement, const NlemFitSettings& settings);

}  // namespace xbarsim
