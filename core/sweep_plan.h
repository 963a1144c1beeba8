// SweepPlan: the points of a parameter sweep, as a grid of stepped parameters (core/step_specification.h)
// times an optional number of Monte Carlo runs, each run drawing the varied parameters anew.
//
// Points are numbered from 0. With G grid combinations and R Monte Carlo runs (R = 1 without Monte
// Carlo) there are G * R points; point p is grid combination p / R, run p % R. The first stepped
// parameter varies slowest, the last fastest. Every point has its own seed, derived from the sweep
// seed and the point number alone (splitmix64), so its draws do not depend on how many jobs or
// ranks run the sweep or in which order; draws are taken from SeededRandom in the order the
// variations were given.
//
// Distributions (`--vary NAME=SPEC`): `gauss:MEAN,SIGMA` (normal), `uniform:LOW,HIGH` (flat on
// [LOW, HIGH)), `lgauss:MEDIAN,SIGMA` (log-normal: MEDIAN * exp(SIGMA * normal)). Values take SPICE
// suffixes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/step_specification.h"

namespace xbarsim {

enum class Distribution { gauss, uniform, log_gauss };

struct ParameterVariation {
  std::string name;  // lower case
  Distribution distribution = Distribution::gauss;
  double first = 0, second = 0;  // mean and sigma, low and high, or median and sigma
};

// Parses `NAME=gauss:MEAN,SIGMA` etc. Throws std::invalid_argument.
ParameterVariation parse_variation_option(std::string_view name_and_specification);

struct SweepPoint {
  long index = 0;
  std::uint64_t seed = 0;
  std::vector<double> values;  // in SweepPlan::parameter_names() order
};

// The seed of point `index` of a sweep seeded with `sweep_seed`.
std::uint64_t point_seed(std::uint64_t sweep_seed, long index);

struct SweepPlan {
  std::vector<SteppedParameter> grid;
  std::vector<ParameterVariation> variations;
  long monte_carlo_runs = 0;  // 0: no Monte Carlo
  std::uint64_t seed = 0;

  long grid_size() const;
  long point_count() const;
  std::vector<std::string> parameter_names() const;  // grid parameters, then varied ones
  SweepPoint point(long index) const;
  // Throws std::invalid_argument when a parameter is both stepped and varied, stepped twice, or
  // Monte Carlo is asked for without variations (or the reverse).
  void validate() const;
};

}  // namespace xbarsim
