// Circuit: node lookup, bulk nodes and devices (library API), bulk resistors.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/circuit.h"
#include "core/name_table.h"
#include "core/simulator.h"
#include "models/primitive_devices.h"
#include "tests/unit/plot_test_support.h"

using namespace xbarsim;

namespace {

IndexedName numbered(std::string prefix) {
  return [prefix](int k, std::string& name) { fmt::format_to(std::back_inserter(name), "{}{}", prefix, k); };
}

// A ladder of `n` sections: source -> r{k} series chain n{k}, each node with g{k} to ground.
// One circuit made one device at a time, the other in bulk; both in the same order.
Circuit ladder(int n, bool bulk) {
  Circuit circuit;
  const int input = circuit.node("in");
  add_voltage_source(circuit, "vin", input, kGround, 1.5);
  std::vector<int> a, b;
  std::vector<double> resistance;
  if (bulk) {
    const int first = circuit.add_nodes(n, numbered("n"));
    for (int k = 0; k < n; ++k) {
      a.push_back(k == 0 ? input : first + k - 1);
      b.push_back(first + k);
      resistance.push_back(1.0 + 0.1 * k);
    }
    for (int k = 0; k < n; ++k) {
      a.push_back(first + k);
      b.push_back(kGround);
      resistance.push_back(1000.0 / (k + 1));
    }
    add_resistors(circuit, std::move(a), std::move(b), std::move(resistance), [n](int k, std::string& name) {
      fmt::format_to(std::back_inserter(name), "{}{}", k < n ? "r" : "g", k % n);
    });
  } else {
    for (int k = 0; k < n; ++k) {
      const int node = circuit.node(fmt::format("n{}", k));
      add_resistor(circuit, fmt::format("r{}", k), k == 0 ? input : node - 1, node, 1.0 + 0.1 * k);
    }
    for (int k = 0; k < n; ++k)
      add_resistor(circuit, fmt::format("g{}", k), *circuit.find_node(fmt::format("n{}", k)), kGround, 1000.0 / (k + 1));
  }
  circuit.analyses.push_back(OperatingPointRequest{});
  return circuit;
}

}  // namespace

TEST_CASE("circuit: bulk nodes and resistors give the same unknowns, names and results as one at a time") {
  Circuit single = ladder(20, false);
  Circuit bulk = ladder(20, true);
  REQUIRE(single.unknown_count() == bulk.unknown_count());
  for (int i = 0; i < single.unknown_count(); ++i) {
    CHECK(single.unknown(i).name == bulk.unknown(i).name);
    CHECK(single.unknown_quantity(i) == bulk.unknown_quantity(i));
  }
  CHECK(bulk.unknown(2).name == "v(n0)");
  CHECK(bulk.device_name(1) == "r0");
  CHECK(bulk.device_name(40) == "g19");
  const Plot expected = Simulator(single, SimulatorSettings{"klu"}).operating_point();
  const Plot got = Simulator(bulk, SimulatorSettings{"klu"}).operating_point();
  xbarsim::testing::check_identical(got, expected);  // bit for bit: same stamps in the same order
  CHECK(got.value(0, 0) != 0.0);
}

TEST_CASE("circuit: bulk node names are found by lookups, and a repeated one is an error") {
  Circuit circuit;
  const int a = circuit.node("a");
  const int first = circuit.add_nodes(3, numbered("x"));
  CHECK(first == a + 1);
  CHECK(circuit.find_node("x1") == first + 1);
  CHECK(circuit.node("x2") == first + 2);
  CHECK(circuit.node("a") == a);
  CHECK(circuit.node("y") == first + 3);
  CHECK_FALSE(circuit.find_node("x3").has_value());

  Circuit repeated;
  repeated.node("x1");
  repeated.add_nodes(3, numbered("x"));
  CHECK_THROWS_AS(repeated.find_node("x0"), std::invalid_argument);
}

TEST_CASE("circuit: device names of named and bulk devices, duplicates among the named ones") {
  Circuit circuit;
  CHECK(circuit.add_device("a") == 0);
  CHECK(circuit.add_devices(2, numbered("r")) == 1);
  CHECK(circuit.add_device("b") == 3);
  CHECK(circuit.add_devices(1, numbered("s")) == 4);
  CHECK(circuit.add_device("c") == 5);
  CHECK(circuit.device_count() == 6);
  const std::vector<std::string> names{"a", "r0", "r1", "b", "s0", "c"};
  for (int id = 0; id < 6; ++id) CHECK(circuit.device_name(id) == names[static_cast<std::size_t>(id)]);
  CHECK_FALSE(circuit.duplicate_device().has_value());
  circuit.add_device("b");
  CHECK(circuit.duplicate_device() == "b");
}

TEST_CASE("name list: find_repeat gives the first name equal to an earlier one, among many") {
  NameList names;
  for (int i = 0; i < 20000; ++i) names.append(fmt::format("r{}", i));
  CHECK_FALSE(names.find_repeat().has_value());
  names.append("r17");  // id 20000
  names.append("r20000");  // new
  names.append("r3");  // id 20002
  CHECK(names.find_repeat() == 20000);
  NameList many;  // past 2^20 names the check takes its eight-byte slots
  for (int i = 0; i < (1 << 20) + 5; ++i) many.append(fmt::format("n{}", i));
  CHECK_FALSE(many.find_repeat().has_value());
  many.append("n1048580");
  CHECK(many.find_repeat() == (1 << 20) + 5);
  NameList prefixes;  // names that are prefixes of each other are different names
  for (const char* name : {"a", "ab", "abc", "abcdefgh", "abcdefghi", "abcdefgh0"}) prefixes.append(name);
  CHECK_FALSE(prefixes.find_repeat().has_value());
  prefixes.append("abcdefghi");
  CHECK(prefixes.find_repeat() == 6);
}

TEST_CASE("circuit: add_resistors checks its arrays") {
  Circuit circuit;
  const int a = circuit.node("a");
  CHECK_THROWS_AS(add_resistors(circuit, {a, a}, {kGround}, {1.0, 2.0}, numbered("r")), std::invalid_argument);
  CHECK_THROWS_AS(add_resistors(circuit, {a}, {kGround}, {0.0}, numbered("r")), std::invalid_argument);
}

TEST_CASE("circuit: node lookups in runs, strides and at random find the nodes created") {
  // Created row by row, looked up column by column (a stride of one row), then backwards.
  Circuit circuit;
  const int rows = 7, columns = 5;
  std::vector<int> created;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < columns; ++c) created.push_back(circuit.node(fmt::format("b{}_{}", c, r)));
  for (int k = 0; k < rows * columns; ++k) CHECK(created[static_cast<std::size_t>(k)] == k);
  for (int c = 0; c < columns; ++c)
    for (int r = 0; r + 1 < rows; ++r) {
      CHECK(circuit.node(fmt::format("b{}_{}", c, r)) == r * columns + c);
      CHECK(circuit.node(fmt::format("b{}_{}", c, r + 1)) == (r + 1) * columns + c);
    }
  for (int k = rows * columns; k-- > 0;) CHECK(circuit.node(fmt::format("b{}_{}", k % columns, k / columns)) == k);
  CHECK(circuit.unknown_count() == rows * columns);
}
