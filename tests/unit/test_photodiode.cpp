// Unit test of the native PHOTODIODE against its behavioural twin (models/photodiode.lib): same
// vectors, same numbers, in DC and in a transient where the junction capacitance matters.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "core/compare.h"
#include "core/elaborator.h"
#include "core/simulator.h"
#include "tests/unit/plot_test_support.h"

using namespace xbarsim;
using xbarsim::testing::values_of;

namespace {

Waveforms simulate(const std::string& text, bool native_models) {
  DiagnosticSink quiet = [](const Diagnostic&) {};
  ElaborationOptions options;
  options.native_models = native_models;
  Circuit circuit = elaborate(read_netlist_string(text, "photodiode.cir", ".", quiet), quiet, options);
  Simulator simulator(circuit);
  return simulator.run();
}

}  // namespace

TEST_CASE("native photodiode equals its twin: photocurrent, dark current, junction charge") {
  const std::string netlist = fmt::format(
      "photodiode under a light pulse, reverse-biased through a load\n"
      ".include {}/models/photodiode.lib\n"
      ".options vntol=1e-12 reltol=1e-6\n"
      "Vlight opt 0 PULSE(0 10u 1u 0.2u 0.2u 3u 10u)\n"
      "Vbias bias 0 2\n"
      "Rload a 0 10k\n"
      "X1 a bias opt PHOTODIODE cj=20p\n"
      ".op\n.tran 20n 8u\n.end\n",
      XBARSIM_SOURCE_DIR);
  Waveforms native = simulate(netlist, true);
  Waveforms twin = simulate(netlist, false);
  ComparisonTolerances tolerances;
  tolerances.relative = 1e-6;
  WaveformComparison comparison = compare_waveforms(native, twin, tolerances);
  INFO(format_worst_vectors(comparison, 5));
  CHECK(comparison.passed);
  for (const PlotComparison& plot : comparison.plots) {
    CHECK(plot.only_in_ours.empty());
    CHECK(plot.only_in_reference.empty());
  }
  // In the light, the photocurrent resp * P = 0.4 A/W * 10 uW = 4 uA leaves the anode into the
  // load (plus the tiny reverse dark current): v(a) = 4 uA * 10 kOhm, about 40 mV.
  const Plot& transient = native.plots.back();
  const std::vector<double> time = transient.values(0);
  const std::vector<double> load = values_of(transient, "v(a)");
  for (std::size_t k = 0; k < time.size(); ++k)
    if (time[k] > 3.5e-6 && time[k] < 4.2e-6) CHECK(load[k] == doctest::Approx(0.04).epsilon(0.01));
}
