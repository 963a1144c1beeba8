// SPICE numbers: `1.5k`, `2meg`, `10kOhm`, `5pF`, `3mil`, `1e-3`.
//
// Scale suffixes (case-insensitive): t=1e12 g=1e9 meg=1e6 k=1e3 mil=25.4e-6 m=1e-3 u=1e-6 n=1e-9
// p=1e-12 f=1e-15 a=1e-18. Letters after the number and suffix are units and are ignored, as in
// ngspice (`10kOhm` is 10e3, `5pF` is 5e-12, `1V` is 1).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace xbarsim {

// Parses a whole token as a SPICE number; nullopt when the token is not one (e.g. `abc`, `1.2.3`,
// `k1`). Trailing letters are accepted as units; any other trailing character makes it invalid.
std::optional<double> parse_spice_number(std::string_view token);

// Parses the longest SPICE number (mantissa, exponent, scale suffix, unit letters) at the start of
// `text`; returns the value and stores the number of characters consumed. Used by expression lexers.
std::optional<double> parse_spice_number_prefix(std::string_view text, std::size_t& consumed);

}  // namespace xbarsim
