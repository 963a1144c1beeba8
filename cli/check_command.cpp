#include "cli/check_command.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include "core/compare.h"
#include "core/comparison_report.h"
#include "core/gnuplot.h"
#include "core/diagnostics.h"
#include "core/elaborator.h"
#include "core/simulator.h"
#include "solvers/ngspice_engine.h"

namespace xbarsim::cli {
namespace {

constexpr const char* kCheckUsage = R"(usage: xbarsim check NETLIST [options]

Runs the netlist in xbarsim and in ngspice (its shared library libngspice, in a separate process),
compares every vector both produce in every analysis (op, dc, tran; different time grids are
interpolated onto their union) and prints the worst vectors. A point passes when
  |xbarsim - ngspice| <= abstol + reltol * max|ngspice over the whole vector|.

options:
  --reltol R          relative tolerance, of each vector's peak (default 1e-6)
  --abstol A          absolute tolerance of voltages (V) and currents (A) alike
  --vabstol A         absolute tolerance of voltages in V (default 1e-9)
  --iabstol A         absolute tolerance of currents in A (default 1e-12)
  --worst N           rows in the table of worst vectors, and overlay plots (default 10)
  --same-vectors      also fail when a vector exists in only one engine's results
  --timeout S         stop ngspice after S seconds (default: no limit) and fail with exit status 2
  --json FILE         write the comparison as JSON (every vector's errors, verdict, tolerances)
  --plot DIR          write overlay plots (xbarsim vs ngspice) of the worst vectors into DIR:
                      data files and gnuplot scripts, rendered to SVG when gnuplot is installed
  --no-native-models  have xbarsim run the ngspice behavioural twins of native models instead of
                      the native C++ models (accepted now; xbarsim has no native models yet, so it
                      changes nothing today)
  -h, --help          show this help

exit status: 0 everything within tolerance, 1 mismatch, 2 error (bad netlist or a failure in
either engine, libngspice missing, usage)
)";

struct CheckOptions {
  std::filesystem::path netlist;
  ComparisonTolerances tolerances;
  std::size_t worst = 10;
  bool same_vectors = false;
  double timeout_seconds = 0;
  std::optional<std::filesystem::path> json, plot_directory;
};

CheckOptions parse_options(const std::vector<std::string_view>& arguments) {
  CheckOptions options;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string_view argument = arguments[i];
    auto text = [&]() -> std::string {
      if (i + 1 >= arguments.size()) throw std::invalid_argument(fmt::format("option '{}' needs a value", argument));
      return std::string(arguments[++i]);
    };
    auto number = [&]() {
      const std::string value = text();
      std::size_t used = 0;
      double parsed = -1;
      try {
        parsed = std::stod(value, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != value.size() || !(parsed >= 0))
        throw std::invalid_argument(fmt::format("option '{}' takes a non-negative number, not '{}'", argument, value));
      return parsed;
    };
    if (argument == "--reltol") {
      options.tolerances.relative = number();
    } else if (argument == "--abstol") {
      options.tolerances.voltage_absolute = options.tolerances.current_absolute = number();
    } else if (argument == "--vabstol") {
      options.tolerances.voltage_absolute = number();
    } else if (argument == "--iabstol") {
      options.tolerances.current_absolute = number();
    } else if (argument == "--worst") {
      options.worst = static_cast<std::size_t>(number());
    } else if (argument == "--timeout") {
      options.timeout_seconds = number();
    } else if (argument == "--same-vectors") {
      options.same_vectors = true;
    } else if (argument == "--json") {
      options.json = text();
    } else if (argument == "--plot") {
      options.plot_directory = text();
    } else if (argument == "--no-native-models") {
      // Accepted so scripts can state it; xbarsim has no native models yet, so there is nothing to switch.
    } else if (!argument.empty() && argument.front() == '-') {
      throw std::invalid_argument(fmt::format("unknown option '{}'", argument));
    } else if (options.netlist.empty()) {
      options.netlist = std::string(argument);
    } else {
      throw std::invalid_argument(fmt::format("unexpected argument '{}' (one netlist per check)", argument));
    }
  }
  if (options.netlist.empty()) throw std::invalid_argument("no netlist given");
  return options;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool vector_names_differ(const WaveformComparison& comparison) {
  for (const PlotComparison& plot : comparison.plots)
    if (!plot.only_in_ours.empty() || !plot.only_in_reference.empty()) return true;
  return false;
}

void write_plots(const std::filesystem::path& directory, const Waveforms& ours, const Waveforms& reference,
                 const WaveformComparison& comparison, std::size_t count) {
  const std::vector<OverlayPlot> plots = write_overlay_plots(directory, ours, reference, comparison, count);
  if (!gnuplot_available()) {
    std::printf(
        "plots: gnuplot is not installed, so no images were drawn (install it with `sudo apt-get install gnuplot-nox`);\n"
        "       %zu data files and gnuplot scripts written to %s/\n",
        plots.size(), directory.c_str());
    return;
  }
  render_overlay_plots(plots);
  std::printf("plots: %zu overlay plots (SVG, with their data files and gnuplot scripts) in %s/\n", plots.size(),
              directory.c_str());
}

}  // namespace

int check_command(const std::vector<std::string_view>& arguments) {
  for (const std::string_view argument : arguments)
    if (argument == "-h" || argument == "--help") {
      std::fputs(kCheckUsage, stdout);
      return 0;
    }
  CheckOptions options;
  try {
    options = parse_options(arguments);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "xbarsim check: %s\n\n%s", error.what(), kCheckUsage);
    return 2;
  }

  try {
    NgspiceSettings ngspice_settings;
    ngspice_settings.timeout = std::chrono::milliseconds(static_cast<long long>(std::ceil(options.timeout_seconds * 1e3)));
    const NgspiceEngine ngspice(ngspice_settings);
    // ngspice works in its own process while xbarsim simulates here.
    const auto ngspice_start = std::chrono::steady_clock::now();
    NgspiceRun ngspice_run = ngspice.start(options.netlist);

    std::optional<Waveforms> ours;
    const auto our_start = std::chrono::steady_clock::now();
    try {
      Circuit circuit = load_circuit(options.netlist, stderr_diagnostic_sink());
      Simulator simulator(circuit);
      ours = simulator.run();
    } catch (const NetlistError& error) {
      std::fprintf(stderr, "xbarsim check: xbarsim rejects the netlist:\n%s\n", error.what());
    } catch (const SimulationError& error) {
      std::fprintf(stderr, "xbarsim check: xbarsim failed: %s: error: %s\n", options.netlist.c_str(), error.what());
    }
    const double our_seconds = seconds_since(our_start);

    std::optional<Waveforms> reference;
    try {
      reference = ngspice_run.wait();
    } catch (const NgspiceError& error) {
      std::fprintf(stderr, "xbarsim check: ngspice failed: %s\n", error.what());
    }
    const double ngspice_seconds = seconds_since(ngspice_start);
    if (!ours || !reference) return 2;

    const WaveformComparison comparison = compare_waveforms(*ours, *reference, options.tolerances);
    const ComparisonTolerances& tolerances = options.tolerances;
    std::printf("check %s\n", options.netlist.c_str());
    std::printf("  xbarsim  %zu plots in %.3f s\n", ours->plots.size(), our_seconds);
    std::printf("  ngspice  %zu plots in %.3f s (%s, separate process)\n", reference->plots.size(), ngspice_seconds,
                ngspice.library().c_str());
    std::printf("  pass when |xbarsim - ngspice| <= abstol + %g * peak|ngspice|, abstol %g V, %g A\n\n", tolerances.relative,
                tolerances.voltage_absolute, tolerances.current_absolute);
    std::fputs(format_worst_vectors(comparison, options.worst).c_str(), stdout);
    const bool same_vectors_failed = options.same_vectors && vector_names_differ(comparison);
    if (same_vectors_failed) std::puts("FAIL: the engines do not produce the same vectors (--same-vectors)");

    if (options.json) write_comparison_json_file(*options.json, options.netlist.string(), comparison, tolerances);
    if (options.plot_directory) write_plots(*options.plot_directory, *ours, *reference, comparison, options.worst);
    return comparison.passed && !same_vectors_failed ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "xbarsim check: error: %s\n", error.what());
    return 2;
  }
}

}  // namespace xbarsim::cli
