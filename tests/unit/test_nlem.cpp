// N-LEM calibration: every row of the paper's table (issue 5, docs/models/nlem.md) simulated with
// the default parameters through the library, and the native model against its behavioural twin.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <map>
#include <string>
#include <vector>

#include "core/compare.h"
#include "core/elaborator.h"
#include "core/netlist_reader.h"
#include "core/simulator.h"
#include "core/spice_number.h"
#include "models/nlem_model.h"
#include "models/synaptic_metrics.h"
#include "tests/unit/plot_test_support.h"

namespace {

using namespace xbarsim;
using xbarsim::testing::values_of;

Plot simulate_calibration_netlist(const std::string& name, bool native_models = true) {
  const DiagnosticSink quiet = [](const Diagnostic&) {};
  ElaborationOptions options;
  options.native_models = native_models;
  Circuit circuit = load_circuit(fmt::format("{}/netlists/nlem/{}.cir", XBARSIM_SOURCE_DIR, name), quiet, options);
  Simulator simulator(circuit);
  Waveforms waveforms = simulator.run();
  REQUIRE(waveforms.plots.size() == 1);
  return waveforms.plots.front();
}

std::vector<double> negated(std::vector<double> values) {
  for (double& value : values) value = -value;
  return values;
}

// End of pulse k (1-based) of the 5 V, 30 ms, 30 ms apart trains: 40 ms + (k-1) 60 ms.
std::vector<double> pulse_end_times(int count) {
  std::vector<double> times;
  for (int k = 0; k < count; ++k) times.push_back(0.04 + 0.06 * k);
  return times;
}

}  // namespace

TEST_CASE("N-LEM: EPSC and EPSB gains, nonlinearity and correlation of 50 pulses match the paper") {
  const Plot plot = simulate_calibration_netlist("pulse_train");
  const std::vector<double> times = pulse_end_times(50);
  const std::vector<double> epsc = negated(sample_at(plot, "i(vpulse)", times));
  const std::vector<double> epsb = sample_at(plot, "v(opt)", times);
  const double epsc_gain_10 = epsc[9] / epsc[0], epsc_gain_50 = epsc[49] / epsc[0];
  const double epsb_gain_10 = epsb[9] / epsb[0], epsb_gain_50 = epsb[49] / epsb[0];
  const double epsc_nl = nonlinearity(std::span(epsc).first(10)), epsb_nl = nonlinearity(std::span(epsb).first(10));
  const double correlation = pearson_correlation(epsc, epsb);
  MESSAGE(fmt::format("EPSC gain {:.4f} {:.4f}  EPSB gain {:.4f} {:.4f}  NL {:.4f} {:.4f}  r {:.5f}", epsc_gain_10, epsc_gain_50,
                      epsb_gain_10, epsb_gain_50, epsc_nl, epsb_nl, correlation));
  CHECK(epsc_gain_10 == doctest::Approx(1.38).epsilon(0.05));
  CHECK(epsc_gain_50 == doctest::Approx(2.40).epsilon(0.05));
  CHECK(epsb_gain_10 == doctest::Approx(1.57).epsilon(0.05));
  CHECK(epsb_gain_50 == doctest::Approx(3.17).epsilon(0.05));
  CHECK(std::abs(epsc_nl - 0.20) <= 0.03);
  CHECK(std::abs(epsb_nl - 0.27) <= 0.03);
  CHECK(correlation >= 0.998);
  CHECK(pearson_correlation(std::span(epsc).first(10), std::span(epsb).first(10)) >= 0.998);
}

TEST_CASE("N-LEM: 63 % of the potentiation of 50 pulses decays in 71.6 s at 0 V") {
  const Plot plot = simulate_calibration_netlist("natural_decay");
  const std::vector<double> times = {0.04, 2.98, 74.61};
  const std::vector<double> epsc = negated(sample_at(plot, "i(vprobe)", times));
  const double decayed = (epsc[1] - epsc[2]) / (epsc[1] - epsc[0]);
  MESSAGE(fmt::format("decayed {:.4f}", decayed));
  CHECK(std::abs(decayed - 0.6306) <= 0.03);
}

TEST_CASE("N-LEM: 700 W/m^2 UV for 2.52 s removes at least 99 % of the potentiation of 50 pulses") {
  const Plot plot = simulate_calibration_netlist("uv_reset");
  const std::vector<double> times = {0.04, 2.98, 5.59};
  const std::vector<double> epsc = negated(sample_at(plot, "i(vprobe)", times));
  const double removed = (epsc[1] - epsc[2]) / (epsc[1] - epsc[0]);
  MESSAGE(fmt::format("removed {:.5f}", removed));
  CHECK(removed >= 0.99);
  CHECK(removed <= 1.001);  // UV resets, it does not depress below the pristine state
}

TEST_CASE("N-LEM: paired-pulse facilitation falls monotonically with the interval, exponential fit") {
  const Plot plot = simulate_calibration_netlist("paired_pulse_facilitation");
  const std::vector<double> intervals = {0.01, 0.03, 0.1, 0.3, 1.0, 3.0};
  std::vector<double> index;
  for (std::size_t k = 0; k < intervals.size(); ++k) {
    const double period = 0.03 + intervals[k];
    const std::vector<double> pair = negated(sample_at(plot, fmt::format("i(v{})", k + 1), std::vector{0.04, 0.04 + period}));
    index.push_back((pair[1] - pair[0]) / pair[0]);
  }
  for (std::size_t k = 1; k < index.size(); ++k) CHECK(index[k] < index[k - 1]);
  const ExponentialFit fit = fit_exponential(intervals, index);
  MESSAGE(fmt::format("PPF {}  fit {:.4f} + {:.4f} exp(-dt/{:.4f} s), R^2 {:.4f}", fmt::join(index, " "), fit.offset, fit.amplitude,
                      fit.time_constant, fit.r_squared));
  CHECK(index.front() > 0.10);
  CHECK(fit.amplitude > 0);
  CHECK(fit.time_constant == doctest::Approx(0.1).epsilon(0.5));
  CHECK(fit.r_squared >= 0.99);
}

TEST_CASE("N-LEM: 15 distinguishable levels written with 5 V, 1 ms pulses, erased by UV") {
  const Plot plot = simulate_calibration_netlist("multilevel");
  std::vector<double> times;
  for (int k = 0; k < 15; ++k) times.push_back(0.003 + 0.5 * k);
  times.push_back(9.703);
  const std::vector<double> read = negated(sample_at(plot, "i(vread)", times));
  const double mean_step = (read[14] - read[0]) / 14;
  double smallest_step = mean_step;
  for (int k = 1; k < 15; ++k) smallest_step = std::min(smallest_step, read[k] - read[k - 1]);
  MESSAGE(fmt::format("levels {}  smallest step {:.4g} (mean {:.4g})  after UV {:.6g}", fmt::join(read, " "), smallest_step, mean_step,
                      read[15]));
  CHECK(smallest_step >= 0.5 * mean_step);
  CHECK(smallest_step >= 0.01 * read[14]);
  CHECK(std::abs(read[15] - read[0]) <= 0.1 * smallest_step);  // back to level 0
}

TEST_CASE("N-LEM: three 0-6-0 V sweeps show counter-clockwise hysteresis growing sweep by sweep") {
  const Plot plot = simulate_calibration_netlist("iv_sweeps");
  double previous_peak_current = 0, previous_peak_light = 0;
  for (int sweep = 0; sweep < 3; ++sweep) {
    const double start = 2.4 * sweep;
    // 3 V on the way up (t = start + 0.6 s) and on the way down (start + 1.8 s); 6 V at start + 1.2 s.
    const std::vector<double> current = negated(sample_at(plot, "i(vsweep)", std::vector{start + 0.6, start + 1.8, start + 1.2}));
    const std::vector<double> light = sample_at(plot, "v(opt)", std::vector{start + 0.6, start + 1.8, start + 1.2});
    MESSAGE(fmt::format("sweep {}: I(3 V) up {:.4g} down {:.4g}, I(6 V) {:.4g}, P(6 V) {:.4g}", sweep + 1, current[0], current[1], current[2],
                        light[2]));
    CHECK(current[1] > 1.05 * current[0]);  // counter-clockwise: the return branch conducts more
    CHECK(light[1] > light[0]);
    CHECK(current[2] > 1.05 * previous_peak_current);
    CHECK(light[2] > 1.05 * previous_peak_light);
    previous_peak_current = current[2];
    previous_peak_light = light[2];
  }
}

TEST_CASE("N-LEM: the native model and its behavioural twin agree on every calibration netlist") {
  ComparisonTolerances tolerances;
  tolerances.relative = 1e-4;
  tolerances.voltage_absolute = 1e-15;
  tolerances.current_absolute = 1e-12;
  for (const char* name : {"pulse_train", "natural_decay", "uv_reset", "paired_pulse_facilitation", "multilevel", "iv_sweeps"}) {
    Waveforms native{{simulate_calibration_netlist(name, true)}};
    Waveforms twin{{simulate_calibration_netlist(name, false)}};
    const WaveformComparison comparison = compare_waveforms(native, twin, tolerances);
    INFO(name, "\n", format_worst_vectors(comparison, 3));
    CHECK(comparison.passed);
  }
}

TEST_CASE("N-LEM: the defaults of models/nlem.lib are the native model's defaults") {
  const DiagnosticSink quiet = [](const Diagnostic&) {};
  const std::string netlist = fmt::format("N-LEM defaults\n.include {}/models/nlem.lib\nV1 a 0 1\nX1 a 0 opt 0 NLEM\n.op\n.end\n", XBARSIM_SOURCE_DIR);
  Circuit native = elaborate(read_netlist_string(netlist, "defaults.cir", ".", quiet), quiet);
  Simulator simulator(native);
  const Plot plot = simulator.run().plots.front();
  const NlemParameters defaults;
  const NlemEvaluation expected = evaluate_nlem(defaults, 1.0, 0.0, 0.0, 0.0);
  // At 1 V the relaxed state is w = f ~ 0, so the current is g0 vh sinh(1/vh) to within 1e-6.
  CHECK(-values_of(plot, "i(v1)").front() == doctest::Approx(expected.current).epsilon(1e-6));
  // Every default in the .lib equals the C++ default (the twin and the native model share them).
  std::ifstream library(fmt::format("{}/models/nlem.lib", XBARSIM_SOURCE_DIR));
  std::stringstream text;
  text << library.rdbuf();
  for (const NlemParameters::Field& field : NlemParameters::fields()) {
    const std::string key = fmt::format(" {}=", field.name);
    const std::size_t at = text.str().find(key);
    REQUIRE_MESSAGE(at != std::string::npos, field.name);
    const std::string value = text.str().substr(at + key.size(), text.str().find_first_of(" \n", at + key.size()) - at - key.size());
    CHECK_MESSAGE(parse_spice_number(value).value() == doctest::Approx(defaults.*field.member).epsilon(1e-12), field.name);
  }
}

TEST_CASE("N-LEM: the native model takes defaults that are expressions and overrides from caller parameters") {
  // The same held device twice: through models/nlem.lib (plain-number defaults: the elaborator's
  // fast path) and through a copy whose g0 default is an expression (each instance's scope
  // evaluated), with w0 given by a top-level parameter. Both must give the same current.
  const DiagnosticSink quiet = [](const Diagnostic&) {};
  std::ifstream library(fmt::format("{}/models/nlem.lib", XBARSIM_SOURCE_DIR));
  std::stringstream text;
  text << library.rdbuf();
  std::string copy = text.str();
  const std::size_t at = copy.find(" g0=1u ");
  REQUIRE(at != std::string::npos);
  copy.replace(at, 7, " g0={0.25u*4} ");
  const std::filesystem::path directory = std::filesystem::temp_directory_path() / "xbarsim_test_nlem_expression_default";
  std::filesystem::create_directories(directory);
  std::ofstream(directory / "nlem.lib") << copy;
  auto current = [&](const std::string& library_path) {
    const std::string netlist = fmt::format(
        "N-LEM held\n.include {}\n.param wq=0.5\nV1 a 0 0.2\nX1 a 0 opt 0 NLEM w0={{wq}} hold=1\n.op\n.end\n", library_path);
    Circuit circuit = elaborate(read_netlist_string(netlist, "held.cir", ".", quiet), quiet);
    Simulator simulator(circuit);
    return -values_of(simulator.run().plots.front(), "i(v1)").front();
  };
  const double plain = current(fmt::format("{}/models/nlem.lib", XBARSIM_SOURCE_DIR));
  const double expression = current((directory / "nlem.lib").string());
  std::filesystem::remove_all(directory);
  NlemParameters held;
  held.w0 = 0.5;
  held.hold = 1;
  // At w = 0.5 the conductance is g0 (1 + aw/2) = 5 uS: about 1 uA at 0.2 V.
  CHECK(plain == doctest::Approx(evaluate_nlem(held, 0.2, 0.5, 0.0, 0.0).current).epsilon(1e-9));
  CHECK(expression == doctest::Approx(plain).epsilon(1e-12));
}

TEST_CASE("Optical link: N-LEM light through coupling with crosstalk, photodiode and TIA") {
  const Plot plot = simulate_calibration_netlist("optical_link");
  // End of pulse 1 and pulse 10: V(out1) = -rf resp efficiency (P1 + crosstalk P2), rf = 100k,
  // resp = 0.4 A/W, efficiency 0.5, crosstalk 0.02 (the dark current at 0 V bias is zero).
  for (double time : {0.04, 0.58}) {
    const std::vector<double> at{time};
    const double p1 = sample_at(plot, "v(opt1)", at)[0], p2 = sample_at(plot, "v(opt2)", at)[0];
    CHECK(sample_at(plot, "v(rx1)", at)[0] == doctest::Approx(0.5 * (p1 + 0.02 * p2)).epsilon(1e-9));
    CHECK(sample_at(plot, "v(out1)", at)[0] == doctest::Approx(-1e5 * 0.4 * 0.5 * (p1 + 0.02 * p2)).epsilon(1e-3));
  }
}

TEST_CASE("TIA: output limits smoothly at vmin/vmax instead of clipping") {
  const DiagnosticSink quiet = [](const Diagnostic&) {};
  const std::string netlist = fmt::format(
      "TIA limits\n.include {}/models/tia.lib\nIin 0 in 0\nX1 in out TIA vmax=2 vmin=-2\n.dc iin -100u 100u 10u\n.end\n", XBARSIM_SOURCE_DIR);
  Circuit circuit = elaborate(read_netlist_string(netlist, "tia.cir", ".", quiet), quiet);
  Simulator simulator(circuit);
  const Plot plot = simulator.run().plots.front();
  const std::vector<double> out = values_of(plot, "v(out)");
  // Iin pushes current into `in`: V(out) = -rf I = -I * 100k while linear, tanh-limited beyond.
  CHECK(out[11] == doctest::Approx(-1.0).epsilon(0.01));       // +10 uA: -1 V, close to linear
  CHECK(out.back() >= -2.0);                                    // +100 uA: held at vmin by tanh
  CHECK(out.back() < -1.99);
  CHECK(out.front() <= 2.0);
  CHECK(out.front() > 1.99);
  for (std::size_t k = 1; k < out.size(); ++k) CHECK(out[k] <= out[k - 1]);  // monotonic through the limit
}
