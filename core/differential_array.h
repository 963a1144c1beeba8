// DifferentialArray: an M x N array of memristor pairs that computes a matrix-vector product,
// with the parasitics that make it imperfect, described once and written as a plain SPICE netlist.
//
// Each logical weight w_ij is a pair of cells, G+ and G- (w ~ G+ - G-). Row i is a word line
// driven by input voltage V_i through a driver resistance; each physical column is a bit line
// read at its bottom end. The ideal output of weight column j is the differential current
//   I_j = sum_i V_i (G+_ij - G-_ij)
// which parasitics degrade: word/bit-line segment resistance (IR drop), line capacitance and
// line-to-line coupling (settling, crosstalk), sense resistance.
//
// Typical use:
//   ArraySpecification spec;  spec.rows = 64; spec.weights = 64;          // documented defaults
//   ArrayDesign design = design_array(spec, weights, inputs);             // map + variation
//   std::string netlist = array_netlist(design);                          // runs in ngspice too
// Physical columns: `interleaved` puts G+ of weight j at column 2j and G- at 2j+1; `split` puts
// all G+ columns first (column j) and all G- after (column N + j).
// Node names: word line i `w<i>_<c>` (c = 0 at the driver side, c = 1..P after each cell),
// bit line c `b<c>_<i>` (i = 0 at the top row), readout `i(vsense<c>)` (virtual ground),
// `v(tia<c>)` (TIA output) or `v(b<c>_<M-1>)` (resistor).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xbarsim {

enum class ArrayLayout { interleaved, split };
enum class CellKind { resistor, bsource, nlem };
enum class ArrayReadout { virtual_ground, tia, resistor };
enum class WeightMappingScheme {
  one_sided,  // the device of the other sign stays at gmin
  symmetric,  // both devices move around (gmin + gmax) / 2
};
enum class ArrayAnalysis { op, tran };

using Matrix = std::vector<std::vector<double>>;  // [row][column]

struct WeightMapping {
  int levels = 15;           // conductance levels per weight sign (N-LEM paper: 15)
  double gmin = 1e-6;        // S
  double gmax = 100e-6;      // S
  WeightMappingScheme scheme = WeightMappingScheme::one_sided;
  double variation_sigma = 0.0;    // relative device-to-device variation (Gaussian), e.g. 0.05
  double stuck_on_fraction = 0.0;  // fraction of cells stuck at gmax
  double stuck_off_fraction = 0.0; // fraction of cells stuck at gmin
};

struct ArrayParasitics {
  double wordline_segment_resistance = 1.0;  // Ohm per cell pitch
  double bitline_segment_resistance = 1.0;   // Ohm per cell pitch
  double driver_resistance = 100.0;          // Ohm, input driver output resistance
  double line_capacitance = 1e-15;           // F from every line node to ground
  double bitline_coupling_capacitance = 0.2e-15;   // F between adjacent bit lines, per row
  double wordline_coupling_capacitance = 0.2e-15;  // F between adjacent word lines, per column
  double sense_resistance = 0.0;             // Ohm in series with each readout
};

struct ArrayReadoutSettings {
  ArrayReadout kind = ArrayReadout::virtual_ground;
  double tia_feedback_resistance = 10e3;  // Ohm
  double tia_feedback_capacitance = 50e-15;  // F across Rf: limits the bandwidth (Rf Cf = 0.5 ns)
  double tia_gain = 1e5;                  // open-loop gain of the TIA amplifier (ideal E source)
  double load_resistance = 1e3;           // Ohm, for the `resistor` readout
};

struct ArrayInputs {
  double read_voltage = 0.2;  // V, the largest input magnitude (random inputs draw in [0, read_voltage])
  // Transient inputs: each input is a pulse of its amplitude from `pulse_delay`, rising and falling
  // in `pulse_edge`, lasting `pulse_width`.
  double pulse_delay = 1e-9, pulse_edge = 0.1e-9, pulse_width = 20e-9;
  double tran_stop = 0.0;  // 0: delay + 2 edges + width + 10 ns
};

// Optical readout (nlem cells only; the paper's FCN-2 path): a photodiode faces every cell, its
// incident power is coupling_efficiency * (P_cell + crosstalk * (P_left + P_right)) from the
// cells beside it in the same row (models/optical_coupling.lib), the photodiodes of a column
// feed one TIA (models/tia.lib, output `popt<c>`), and the G+/G- difference is formed like the
// electrical one.
struct OpticalReadoutSettings {
  bool enabled = false;
  double coupling_efficiency = 0.5;  // share of a cell's light reaching its photodiode
  double crosstalk = 0.02;           // share of each row neighbour's light (after efficiency)
  double responsivity = 0.4;         // A/W, silicon at ~620 nm
  double dark_saturation_current = 1e-11;  // A, photodiode junction (dark current)
  double tia_feedback_resistance = 1e6;    // Ohm
};

struct ArraySpecification {
  int rows = 32;     // M: word lines (inputs)
  int weights = 32;  // N: logical weights per row (2N physical columns)
  ArrayLayout layout = ArrayLayout::interleaved;
  CellKind cell = CellKind::resistor;  // nlem: the N-LEM (models/nlem.lib) in read mode, state set to
                                       // the conductance level: G = g0 (1 + aw w) with g0 = gmin
  std::string bsource_expression = "g * v";  // I(v) of a bsource cell; `g` is the cell conductance, `v` its voltage
  WeightMapping mapping;
  ArrayParasitics parasitics;
  ArrayReadoutSettings readout;
  OpticalReadoutSettings optical;
  ArrayInputs inputs;
  ArrayAnalysis analysis = ArrayAnalysis::op;
  std::uint64_t seed = 1;  // random weights, inputs, variation and faults
};

struct ArrayDesign {
  ArraySpecification specification;
  Matrix weights;                 // [row][weight], as given (or drawn)
  std::vector<double> inputs;     // V per row
  Matrix conductance_plus;        // S [row][weight], after mapping, variation and faults
  Matrix conductance_minus;
  std::vector<double> ideal_outputs;  // A per weight column: sum_i V_i (G+ - G-), no parasitics
  double full_scale_current = 0.0;    // A: rows * read_voltage * (gmax - gmin)

  int physical_columns() const { return 2 * specification.weights; }
  int plus_column(int weight) const;   // physical column of G+ of weight j
  int minus_column(int weight) const;  // physical column of G- of weight j
};

// Weights drawn uniformly in [-1, 1] and inputs in [0, read_voltage] from the seed.
Matrix random_weights(const ArraySpecification& specification);
std::vector<double> random_inputs(const ArraySpecification& specification);

// Maps weights to conductance pairs (quantised to `levels` per sign, scaled by the largest
// |weight|), applies variation and faults from the seed, and computes the ideal outputs.
// Throws std::invalid_argument on inconsistent sizes or settings.
ArrayDesign design_array(const ArraySpecification& specification, Matrix weights, std::vector<double> inputs);

// This source tree's models/ folder: where netlists find models/*.lib.
std::string default_models_directory();

// A plain SPICE netlist of the array (valid ngspice 39 input). Netlists with nlem cells include
// the model libraries from `models_directory`.
std::string array_netlist(const ArrayDesign& design, const std::string& models_directory = default_models_directory());

// The N-LEM weight state that gives small-signal conductance `conductance` (G = g0 (1 + aw w),
// g0 = gmin, aw = the model's default); throws std::invalid_argument outside the device's range.
double nlem_weight_state(double conductance, double gmin);

// Reading and writing the design as JSON (options, weights, inputs, conductances, ideal outputs).
std::string array_design_json(const ArrayDesign& design);
ArrayDesign array_design_from_json(const std::string& text);  // throws std::invalid_argument

// CSV matrices (comma or white space separated; `#` comments): weights and inputs files.
Matrix read_matrix_csv(const std::string& path);

std::string_view layout_name(ArrayLayout layout);
std::string_view cell_name(CellKind cell);
std::string_view readout_name(ArrayReadout readout);

}  // namespace xbarsim
