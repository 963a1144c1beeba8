// ADC/DAC subcircuits (models/adc.lib, models/dac.lib) and their C++ mirrors (core/converters.h):
// quantisation, INL, timing of a conversion, energy arithmetic; the .lib running in xbarsim
// against the C++ transfer functions. (ngspice runs the same netlists: netlists/converters/.)
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include "core/converters.h"
#include "core/elaborator.h"
#include "core/simulator.h"
#include "core/signal_metrics.h"
#include "tests/unit/plot_test_support.h"

using namespace xbarsim;
using xbarsim::testing::values_of;

namespace {
Waveforms run_netlist(const std::string& file) {
  const DiagnosticSink quiet = [](const Diagnostic&) {};
  Circuit circuit = load_circuit(std::filesystem::path(XBARSIM_SOURCE_DIR) / "netlists/converters" / file, quiet);
  Simulator simulator(circuit);
  return simulator.run();
}
}  // namespace

TEST_CASE("ADC quantiser: mid-tread rounding, clamping, offset and gain error") {
  AdcParameters adc;
  adc.bits = 3;
  adc.vlow = -1;
  adc.vhigh = 1;
  CHECK(adc.lsb() == doctest::Approx(0.25));
  CHECK(adc.code(-1.0) == 0);
  CHECK(adc.code(-1.0 + 0.124) == 0);  // below the first transition at 1/2 LSB
  CHECK(adc.code(-1.0 + 0.126) == 1);
  CHECK(adc.code(0.0) == 4);
  CHECK(adc.code(0.874) == 7);
  CHECK(adc.code(5.0) == 7);  // clamped to 2^bits - 1
  CHECK(adc.code(-5.0) == 0);
  adc.offset = 0.25;  // one LSB
  CHECK(adc.code(0.0) == 5);
  adc.offset = 0.0;
  adc.gain_error = 0.1;  // 0.5 V reads as 0.55 V: x = 0.775, 6.2 + 0.5 -> 6
  CHECK(adc.code(0.5) == 6);
}

TEST_CASE("INL profile: seeded, zero at the range ends, peak as requested") {
  const InlProfile a = InlProfile::from_seed(42, 0.5);
  const InlProfile b = InlProfile::from_seed(42, 0.5);
  const InlProfile c = InlProfile::from_seed(43, 0.5);
  CHECK(a.coefficients == b.coefficients);
  CHECK(a.coefficients != c.coefficients);
  CHECK(a(0.0) == doctest::Approx(0.0).epsilon(1e-12));
  CHECK(std::abs(a(1.0)) < 1e-12);
  double peak = 0;
  for (int i = 0; i <= 1024; ++i) peak = std::max(peak, std::abs(a(i / 1024.0)));
  CHECK(peak == doctest::Approx(0.5).epsilon(1e-9));
  CHECK(InlProfile::from_seed(42, 0.0)(0.3) == 0.0);
  // DNL is the code-to-code difference of INL: with 0.5 LSB peak over 256 codes it stays far below 1 LSB
  double worst_dnl = 0;
  for (int n = 0; n < 255; ++n) worst_dnl = std::max(worst_dnl, std::abs(a((n + 1) / 256.0) - a(n / 256.0)));
  CHECK(worst_dnl < 0.05);
}

TEST_CASE("DAC transfer, settling time and energy arithmetic") {
  DacParameters dac;
  dac.bits = 4;
  dac.vhigh = 1.6;
  CHECK(dac.lsb() == doctest::Approx(0.1));
  CHECK(dac.output(0) == doctest::Approx(0.0));
  CHECK(dac.output(7) == doctest::Approx(0.7));
  CHECK(dac.output(99) == doctest::Approx(1.5));  // clamped
  dac.inl.coefficients = {0.5, 0, 0, 0};
  CHECK(dac.output(8) == doctest::Approx(0.85));  // 8 + 0.5 sin(pi/2) LSB
  // rout (cload + 1 pF) ln(2^5) = 1k * 2p * 3.4657
  CHECK(dac.settling_time(1e-12) == doctest::Approx(1e3 * 2e-12 * std::log(32.0)));
  // (2^4 * 1 fF + 1 pF) * 1.6^2
  CHECK(dac.energy_per_update() == doctest::Approx((16e-15 + 1e-12) * 2.56));
  AdcParameters adc;
  adc.bits = 8;
  CHECK(adc.energy_per_conversion() == doctest::Approx(10e-15 * 256));  // Walden: FoM 2^ENOB
  CHECK(memory_energy_per_value(8, 0.16e-12) == doctest::Approx(2.56e-12));
}

TEST_CASE("ADC .lib at DC matches the C++ quantiser, code by code (3 bits, INL)") {
  const Waveforms waveforms = run_netlist("adc_transfer_dc.cir");
  const Plot& plot = waveforms.plots.back();
  AdcParameters adc;
  adc.bits = 3;
  adc.vlow = -1;
  adc.vhigh = 1;
  adc.inl.coefficients = {0.4, 0, 0, 0};
  DacParameters dac;
  dac.bits = 3;
  dac.vlow = -1;
  dac.vhigh = 1;
  const std::vector<double> in = values_of(plot, "v(in)");
  const std::vector<double> code = values_of(plot, "v(code)");
  const std::vector<double> out = values_of(plot, "v(out)");
  REQUIRE(in.size() > 200);
  int distinct = 0, previous = -1;
  for (std::size_t k = 0; k < in.size(); ++k) {
    const int expected = adc.code(in[k]);
    CHECK(code[k] == doctest::Approx(expected).epsilon(1e-6));
    CHECK(out[k] == doctest::Approx(dac.output(expected)).epsilon(1e-6));
    if (expected != previous) ++distinct;
    previous = expected;
  }
  CHECK(distinct == 8);
}

TEST_CASE("ADC -> register -> DAC timing: the register holds the code sampled at the end of tracking") {
  const Waveforms waveforms = run_netlist("adc_dac_chain.cir");
  const Plot& plot = waveforms.plots.back();
  const std::vector<double> t = values_of(plot, "time");
  const std::vector<double> code = values_of(plot, "v(code)");
  const std::vector<double> out = values_of(plot, "v(out)");
  AdcParameters adc;
  adc.bits = 4;
  adc.offset = 5e-3;
  adc.gain_error = 0.02;
  adc.inl.coefficients = {0.3, -0.2, 0, 0};
  DacParameters dac;
  dac.bits = 4;
  dac.inl.coefficients = {0.25, 0, 0.1, 0};
  for (int period = 1; period < 19; ++period) {
    const double sampled = (period * 1e-6 + 0.4e-6) / 20e-6;  // ramp value when tracking ends
    const int expected = adc.code(sampled);
    // before the latch (period + 650 ns) the previous code is held; after it (period + 950 ns), the new one
    CHECK(value_at(t, code, period * 1e-6 + 0.95e-6) == doctest::Approx(expected).epsilon(1e-4));
    CHECK(value_at(t, code, period * 1e-6 + 0.65e-6) == doctest::Approx(adc.code((period * 1e-6 - 0.6e-6) / 20e-6)).epsilon(1e-4));
    // the DAC output has settled (RC = 2 ns) to its transfer function 150 ns after the latch
    CHECK(value_at(t, out, period * 1e-6 + 0.95e-6) == doctest::Approx(dac.output(expected)).epsilon(1e-4));
  }
}
