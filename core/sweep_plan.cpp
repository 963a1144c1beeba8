#include "core/sweep_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "core/seeded_random.h"
#include "core/spice_number.h"

namespace xbarsim {

ParameterVariation parse_variation_option(std::string_view name_and_specification) {
  const std::size_t equals = name_and_specification.find('=');
  const std::size_t colon = name_and_specification.find(':', equals == std::string_view::npos ? 0 : equals);
  const std::size_t comma = name_and_specification.find(',', colon == std::string_view::npos ? 0 : colon);
  auto fail = [&](std::string_view why) {
    return std::invalid_argument(fmt::format("'--vary {}': {} (expected NAME=gauss:MEAN,SIGMA, NAME=uniform:LOW,HIGH or "
                                             "NAME=lgauss:MEDIAN,SIGMA)", name_and_specification, why));
  };
  if (equals == std::string_view::npos || equals == 0 || colon == std::string_view::npos || comma == std::string_view::npos)
    throw fail("malformed");
  std::string text(name_and_specification);
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  ParameterVariation variation;
  variation.name = text.substr(0, equals);
  const std::string kind = text.substr(equals + 1, colon - equals - 1);
  if (kind == "gauss") variation.distribution = Distribution::gauss;
  else if (kind == "uniform") variation.distribution = Distribution::uniform;
  else if (kind == "lgauss") variation.distribution = Distribution::log_gauss;
  else throw fail(fmt::format("unknown distribution '{}'", kind));
  auto first = parse_spice_number(text.substr(colon + 1, comma - colon - 1));
  auto second = parse_spice_number(text.substr(comma + 1));
  if (!first || !second) throw fail("the two values must be numbers");
  variation.first = *first;
  variation.second = *second;
  if (variation.distribution != Distribution::uniform && variation.second < 0) throw fail("sigma must not be negative");
  if (variation.distribution == Distribution::uniform && variation.second < variation.first) throw fail("HIGH must not be below LOW");
  return variation;
}

std::uint64_t point_seed(std::uint64_t sweep_seed, long index) {
  // splitmix64 of the sweep seed advanced by the point number.
  std::uint64_t z = sweep_seed + 0x9e3779b97f4a7c15ULL * (static_cast<std::uint64_t>(index) + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

long SweepPlan::grid_size() const {
  long size = 1;
  for (const SteppedParameter& parameter : grid) size *= static_cast<long>(parameter.values.size());
  return size;
}

long SweepPlan::point_count() const { return grid_size() * std::max(1L, monte_carlo_runs); }

std::vector<std::string> SweepPlan::parameter_names() const {
  std::vector<std::string> names;
  for (const SteppedParameter& parameter : grid) names.push_back(parameter.name);
  for (const ParameterVariation& variation : variations) names.push_back(variation.name);
  return names;
}

SweepPoint SweepPlan::point(long index) const {
  SweepPoint point;
  point.index = index;
  point.seed = point_seed(seed, index);
  long combination = index / std::max(1L, monte_carlo_runs);
  point.values.resize(grid.size());
  for (std::size_t k = grid.size(); k-- > 0;) {
    const long count = static_cast<long>(grid[k].values.size());
    point.values[k] = grid[k].values[static_cast<std::size_t>(combination % count)];
    combination /= count;
  }
  SeededRandom random(point.seed);
  for (const ParameterVariation& variation : variations) {
    switch (variation.distribution) {
      case Distribution::gauss: point.values.push_back(variation.first + variation.second * random.normal()); break;
      case Distribution::uniform: point.values.push_back(random.uniform(variation.first, variation.second)); break;
      case Distribution::log_gauss: point.values.push_back(variation.first * std::exp(variation.second * random.normal())); break;
    }
  }
  return point;
}

void SweepPlan::validate() const {
  std::set<std::string> names;
  for (const std::string& name : parameter_names())
    if (!names.insert(name).second) throw std::invalid_argument(fmt::format("parameter '{}' is swept or varied twice", name));
  if (monte_carlo_runs == 0 && !variations.empty()) throw std::invalid_argument("--vary needs --monte-carlo N (the number of runs)");
  if (monte_carlo_runs < 0) throw std::invalid_argument("--monte-carlo takes a positive number of runs");
  if (point_count() == 0) throw std::invalid_argument("the sweep has no points");
}

}  // namespace xbarsim
