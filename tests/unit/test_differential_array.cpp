// Unit tests of differential arrays: weight mapping, seeded variation, the generated netlist
// simulated through the library (exact product without parasitics, monotonic degradation with
// wire resistance, every readout), JSON round trip and metrics.
#include <doctest/doctest.h>

#include <cmath>

#include "core/array_metrics.h"
#include "core/differential_array.h"
#include "core/elaborator.h"
#include "core/simulator.h"
#include "tests/unit/plot_test_support.h"

using namespace xbarsim;
using xbarsim::testing::values_of;

namespace {

Waveforms simulate(const ArrayDesign& design) {
  DiagnosticSink quiet = [](const Diagnostic&) {};
  Circuit circuit = elaborate(read_netlist_string(array_netlist(design), "array.cir", ".", quiet), quiet);
  Simulator simulator(circuit);
  return simulator.run();
}

ArraySpecification small_array(int rows, int weights) {
  ArraySpecification spec;
  spec.rows = rows;
  spec.weights = weights;
  spec.seed = 7;
  return spec;
}

ArraySpecification ideal_wires(ArraySpecification spec) {
  spec.parasitics = ArrayParasitics{0, 0, 0, 0, 0, 0, 0};
  return spec;
}

}  // namespace

TEST_CASE("weight mapping: 15 levels per sign, one-sided and symmetric give the same difference") {
  ArraySpecification spec = small_array(1, 4);
  Matrix weights = {{1.0, -0.5, 0.0, 0.25}};
  std::vector<double> inputs = {0.1};
  const double step = (100e-6 - 1e-6) / 14;
  ArrayDesign one_sided = design_array(spec, weights, inputs);
  CHECK(one_sided.conductance_plus[0][0] == doctest::Approx(100e-6));
  CHECK(one_sided.conductance_minus[0][0] == doctest::Approx(1e-6));
  CHECK(one_sided.conductance_plus[0][1] == doctest::Approx(1e-6));
  CHECK(one_sided.conductance_minus[0][1] == doctest::Approx(1e-6 + 7 * step));  // round(0.5 * 14) = 7
  CHECK(one_sided.conductance_plus[0][3] - one_sided.conductance_minus[0][3] == doctest::Approx(4 * step));  // round(3.5) = 4
  spec.mapping.scheme = WeightMappingScheme::symmetric;
  ArrayDesign symmetric = design_array(spec, weights, inputs);
  for (std::size_t j = 0; j < 4; ++j) {
    CHECK(symmetric.conductance_plus[0][j] - symmetric.conductance_minus[0][j] ==
          doctest::Approx(one_sided.conductance_plus[0][j] - one_sided.conductance_minus[0][j]));
    CHECK(symmetric.conductance_plus[0][j] + symmetric.conductance_minus[0][j] == doctest::Approx(101e-6));
  }
  CHECK(one_sided.ideal_outputs[0] == doctest::Approx(0.1 * 14 * step));
  CHECK(one_sided.full_scale_current == doctest::Approx(1 * 0.2 * 99e-6));
}

TEST_CASE("variation and faults are deterministic for a seed and change with it") {
  ArraySpecification spec = small_array(8, 8);
  spec.mapping.variation_sigma = 0.1;
  spec.mapping.stuck_on_fraction = 0.05;
  ArrayDesign a = design_array(spec, random_weights(spec), random_inputs(spec));
  ArrayDesign b = design_array(spec, random_weights(spec), random_inputs(spec));
  CHECK(a.conductance_plus == b.conductance_plus);
  spec.seed = 8;
  ArrayDesign c = design_array(spec, random_weights(spec), random_inputs(spec));
  CHECK(a.conductance_plus != c.conductance_plus);
  int stuck = 0;
  for (const auto& row : a.conductance_plus)
    for (double g : row) stuck += g == spec.mapping.gmax;
  CHECK(stuck >= 1);
}

TEST_CASE("without parasitics every readout gives the ideal product to solver precision") {
  for (ArrayReadout readout : {ArrayReadout::virtual_ground, ArrayReadout::tia}) {
    for (ArrayLayout layout : {ArrayLayout::interleaved, ArrayLayout::split}) {
      ArraySpecification spec = ideal_wires(small_array(6, 5));
      spec.layout = layout;
      spec.readout.kind = readout;
      spec.readout.tia_gain = 1e12;  // an ideal amplifier: the virtual ground is exact
      ArrayDesign design = design_array(spec, random_weights(spec), random_inputs(spec));
      ArrayMetrics metrics = array_metrics(design, simulate(design));
      CAPTURE(readout_name(readout));
      CAPTURE(layout_name(layout));
      for (std::size_t j = 0; j < design.ideal_outputs.size(); ++j)
        CHECK(metrics.simulated_outputs[j] == doctest::Approx(design.ideal_outputs[j]).epsilon(1e-9));
      CHECK(metrics.rms_error_percent < 1e-6);
      CHECK(metrics.worst_ir_drop < 1e-9);
    }
  }
}

TEST_CASE("output error grows monotonically with wire resistance") {
  ArraySpecification spec = small_array(16, 8);
  spec.parasitics.driver_resistance = 0;
  double previous = -1.0;
  for (double resistance : {0.0, 0.5, 2.0, 8.0, 32.0}) {
    spec.parasitics.wordline_segment_resistance = spec.parasitics.bitline_segment_resistance = resistance;
    ArrayDesign design = design_array(spec, random_weights(spec), random_inputs(spec));
    ArrayMetrics metrics = array_metrics(design, simulate(design));
    CAPTURE(resistance);
    CHECK(metrics.rms_error_percent > previous);
    previous = metrics.rms_error_percent;
  }
  CHECK(previous > 1.0);  // 32 Ohm segments against 10-1000 kOhm cells: well over 1 % of full scale
}

TEST_CASE("transient inputs: outputs settle and quiet word lines see coupled crosstalk") {
  ArraySpecification spec = small_array(4, 3);
  spec.analysis = ArrayAnalysis::tran;
  spec.parasitics.line_capacitance = 20e-15;
  spec.parasitics.wordline_coupling_capacitance = 10e-15;
  std::vector<double> inputs = {0.2, 0.0, 0.15, 0.1};
  ArrayDesign design = design_array(spec, random_weights(spec), inputs);
  ArrayMetrics metrics = array_metrics(design, simulate(design), 8);
  REQUIRE(metrics.settling_times.size() == 3);
  for (double settling : metrics.settling_times) {
    CHECK(settling > 0.0);
    CHECK(settling < spec.inputs.pulse_edge + 0.25 * spec.inputs.pulse_width);
  }
  REQUIRE(metrics.peak_quiet_crosstalk.has_value());
  CHECK(*metrics.peak_quiet_crosstalk > 1e-4);  // row 1 is driven through its 100 Ohm driver: coupled edges show
  CHECK(*metrics.peak_quiet_crosstalk < 0.2);
}

TEST_CASE("the JSON description round-trips") {
  ArraySpecification spec = small_array(3, 2);
  spec.layout = ArrayLayout::split;
  spec.readout.kind = ArrayReadout::resistor;
  spec.mapping.variation_sigma = 0.03;
  ArrayDesign design = design_array(spec, random_weights(spec), random_inputs(spec));
  ArrayDesign back = array_design_from_json(array_design_json(design));
  CHECK(back.conductance_minus == design.conductance_minus);
  CHECK(back.ideal_outputs == design.ideal_outputs);
  CHECK(back.specification.layout == ArrayLayout::split);
  CHECK(back.specification.readout.kind == ArrayReadout::resistor);
  CHECK(array_netlist(back) == array_netlist(design));
  CHECK_THROWS_WITH(array_design_from_json("{}"), doctest::Contains("not an xbarsim array description"));
}

TEST_CASE("nlem cells: read mode holds the programmed conductance; the product is exact up to the sinh nonlinearity") {
  ArraySpecification spec = ideal_wires(small_array(5, 5));
  spec.cell = CellKind::nlem;
  spec.mapping.gmin = 1e-6;
  spec.mapping.gmax = 8e-6;
  ArrayDesign design = design_array(spec, random_weights(spec), random_inputs(spec));
  ArrayMetrics metrics = array_metrics(design, simulate(design));
  // I = g0 (1 + aw w) vh sinh(V/vh): at V <= 0.2 V and vh = 1.5 V the excess is at most
  // (sinh(0.2/1.5)/(0.2/1.5) - 1) = 0.3 % of each cell current.
  CHECK(metrics.rms_error_percent < 0.3);
  CHECK(metrics.rms_error_percent > 1e-3);  // the nonlinearity is really there
  CHECK_THROWS_WITH(nlem_weight_state(10e-6, 1e-6), doctest::Contains("out of its range"));
  CHECK(nlem_weight_state(5e-6, 1e-6) == doctest::Approx(0.5));
}

TEST_CASE("optical readout: without crosstalk each column's photocurrent is responsivity x efficiency x its light") {
  ArraySpecification spec = ideal_wires(small_array(4, 3));
  spec.cell = CellKind::nlem;
  spec.mapping.gmin = 1e-6;
  spec.mapping.gmax = 8e-6;
  spec.optical.enabled = true;
  spec.optical.crosstalk = 0.0;
  spec.optical.dark_saturation_current = 1e-20;  // no dark current: only light makes current
  ArrayDesign design = design_array(spec, random_weights(spec), random_inputs(spec));
  Waveforms results = simulate(design);
  const Plot& plot = results.plots.back();
  for (int c = 0; c < design.physical_columns(); ++c) {
    double light = 0.0;
    for (int i = 0; i < spec.rows; ++i) light += values_of(plot, "v(opt" + std::to_string(i) + "_" + std::to_string(c) + ")")[0];
    const double photocurrent = -values_of(plot, "v(popt" + std::to_string(c) + ")")[0] / spec.optical.tia_feedback_resistance;
    CAPTURE(c);
    CHECK(photocurrent == doctest::Approx(spec.optical.responsivity * spec.optical.coupling_efficiency * light).epsilon(1e-3));
  }
  ArrayMetrics metrics = array_metrics(design, results);
  CHECK(metrics.optical_outputs.size() == 3);
  CHECK(metrics.optical_gain > 0);
  // Light grows faster than current (emission efficiency rises with the weight), so the optical
  // product deviates from the electrical one even after one gain calibration, but stays close.
  CHECK(metrics.optical_rms_error_percent < 5.0);
}

TEST_CASE("optical crosstalk: each photodiode also sees its row neighbours' light") {
  ArraySpecification spec = ideal_wires(small_array(3, 3));
  spec.cell = CellKind::nlem;
  spec.mapping.gmin = 1e-6;
  spec.mapping.gmax = 8e-6;
  spec.optical.enabled = true;
  spec.optical.crosstalk = 0.1;
  spec.optical.dark_saturation_current = 1e-20;
  ArrayDesign design = design_array(spec, random_weights(spec), random_inputs(spec));
  Waveforms results = simulate(design);
  const Plot& plot = results.plots.back();
  auto light = [&](int row, int column) {
    if (column < 0 || column >= design.physical_columns()) return 0.0;
    return values_of(plot, "v(opt" + std::to_string(row) + "_" + std::to_string(column) + ")")[0];
  };
  for (int c = 0; c < design.physical_columns(); ++c) {
    double incident = 0.0;
    for (int i = 0; i < spec.rows; ++i) incident += light(i, c) + spec.optical.crosstalk * (light(i, c - 1) + light(i, c + 1));
    const double photocurrent = -values_of(plot, "v(popt" + std::to_string(c) + ")")[0] / spec.optical.tia_feedback_resistance;
    CAPTURE(c);
    CHECK(photocurrent == doctest::Approx(spec.optical.responsivity * spec.optical.coupling_efficiency * incident).epsilon(1e-3));
  }
}
