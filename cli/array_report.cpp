#include "cli/array_report.h"

#include <algorithm>
#include <cstdio>

#include "core/array_metrics.h"

namespace xbarsim::cli {

void report_array_metrics(const ArrayDesign& design, const Waveforms& results, const std::filesystem::path& directory,
                          int resolution_bits, bool quiet) {
  ArrayMetrics metrics = array_metrics(design, results, resolution_bits);
  write_array_metrics(directory, design, metrics);
  if (quiet) return;
  std::printf("array: %d x %d, output error rms %.4g %%, worst %.4g %% of full scale (%.4g A) at output %d; worst IR drop %.3g %%\n",
              design.specification.rows, design.specification.weights, metrics.rms_error_percent, metrics.worst_error_percent,
              metrics.full_scale_current, metrics.worst_output, 100 * metrics.worst_ir_drop);
  if (!metrics.optical_outputs.empty())
    std::printf("array: optical readout after gain calibration (%.4g A/A): error rms %.4g %%, worst %.4g %% of full scale\n",
                metrics.optical_gain, metrics.optical_rms_error_percent, metrics.optical_worst_error_percent);
  if (!metrics.settling_times.empty())
    std::printf("array: slowest output settles to 1/2 LSB (%d bits) %.4g s after its input pulse starts\n", metrics.resolution_bits,
                *std::max_element(metrics.settling_times.begin(), metrics.settling_times.end()));
  if (metrics.peak_quiet_crosstalk) std::printf("array: peak crosstalk on quiet word lines %.4g V\n", *metrics.peak_quiet_crosstalk);
  std::printf("array metrics: %s/ (metrics.json, outputs.csv, ir_drop.csv, ir_drop.svg)\n", directory.c_str());
}

}  // namespace xbarsim::cli
