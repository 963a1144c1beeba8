// `xbarsim check`: run a netlist in xbarsim and in ngspice (shared library, isolated process) and
// compare every vector both produce; the one command that tells a user whether to trust xbarsim.
#pragma once

#include <string_view>
#include <vector>

namespace xbarsim::cli {

// Exit code: 0 every vector within tolerance, 1 mismatch, 2 error (either engine failed, usage).
int check_command(const std::vector<std::string_view>& arguments);

}  // namespace xbarsim::cli
