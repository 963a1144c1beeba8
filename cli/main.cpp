// xbarsim command-line front end: parses arguments and calls the library.
//
//   xbarsim run NETLIST [options]    simulate a netlist, write raw/CSV/JSON results
//   xbarsim check NETLIST [options]  cross-check a netlist against ngspice
//   xbarsim compare A B [options]    compare two raw files
//   xbarsim sweep NETLIST [options]  parameter sweep / Monte Carlo with .meas results per point
//   xbarsim gen array [options]      write a differential array netlist
//   xbarsim fit nlem DATA.csv        fit the N-LEM model to measured pulse data
//   xbarsim study ciblock [CONFIG]   the CIBlock study: optical vs electrical cross-layer path
//   xbarsim --help | --version
#include <fmt/format.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "cli/check_command.h"
#include "cli/compare_command.h"
#include "cli/fit_command.h"
#include "cli/gen_command.h"
#include "cli/process_memory.h"
#include "cli/run_command.h"
#include "cli/sweep_command.h"
#include "cli/study_command.h"

namespace {

constexpr const char* kUsage = R"(xbarsim - analog crossbar circuit simulator (ngspice-compatible netlists)

usage: xbarsim <command> [options]

commands:
  run NETLIST     simulate a SPICE netlist (.op, .dc) and write its results
                  (`xbarsim run --help` lists the options)
  check NETLIST   run a netlist in xbarsim and in ngspice (libngspice) and compare every vector
                  (`xbarsim check --help` lists the options)
  compare A B     compare two raw files vector by vector (e.g. ours vs ngspice's)
  gen array       write a differential memristor array as a SPICE netlist + JSON description
  sweep NETLIST   run a netlist over parameter grids (.step, --param) and Monte Carlo draws on
                  all cores (or MPI ranks), recording its .meas results per point; resumable
                  (`xbarsim sweep --help` lists the options)
  fit nlem DATA   fit the N-LEM compact model to measured pulse data (time, voltage, current,
                  optional optical power and UV); `xbarsim fit --help` lists the options
  study ciblock   optical vs all-electrical cross-layer transfer: report, figures, metrics
                  (`xbarsim study --help`)

options:
  -h, --help      show this help
  --version       print the version

Netlists are ngspice netlists: every netlist xbarsim accepts also runs in ngspice 39, except
that ngspice rejects `.step` lines (use `xbarsim sweep --param` to keep a netlist ngspice-valid).
Documentation: docs/netlist.md (dialect), docs/architecture.md (how it works).
)";

}  // namespace

int main(int argc, char** argv) {
  xbarsim::cli::set_up_process_memory(argc, argv);
  std::vector<std::string_view> arguments(argv + 1, argv + argc);
  if (arguments.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string_view command = arguments.front();
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "--version") {
    std::printf("xbarsim %s\n", XBARSIM_VERSION);
    return 0;
  }
  std::vector<std::string_view> rest(arguments.begin() + 1, arguments.end());
  if (command == "run") return xbarsim::cli::run_command(rest);
  if (command == "check") return xbarsim::cli::check_command(rest);
  if (command == "compare") return xbarsim::cli::compare_command(rest);
  if (command == "gen") return xbarsim::cli::gen_command(rest);
  if (command == "sweep") return xbarsim::cli::sweep_command(rest);
  if (command == "fit") return xbarsim::cli::fit_command(rest);
  if (command == "study") return xbarsim::cli::study_command(rest);
  std::fprintf(stderr, "xbarsim: unknown command '%.*s'\n\n%s", static_cast<int>(command.size()), command.data(), kUsage);
  return 2;
}
