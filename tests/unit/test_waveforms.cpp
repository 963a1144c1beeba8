// Plot storage: point-major layout, vectors by name, a dc sweep's results, and the memory a
// million-vector operating point takes.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <malloc.h>

#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/simulator.h"
#include "core/waveforms.h"
#include "netlist_test_support.h"
#include "plot_test_support.h"

using namespace xbarsim;
using xbarsim::testing::parse_netlist;
using xbarsim::testing::values_of;

namespace {

// Bytes the process holds from malloc (main arena and memory-mapped blocks).
std::size_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

}  // namespace

TEST_CASE("plot: points are rows of every vector's value, vectors are columns") {
  Plot plot("t", "Transient Analysis", true);
  CHECK(plot.add_vector("time", Quantity::time) == 0);
  CHECK(plot.add_vector("v(out)", Quantity::voltage) == 1);
  CHECK(plot.add_vector("i(v1)", Quantity::current) == 2);
  CHECK(plot.point_count() == 0);
  for (int point = 0; point < 4; ++point) {
    const std::span<double> row = plot.append_point();
    REQUIRE(row.size() == 3);
    CHECK(row[0] == 0.0);  // a new point starts as zeros
    row[0] = point * 1e-9;
    row[1] = point * 0.5;
    row[2] = -point * 1e-3;
  }
  CHECK(plot.vector_count() == 3);
  CHECK(plot.point_count() == 4);
  CHECK(plot.vector_name(1) == "v(out)");
  CHECK(plot.quantity(2) == Quantity::current);
  CHECK(plot.value(1, 3) == 1.5);
  const std::span<const double> third = plot.point(2);
  CHECK(std::vector<double>(third.begin(), third.end()) == std::vector<double>{2e-9, 1.0, -2e-3});
  CHECK(plot.values(2) == std::vector<double>{0.0, -1e-3, -2e-3, -3e-3});
  plot.set_values(1, std::vector<double>{4, 3, 2, 1});
  CHECK(plot.values(1) == std::vector<double>{4, 3, 2, 1});
  CHECK(plot.value(0, 1) == 1e-9);  // the other vectors are untouched
  CHECK_THROWS_AS(plot.set_values(1, std::vector<double>{1, 2}), std::invalid_argument);
  CHECK_THROWS_AS(plot.add_vector("v(late)", Quantity::voltage), std::logic_error);
}

TEST_CASE("plot: built from columns, which must have equal lengths") {
  const Plot plot{"t", "DC transfer characteristic", true,
                  {{"v(v-sweep)", Quantity::voltage, {0, 1, 2}}, {"v(out)", Quantity::voltage, {0, 0.5, 1}}}};
  CHECK(plot.point_count() == 3);
  CHECK(plot.point(1)[0] == 1.0);
  CHECK(plot.point(1)[1] == 0.5);
  CHECK(Plot{"t", "Operating Point", false, {}}.point_count() == 0);
  CHECK_THROWS_AS((Plot{"t", "DC transfer characteristic", true,
                        {{"v(v-sweep)", Quantity::voltage, {0, 1}}, {"v(out)", Quantity::voltage, {0}}}}),
                  std::invalid_argument);
}

TEST_CASE("plot: vectors are found by name, ignoring case") {
  const Plot plot{"t", "Operating Point", false,
                  {{"v(in)", Quantity::voltage, {1}}, {"V(Mid)", Quantity::voltage, {0.5}}, {"i(v1)", Quantity::current, {-1e-3}}}};
  CHECK(plot.find("v(mid)") == 1u);
  CHECK(plot.find("I(V1)") == 2u);
  CHECK(plot.find("v(mi)") == std::nullopt);
  CHECK(plot.find("v(mid)x") == std::nullopt);
}

TEST_CASE("plot: a nested dc sweep's scale and outputs, point by point") {
  auto parsed = parse_netlist("sweep\nV1 in 0 0\nV2 top 0 0\nR1 in mid 1k\nR2 mid top 1k\n.dc V1 0 2 1 V2 0 4 4\n.end\n");
  Simulator simulator(parsed.circuit);
  const Plot plot = simulator.run().plots.at(0);
  CHECK(plot.name == "DC transfer characteristic");
  CHECK(plot.title == "sweep");
  CHECK(plot.has_scale);
  REQUIRE(plot.vector_count() == 6);  // scale, v(in), v(mid), v(top), i(v1), i(v2)
  CHECK(plot.vector_name(0) == "v(v-sweep)");
  CHECK(plot.quantity(0) == Quantity::voltage);
  CHECK(plot.values(0) == std::vector<double>{0, 1, 2, 0, 1, 2});
  const std::vector<double> mid = values_of(plot, "v(mid)");
  const std::vector<double> expected{0, 0.5, 1, 2, 2.5, 3};  // (v1 + v2) / 2, v2 = 0 then 4
  REQUIRE(mid.size() == expected.size());
  for (std::size_t k = 0; k < mid.size(); ++k) CHECK(mid[k] == doctest::Approx(expected[k]).epsilon(1e-12));
  const std::span<const double> last = plot.point(5);
  CHECK(last[0] == 2.0);
  CHECK(last[*plot.find("v(top)")] == doctest::Approx(4.0));
  // V1 (2 V) takes 1 mA from V2 (4 V); SPICE counts a branch current into the source's + terminal.
  CHECK(last[*plot.find("i(v1)")] == doctest::Approx(1e-3).epsilon(1e-12));
}

TEST_CASE("plot: a million one-point vectors take under 40 bytes each, names included") {
  constexpr std::size_t kVectors = 1000000;
  const std::size_t before = heap_in_use();
  Plot plot("big", "Operating Point", false);
  plot.reserve_vectors(kVectors);
  std::string name;
  for (std::size_t k = 0; k < kVectors; ++k) {
    name = fmt::format("v(n{})", k);  // 5 to 10 characters, as an array's node names
    plot.add_vector(name, Quantity::voltage);
  }
  const std::span<double> point = plot.append_point();
  for (std::size_t k = 0; k < kVectors; ++k) point[k] = static_cast<double>(k);
  const std::size_t used = heap_in_use() - before;
  INFO("bytes per vector: ", static_cast<double>(used) / kVectors);
  CHECK(used < 40 * kVectors);
  CHECK(plot.value(999999, 0) == 999999.0);
  CHECK(plot.vector_name(123456) == "v(n123456)");
}
