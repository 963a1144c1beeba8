// `xbarsim run`: simulate one netlist and write its results.
#pragma once

#include <string_view>
#include <vector>

namespace xbarsim::cli {

// Returns the process exit code: 0 success, 1 simulation failure, 2 bad input or usage.
int run_command(const std::vector<std::string_view>& arguments);

}  // namespace xbarsim::cli
