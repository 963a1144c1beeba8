#include "core/noise_budget.h"

#include <fmt/format.h>

#include <cmath>
#include <numbers>

#include "core/seeded_random.h"

namespace xbarsim {

double thermal_current_density(double resistance, double temperature) {
  return 4.0 * kBoltzmann * temperature / resistance;
}

double shot_current_density(double current) { return 2.0 * kElementaryCharge * std::abs(current); }

double single_pole_noise_bandwidth(double corner_frequency) { return std::numbers::pi / 2.0 * corner_frequency; }

double integrated_rms(double density, double noise_bandwidth) { return std::sqrt(density * noise_bandwidth); }

double white_noise_sample_sigma(double density, double time_step) { return std::sqrt(density / (2.0 * time_step)); }

std::string seeded_noise_source(char kind, const std::string& name, const std::string& plus, const std::string& minus,
                                double sigma, double time_step, double stop, std::uint64_t seed) {
  SeededRandom random(seed);
  std::string text = fmt::format("{}{} {} {} PWL(", kind, name, plus, minus);
  const long steps = static_cast<long>(std::ceil(stop / time_step - 1e-9));  // no extra point from rounding
  for (long k = 0; k <= steps; ++k) {
    text += fmt::format("{}{:.6g} {:.6g}", k == 0 ? "" : " ", static_cast<double>(k) * time_step, sigma * random.normal());
    if (k % 8 == 7 && k != steps) text += "\n+ ";
  }
  return text + ")\n";
}

std::string seeded_per_period_source(char kind, const std::string& name, const std::string& plus,
                                     const std::string& minus, double sigma, double period, int periods, double edge,
                                     std::uint64_t seed) {
  SeededRandom random(seed);
  std::string text = fmt::format("{}{} {} {} PWL(", kind, name, plus, minus);
  double previous = sigma * random.normal();
  text += fmt::format("0 {:.6g}", previous);
  for (int k = 1; k < periods; ++k) {
    const double next = sigma * random.normal();
    const double t = k * period;
    text += fmt::format("\n+ {:.9g} {:.6g} {:.9g} {:.6g}", t - edge, previous, t, next);
    previous = next;
  }
  return text + ")\n";
}

}  // namespace xbarsim
