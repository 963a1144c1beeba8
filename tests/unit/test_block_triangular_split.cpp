// Unit tests of the block triangular split in front of the large-array solver
// (solvers/block_triangular_split.h): held N-LEM arrays and one-way controlled sources keep the
// conductance network on conjugate gradients, with the same results as KLU; cycles through the
// network still go to KLU.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/differential_array.h"
#include "core/elaborator.h"
#include "core/simulator.h"
#include "netlist_test_support.h"
#include "solver_test_support.h"
#include "solvers/block_triangular_split.h"
#include "solvers/mna_system.h"

using namespace xbarsim;
using xbarsim::testing::parse_netlist;
using xbarsim::testing::simulate;
using xbarsim::testing::SolverRun;
using xbarsim::testing::worst_relative_difference;

namespace {

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// A rows x columns crossbar of resistors: 1 Ohm wires, 100 Ohm drivers, sense sources.
std::string crossbar(int rows, int columns, const std::string& extra) {
  std::string text = fmt::format("crossbar {} x {}\n", rows, columns);
  for (int i = 0; i < rows; ++i) text += fmt::format("Vin{0} in{0} 0 {1}\nRdrv{0} in{0} w{0}_0 100\n", i, 0.05 + 0.01 * i);
  for (int i = 0; i < rows; ++i)
    for (int c = 0; c < columns; ++c)
      text += fmt::format("Rw{0}_{1} w{0}_{1} w{0}_{2} 1\nRc{0}_{1} w{0}_{2} b{1}_{0} {3}\n", i, c, c + 1, 1e4 + 1e3 * ((i * 7 + c) % 11));
  for (int c = 0; c < columns; ++c) {
    for (int i = 0; i + 1 < rows; ++i) text += fmt::format("Rb{0}_{1} b{0}_{1} b{0}_{2} 1\n", c, i, i + 1);
    text += fmt::format("Vs{0} b{0}_{1} 0 0\n", c, rows - 1);
  }
  return text + extra + ".op\n.end\n";
}

std::string nlem_array(int rows, int weights, bool optical, ArrayAnalysis analysis) {
  ArraySpecification spec;
  spec.rows = rows;
  spec.weights = weights;
  spec.seed = 3;
  spec.cell = CellKind::nlem;
  spec.mapping.gmin = 1e-6;
  spec.mapping.gmax = 8e-6;
  spec.optical.enabled = optical;
  spec.analysis = analysis;
  ArrayDesign design = design_array(spec, random_weights(spec), random_inputs(spec));
  return array_netlist(design);
}

}  // namespace

TEST_CASE("split: held N-LEM arrays solve their network by cg and agree with KLU to 1e-9") {
  struct Case {
    int rows, weights;
    bool optical;
    ArrayAnalysis analysis;
  };
  for (const Case& c : {Case{12, 12, false, ArrayAnalysis::op}, Case{20, 6, true, ArrayAnalysis::op}, Case{6, 6, false, ArrayAnalysis::tran}}) {
    CAPTURE(c.rows);
    CAPTURE(c.optical);
    const std::string netlist = nlem_array(c.rows, c.weights, c.optical, c.analysis);
    SolverRun direct = simulate(netlist, "klu");
    SolverRun iterative = simulate(netlist, "cg");
    INFO(iterative.solver);
    CHECK(iterative.solver.rfind("cg (as requested)", 0) == 0);
    // With the optical readout each column's receivers (20 photodiodes into a TIA) are a large
    // block after the optical outputs: a second core.
    CHECK(contains(iterative.solver, c.optical ? "block triangular split: 2 core(s)" : "block triangular split: 1 core(s)"));
    CHECK(iterative.statistics.conjugate_gradient_solves > 0);
    CHECK(iterative.statistics.full_factorizations == (c.optical ? 1 : 0));  // the receivers (a TIA) on KLU
    CHECK(iterative.statistics.solves == direct.statistics.solves);  // the same Newton iterations
    CHECK(worst_relative_difference(direct.waveforms, iterative.waveforms) <= 1e-9);
  }
}

TEST_CASE("split: the blocks of a held N-LEM array") {
  auto parsed = parse_netlist(nlem_array(4, 5, false, ArrayAnalysis::op));
  MnaSystem system(parsed.circuit, make_linear_solver("klu"));
  auto split = BlockTriangularSplit::find(system.structure());
  REQUIRE(split);
  const int cells = 4 * 2 * 5;
  // States w and f before the network (one block each), the optical output with its branch after
  // it (one 2 x 2 block per cell); the network is the one core.
  CHECK(split->core_count() == 1);
  CHECK(split->small_block_size() == 4 * cells);
  CHECK(split->small_block_count() == 3 * cells);
  CHECK(split->core_size(0) == system.size() - 4 * cells);
}

TEST_CASE("split: one-way controlled sources around a crossbar; cycles through it still go to KLU") {
  // e (an E source's output into a load) reads the array, nothing reads e: after the core. The
  // current of G1 is set by c, fixed by a grounded source: before the core (a 2 x 2 block that
  // needs pivoting).
  const std::string one_way = crossbar(8, 8, "E1 e 0 w1_3 0 2\nRe e 0 1k\nG1 w2_2 0 c 0 1e-5\nVc c 0 0.1\n");
  SolverRun direct = simulate(one_way, "klu");
  SolverRun iterative = simulate(one_way, "cg");
  INFO(iterative.solver);
  CHECK(iterative.solver.rfind("cg (as requested)", 0) == 0);
  CHECK(contains(iterative.solver, "1 core(s)"));
  CHECK(worst_relative_difference(direct.waveforms, iterative.waveforms) <= 1e-9);

  // e drives the array back through Re: one cycle, one block, no split; unsymmetric -> KLU.
  SolverRun cycle = simulate(crossbar(8, 8, "E1 e 0 w1_3 0 2\nRe e w4_7 1k\n"), "cg");
  CHECK(cycle.solver.rfind("klu (cg fell back: ", 0) == 0);
  // A plain crossbar has a symmetric pattern: no split is even looked for.
  auto parsed = parse_netlist(crossbar(4, 4, ""));
  MnaSystem system(parsed.circuit, make_linear_solver("klu"));
  CHECK_FALSE(BlockTriangularSplit::find(system.structure()));
}
