// `xbarsim compare`: compare two raw files vector by vector (ours vs a reference).
#pragma once

#include <string_view>
#include <vector>

namespace xbarsim::cli {

// Exit code: 0 within tolerance, 1 mismatch, 2 bad input or usage.
int compare_command(const std::vector<std::string_view>& arguments);

}  // namespace xbarsim::cli
