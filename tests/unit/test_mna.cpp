// Unit tests of the MNA core: device stamps in bound slots, the two linear solvers agreeing,
// Newton on a linear circuit, and singular-matrix diagnosis by name.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/diagnostics.h"
#include "core/simulator.h"
#include "models/primitive_devices.h"
#include "netlist_test_support.h"
#include "plot_test_support.h"
#include "solvers/matrix_structure.h"
#include "solvers/mna_system.h"

using namespace xbarsim;
using xbarsim::testing::parse_netlist;
using xbarsim::testing::values_of;

namespace {

// Dense copy of the loaded matrix, for checking stamps entry by entry.
std::vector<std::vector<double>> dense_matrix(MnaSystem& system) {
  const int n = system.size();
  std::vector<std::vector<double>> dense(static_cast<std::size_t>(n), std::vector<double>(static_cast<std::size_t>(n), 0.0));
  const auto& starts = system.structure().column_starts();
  const auto& rows = system.structure().row_indices();
  for (int column = 0; column < n; ++column)
    for (int k = starts[column]; k < starts[column + 1]; ++k) dense[rows[k]][column] = system.matrix_values()[k];
  return dense;
}

// Loads every device at x = 0 and returns the dense matrix.
std::vector<std::vector<double>> dense_matrix_at_zero(MnaSystem& system) {
  std::vector<double> x(static_cast<std::size_t>(system.size()) + 1, 0.0);
  LoadContext context;
  context.solution = x.data();
  context.options = &system.circuit().options;
  system.load(context);
  return dense_matrix(system);
}

double op_value(const Plot& plot, std::string_view name) { return values_of(plot, name).at(0); }

}  // namespace

TEST_CASE("matrix structure: columns sorted and deduplicated, every diagonal, ground to the trash slot") {
  MatrixStructure structure(4);
  const int entries[][2] = {{3, 0}, {1, 0}, {3, 0}, {0, 3}, {2, 2}, {-1, 2}, {2, -1}, {0, 1}, {1, 0}, {3, 1}};
  for (const auto& entry : entries) structure.add(entry[0], entry[1]);
  structure.finalize();
  CHECK(structure.column_starts() == std::vector<int>{0, 3, 6, 7, 9});
  CHECK(structure.row_indices() == std::vector<int>{0, 1, 3, 0, 1, 3, 2, 0, 3});
  CHECK(structure.nonzeros() == 9);
  for (int i = 0; i < 4; ++i) CHECK(structure.row_indices()[static_cast<std::size_t>(structure.diagonal_slot(i))] == i);
  CHECK(structure.diagonal_slot(-1) == structure.trash_slot());
  for (int i = -1; i < 4; ++i) CHECK(structure.diagonal_slot_table()[i] == structure.diagonal_slot(i));
  CHECK(structure.slot(3, 0) == 2);
  CHECK(structure.slot(0, 3) == 7);
  CHECK(structure.slot(-1, 2) == structure.trash_slot());
  CHECK_THROWS_AS(structure.slot(2, 0), std::logic_error);
  CHECK_THROWS_AS(structure.add(1, 2), std::logic_error);

  // Built in two passes (counted, then stored in place): the same arrays.
  MatrixStructure built(4);
  int passes = 0;
  built.build([&](MatrixStructure& target) {
    ++passes;
    for (const auto& entry : entries) target.add(entry[0], entry[1]);
  });
  CHECK(passes == 2);
  CHECK(built.same_pattern(structure));
  CHECK(built.diagonal_slot(3) == structure.diagonal_slot(3));
  CHECK(built.slot(2, 2) == 6);
  CHECK_THROWS_AS(built.add(1, 2), std::logic_error);
  CHECK_THROWS_AS(built.build([](MatrixStructure&) {}), std::logic_error);
}

TEST_CASE("stamps: resistor, voltage source, VCCS and CCVS land in their slots") {
  auto parsed = parse_netlist("t\nV1 a 0 2\nR1 a b 4\nG1 b 0 a 0 0.5\nH1 c 0 V1 3\nR2 c 0 1\nR3 b 0 1\n.op\n");
  Circuit& circuit = parsed.circuit;
  MnaSystem system(circuit, make_linear_solver("klu"));
  auto A = dense_matrix_at_zero(system);
  const int a = *circuit.find_node("a"), b = *circuit.find_node("b"), c = *circuit.find_node("c");
  const int iv1 = *circuit.branch_of("v1"), ih1 = *circuit.branch_of("h1");
  CHECK(A[a][a] == doctest::Approx(0.25));
  CHECK(A[a][b] == doctest::Approx(-0.25));
  CHECK(A[b][b] == doctest::Approx(0.25 + 1.0));
  CHECK(A[b][a] == doctest::Approx(-0.25 + 0.5));  // resistor plus the VCCS transconductance
  CHECK(A[a][iv1] == 1.0);
  CHECK(A[iv1][a] == 1.0);
  CHECK(system.rhs()[iv1] == doctest::Approx(2.0));
  CHECK(A[ih1][c] == 1.0);
  CHECK(A[ih1][iv1] == doctest::Approx(-3.0));
  CHECK(A[c][ih1] == 1.0);
}

TEST_CASE("KLU and Eigen SparseLU agree, and match the hand solution") {
  const char* netlist =
      "t\nV1 in 0 10\nR1 in a 1k\nR2 a 0 1k\nR3 a b 2k\nR4 b 0 2k\nI1 0 b 1m\nE1 e 0 b 0 2\nRe e 0 1k\nF1 0 f V1 3\nRf f 0 100\n.op\n";
  std::vector<Plot> plots;
  for (const char* solver : {"klu", "eigen"}) {
    auto parsed = parse_netlist(netlist);
    SimulatorSettings settings;
    settings.linear_solver = solver;
    Simulator simulator(parsed.circuit, settings);
    plots.push_back(simulator.operating_point());
  }
  // Hand solution: nodal equations at a and b.
  //   (a-10)/1k + a/1k + (a-b)/2k = 0 ;  (b-a)/2k + b/2k = 1m
  const double b = (1e-3 + 0.25e-3 * 10 * 2 / 2.5 * 1.0) / (1.0 / 2e3 + 1.0 / 2e3 - 0.5e-3 * 0.5e-3 / 2.5e-3);
  const double a = (10e-3 + 0.5e-3 * b) / 2.5e-3;
  for (const Plot& plot : plots) {
    CHECK(op_value(plot, "v(a)") == doctest::Approx(a).epsilon(1e-12));
    CHECK(op_value(plot, "v(b)") == doctest::Approx(b).epsilon(1e-12));
    CHECK(op_value(plot, "v(e)") == doctest::Approx(2 * b).epsilon(1e-12));
    CHECK(op_value(plot, "i(v1)") == doctest::Approx(-(10 - a) / 1e3).epsilon(1e-12));
    CHECK(op_value(plot, "v(f)") == doctest::Approx(3 * (-(10 - a) / 1e3) * 100).epsilon(1e-12));
  }
  for (std::size_t vector = 0; vector < plots[0].vector_count(); ++vector)
    CHECK(op_value(plots[1], plots[0].vector_name(vector)) == doctest::Approx(plots[0].value(vector, 0)).epsilon(1e-12));
}

TEST_CASE("a DC sweep reuses the symbolic analysis and refactors") {
  auto parsed = parse_netlist("t\nV1 a 0 0\nR1 a b 1k\nR2 b 0 3k\n.dc V1 0 4 1\n");
  Simulator simulator(parsed.circuit);
  Plot plot = simulator.dc_sweep(std::get<DcSweepRequest>(parsed.circuit.analyses[0]));
  REQUIRE(plot.point_count() == 5);
  CHECK(plot.vector_name(0) == "v(v-sweep)");
  const std::vector<double> b = values_of(plot, "v(b)");
  for (std::size_t k = 0; k < 5; ++k) CHECK(b[k] == doctest::Approx(0.75 * static_cast<double>(k)));
  CHECK(simulator.solver_statistics().analyses == 1);
  CHECK(simulator.solver_statistics().full_factorizations == 1);
}

TEST_CASE("singular circuits are reported by name") {
  auto message = [](const char* text) -> std::string {
    auto parsed = parse_netlist(text);
    Simulator simulator(parsed.circuit);
    try {
      simulator.run();
    } catch (const SimulationError& error) {
      return error.what();
    }
    return "";
  };
  CHECK(message("t\nV1 a 0 1\nR1 a 0 1\nC1 a f 1n\nI1 0 g 1m\n.op\n") ==
        "singular matrix: 2 nodes have no DC path to ground: node 'f', node 'g'");
  CHECK(message("t\nV1 a 0 1\nL1 a 0 1u\n.op\n").starts_with("singular matrix: voltage sources and inductors form a loop (v1, l1)"));
  CHECK(message("t\nR1 a 0 1\n").starts_with("the netlist requests no analysis"));
  // Connections are checked in batches of a few thousand: a loop closed, and a node left floating,
  // past the first batch are still found.
  std::string long_chain = "t\nI1 0 n0 1m\n";
  for (int k = 0; k < 6000; ++k) long_chain += fmt::format("R{} n{} n{} 1\n", k, k, k + 1);
  CHECK(message((long_chain + "Rend n6000 0 1\nC1 n6000 f 1n\n.op\n").c_str()) ==
        "singular matrix: 1 node has no DC path to ground: node 'f'");
  CHECK(message((long_chain + "Rend n6000 0 1\nV2 n3 n0 1\nV3 n0 n3 2\n.op\n").c_str())
            .starts_with("singular matrix: voltage sources and inductors form a loop (v2, v3); 'v3' closes it"));
}

TEST_CASE("stamps: VCVS, CCCS, current source, inductor at DC, capacitor open at DC") {
  auto parsed = parse_netlist("t\nV1 a 0 2\nE1 e 0 a 0 4\nF1 f 0 V1 0.5\nRf f 0 1\nI1 0 g 3m\nRg g 0 1\nL1 a h 1u\nRh h 0 1\nC1 a 0 1n\n.op\n");
  Circuit& circuit = parsed.circuit;
  MnaSystem system(circuit, make_linear_solver("klu"));
  auto A = dense_matrix_at_zero(system);
  const int a = *circuit.find_node("a"), e = *circuit.find_node("e"), f = *circuit.find_node("f"), g = *circuit.find_node("g"),
            h = *circuit.find_node("h");
  const int ie1 = *circuit.branch_of("e1"), iv1 = *circuit.branch_of("v1"), il1 = *circuit.branch_of("l1");
  CHECK(A[ie1][e] == 1.0);
  CHECK(A[ie1][a] == doctest::Approx(-4.0));
  CHECK(A[e][ie1] == 1.0);
  CHECK(A[f][iv1] == doctest::Approx(0.5));  // F: 0.5 * I(V1) leaves f through the source to ground
  CHECK(system.rhs()[g] == doctest::Approx(3e-3));  // I1 drives 3 mA from ground into g
  CHECK(A[il1][a] == 1.0);
  CHECK(A[il1][h] == -1.0);
  CHECK(A[il1][il1] == 0.0);  // a short at DC
  CHECK(A[a][a] == 0.0);      // the capacitor loads nothing at DC
}

TEST_CASE("a large circuit's checks run beside the matrix set-up and report as on a small one") {
  // A ladder of 120 000 nodes (above the size where the checks get threads of their own).
  auto ladder = [](bool duplicate_name, bool floating_node) {
    Circuit circuit;
    int previous = circuit.node("n0");
    add_voltage_source(circuit, "v1", previous, kGround, 1.0);
    for (int k = 1; k < 120000; ++k) {
      const int node = circuit.node(fmt::format("n{}", k));
      add_resistor(circuit, fmt::format("r{}", k), previous, node, 1.0);
      add_resistor(circuit, duplicate_name && k == 60000 ? std::string("r7") : fmt::format("g{}", k), node, kGround, 1e3);
      previous = node;
    }
    if (floating_node) {
      const int f1 = circuit.node("f1"), f2 = circuit.node("f2");
      add_resistor(circuit, "rf", f1, f2, 1.0);
    }
    circuit.analyses.push_back(OperatingPointRequest{});
    return circuit;
  };
  {
    Circuit circuit = ladder(true, true);
    std::string message;
    try {
      Simulator simulator(circuit);
    } catch (const std::invalid_argument& error) {
      message = error.what();
    }
    CHECK(message == "duplicate device name 'r7'");
  }
  {
    Circuit circuit = ladder(false, true);
    Simulator simulator(circuit);
    std::string message;
    try {
      simulator.run();
    } catch (const SimulationError& error) {
      message = error.what();
    }
    CHECK(message == "singular matrix: 2 nodes have no DC path to ground: node 'f1', node 'f2'");
  }
  {
    Circuit circuit = ladder(false, false);
    Simulator simulator(circuit);
    const Plot plot = simulator.run().plots.at(0);
    CHECK(values_of(plot, "v(n0)").at(0) == doctest::Approx(1.0));
    CHECK(values_of(plot, "v(n1)").at(0) < 1.0);
  }
}
