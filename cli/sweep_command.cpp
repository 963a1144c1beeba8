#include "cli/sweep_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "core/diagnostics.h"
#include "core/elaborator.h"
#include "core/sweep.h"
#include "core/sweep_plan.h"
#include "core/sweep_results.h"

#ifdef XBARSIM_WITH_MPI
#include "distributed/mpi_sweep.h"
#endif

namespace xbarsim::cli {
namespace {

constexpr const char* kSweepUsage = R"(usage: xbarsim sweep NETLIST [options]

Runs the netlist once per point of a parameter sweep and records its .meas results per point.
The swept values replace the netlist's top-level `.param NAME=...` values. Points come from the
netlist's `.step param` lines and/or --param options (a --param replaces a .step of the same
name); several parameters form a grid, the first one varying slowest. Monte Carlo repeats every
grid point N times with the --vary parameters drawn anew from a seed derived from --seed and the
point number, so results never depend on --jobs or MPI ranks.

options:
  --param NAME=SPEC   sweep top-level parameter NAME; SPEC is one of
                        list:V1,V2,...            the listed values
                        lin:START,STOP,COUNT      COUNT evenly spaced values, ends included
                        step:START,STOP,INCREMENT START, START+INCREMENT, ... up to STOP
                        dec:START,STOP,N          N values per decade (logarithmic)
                        oct:START,STOP,N          N values per octave
                      values take SPICE suffixes: 1k, 2.2meg, 10u
  --monte-carlo N     N Monte Carlo runs per grid point; each run has its own seed, which
                      draws every --vary parameter and every agauss/gauss/aunif/unif call of
                      the netlist (one draw per device: device-to-device variation)
  --vary NAME=DIST    draw parameter NAME in each Monte Carlo run; DIST is
                        gauss:MEAN,SIGMA          normal distribution
                        uniform:LOW,HIGH          uniform on [LOW, HIGH)
                        lgauss:MEDIAN,SIGMA       log-normal, MEDIAN * exp(SIGMA * normal)
  --seed S            sweep seed (unsigned 64-bit; default: drawn at random, printed and
                      recorded in DIR/sweep.json; --resume reuses the recorded one)
  -j, --jobs J        points run in parallel (default: all cores, here {cores})
  -o, --out DIR       results directory (default NETLIST-STEM-sweep): results.csv,
                      points.jsonl, sweep.json, plots/MEAS_vs_PARAM.{{dat,gp,svg}}
  --resume            keep the points DIR already holds and run only the missing ones
  --no-plots          do not draw the summary plots
  --no-reuse          analyse every point's matrix pattern afresh instead of reusing the
                      previous point's symbolic analysis (to measure what the reuse saves)
  --solver NAME       linear solver, as `xbarsim run`: auto (default), klu, eigen or cg
  --no-native-models  expand library subcircuits with a native model as their twins
  -q, --quiet         print nothing but errors
  -h, --help          show this help

Files: results.csv has one row per point (point, parameters, measurements, status, error,
seconds); points.jsonl one JSON object per point. Both grow as points finish (in finishing
order) and are rewritten in point order at the end; a failed point records its error and the
sweep goes on. A progress bar with rate and ETA is drawn on a terminal, plain lines otherwise.
Under `mpirun -n P xbarsim-mpi sweep ...` (xbarsim-mpi: built with -DXBARSIM_MPI=ON) rank 0
hands out points to P-1 worker ranks and writes the same files; see docs/scaling.md.

exit status: 0 every point ran, 1 some points failed, 2 bad input or usage
)";

struct SweepOptions {
  std::filesystem::path netlist, out;
  std::vector<SteppedParameter> parameters;
  std::vector<ParameterVariation> variations;
  long monte_carlo_runs = 0;
  std::optional<std::uint64_t> seed;
  int jobs = 0;
  bool resume = false, plots = true, quiet = false;
  SweepSettings settings;
};

std::string duration_text(double seconds) {
  if (!(seconds < 1e9)) return "?";
  const long whole = static_cast<long>(seconds + 0.5);
  if (whole >= 3600) return fmt::format("{}h{:02}m", whole / 3600, whole / 60 % 60);
  if (whole >= 60) return fmt::format("{}m{:02}s", whole / 60, whole % 60);
  return fmt::format("{}s", whole);
}

// A bar redrawn in place on a terminal; a plain line at most every 5 s (and at the end) otherwise.
class ProgressReporter {
 public:
  explicit ProgressReporter(bool quiet) : quiet_(quiet), terminal_(::isatty(STDERR_FILENO) == 1) {}

  void operator()(const SweepProgress& progress) {
    if (quiet_) return;
    const double rate = progress.elapsed_seconds > 0 ? static_cast<double>(progress.run_this_time) / progress.elapsed_seconds : 0.0;
    const double eta = rate > 0 ? static_cast<double>(progress.total - progress.finished) / rate : -1;
    const double fraction = progress.total ? static_cast<double>(progress.finished) / static_cast<double>(progress.total) : 1.0;
    const std::string failed = progress.failed ? fmt::format(", {} failed", progress.failed) : "";
    const bool done = progress.finished == progress.total;
    if (terminal_) {
      constexpr int kWidth = 30;
      const int filled = static_cast<int>(fraction * kWidth);
      std::fprintf(stderr, "\r[%s%s] %ld/%ld %3.0f%%  %.3g points/s  ETA %s%s   ", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                   std::string(static_cast<std::size_t>(kWidth - filled), '.').c_str(), progress.finished, progress.total, 100 * fraction, rate,
                   eta < 0 ? "?" : duration_text(eta).c_str(), failed.c_str());
      if (done) std::fputc('\n', stderr);
      std::fflush(stderr);
      return;
    }
    if (!done && progress.elapsed_seconds - last_line_ < 5.0) return;
    last_line_ = progress.elapsed_seconds;
    std::fprintf(stderr, "sweep: %ld/%ld points (%.0f%%), %.3g points/s, elapsed %s, ETA %s%s\n", progress.finished, progress.total, 100 * fraction,
                 rate, duration_text(progress.elapsed_seconds).c_str(), eta < 0 ? "?" : duration_text(eta).c_str(), failed.c_str());
  }

 private:
  bool quiet_;
  bool terminal_;
  double last_line_ = 0;
};

std::optional<std::uint64_t> recorded_seed(const std::filesystem::path& directory) {
  std::ifstream stream(directory / "sweep.json");
  if (!stream) return std::nullopt;
  try {
    return std::stoull(nlohmann::json::parse(stream).at("seed").get<std::string>());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::uint64_t random_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

SweepOptions parse_options(const std::vector<std::string_view>& arguments) {
  SweepOptions options;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    std::string_view argument = arguments[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= arguments.size()) throw std::invalid_argument(fmt::format("option '{}' needs a value", argument));
      return std::string(arguments[++i]);
    };
    auto integer = [&](std::string_view what) {
      const std::string text = value();
      std::size_t used = 0;
      long number = 0;
      try {
        number = std::stol(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != text.size() || number < 1) throw std::invalid_argument(fmt::format("{} takes a positive integer, not '{}'", what, text));
      return number;
    };
    if (argument == "--param") {
      SteppedParameter parameter = parse_step_option(value());
      std::erase_if(options.parameters, [&](const SteppedParameter& other) { return other.name == parameter.name; });
      options.parameters.push_back(std::move(parameter));
    } else if (argument == "--vary") {
      options.variations.push_back(parse_variation_option(value()));
    } else if (argument == "--monte-carlo") {
      options.monte_carlo_runs = integer("--monte-carlo");
    } else if (argument == "--seed") {
      const std::string text = value();
      std::size_t used = 0;
      try {
        options.seed = std::stoull(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != text.size() || text.front() == '-') throw std::invalid_argument(fmt::format("--seed takes an unsigned integer, not '{}'", text));
    } else if (argument == "-j" || argument == "--jobs") {
      options.jobs = static_cast<int>(integer("--jobs"));
    } else if (argument == "-o" || argument == "--out") {
      options.out = value();
    } else if (argument == "--resume") {
      options.resume = true;
    } else if (argument == "--no-plots") {
      options.plots = false;
    } else if (argument == "--no-reuse") {
      options.settings.reuse_analysis = false;
    } else if (argument == "--solver") {
      options.settings.simulator.linear_solver = value();
      const std::string& solver = options.settings.simulator.linear_solver;
      if (solver != "auto" && solver != "klu" && solver != "eigen" && solver != "cg")
        throw std::invalid_argument("--solver takes auto, klu, eigen or cg");
    } else if (argument == "--no-native-models") {
      options.settings.elaboration.native_models = false;
    } else if (argument == "-q" || argument == "--quiet") {
      options.quiet = true;
    } else if (!argument.empty() && argument.front() == '-') {
      throw std::invalid_argument(fmt::format("unknown option '{}'", argument));
    } else if (options.netlist.empty()) {
      options.netlist = std::string(argument);
    } else {
      throw std::invalid_argument(fmt::format("unexpected argument '{}' (one netlist per sweep)", argument));
    }
  }
  if (options.netlist.empty()) throw std::invalid_argument("no netlist given");
  if (options.out.empty()) options.out = options.netlist.stem().string() + "-sweep";
  if (options.jobs == 0) options.jobs = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  options.settings.jobs = options.jobs;
  return options;
}

}  // namespace

int sweep_command(const std::vector<std::string_view>& arguments) {
  SweepOptions options;
  try {
    for (std::string_view argument : arguments)
      if (argument == "-h" || argument == "--help") {
        std::fputs(fmt::format(fmt::runtime(kSweepUsage), fmt::arg("cores", std::max(1U, std::thread::hardware_concurrency()))).c_str(), stdout);
        return 0;
      }
    options = parse_options(arguments);
  } catch (const std::invalid_argument& error) {
    std::fprintf(stderr, "xbarsim sweep: %s\n(`xbarsim sweep --help` lists the options)\n", error.what());
    return 2;
  }

#ifdef XBARSIM_WITH_MPI
  std::optional<distributed::MpiWorld> world;
  if (distributed::launched_as_several_ranks()) world.emplace();
  const bool coordinator = !world || world->rank() == 0;
  // Every rank sets up on its own; they go on only when all succeeded (a collective, so no rank
  // waits forever for one that gave up).
  auto all_succeeded = [&](bool succeeded) { return world ? world->all(succeeded) : succeeded; };
#else
  const bool coordinator = true;
  auto all_succeeded = [](bool succeeded) { return succeeded; };
#endif
  const bool quiet = options.quiet || !coordinator;
  DiagnosticSink sink = quiet ? DiagnosticSink([](const Diagnostic&) {}) : stderr_diagnostic_sink();
  auto report = [&](const std::exception& error) {
    if (!coordinator) return;
    if (dynamic_cast<const NetlistError*>(&error)) std::fprintf(stderr, "%s\n", error.what());
    else std::fprintf(stderr, "xbarsim sweep: error: %s\n", error.what());
  };

  const auto start = std::chrono::steady_clock::now();
  NetlistText netlist;
  SweepPlan plan;
  SweepDescription description;
  bool succeeded = true;
  try {
    netlist = read_netlist_file(options.netlist, sink);
    const Circuit base = elaborate(netlist, sink, options.settings.elaboration);
    plan.grid = base.steps;
    for (SteppedParameter& parameter : options.parameters) {
      std::erase_if(plan.grid, [&](const SteppedParameter& other) { return other.name == parameter.name; });
      plan.grid.push_back(std::move(parameter));
    }
    plan.variations = options.variations;
    plan.monte_carlo_runs = options.monte_carlo_runs;
    plan.validate();
    check_swept_parameters(plan, base);
    if (base.measurements.empty()) throw std::invalid_argument("the netlist has no .meas lines: a sweep records measurements per point");
    if (base.analyses.empty()) throw std::invalid_argument("the netlist requests no analysis: add .op, .dc or .tran");
    std::optional<std::uint64_t> seed = options.seed;
    if (!seed && options.resume) seed = recorded_seed(options.out);
    plan.seed = seed ? *seed : random_seed();
    description.netlist = options.netlist.string();
    description.parameter_names = plan.parameter_names();
    description.measurement_names = measurement_names(base);
    description.point_count = plan.point_count();
    description.monte_carlo_runs = plan.monte_carlo_runs;
  } catch (const std::exception& error) {
    report(error);
    succeeded = false;
  }
  if (!all_succeeded(succeeded)) return 2;
#ifdef XBARSIM_WITH_MPI
  if (world) plan.seed = world->broadcast(plan.seed);
#endif
  description.seed = plan.seed;

  std::optional<SweepResultFiles> files;
  try {
    if (coordinator) files.emplace(options.out, description, options.resume);
  } catch (const std::exception& error) {
    report(error);
    succeeded = false;
  }
  if (!all_succeeded(succeeded)) return 2;

  if (!quiet) {
    std::printf("sweep: %s, %ld points (%s%s), seed %llu\n", options.netlist.c_str(), plan.point_count(),
                plan.grid.empty() ? "no grid" : fmt::format("grid of {}", plan.grid_size()).c_str(),
                plan.monte_carlo_runs ? fmt::format(" x {} Monte Carlo runs", plan.monte_carlo_runs).c_str() : "",
                static_cast<unsigned long long>(plan.seed));
    if (!files->finished().empty()) std::printf("sweep: resuming, %zu points already in %s/\n", files->finished().size(), options.out.c_str());
#ifdef XBARSIM_WITH_MPI
    if (world) std::printf("sweep: %d MPI ranks (rank 0 coordinates, %d workers)\n", world->size(), world->size() - 1);
    else
#endif
      std::printf("sweep: %d jobs\n", options.jobs);
    std::fflush(stdout);
  }

  try {
    ProgressReporter reporter(quiet);
    std::function<void(const SweepProgress&)> progress = [&](const SweepProgress& state) { reporter(state); };
    SweepStatistics statistics;
#ifdef XBARSIM_WITH_MPI
    if (world) statistics = distributed::run_sweep_mpi(*world, netlist, plan, options.settings, files ? &*files : nullptr, description, progress);
    else
#endif
      statistics = run_sweep(netlist, plan, options.settings, *files, description.measurement_names, progress);
    if (!coordinator) return 0;

    files->write_sorted();
    const std::vector<PointResult> results = files->results();
    std::vector<std::filesystem::path> plots;
    if (options.plots) plots = write_sweep_plots(options.out / "plots", plan, description, results);
    long failed = 0;
    for (const PointResult& result : results) failed += result.ok ? 0 : 1;
    if (!quiet) {
      std::printf("sweep: %ld points run this time in %.3f s; %ld of %ld points failed\n", statistics.points,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), failed, plan.point_count());
      if (statistics.points)
        std::printf("sweep: symbolic analysis reused by %ld of %ld points; per point: elaborate %.3g s, setup %.3g s, analyses %.3g s\n",
                    statistics.reused_analyses, statistics.points, statistics.elaborate_seconds / static_cast<double>(statistics.points),
                    statistics.setup_seconds / static_cast<double>(statistics.points),
                    statistics.analysis_seconds / static_cast<double>(statistics.points));
      for (const PointResult& result : results)
        if (!result.ok) {
          std::printf("sweep: first failed point %ld: %s\n", result.index, result.error.c_str());
          break;
        }
      std::printf("results: %s/results.csv, %s/points.jsonl\n", options.out.c_str(), options.out.c_str());
      if (options.plots)
        std::printf("plots: %s/plots/ (%zu %s)\n", options.out.c_str(), plots.size(), plots.empty() ? "- gnuplot not found; scripts written" : "SVG");
    }
    return failed ? 1 : 0;
  } catch (const std::exception& error) {
    // Only the result files or MPI can fail here; the points' own problems are recorded per point.
    report(error);
#ifdef XBARSIM_WITH_MPI
    if (world) world->abort(2);
#endif
    return 2;
  }
}

}  // namespace xbarsim::cli
