// `xbarsim sweep`: run a netlist over a grid of parameter values and/or Monte Carlo draws, with its
// `.meas` results per point streamed to files (threads, or MPI ranks under mpirun).
#pragma once

#include <string_view>
#include <vector>

namespace xbarsim::cli {

// Exit code: 0 every point ran, 1 some points failed (recorded in the results), 2 bad options or
// input.
int sweep_command(const std::vector<std::string_view>& arguments);

}  // namespace xbarsim::cli
