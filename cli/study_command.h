// `xbarsim study ciblock [CONFIG] [--out DIR]`: runs the CIBlock study (core/ciblock_study.h).
#pragma once

#include <string_view>
#include <vector>

namespace xbarsim::cli {

int study_command(const std::vector<std::string_view>& arguments);

}  // namespace xbarsim::cli
