// Unit tests of the large-array solver (ConjugateGradientSolver): agreement with KLU on
// crossbars (.op, Newton with diode cells, .dc sweep, .tran), the fall-back to KLU on circuits
// that are not symmetric positive definite after folding, and what "auto" picks.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/parallel.h"
#include "core/simulator.h"
#include "netlist_test_support.h"
#include "solver_test_support.h"
#include "solvers/conjugate_gradient_solver.h"
#include "solvers/mna_system.h"

using namespace xbarsim;
using xbarsim::testing::parse_netlist;
using xbarsim::testing::simulate;
using xbarsim::testing::SolverRun;
using xbarsim::testing::worst_relative_difference;

namespace {

// A rows x weights differential crossbar (2 x weights physical columns) as in
// benchmarks/crossbar_op.sh: 1 Ohm wire segments, 100 Ohm drivers, sense sources at the bit-line
// ends; cells at 15 levels between 1 and 100 uS, each in series with a diode if `diode_cells`.
// `extra` is appended before the analysis card.
std::string crossbar_netlist(int rows, int weights, const std::string& analysis, bool diode_cells = false,
                             const std::string& extra = "") {
  std::string text = fmt::format("crossbar {} x {}\n", rows, weights);
  const int columns = 2 * weights;
  unsigned state = 12345;
  auto level = [&] {
    state = state * 1103515245u + 12345u;
    return static_cast<int>((state >> 16) % 15);
  };
  for (int i = 0; i < rows; ++i)
    text += fmt::format("Vin{0} in{0} 0 {1}\nRdrv{0} in{0} w{0}_0 100\n", i, 0.05 + 0.01 * (i % 15));
  for (int i = 0; i < rows; ++i)
    for (int c = 0; c < columns; ++c) {
      text += fmt::format("Rw{0}_{1} w{0}_{1} w{0}_{2} 1\n", i, c, c + 1);
      const double resistance = 1.0 / (1e-6 + 99e-6 * level() / 14.0);
      if (diode_cells)
        text += fmt::format("Dc{0}_{1} w{0}_{2} d{0}_{1} cell\nRc{0}_{1} d{0}_{1} b{1}_{0} {3:.6g}\n", i, c, c + 1, resistance);
      else
        text += fmt::format("Rc{0}_{1} w{0}_{2} b{1}_{0} {3:.6g}\n", i, c, c + 1, resistance);
    }
  for (int c = 0; c < columns; ++c) {
    for (int i = 0; i + 1 < rows; ++i) text += fmt::format("Rb{0}_{1} b{0}_{1} b{0}_{2} 1\n", c, i, i + 1);
    text += fmt::format("Vs{0} b{0}_{1} 0 0\n", c, rows - 1);
  }
  if (diode_cells) text += ".model cell D(IS=1e-12 N=1.5)\n";
  return text + extra + analysis + "\n.end\n";
}

// Every value within `relative` of the largest magnitude of its quantity (voltages, currents).
void check_agreement(const Waveforms& reference, const Waveforms& result, double relative) {
  CHECK(worst_relative_difference(reference, result) <= relative);
}

bool starts_with(const std::string& text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }

}  // namespace

TEST_CASE("cg agrees with KLU to 1e-9 on crossbars from 4 x 4 to 32 x 32") {
  for (int size : {4, 8, 16, 32}) {
    INFO("size " << size);
    const std::string netlist = crossbar_netlist(size, size, ".op");
    SolverRun direct = simulate(netlist, "klu");
    SolverRun iterative = simulate(netlist, "cg");
    CHECK(starts_with(iterative.solver, "cg (as requested)"));
    CHECK(iterative.statistics.conjugate_gradient_solves == 1);
    CHECK(iterative.statistics.conjugate_gradient_iterations > 0);
    CHECK(iterative.statistics.full_factorizations == 0);
    check_agreement(direct.waveforms, iterative.waveforms, 1e-9);
  }
  // Not square: more weights than rows.
  const std::string netlist = crossbar_netlist(6, 20, ".op");
  check_agreement(simulate(netlist, "klu").waveforms, simulate(netlist, "cg").waveforms, 1e-9);
}

TEST_CASE("cg follows a Newton sequence: diode cells change the matrix at every iteration") {
  // The linear solves themselves, iterate by iterate, against KLU on the same matrices.
  auto parsed = parse_netlist(crossbar_netlist(12, 12, ".op", true));
  Circuit& circuit = parsed.circuit;
  MnaSystem system(circuit, make_linear_solver("klu"));
  ConjugateGradientSolver iterative(0);
  iterative.analyze(system.structure());
  const std::size_t n = static_cast<std::size_t>(system.size());
  std::vector<double> solution(n + 1, 0.0), direct, cg;
  double previous_largest_change = 0.0;
  for (int iteration = 0; iteration < 8; ++iteration) {
    LoadContext context;
    context.solution = solution.data();
    context.options = &circuit.options;
    context.initialize_junctions = iteration == 0;
    system.load(context);
    system.factor_and_solve(direct);
    cg = system.rhs();
    iterative.factor(system.matrix_values().data());
    iterative.solve(cg.data());
    double largest = 0.0, difference = 0.0, change = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
      largest = std::max(largest, std::abs(direct[k]));
      difference = std::max(difference, std::abs(cg[k] - direct[k]));
      change = std::max(change, std::abs(direct[k] - solution[k]));
    }
    INFO("iteration " << iteration);
    CHECK(difference <= 1e-9 * largest);
    if (iteration > 0) CHECK(change != previous_largest_change);  // the matrix did change
    previous_largest_change = change;
    solution = direct;
  }
  CHECK(iterative.uses_conjugate_gradients());
  CHECK(iterative.statistics().conjugate_gradient_solves == 8);
  CHECK(iterative.statistics().preconditioner_factorizations == 8);

  // And whole analyses: the same Newton iterations, the same operating point (within Newton's
  // own convergence, far looser than the solver's).
  const std::string netlist = crossbar_netlist(12, 12, ".op", true);
  SolverRun with_klu = simulate(netlist, "klu");
  SolverRun with_cg = simulate(netlist, "cg");
  CHECK(starts_with(with_cg.solver, "cg"));
  CHECK(with_cg.statistics.solves == with_klu.statistics.solves);
  check_agreement(with_klu.waveforms, with_cg.waveforms, 1e-6);
}

TEST_CASE("cg stops against the largest right-hand side since forget_values, at the tolerance set") {
  auto parsed = parse_netlist(crossbar_netlist(16, 16, ".op"));
  MnaSystem system(parsed.circuit, make_linear_solver("klu"));
  const std::size_t n = static_cast<std::size_t>(system.size());
  std::vector<double> solution(n + 1, 0.0), exact;
  LoadContext context;
  context.solution = solution.data();
  context.options = &parsed.circuit.options;
  system.load(context);
  system.factor_and_solve(exact);
  const std::vector<double> zeros(n, 0.0);
  ConjugateGradientSolver solver(0);
  solver.analyze(system.structure());
  solver.factor(system.matrix_values().data());
  // Solves rhs * scale from zero; returns its iterations and largest error against the exact
  // solution (scaled), relative to the largest unscaled value.
  auto solve_scaled = [&](double scale) {
    std::vector<double> x(system.rhs().begin(), system.rhs().begin() + static_cast<std::ptrdiff_t>(n));
    for (double& value : x) value *= scale;
    const long before = solver.statistics().conjugate_gradient_iterations;
    solver.set_initial_guess(zeros.data());
    solver.solve(x.data());
    double largest = 0.0, error = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
      largest = std::max(largest, std::abs(exact[k]));
      error = std::max(error, std::abs(x[k] - scale * exact[k]));
    }
    return std::pair{solver.statistics().conjugate_gradient_iterations - before, error / largest};
  };
  const double tiny = 0x1p-30;  // a power of two: scaled exactly, the same iterations from zero
  const auto [full_iterations, full_error] = solve_scaled(1.0);
  CHECK(full_error <= 1e-9);
  // After the full-size solve, a tiny right-hand side is solved to the same absolute accuracy:
  // fewer iterations than from scratch.
  const auto [after_full, after_full_error] = solve_scaled(tiny);
  CHECK(after_full_error <= 1e-9);
  solver.forget_values();
  const auto [fresh, fresh_error] = solve_scaled(tiny);
  CHECK(fresh == full_iterations);
  CHECK(after_full < fresh);
  CHECK(fresh_error <= 1e-9 * tiny);
  // A looser tolerance: fewer iterations, a larger but bounded error.
  solver.forget_values();
  solver.set_relative_tolerance(1e-6);
  const auto [loose, loose_error] = solve_scaled(1.0);
  CHECK(loose < full_iterations);
  CHECK(loose_error > full_error);
  CHECK(loose_error <= 1e-4);
}

TEST_CASE("cg on a DC sweep keeps its factorisation (values unchanged) and agrees with KLU") {
  const std::string netlist = crossbar_netlist(10, 10, ".dc Vin3 0 0.2 0.05");
  SolverRun direct = simulate(netlist, "klu");
  SolverRun iterative = simulate(netlist, "cg");
  CHECK(iterative.statistics.conjugate_gradient_solves == 5);
  CHECK(iterative.statistics.preconditioner_factorizations == 1);
  check_agreement(direct.waveforms, iterative.waveforms, 1e-9);
}

TEST_CASE("cg in a transient: capacitors on the bit lines, the step changes the matrix") {
  std::string capacitors;
  for (int c = 0; c < 16; ++c) capacitors += fmt::format("Cb{0} b{0}_3 0 1p\n", c);
  for (int i = 0; i < 8; ++i) capacitors += fmt::format("Cw{0} w{0}_9 0 2p\n", i);
  const std::string netlist = crossbar_netlist(8, 8, ".tran 10p 2n", false, capacitors + "Vpulse pin 0 PULSE(0 0.2 0.1n 0.1n 0.1n 0.5n 1n)\nRpulse pin w2_4 50\n");
  SolverRun direct = simulate(netlist, "klu");
  SolverRun iterative = simulate(netlist, "cg");
  CHECK(starts_with(iterative.solver, "cg"));
  CHECK(iterative.statistics.preconditioner_factorizations > 1);
  check_agreement(direct.waveforms, iterative.waveforms, 1e-9);
}

// The eliminated chains in "cg (...): ..., N of them eliminated exactly, ...".
int eliminated_chains(const std::string& description) {
  const std::size_t end = description.find(" of them eliminated");
  REQUIRE(end != std::string::npos);
  const std::size_t begin = description.rfind(' ', end - 1) + 1;
  return std::stoi(description.substr(begin, end - begin));
}

TEST_CASE("cg with coupling capacitors between neighbouring lines: an independent set of chains is eliminated") {
  // Word line i couples to word line i+1 and bit line c to c+1: the chains cannot be
  // two-coloured (word, bit, word form triangles), so not every word line can be eliminated.
  std::string capacitors;
  for (int i = 0; i + 1 < 8; ++i)
    for (int c = 1; c <= 16; c += 5) capacitors += fmt::format("Ccw{0}_{1} w{0}_{1} w{2}_{1} 0.5p\n", i, c, i + 1);
  for (int c = 0; c + 1 < 16; ++c) capacitors += fmt::format("Ccb{0} b{0}_2 b{1}_2 0.3p\n", c, c + 1);
  const std::string netlist =
      crossbar_netlist(8, 8, ".tran 10p 1n", false, capacitors + "Vpulse pin 0 PULSE(0 0.2 0.1n 0.1n 0.1n 0.5n 1n)\nRpulse pin w2_4 50\n");
  SolverRun direct = simulate(netlist, "klu");
  SolverRun iterative = simulate(netlist, "cg");
  REQUIRE(starts_with(iterative.solver, "cg"));
  // 8 word lines and 16 bit lines: no two coupled chains eliminated, yet more than one of them.
  CHECK(eliminated_chains(iterative.solver) >= 4);
  CHECK(eliminated_chains(iterative.solver) <= 8);
  check_agreement(direct.waveforms, iterative.waveforms, 1e-9);
}

TEST_CASE("cg on a resistor ring (a chain cut open) and on lines of different lengths") {
  // A ring of 30 strong resistors tapped weakly to lines 4, 7 and 7 long; the ring is one chain
  // cut open, its closing resistor a coupling of the chain to itself, so although it is the
  // larger colour class it must not be eliminated (its block would not be tridiagonal).
  std::string text = "ring and lines\nV1 in 0 1\nRin in r0 10\n";
  for (int k = 0; k < 30; ++k) text += fmt::format("Rr{0} r{0} r{1} {2}\n", k, (k + 1) % 30, 1.0 + 0.1 * k);
  const int lengths[] = {4, 7, 7};
  for (int line = 0; line < 3; ++line) {
    for (int k = 0; k + 1 < lengths[line]; ++k) text += fmt::format("Rl{0}_{1} l{0}_{1} l{0}_{2} 2\n", line, k, k + 1);
    text += fmt::format("Rg{0} l{0}_{1} 0 5\n", line, lengths[line] - 1);
    for (int k = 0; k < lengths[line]; ++k) text += fmt::format("Rt{0}_{1} l{0}_{1} r{2} {3}\n", line, k, (k + 9 * line) % 30, 3e3 + 100 * k);
  }
  text += ".op\n.end\n";
  SolverRun direct = simulate(text, "klu");
  SolverRun iterative = simulate(text, "cg");
  REQUIRE(starts_with(iterative.solver, "cg"));
  CHECK(iterative.solver.find("in 4 line chains") != std::string::npos);
  check_agreement(direct.waveforms, iterative.waveforms, 1e-9);
}

TEST_CASE("cg folds grounded sources whose nodes are coupled to each other") {
  // Resistors between two driven inputs, and between a driven input and a bit line's sense
  // source: each source's branch current includes the current to the other pinned node.
  const std::string netlist = crossbar_netlist(8, 8, ".op", false, "Rpins in0 in1 1k\nRpins2 in2 b3_7 2k\n");
  SolverRun direct = simulate(netlist, "klu");
  SolverRun iterative = simulate(netlist, "cg");
  INFO(iterative.solver);
  CHECK(starts_with(iterative.solver, "cg (as requested): 24 grounded sources folded"));
  check_agreement(direct.waveforms, iterative.waveforms, 1e-9);
}

TEST_CASE("cg falls back to KLU when the folded matrix is not symmetric positive definite") {
  const std::string cases[] = {
      // a voltage-controlled current source makes the matrix unsymmetric: an entry without a
      // mirror, above the diagonal and below it (found by the search, and by the count)
      crossbar_netlist(6, 6, ".op", false, "G1 w1_3 0 w2_2 0 1e-3\n"),
      crossbar_netlist(6, 6, ".op", false, "G1 w2_2 0 w1_3 0 1e-3\n"),
      // two without mirrors, one on either side of the diagonal, so that the count balances
      crossbar_netlist(6, 6, ".op", false, "G1 w1_3 0 w2_2 0 1e-3\nG2 w4_4 0 w3_1 0 1e-3\n"),
      // a pair of them, each the other's mirror but of another value
      crossbar_netlist(6, 6, ".op", false, "G1 w1_3 0 w2_2 0 1e-3\nG2 w2_2 0 w1_3 0 2e-3\n"),
      // a voltage source between two nodes (not grounded) keeps its branch unknown
      crossbar_netlist(6, 6, ".op", false, "Vfloat w1_5 w3_5 0.01\n"),
      // a voltage-controlled voltage source
      crossbar_netlist(6, 6, ".op", false, "E1 e 0 w1_3 0 2\nRe e w4_7 1k\n"),
      // a negative resistance that makes a diagonal entry negative
      crossbar_netlist(6, 6, ".op", false, "Rneg w2_4 0 -0.2\n"),
      // one that leaves every diagonal entry positive (2 - 0.5 S) but a chain indefinite (a
      // pivot further along is not positive): on a word line, and on a bit line, so that both
      // the eliminated chains (factored as their values are read) and the iterated ones are seen
      crossbar_netlist(6, 6, ".op", false, "Rneg w2_4 0 -2\n"),
      crossbar_netlist(6, 6, ".op", false, "Rneg b3_2 0 -2\n"),
  };
  for (const std::string& netlist : cases) {
    SolverRun direct = simulate(netlist, "klu");
    SolverRun iterative = simulate(netlist, "cg");
    INFO(iterative.solver);
    CHECK(starts_with(iterative.solver, "klu (cg fell back: "));
    CHECK(iterative.statistics.conjugate_gradient_solves == 0);
    CHECK(iterative.statistics.full_factorizations >= 1);
    check_agreement(direct.waveforms, iterative.waveforms, 1e-12);
  }
}

TEST_CASE("auto: KLU below 1000 unknowns, cg from there on when the circuit qualifies") {
  SolverRun small = simulate(crossbar_netlist(8, 8, ".op"), "auto");
  CHECK(starts_with(small.solver, "klu (chosen by auto: "));
  CHECK(small.statistics.analyses == 1);
  CHECK(small.statistics.full_factorizations == 1);

  const std::string large_netlist = crossbar_netlist(16, 16, ".op");  // 1,104 unknowns
  SolverRun large = simulate(large_netlist, "auto");
  CHECK(starts_with(large.solver, "cg (chosen by auto)"));
  check_agreement(simulate(large_netlist, "klu").waveforms, large.waveforms, 1e-9);

  SolverRun unsymmetric = simulate(crossbar_netlist(16, 16, ".op", false, "G1 w1_3 0 w2_2 0 1e-3\n"), "auto");
  CHECK(starts_with(unsymmetric.solver, "klu (cg fell back: "));

  CHECK(SimulatorSettings{}.linear_solver == "auto");
}

TEST_CASE("cg split into parts for threads agrees with KLU, and with itself unsplit") {
  // Every loop split into 1, 2 or 3 parts whatever its size (core/parallel.h): the parts own
  // whole bundles and ranges of eliminated chains, uneven ones with 3 parts.
  std::string capacitors;
  for (int i = 0; i + 1 < 12; ++i)
    for (int c = 1; c <= 40; c += 3) capacitors += fmt::format("Ccw{0}_{1} w{0}_{1} w{2}_{1} 0.5p\n", i, c, i + 1);
  for (int c = 0; c + 1 < 40; ++c) capacitors += fmt::format("Ccb{0} b{0}_2 b{1}_2 0.3p\n", c, c + 1);
  for (int c = 0; c < 40; ++c) capacitors += fmt::format("Cb{0} b{0}_5 0 1p\n", c);
  const std::string netlist =
      crossbar_netlist(12, 20, ".tran 10p 1n", false, capacitors + "Vpulse pin 0 PULSE(0 0.2 0.1n 0.1n 0.1n 0.5n 1n)\nRpulse pin w2_4 50\n");
  SolverRun direct = simulate(netlist, "klu");
  SolverRun unsplit;
  for (int parts : {1, 2, 3}) {
    CAPTURE(parts);
    set_parallel_settings({parts, 0});
    SolverRun iterative = simulate(netlist, "cg");
    set_parallel_settings({});
    REQUIRE(starts_with(iterative.solver, "cg"));
    check_agreement(direct.waveforms, iterative.waveforms, 1e-9);
    if (parts == 1) unsplit = std::move(iterative);
    else CHECK(worst_relative_difference(unsplit.waveforms, iterative.waveforms) <= 1e-12);
  }
}
