// Comparison report: a WaveformComparison written out for people and scripts, as a JSON document
// and as overlay plots (ours vs the reference) of the worst vectors. `xbarsim check` writes both;
// model validation (native model vs its ngspice twin) can reuse them.
//
// JSON:
//   {"subject": "rc.cir", "verdict": "pass" | "mismatch",
//    "tolerances": {"reltol": 1e-06, "vabstol": 1e-09, "iabstol": 1e-12, "other_abstol": 1e-12},
//    "problems": [...],
//    "plots": [{"name": "DC transfer characteristic", "scale": "v(v-sweep)" | null, "interpolated": false,
//               "compared_points": 11, "passed": true, "problems": [], "only_in_ours": [], "only_in_reference": [],
//               "vectors": [{"name": "v(out)", "type": "voltage", "reference_peak": 1.0, "allowed_error": 1.000001e-06,
//                            "max_absolute_error": 2e-15, "max_relative_error": 2e-15, "worst_point": 3,
//                            "worst_scale_value": 0.3 | null, "passed": true}, ...]}, ...]}
// Non-finite numbers (an error against NaN) are written as null.
//
// Overlay plots: for each of the worst vectors, `NN_<plot>_<vector>.dat` holds two data blocks
// (ours, then the reference; columns: scale value or point index, value) and `NN_<plot>_<vector>.gp`
// a gnuplot script that draws both into `NN_<plot>_<vector>.svg`. The data files stand on their
// own; rendering needs gnuplot (Debian package gnuplot-nox).
#pragma once

#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "core/compare.h"
#include "core/waveforms.h"

namespace xbarsim {

void write_comparison_json(std::ostream& out, std::string_view subject, const WaveformComparison& comparison,
                           const ComparisonTolerances& tolerances);
// Throws std::runtime_error when the file cannot be written.
void write_comparison_json_file(const std::filesystem::path& path, std::string_view subject,
                                const WaveformComparison& comparison, const ComparisonTolerances& tolerances);

struct OverlayPlot {
  std::string plot;    // plot name, e.g. "Transient Analysis"
  std::string vector;  // vector name, e.g. "v(out)"
  std::filesystem::path data, script, image;
};

struct OverlayLabels {
  std::string ours = "xbarsim";
  std::string reference = "ngspice";
};

// Writes the data file and gnuplot script of the `count` vectors with the largest error relative to
// their tolerance (worst first) into `directory` (created if missing). Does not run gnuplot.
std::vector<OverlayPlot> write_overlay_plots(const std::filesystem::path& directory, const Waveforms& ours,
                                             const Waveforms& reference, const WaveformComparison& comparison,
                                             std::size_t count, const OverlayLabels& labels = {});

// Runs gnuplot on each plot's script (in its directory), producing the images. Throws
// std::runtime_error when gnuplot cannot be started or fails.
void render_overlay_plots(const std::vector<OverlayPlot>& plots);

}  // namespace xbarsim
