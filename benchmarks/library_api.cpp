// Library API benchmark: the benchmark crossbar of benchmarks/generate_crossbar.sh (N rows x N
// weights, 2N physical columns, 1 Ohm wire segments, 100 Ohm drivers from grounded sources of
// 0.05-0.2 V, cells at 15 levels between 1 and 100 uS, 0 V sense sources at the bit-line ends)
// built in memory through the library's bulk API (Circuit::add_nodes for the word- and bit-line
// nodes, add_resistors for every resistor from arrays, names made only when asked for; the few
// inputs and sources one at a time), then its `.op` run through the Simulator exactly as
// `xbarsim run` does (solver `auto` unless --solver says otherwise). Devices and nodes are
// created in the generated netlist's order and with its names; the cell levels and input
// voltages are drawn from std::mt19937 (seed 1), not awk's rand().
//
// usage: xbarsim_library_benchmark [N] [--solver NAME] [--verify]
//   N         rows and weights (default 1024)
//   --verify  afterwards solves the same circuit with KLU and reports the largest difference,
//             relative to the largest magnitude of its quantity (node voltages, branch currents)
// Prints one line of key=value pairs: times in seconds (build: circuit in memory; setup: matrix
// structure, binding and the solver's analysis; solve: the .op analysis, of which linear_factor
// and linear_solve are the linear solver's set-up and solve), the solver that ran,
// conjugate-gradient iterations, unknowns, matrix nonzeros and the peak resident set size (MB,
// getrusage, before any verification).
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/circuit.h"
#include "core/simulator.h"
#include "models/primitive_devices.h"

using namespace xbarsim;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double peak_rss_megabytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in kB on Linux
}

// Appends `prefix`, `first`, and then `_` and `second` unless it is negative: the names of the
// netlist (`w3_17`, `rdrv5`), written without a formatting library's overhead, since millions
// of them are made when the results are.
void append_name(std::string& name, std::string_view prefix, std::size_t first, std::ptrdiff_t second = -1) {
  char digits[48];
  char* end = std::to_chars(digits, digits + 24, first).ptr;
  if (second >= 0) {
    *end++ = '_';
    end = std::to_chars(end, digits + sizeof digits, second).ptr;
  }
  name.append(prefix);
  name.append(digits, end);
}

void build_crossbar(Circuit& circuit, int n) {
  const int columns = 2 * n;
  std::mt19937 generator(1);
  auto uniform = [&] { return static_cast<double>(generator()) / 4294967296.0; };
  const std::size_t cells = static_cast<std::size_t>(n) * columns;
  std::vector<int> driven(n);  // node w{i}_0
  std::vector<int> a, b;
  std::vector<double> resistance;
  const std::size_t resistors = static_cast<std::size_t>(n) + 2 * cells + static_cast<std::size_t>(columns) * (n - 1);
  a.reserve(resistors);
  b.reserve(resistors);
  resistance.reserve(resistors);
  auto resistor = [&](int from, int to, double ohms) {
    a.push_back(from);
    b.push_back(to);
    resistance.push_back(ohms);
  };

  for (int i = 0; i < n; ++i) {
    const int input = circuit.node(fmt::format("in{}", i));
    add_voltage_source(circuit, fmt::format("vin{}", i), input, kGround, 0.05 + 0.15 * uniform());
    driven[i] = circuit.node(fmt::format("w{}_0", i));
    resistor(input, driven[i], 100.0);
  }
  // Word-line nodes w{i}_{c+1} and bit-line nodes b{c}_{i}, both created row by row (i, then c):
  // node (i, c) of each block is its first + i * columns + c.
  const int word = circuit.add_nodes(static_cast<int>(cells), [columns](int k, std::string& name) {
    append_name(name, "w", static_cast<std::size_t>(k / columns), k % columns + 1);
  });
  const int bit = circuit.add_nodes(static_cast<int>(cells), [columns](int k, std::string& name) {
    append_name(name, "b", static_cast<std::size_t>(k % columns), k / columns);
  });
  auto word_node = [&](int i, int c) { return c == 0 ? driven[i] : word + i * columns + c - 1; };  // w{i}_{c}
  auto bit_node = [&](int c, int i) { return bit + i * columns + c; };                            // b{c}_{i}

  for (int i = 0; i < n; ++i)
    for (int c = 0; c < columns; ++c) resistor(word_node(i, c), word_node(i, c + 1), 1.0);
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < columns; ++c) {
      const double conductance = 1e-6 + 99e-6 * static_cast<double>(generator() % 15) / 14.0;
      resistor(word_node(i, c + 1), bit_node(c, i), 1.0 / conductance);
    }
  for (int c = 0; c < columns; ++c)
    for (int i = 0; i + 1 < n; ++i) resistor(bit_node(c, i), bit_node(c, i + 1), 1.0);
  // Named as in the netlist: rdrv{i}, rw{i}_{c}, rc{i}_{c}, rb{c}_{i}, in this order.
  add_resistors(circuit, std::move(a), std::move(b), std::move(resistance), [n, columns, cells](int k, std::string& name) {
    const auto index = static_cast<std::size_t>(k);
    const auto rows = static_cast<std::size_t>(n), width = static_cast<std::size_t>(columns);
    auto in_rows = [&](std::string_view prefix, std::size_t offset, std::size_t row_length) {
      append_name(name, prefix, offset / row_length, static_cast<std::ptrdiff_t>(offset % row_length));
    };
    if (index < rows) append_name(name, "rdrv", index);
    else if (index < rows + cells) in_rows("rw", index - rows, width);
    else if (index < rows + 2 * cells) in_rows("rc", index - rows - cells, width);
    else in_rows("rb", index - rows - 2 * cells, rows - 1);
  });
  for (int c = 0; c < columns; ++c) add_voltage_source(circuit, fmt::format("vs{}", c), bit_node(c, n - 1), kGround, 0.0);
  circuit.title = fmt::format("differential crossbar {} x {}", n, n);
  circuit.analyses.push_back(OperatingPointRequest{});
}

// Largest |a - b| over the vectors of one quantity, relative to that quantity's largest |b|.
double largest_relative_difference(const Plot& a, const Plot& b, Quantity quantity) {
  double largest = 0.0, difference = 0.0;
  for (std::size_t v = 0; v < b.vector_count(); ++v) {
    if (b.quantity(v) != quantity) continue;
    for (std::size_t k = 0; k < b.point_count(); ++k) {
      largest = std::max(largest, std::abs(b.value(v, k)));
      difference = std::max(difference, std::abs(a.value(v, k) - b.value(v, k)));
    }
  }
  return largest > 0.0 ? difference / largest : difference;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 1024;
  std::string solver = "auto";
  bool verify = false;
  for (int k = 1; k < argc; ++k) {
    const std::string_view argument = argv[k];
    if (argument == "--verify") {
      verify = true;
    } else if (argument == "--solver" && k + 1 < argc) {
      solver = argv[++k];
    } else if (!argument.empty() && argument.find_first_not_of("0123456789") == std::string_view::npos) {
      n = std::stoi(std::string(argument));
    } else {
      std::fprintf(stderr, "usage: xbarsim_library_benchmark [N] [--solver auto|klu|eigen|cg] [--verify]\n");
      return 2;
    }
  }
  if (n < 2) {
    std::fprintf(stderr, "xbarsim_library_benchmark: N must be at least 2\n");
    return 2;
  }
  try {
    auto start = std::chrono::steady_clock::now();
    Circuit circuit;
    build_crossbar(circuit, n);
    const double build_seconds = seconds_since(start);

    start = std::chrono::steady_clock::now();
    Simulator simulator(circuit, SimulatorSettings{solver});
    const double setup_seconds = seconds_since(start);
    start = std::chrono::steady_clock::now();
    Plot result = simulator.operating_point();
    const double solve_seconds = seconds_since(start);
    const double peak_rss = peak_rss_megabytes();

    const std::string description = simulator.solver_description();
    const SimulationStatistics statistics = simulator.statistics();
    std::string line = fmt::format(
        "rows={} weights={} unknowns={} nonzeros={} solver={} build_s={:.3f} setup_s={:.3f} solve_s={:.3f} total_s={:.3f} "
        "linear_factor_s={:.3f} linear_solve_s={:.3f} cg_iterations={} peak_rss_mb={:.0f}",
        n, n, statistics.unknowns, statistics.nonzeros, description.substr(0, description.find(' ')), build_seconds, setup_seconds,
        solve_seconds, build_seconds + setup_seconds + solve_seconds, simulator.solver_statistics().factor_seconds,
        simulator.solver_statistics().solve_seconds, simulator.solver_statistics().conjugate_gradient_iterations, peak_rss);
    if (verify) {
      Simulator direct(circuit, SimulatorSettings{"klu"});
      const Plot reference = direct.operating_point();
      line += fmt::format(" verify_solver=klu max_relative_difference_voltage={:.3g} max_relative_difference_current={:.3g}",
                          largest_relative_difference(result, reference, Quantity::voltage),
                          largest_relative_difference(result, reference, Quantity::current));
    }
    std::printf("%s\n", line.c_str());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "xbarsim_library_benchmark: %s\n", error.what());
    return 1;
  }
  return 0;
}
