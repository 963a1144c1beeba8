// `xbarsim fit nlem DATA.csv`: fit the N-LEM compact model to measured pulse data and write the
// fitted .param card, residuals, overlay plot, replay netlist and JSON summary.
#pragma once

#include <string_view>
#include <vector>

namespace xbarsim::cli {

// Exit code: 0 fitted and converged, 1 Levenberg-Marquardt did not converge (files still written),
// 2 bad options or data.
int fit_command(const std::vector<std::string_view>& arguments);

}  // namespace xbarsim::cli
