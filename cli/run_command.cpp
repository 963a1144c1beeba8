#include "cli/run_command.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "cli/array_report.h"
#include "core/differential_array.h"
#include "core/diagnostics.h"
#include "core/elaborator.h"
#include "core/measure.h"
#include "core/raw_file.h"
#include "core/simulator.h"
#include "core/table_output.h"

namespace xbarsim::cli {
namespace {

// Peak resident memory of this process so far.
double peak_memory_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

}  // namespace

namespace {

constexpr const char* kRunUsage = R"(usage: xbarsim run NETLIST [options]

Simulates the analyses of an ngspice netlist (.op, .dc, .tran) and writes the results.
Without an output option the results go to NETLIST-STEM.raw in the current directory;
operating points and .meas results are also printed (`.step` lines are for `xbarsim sweep`).

options:
  -r, --raw FILE      write an ngspice raw file (binary unless --ascii)
      --ascii         write the raw file as ASCII text
      --csv DIR       write one CSV file per analysis into DIR
      --json FILE     write every analysis as JSON
      --array FILE    the array description from `xbarsim gen array`: measure the
                      outputs against the ideal product (metrics.json, outputs.csv,
                      IR-drop map and heat map in --metrics DIR)
      --metrics DIR   where array metrics go (default NETLIST-STEM-metrics)
      --bits B        converter resolution for settling to 1/2 LSB (default 8)
      --solver NAME   linear solver: auto (default: cg for large circuits that qualify,
                      klu otherwise), klu, eigen (SparseLU), or cg (conjugate gradients
                      on line chains for conductance networks with grounded voltage
                      sources; falls back to klu when the matrix does not qualify)
      --seed S        seed of the netlist's Monte Carlo functions (agauss, gauss, aunif,
                      unif: one draw per call, per device) (default 1)
      --no-native-models
                      expand library subcircuits that have a native model (NLEM) as their
                      behavioural twins, as ngspice does
      --stats         print unknowns, Newton iterations, time steps (accepted/rejected),
                      factorisations and timings
  -q, --quiet         print nothing but errors
  -h, --help          show this help

environment: XBARSIM_THREADS=N runs large circuits (20 000 unknowns or more) on N threads
(default: every core this process may use; 1: one thread); XBARSIM_NO_PREFAULT=1 stops the
background mapping-in of large arrays (docs/scaling.md)

exit status: 0 success, 1 the circuit could not be solved, 2 bad input or usage
)";

struct RunOptions {
  std::filesystem::path netlist;
  std::optional<std::filesystem::path> raw, csv, json, array, metrics;
  int bits = 8;
  bool ascii = false, stats = false, quiet = false;
  ElaborationOptions elaboration;
  std::string solver = "auto";
};

// Prints the operating point, unless it is too long to read on a terminal.
void print_operating_point(const Plot& plot) {
  constexpr std::size_t kLongest = 60;
  std::printf("\n%s: %s\n", plot.title.c_str(), plot.name.c_str());
  if (plot.vector_count() > kLongest) {
    std::printf("  (%zu vectors: see the result files)\n", plot.vector_count());
    return;
  }
  for (std::size_t vector = 0; vector < plot.vector_count(); ++vector)
    std::printf("  %-30s %.9g\n", std::string(plot.vector_name(vector)).c_str(), plot.value(vector, 0));
}

}  // namespace

int run_command(const std::vector<std::string_view>& arguments) {
  RunOptions options;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    std::string_view argument = arguments[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= arguments.size()) throw std::invalid_argument(fmt::format("option '{}' needs a value", argument));
      return std::string(arguments[++i]);
    };
    try {
      if (argument == "-h" || argument == "--help") {
        std::fputs(kRunUsage, stdout);
        return 0;
      } else if (argument == "-r" || argument == "--raw") {
        options.raw = value();
      } else if (argument == "--ascii") {
        options.ascii = true;
      } else if (argument == "--csv") {
        options.csv = value();
      } else if (argument == "--json") {
        options.json = value();
      } else if (argument == "--array") {
        options.array = value();
      } else if (argument == "--metrics") {
        options.metrics = value();
      } else if (argument == "--bits") {
        options.bits = std::stoi(value());
      } else if (argument == "--solver") {
        options.solver = value();
        if (options.solver != "auto" && options.solver != "klu" && options.solver != "eigen" && options.solver != "cg")
          throw std::invalid_argument("--solver takes auto, klu, eigen or cg");
      } else if (argument == "--seed") {
        options.elaboration.random_seed = std::stoull(value());
      } else if (argument == "--no-native-models") {
        options.elaboration.native_models = false;
      } else if (argument == "--stats") {
        options.stats = true;
      } else if (argument == "-q" || argument == "--quiet") {
        options.quiet = true;
      } else if (!argument.empty() && argument.front() == '-') {
        throw std::invalid_argument(fmt::format("unknown option '{}'", argument));
      } else if (options.netlist.empty()) {
        options.netlist = std::string(argument);
      } else {
        throw std::invalid_argument(fmt::format("unexpected argument '{}' (one netlist per run)", argument));
      }
    } catch (const std::invalid_argument& error) {
      std::fprintf(stderr, "xbarsim run: %s\n\n%s", error.what(), kRunUsage);
      return 2;
    }
  }
  if (options.netlist.empty()) {
    std::fprintf(stderr, "xbarsim run: no netlist given\n\n%s", kRunUsage);
    return 2;
  }
  if (!options.raw && !options.csv && !options.json) options.raw = options.netlist.stem().string() + ".raw";

  DiagnosticSink sink = stderr_diagnostic_sink();
  try {
    auto start = std::chrono::steady_clock::now();
    // Held by pointers that a successful run leaves to the operating system (see the end).
    auto owned_circuit = std::make_unique<Circuit>(load_circuit(options.netlist, sink, options.elaboration));
    Circuit& circuit = *owned_circuit;
    double parse_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double parse_memory = peak_memory_mb();
    SimulatorSettings settings;
    settings.linear_solver = options.solver;
    settings.release_solver_before_last_output = true;
    auto owned_simulator = std::make_unique<Simulator>(circuit, settings);
    Simulator& simulator = *owned_simulator;
    const double setup_memory = peak_memory_mb();
    auto owned_waveforms = std::make_unique<Waveforms>(simulator.run());
    const Waveforms& waveforms = *owned_waveforms;
    const double analysis_memory = peak_memory_mb();

    if (options.raw) {
      RawFileOptions raw_options;
      raw_options.format = options.ascii ? RawFormat::ascii : RawFormat::binary;
      write_raw_file(*options.raw, waveforms, raw_options);
    }
    if (options.csv) write_csv_directory(*options.csv, waveforms);
    if (options.json) write_json_file(*options.json, waveforms);
    if (options.array) {
      std::ifstream stream(*options.array);
      if (!stream) throw std::invalid_argument(fmt::format("cannot open array description '{}'", options.array->string()));
      std::string text((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
      ArrayDesign design = array_design_from_json(text);
      std::filesystem::path directory = options.metrics ? *options.metrics : std::filesystem::path(options.netlist.stem().string() + "-metrics");
      report_array_metrics(design, waveforms, directory, options.bits, options.quiet);
    }

    if (!circuit.steps.empty() && !options.quiet)
      std::printf("note: the netlist's .step lines are run by `xbarsim sweep`; this run uses its .param values\n");
    const std::vector<MeasureResult> measurements = evaluate_measurements(circuit.measurements, waveforms, circuit.parameters);
    if (!options.quiet) {
      for (const Plot& plot : waveforms.plots)
        if (plot.name == "Operating Point") print_operating_point(plot);
      if (!measurements.empty()) std::printf("\nMeasurements\n");
      for (const MeasureResult& measured : measurements) {
        if (measured.value) std::printf("  %-20s = %.9g\n", measured.name.c_str(), *measured.value);
        else std::printf("  %-20s failed: %s\n", measured.name.c_str(), measured.failure.c_str());
      }
      std::printf("\n");
      for (const Plot& plot : waveforms.plots)
        std::printf("%s: %zu vectors x %zu points\n", plot.name.c_str(), plot.vector_count(), plot.point_count());
      if (options.raw) std::printf("results: %s (%s raw file)\n", options.raw->c_str(), options.ascii ? "ASCII" : "binary");
      if (options.csv) std::printf("results: %s/ (CSV, one file per analysis)\n", options.csv->c_str());
      if (options.json) std::printf("results: %s (JSON)\n", options.json->c_str());
    }
    if (options.stats) {
      SimulationStatistics stats = simulator.statistics();
      const LinearSolverStatistics& solver = simulator.solver_statistics();
      std::printf(
          "stats: unknowns %d, matrix nonzeros %d\n"
          "stats: solver %s\n"
          "stats: newton iterations %ld, gmin steps %d, source steps %d, sweep points %ld\n"
          "stats: transient steps %ld accepted, %ld rejected (truncation error), %ld cut (Newton), %ld Newton iterations\n"
          "stats: factorisations %ld full + %ld refactor, chain factorisations %ld, solves %ld (%ld by conjugate gradients, %ld iterations)\n"
          "stats: parse+elaborate %.6f s, setup %.6f s, analyses %.6f s (linear solver: factor %.6f s, solve %.6f s)\n"
          "stats: peak memory %.0f MB after parse+elaborate, %.0f MB after setup, %.0f MB after analyses, %.0f MB in all\n",
          stats.unknowns, stats.nonzeros, simulator.solver_description().c_str(),
          stats.newton_iterations, stats.gmin_steps, stats.source_steps, stats.sweep_points, stats.transient.accepted_steps,
          stats.transient.rejected_steps, stats.transient.newton_failures, stats.transient.newton_iterations, solver.full_factorizations,
          solver.refactorizations, solver.preconditioner_factorizations, solver.solves, solver.conjugate_gradient_solves,
          solver.conjugate_gradient_iterations, parse_seconds, stats.setup_seconds, stats.analysis_seconds, solver.factor_seconds,
          solver.solve_seconds, parse_memory,
          setup_memory, analysis_memory, peak_memory_mb());
    }
    // The process ends with this command: the operating system takes the circuit, the solver
    // and the results back at once, faster than freeing their millions of blocks one by one
    // (about 0.15 s at 1024 x 1024).
    (void)owned_waveforms.release();
    (void)owned_simulator.release();
    (void)owned_circuit.release();
    return 0;
  } catch (const NetlistError& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 2;
  } catch (const SimulationError& error) {
    std::fprintf(stderr, "%s: error: %s\n", options.netlist.c_str(), error.what());
    return 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "xbarsim: error: %s\n", error.what());
    return 2;
  }
}

}  // namespace xbarsim::cli
