#include "core/spice_number.h"
namespace xbarsim {
std::optional<double> parse_spice_number_prefix(std::string_view, std::size_t& consumed) { consumed = 0; return std::nullopt; }
std::optional<double> parse_spice_number(std::string_view) { return std::nullopt; }
}  // namespace xbarsim
