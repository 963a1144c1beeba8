// The files `xbarsim fit nlem` writes for a fit (models/nlem_fit.h), all into one directory:
//
//   fitted.param     the fitted card: one `.param nlem_<name>=<value>` line per parameter that was
//                    fitted or set away from its default; a netlist includes it and passes the
//                    values on, `X1 a c opt uv NLEM g0={nlem_g0} aw={nlem_aw} ...` (the exact line
//                    is in the card's header)
//   replay.cir       the measured stimulus (PWL sources) applied to the fitted device: runs in
//                    xbarsim and ngspice (`xbarsim check replay.cir --reltol 1e-2`)
//   residuals.csv    per sample: time, voltage, uv_irradiance, measured, fitted and weighted
//                    residual r_i of the current (and of the optical power)
//   overlay.gp/.svg  measured vs fitted current (and light) over time, with the stimulus; the
//                    script reads residuals.csv, the SVG is drawn when gnuplot is installed
//   summary.json     data file, samples, columns, seed and starts, every fitted parameter (unit,
//                    initial, fitted, relative standard error, log space), residual RMS values,
//                    iterations, model evaluations and Levenberg-Marquardt's stop reason
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "models/nlem_fit.h"

namespace xbarsim {

// `.param nlem_<name>=<value>` lines for `names`, with a header giving the instance line.
std::string nlem_parameter_card(const NlemParameters& parameters, const std::vector<std::string>& names);

// A transient netlist driving `X1 a 0 opt uv NLEM` with the stimulus as PWL sources (`vin` on a,
// `vuv` on uv), with the card file included and its parameters passed to the instance.
std::string nlem_replay_netlist(const NlemStimulus& stimulus, const std::vector<std::string>& names,
                                const std::filesystem::path& card, const std::filesystem::path& library);

struct NlemFitReportContext {
  std::filesystem::path data;  // the measurement file, as given
  NlemFitSettings settings;
};

// Writes the files above into `directory` (created if needed) and returns their paths.
std::vector<std::filesystem::path> write_nlem_fit_report(const std::filesystem::path& directory, const NlemMeasurement& measurement,
                                                         const NlemFitResult& result, const NlemFitReportContext& context);

}  // namespace xbarsim
