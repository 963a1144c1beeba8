// `xbarsim gen array`: write a differential array as a SPICE netlist plus its JSON description.
#pragma once

#include <string_view>
#include <vector>

namespace xbarsim::cli {

// Exit code: 0 written, 2 bad options or input files.
int gen_command(const std::vector<std::string_view>& arguments);

}  // namespace xbarsim::cli
