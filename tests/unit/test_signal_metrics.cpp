// Metric definitions of the CIBlock study (core/signal_metrics.h, core/noise_budget.h) against
// hand-computed cases.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>
#include <string>

#include "core/noise_budget.h"
#include "core/signal_metrics.h"

using namespace xbarsim;

TEST_CASE("error statistics, SNDR and ENOB by hand") {
  const ErrorStatistics s = error_statistics({1, 2, 3}, {1, 2, 4}, 10.0);
  CHECK(s.rms == doctest::Approx(std::sqrt(1.0 / 3.0)));
  CHECK(s.worst == doctest::Approx(1.0));
  CHECK(s.mean == doctest::Approx(-1.0 / 3.0));
  CHECK(s.rms_percent() == doctest::Approx(100 * std::sqrt(1.0 / 3.0) / 10));
  CHECK(s.worst_percent() == doctest::Approx(10.0));
  CHECK(s.sndr_db() == doctest::Approx(10 * std::log10(37.5)));  // (100/8) / (1/3)
  // an ideal 8-bit quantiser: e_rms = LSB/sqrt(12) -> SNDR 49.93 dB, ENOB 8.00
  const double lsb = 1.0 / 256;
  ErrorStatistics quantiser;
  quantiser.full_scale = 1.0;
  quantiser.rms = lsb / std::sqrt(12.0);
  CHECK(quantiser.sndr_db() == doctest::Approx(49.93).epsilon(1e-3));
  CHECK(quantiser.enob() == doctest::Approx(8.0).epsilon(2e-3));
  CHECK(std::isinf(snr_db(0.0, 1.0)));
  CHECK_THROWS(error_statistics({1.0}, {1.0, 2.0}, 1.0));
}

TEST_CASE("settling time of a first-order step: tau ln(1/tolerance)") {
  std::vector<double> t, v;
  const double tau = 1e-6;
  for (int k = 0; k <= 20000; ++k) {
    t.push_back(k * 1e-9);
    v.push_back(t.back() < 1e-6 ? 0.0 : 1.0 - std::exp(-(t.back() - 1e-6) / tau));
  }
  const std::optional<double> settled = settling_time(t, v, 1e-6, 20e-6, 1.0, 0.01);
  REQUIRE(settled);
  CHECK(*settled == doctest::Approx(tau * std::log(100.0)).epsilon(1e-3));
  CHECK_FALSE(settling_time(t, v, 1e-6, 3e-6, 1.0, 0.01));  // still outside at the window's end
  CHECK(value_at(t, v, 1e-6 + tau) == doctest::Approx(1 - std::exp(-1.0)).epsilon(1e-4));
}

TEST_CASE("noise densities and the seeded PWL noise source") {
  CHECK(thermal_current_density(1e3, 300.15) == doctest::Approx(4 * 1.380649e-23 * 300.15 / 1e3));
  CHECK(shot_current_density(-1e-9) == doctest::Approx(2 * 1.602176634e-19 * 1e-9));
  CHECK(single_pole_noise_bandwidth(1e3) == doctest::Approx(1570.796).epsilon(1e-6));
  CHECK(integrated_rms(4e-24, 1e6) == doctest::Approx(2e-9));
  CHECK(white_noise_sample_sigma(2e-20, 1e-6) == doctest::Approx(1e-7));
  const std::string a = seeded_noise_source('I', "n", "a", "0", 1.0, 1e-6, 4e-3, 11);
  CHECK(a == seeded_noise_source('I', "n", "a", "0", 1.0, 1e-6, 4e-3, 11));
  CHECK(a != seeded_noise_source('I', "n", "a", "0", 1.0, 1e-6, 4e-3, 12));
  // parse the values back: 4001 samples of a unit normal
  std::string body = a.substr(a.find('(') + 1);
  for (char& c : body)
    if (c == '+' || c == ')' || c == '\n') c = ' ';
  std::istringstream stream(body);
  double time = 0, value = 0, sum = 0, square = 0;
  int count = 0;
  while (stream >> time >> value) {
    sum += value;
    square += value * value;
    ++count;
  }
  CHECK(count == 4001);
  CHECK(std::abs(sum / count) < 0.06);
  CHECK(std::sqrt(square / count) == doctest::Approx(1.0).epsilon(0.05));
}
