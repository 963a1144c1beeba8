// `xbarsim fit nlem`: the direct integration of the N-LEM state equations against a transient
// simulation of the same record through the engine, the measurement CSV format, and the recovery
// of known parameters from synthetic noisy data (models/nlem_response.h, models/nlem_fit.h).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/elaborator.h"
#include "core/simulator.h"
#include "core/table_output.h"
#include "models/nlem_fit.h"
#include "models/nlem_fit_report.h"
#include "models/synaptic_metrics.h"
#include "temporary_directory.h"

namespace {

using namespace xbarsim;

// 1 V reads of 20 ms, one every `period` seconds, at UV irradiance `irradiance`.
NlemPulseTrain reads(int count, double period, double irradiance) {
  return {.voltage = 1.0, .width = 0.02, .gap = period - 0.02, .count = count, .irradiance = irradiance, .sample_interval = 0.005,
          .gap_sample_interval = (period - 0.025) / 4};
}

// The paper's write pulses: 5 V, 30 ms wide, 30 ms apart (NlemPulseTrain's defaults).
NlemPulseTrain writes(int count) { return {.count = count}; }

// Potentiation, relaxation read out by 1 V pulses, more potentiation, UV erase under reads.
NlemStimulus fit_protocol() {
  NlemStimulus stimulus;
  stimulus.append_hold(0, 0, 0.01, 0.002);
  stimulus.append_pulses(writes(50));
  stimulus.append_pulses(reads(10, 2.0, 0));
  stimulus.append_pulses(writes(50));
  stimulus.append_pulses(reads(6, 0.25, 700));
  stimulus.append_pulses(reads(2, 0.25, 0));
  return stimulus;
}

NlemParameters true_parameters() {
  NlemParameters p;
  p.g0 = 2e-6;
  p.aw = 6.0;
  p.kw = 0.3;
  p.tauw = 40.0;
  p.eta = 0.03;
  p.cw = 1.6;
  p.kuv = 5e-3;
  return p;
}

}  // namespace

TEST_CASE("N-LEM fit: direct integration of a sampled record matches the engine's transient of the same PWL record") {
  NlemStimulus stimulus;
  stimulus.append_hold(0, 0, 0.01, 0.002);
  stimulus.append_pulses(writes(5));
  stimulus.append_pulses(reads(2, 0.5, 0));
  stimulus.append_pulses(reads(3, 0.25, 700));
  const NlemParameters parameters = true_parameters();
  const NlemResponse direct = simulate_nlem_response(parameters, stimulus);

  const std::vector<std::string> names = {"g0", "aw", "kw", "tauw", "eta", "cw", "kuv"};
  testing::TemporaryDirectory directory("nlem-replay");
  write_text_file(directory / "fitted.param", nlem_parameter_card(parameters, names));
  write_text_file(directory / "replay.cir", nlem_replay_netlist(stimulus, names, "fitted.param",
                                                                 std::filesystem::path(XBARSIM_SOURCE_DIR) / "models" / "nlem.lib"));
  const DiagnosticSink quiet = [](const Diagnostic&) {};
  Circuit circuit = load_circuit(directory / "replay.cir", quiet);
  Simulator simulator(circuit);
  const Plot plot = simulator.run().plots.front();
  const std::vector<double> engine_current = sample_at(plot, "i(vin)", stimulus.time);
  const std::vector<double> engine_light = sample_at(plot, "v(opt)", stimulus.time);

  const double peak_current = *std::max_element(direct.current.begin(), direct.current.end());
  const double peak_light = *std::max_element(direct.optical_power.begin(), direct.optical_power.end());
  double current_difference = 0, light_difference = 0;
  for (std::size_t i = 0; i < stimulus.time.size(); ++i) {
    current_difference = std::max(current_difference, std::abs(-engine_current[i] - direct.current[i]) / peak_current);
    light_difference = std::max(light_difference, std::abs(engine_light[i] - direct.optical_power[i]) / peak_light);
  }
  MESSAGE(fmt::format("{} samples; largest difference engine vs direct: current {:.2e}, light {:.2e} of peak", stimulus.time.size(),
                      current_difference, light_difference));
  CHECK(current_difference < 2e-3);
  CHECK(light_difference < 2e-3);
}

TEST_CASE("N-LEM fit: measurement CSV round trip and errors that name the place") {
  NlemStimulus stimulus;
  stimulus.append_hold(0, 0, 0.01, 0.002);
  stimulus.append_pulses(writes(2));
  stimulus.append_pulses(reads(2, 0.25, 700));
  const NlemMeasurement written = synthetic_nlem_measurement(NlemParameters{}, stimulus, true, true, 0.01, 7);
  testing::TemporaryDirectory directory("nlem-csv");
  write_nlem_measurement_csv(directory / "data.csv", written);
  const NlemMeasurement read = read_nlem_measurement_csv(directory / "data.csv");
  CHECK(read.stimulus.time == written.stimulus.time);
  CHECK(read.stimulus.voltage == written.stimulus.voltage);
  CHECK(read.stimulus.irradiance == written.stimulus.irradiance);
  CHECK(read.current == written.current);
  CHECK(read.optical_power == written.optical_power);
  CHECK(read.has_irradiance);

  write_text_file(directory / "bad.csv", "Time [s], voltage, current, temperature\n0,0,0,300\n");
  CHECK_THROWS_WITH(read_nlem_measurement_csv(directory / "bad.csv"), doctest::Contains("bad.csv:1:4: error: unknown column 'temperature'"));
  write_text_file(directory / "bad.csv", "time,voltage,current\n0,0,0\n1e-3,5,x\n");
  CHECK_THROWS_WITH(read_nlem_measurement_csv(directory / "bad.csv"), doctest::Contains("bad.csv:3:3: error: 'x' is not a finite number"));
  write_text_file(directory / "bad.csv", "time,current\n0,0\n");
  CHECK_THROWS_WITH(read_nlem_measurement_csv(directory / "bad.csv"), doctest::Contains("lacks the 'voltage' column"));
}

TEST_CASE("N-LEM fit: known parameters are recovered from synthetic data with 1 % noise") {
  const NlemParameters truth = true_parameters();
  const NlemMeasurement measurement = synthetic_nlem_measurement(truth, fit_protocol(), true, true, 0.01, 2024);
  NlemFitSettings settings;
  settings.parameters = default_nlem_fit_parameters(measurement);
  REQUIRE(settings.parameters == std::vector<std::string>{"g0", "aw", "kw", "tauw", "eta", "cw", "kuv"});
  // settings.initial: the library defaults, 20 % (cw) to 2x (g0, tauw) away from the truth.
  // Tolerance 2 %: each parameter's standard error here is 0.1-0.6 %.
  const NlemFitResult result = fit_nlem(measurement, settings);
  CHECK(result.converged);
  std::string table;
  for (const NlemFittedParameter& fitted : result.fitted) {
    const double truth_value = truth.*std::find_if(NlemParameters::fields().begin(), NlemParameters::fields().end(), [&](const auto& f) {
                                         return f.name == fitted.name;
                                       })->member;
    const double error = fitted.fitted / truth_value - 1;
    table += fmt::format("  {:<5} true {:<9.4g} start {:<9.4g} fitted {:<10.5g} error {:+.2f} %  (std err {:.2f} %)\n", fitted.name, truth_value,
                         fitted.initial, fitted.fitted, 100 * error, 100 * fitted.relative_standard_error);
    CHECK_MESSAGE(std::abs(error) < 0.02, fitted.name);
  }
  CHECK(result.rms_relative_residual == doctest::Approx(0.01).epsilon(0.1));  // down to the noise
  MESSAGE(fmt::format("{} samples, {} iterations, {} model runs, rms relative residual {:.4f} %\n{}", measurement.current.size(),
                      result.iterations, result.evaluations, 100 * result.rms_relative_residual, table));
}
