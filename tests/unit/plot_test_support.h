// Helpers for unit tests that read simulation results: a vector's values by name, and whether two
// plots hold the same vectors and the same bits.
#pragma once

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/waveforms.h"

namespace xbarsim::testing {

// The values of the vector called `name` (case-insensitive) over all points; the test fails if
// the plot has no such vector.
inline std::vector<double> values_of(const Plot& plot, std::string_view name) {
  const std::optional<std::size_t> vector = plot.find(name);
  REQUIRE_MESSAGE(vector.has_value(), "no vector ", name, " in plot ", plot.name);
  return plot.values(*vector);
}

// Checks that `actual` has `expected`'s title, name, scale flag, vectors (names, quantities) and
// values, bit for bit (NaN matches any NaN).
inline void check_identical(const Plot& actual, const Plot& expected) {
  CHECK(actual.title == expected.title);
  CHECK(actual.name == expected.name);
  CHECK(actual.has_scale == expected.has_scale);
  REQUIRE(actual.vector_count() == expected.vector_count());
  REQUIRE(actual.point_count() == expected.point_count());
  for (std::size_t vector = 0; vector < expected.vector_count(); ++vector) {
    CHECK(actual.vector_name(vector) == expected.vector_name(vector));
    CHECK(actual.quantity(vector) == expected.quantity(vector));
    for (std::size_t point = 0; point < expected.point_count(); ++point) {
      const double x = actual.value(vector, point), y = expected.value(vector, point);
      INFO(expected.name, " ", expected.vector_name(vector), "[", point, "]");
      if (std::isnan(y))
        CHECK(std::isnan(x));
      else
        CHECK(std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y));
    }
  }
}

}  // namespace xbarsim::testing
