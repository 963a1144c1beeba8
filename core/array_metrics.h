// ArrayMetrics: how far a simulated differential array is from its ideal matrix-vector product.
//
// From the design (core/differential_array.h) and the simulation results:
//   simulated output j   I_j = I(G+ column) - I(G- column), read as the readout reports it:
//                        virtual ground i(vsense<c>), TIA -v(tia<c>)/Rf, resistor v(node)/R;
//   error                e_j = I_j - ideal_j, as % of the full scale rows * Vread * (gmax - gmin);
//   IR-drop map          (V_i - V_cell) / Vread for every cell: the voltage lost on the wires
//                        before reaching the cell, as a share of the read voltage (the largest
//                        input), so rows with small inputs do not blow the ratio up;
//   transient            outputs are read at the end of the input pulse's plateau (delay + edge +
//                        width); settling time of each output, from the start of the input pulse:
//                        the last time it is more than 1/2 LSB of a `resolution_bits` converter
//                        (LSB = full scale / 2^bits) away from its read value; peak crosstalk: the
//                        largest |v| on the word lines of rows whose input is zero (quiet lines);
//   optical              with the photodiode readout, the same errors for the optical outputs.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "core/differential_array.h"
#include "core/waveforms.h"

namespace xbarsim {

struct ArrayMetrics {
  std::vector<double> simulated_outputs;  // A
  std::vector<double> ideal_outputs;      // A
  std::vector<double> errors;             // A
  double full_scale_current = 0.0;        // A
  double rms_error_percent = 0.0;         // of full scale
  double worst_error_percent = 0.0;       // of full scale, signed magnitude of the worst output
  int worst_output = 0;
  Matrix ir_drop;  // [row][physical column], share of the read voltage lost before the cell
  double worst_ir_drop = 0.0;
  // Transient only.
  int resolution_bits = 8;
  std::vector<double> settling_times;         // s from the input pulse's start, per output
  std::optional<double> peak_quiet_crosstalk;  // V, when some row has a zero input
  // Optical readout (nlem cells): differential photocurrents -(V(popt+) - V(popt-))/Rf, and their
  // error against the ideal product after one gain calibration (the least-squares gain from
  // photocurrent to electrical current, as a system would trim its TIA gain once).
  std::vector<double> optical_outputs;  // A of photocurrent
  double optical_gain = 0.0;            // electrical A per photocurrent A
  std::vector<double> optical_errors;   // A, gain-calibrated
  double optical_rms_error_percent = 0.0;
  double optical_worst_error_percent = 0.0;
};

// Throws std::invalid_argument when the results lack the vectors the design's readout needs.
ArrayMetrics array_metrics(const ArrayDesign& design, const Waveforms& results, int resolution_bits = 8);

// Writes `metrics.json`, `outputs.csv`, `ir_drop.csv` and the heat map `ir_drop.svg` (its data and
// gnuplot script beside it; the SVG only when gnuplot is installed) into `directory`.
// Returns the files written.
std::vector<std::filesystem::path> write_array_metrics(const std::filesystem::path& directory, const ArrayDesign& design,
                                                       const ArrayMetrics& metrics);

}  // namespace xbarsim
