// Microbenchmarks (Google Benchmark) of the two hot phases of a crossbar simulation:
//   assembly: the resistor group's load() into the bound matrix slots, and the whole MNA load
//             (zero matrix and right-hand side, every device group);
//   solve:    KLU refactor + solve with the pivot order of the first factorisation, and the
//             large-array solver's conjugate gradients (ConjugateGradientSolver via "cg") from a
//             cold start (forget_values(), as a new sweep point would).
// The circuit is benchmarks/generate_crossbar.sh's differential crossbar (SIZE x SIZE logical,
// 2 x SIZE physical columns, 1 Ohm wire segments, 100 Ohm drivers, virtual-ground readout),
// written in memory and read through the netlist front end, so it is the same matrix the
// command line solves. Building a system (parse, structure, symbolic analysis) is outside the
// timed loops and done once per size and solver.
//
// Run: build/xbarsim_microbenchmarks [--benchmark_filter=REGEX] (or benchmarks/run --micro).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/circuit.h"
#include "core/elaborator.h"
#include "core/netlist_reader.h"
#include "solvers/linear_solver.h"
#include "solvers/mna_system.h"

namespace {

using namespace xbarsim;

// The netlist of benchmarks/generate_crossbar.sh (its own random draws, same value ranges).
std::string crossbar_netlist(int size) {
  std::mt19937 random(1);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const int columns = 2 * size;
  std::string text = "differential crossbar " + std::to_string(size) + "\n";
  char line[160];
  for (int i = 0; i < size; ++i) {
    std::snprintf(line, sizeof line, "Vin%d in%d 0 %.3f\nRdrv%d in%d w%d_0 100\n", i, i, 0.05 + 0.15 * uniform(random), i, i, i);
    text += line;
  }
  for (int i = 0; i < size; ++i)
    for (int c = 0; c < columns; ++c) {
      std::snprintf(line, sizeof line, "Rw%d_%d w%d_%d w%d_%d 1\n", i, c, i, c, i, c + 1);
      text += line;
    }
  for (int i = 0; i < size; ++i)
    for (int c = 0; c < columns; ++c) {
      const double conductance = 1e-6 + 99e-6 * static_cast<int>(15 * uniform(random)) / 14;
      std::snprintf(line, sizeof line, "Rc%d_%d w%d_%d b%d_%d %.6g\n", i, c, i, c + 1, c, i, 1 / conductance);
      text += line;
    }
  for (int c = 0; c < columns; ++c) {
    for (int i = 0; i < size - 1; ++i) {
      std::snprintf(line, sizeof line, "Rb%d_%d b%d_%d b%d_%d 1\n", c, i, c, i, c, i + 1);
      text += line;
    }
    std::snprintf(line, sizeof line, "Vs%d b%d_%d 0 0\n", c, c, size - 1);
    text += line;
  }
  return text + ".op\n.end\n";
}

// A crossbar's circuit and MNA system with one solver, loaded once at the zero iterate.
class CrossbarSystem {
 public:
  CrossbarSystem(int size, const std::string& solver)
      : circuit_(elaborate(read_netlist_string(crossbar_netlist(size), "crossbar.cir", ".", ignore), ignore)),
        system_(circuit_, make_linear_solver(solver)),
        solution_(static_cast<std::size_t>(system_.size()) + 1, 0.0) {
    context_.solution = solution_.data();
    context_.options = &circuit_.options;
    context_.mode = AnalysisMode::operating_point;
    system_.load(context_);
  }
  CrossbarSystem(const CrossbarSystem&) = delete;
  CrossbarSystem& operator=(const CrossbarSystem&) = delete;

  MnaSystem& system() { return system_; }
  LoadContext& context() { return context_; }
  DeviceGroup& group(std::string_view kind) {
    for (const auto& group : circuit_.groups())
      if (group->kind() == kind) return *group;
    throw std::logic_error("no device group of kind " + std::string(kind));
  }

 private:
  static void ignore(const Diagnostic&) {}
  Circuit circuit_;
  MnaSystem system_;
  std::vector<double> solution_;
  LoadContext context_;
};

// One system per (size, solver), built on first use and kept: Google Benchmark calls a
// benchmark function several times while it settles the iteration count.
CrossbarSystem& crossbar(int size, const std::string& solver) {
  static std::map<std::pair<int, std::string>, std::unique_ptr<CrossbarSystem>> systems;
  auto& system = systems[{size, solver}];
  if (!system) system = std::make_unique<CrossbarSystem>(size, solver);
  return *system;
}

void set_size_counters(benchmark::State& state, MnaSystem& system) {
  state.counters["unknowns"] = system.size();
  state.counters["nonzeros"] = system.structure().nonzeros();
}

// The resistor group's stamps into the bound slots (values accumulate; the pattern of memory
// traffic is that of a real load). items/s = resistors per second.
void resistor_group_load(benchmark::State& state) {
  CrossbarSystem& crossbar_system = crossbar(static_cast<int>(state.range(0)), "klu");
  DeviceGroup& resistors = crossbar_system.group("resistor");
  LoadContext& context = crossbar_system.context();
  for (auto _ : state) {
    resistors.load(context);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<long>(resistors.size()));
  set_size_counters(state, crossbar_system.system());
}

// The whole load of one Newton iteration: zeroing, then every device group.
void mna_system_load(benchmark::State& state) {
  CrossbarSystem& crossbar_system = crossbar(static_cast<int>(state.range(0)), "klu");
  for (auto _ : state) {
    crossbar_system.system().load(crossbar_system.context());
    benchmark::ClobberMemory();
  }
  set_size_counters(state, crossbar_system.system());
}

// KLU numeric refactorisation (pivot order of the first factorisation) and one solve.
void klu_refactor_and_solve(benchmark::State& state) {
  CrossbarSystem& crossbar_system = crossbar(static_cast<int>(state.range(0)), "klu");
  MnaSystem& system = crossbar_system.system();
  LinearSolver& solver = system.solver();
  solver.factor(system.matrix_values().data());  // the first, full factorisation, untimed
  std::vector<double> x;
  for (auto _ : state) {
    solver.factor(system.matrix_values().data());
    x.assign(system.rhs().begin(), system.rhs().end());
    solver.solve(x.data());
    benchmark::DoNotOptimize(x.data());
  }
  set_size_counters(state, system);
}

// The large-array solver: per iteration a cold-start solve (conjugate gradients on the Schur
// complement of the line chains); the chains' factorisation and the folding are done once.
void conjugate_gradient_solve(benchmark::State& state) {
  CrossbarSystem& crossbar_system = crossbar(static_cast<int>(state.range(0)), "cg");
  MnaSystem& system = crossbar_system.system();
  LinearSolver& solver = system.solver();
  solver.factor(system.matrix_values().data());
  const long iterations_before = solver.statistics().conjugate_gradient_iterations;
  const long solves_before = solver.statistics().conjugate_gradient_solves;
  std::vector<double> x;
  for (auto _ : state) {
    solver.forget_values();
    x.assign(system.rhs().begin(), system.rhs().end());
    solver.solve(x.data());
    benchmark::DoNotOptimize(x.data());
  }
  const long solves = solver.statistics().conjugate_gradient_solves - solves_before;
  if (solves > 0)
    state.counters["cg_iterations"] = static_cast<double>(solver.statistics().conjugate_gradient_iterations - iterations_before) / solves;
  set_size_counters(state, system);
}

}  // namespace

BENCHMARK(resistor_group_load)->Arg(32)->Arg(128)->Unit(benchmark::kMicrosecond);
BENCHMARK(mna_system_load)->Arg(32)->Arg(128)->Unit(benchmark::kMicrosecond);
BENCHMARK(klu_refactor_and_solve)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond);
BENCHMARK(conjugate_gradient_solve)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
