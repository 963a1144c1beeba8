#include "core/converters.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/seeded_random.h"

namespace xbarsim {

double InlProfile::operator()(double u) const {
  double value = 0.0;
  for (std::size_t k = 0; k < coefficients.size(); ++k)
    value += coefficients[k] * std::sin(static_cast<double>(k + 1) * std::numbers::pi * u);
  return value;
}

InlProfile InlProfile::from_seed(std::uint64_t seed, double peak_lsb) {
  InlProfile profile;
  if (peak_lsb <= 0.0) return profile;
  SeededRandom random(seed);
  for (std::size_t k = 0; k < profile.coefficients.size(); ++k)
    profile.coefficients[k] = random.uniform(-1.0, 1.0) / static_cast<double>(k + 1);
  double peak = 0.0;
  for (int i = 0; i <= 1024; ++i) peak = std::max(peak, std::abs(profile(i / 1024.0)));
  for (double& c : profile.coefficients) c *= peak_lsb / peak;
  return profile;
}

double AdcParameters::lsb() const { return (vhigh - vlow) / std::ldexp(1.0, bits); }

int AdcParameters::code(double held_voltage) const {
  const double levels = std::ldexp(1.0, bits);
  const double x = ((1 + gain_error) * held_voltage + offset - vlow) / (vhigh - vlow);
  const double raw = std::floor(x * levels + inl(x) + 0.5);
  return static_cast<int>(std::clamp(raw, 0.0, levels - 1));
}

double AdcParameters::energy_per_conversion() const { return walden_fom * std::ldexp(1.0, bits); }

static std::string inl_parameters(const InlProfile& inl) {
  return fmt::format("inl1={:.9g} inl2={:.9g} inl3={:.9g} inl4={:.9g}", inl.coefficients[0], inl.coefficients[1],
                     inl.coefficients[2], inl.coefficients[3]);
}

std::string AdcParameters::instance(const std::string& name, const std::string& in, const std::string& code_node,
                                    const std::string& sample, const std::string& latch) const {
  return fmt::format("X{} {} {} {} {} ADC bits={} vlow={:.9g} vhigh={:.9g} offset={:.9g} gain_error={:.9g} {} ron={:.9g} "
                     "chold={:.9g}",
                     name, in, code_node, sample, latch, bits, vlow, vhigh, offset, gain_error, inl_parameters(inl), ron,
                     chold);
}

double DacParameters::lsb() const { return (vhigh - vlow) / std::ldexp(1.0, bits); }

double DacParameters::output(int code) const {
  const double levels = std::ldexp(1.0, bits);
  const double n = std::clamp(static_cast<double>(code), 0.0, levels - 1);
  return vlow + lsb() * (n + inl(n / levels));
}

double DacParameters::settling_time(double external_capacitance) const {
  return rout * (cload + external_capacitance) * std::log(std::ldexp(1.0, bits + 1));
}

double DacParameters::energy_per_update() const {
  const double range = vhigh - vlow;
  return (std::ldexp(1.0, bits) * unit_capacitance + cload) * range * range;
}

std::string DacParameters::instance(const std::string& name, const std::string& code, const std::string& out) const {
  return fmt::format("X{} {} {} DAC bits={} vlow={:.9g} vhigh={:.9g} {} rout={:.9g} cload={:.9g}", name, code, out, bits,
                     vlow, vhigh, inl_parameters(inl), rout, cload);
}

double memory_energy_per_value(int bits, double energy_per_bit_access) { return 2.0 * bits * energy_per_bit_access; }

std::string converter_clock_sources(const std::string& sample_node, const std::string& latch_node, double start,
                                    double sample_end, double conversion_time, double period) {
  constexpr double edge = 1e-9;
  const double latch_width = std::min(20e-9, 0.25 * conversion_time);
  const double latch_start = sample_end + conversion_time - latch_width;
  return fmt::format(
      "V{0} {0} 0 PULSE(0 1 {2:.9g} {4:.3g} {4:.3g} {3:.9g} {5:.9g})\n"
      "V{1} {1} 0 PULSE(0 1 {6:.9g} {4:.3g} {4:.3g} {7:.9g} {5:.9g})\n",
      sample_node, latch_node, start, sample_end - start - edge, edge, period, latch_start - edge, latch_width - edge);
}

}  // namespace xbarsim
