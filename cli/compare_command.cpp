#include "cli/compare_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <string>

#include "core/compare.h"
#include "core/raw_file.h"

namespace xbarsim::cli {
namespace {

constexpr const char* kCompareUsage = R"(usage: xbarsim compare OURS.raw REFERENCE.raw [options]

Compares every vector the two raw files share, plot by plot (op, dc, tran; different time grids
are interpolated onto their union). A point passes when
  |ours - reference| <= abstol + reltol * max|reference over the vector|.

options:
  --reltol R        relative tolerance, of the vector's peak (default 1e-6)
  --vabstol A       absolute tolerance of voltages in V (default 1e-9)
  --iabstol A       absolute tolerance of currents in A (default 1e-12)
  --worst N         rows in the table of worst vectors (default 10)
  --same-vectors    also fail when a vector exists in only one of the files
  -h, --help        show this help

exit status: 0 within tolerance, 1 mismatch, 2 bad input or usage
)";

}  // namespace

int compare_command(const std::vector<std::string_view>& arguments) {
  std::vector<std::string> files;
  ComparisonTolerances tolerances;
  std::size_t worst = 10;
  bool same_vectors = false;
  try {
    for (std::size_t i = 0; i < arguments.size(); ++i) {
      std::string_view argument = arguments[i];
      auto value = [&]() -> double {
        if (i + 1 >= arguments.size()) throw std::invalid_argument(fmt::format("option '{}' needs a value", argument));
        return std::stod(std::string(arguments[++i]));
      };
      if (argument == "-h" || argument == "--help") {
        std::fputs(kCompareUsage, stdout);
        return 0;
      } else if (argument == "--reltol") {
        tolerances.relative = value();
      } else if (argument == "--vabstol") {
        tolerances.voltage_absolute = value();
      } else if (argument == "--iabstol") {
        tolerances.current_absolute = value();
      } else if (argument == "--same-vectors") {
        same_vectors = true;
      } else if (argument == "--worst") {
        worst = static_cast<std::size_t>(value());
      } else if (!argument.empty() && argument.front() == '-') {
        throw std::invalid_argument(fmt::format("unknown option '{}'", argument));
      } else {
        files.emplace_back(argument);
      }
    }
    if (files.size() != 2) throw std::invalid_argument("give two raw files: ours and the reference");
  } catch (const std::exception& error) {
    std::fprintf(stderr, "xbarsim compare: %s\n\n%s", error.what(), kCompareUsage);
    return 2;
  }
  try {
    Waveforms ours = read_raw_file(files[0]);
    Waveforms reference = read_raw_file(files[1]);
    WaveformComparison comparison = compare_waveforms(ours, reference, tolerances);
    std::fputs(format_worst_vectors(comparison, worst).c_str(), stdout);
    bool names_differ = false;
    for (const PlotComparison& plot : comparison.plots)
      names_differ = names_differ || !plot.only_in_ours.empty() || !plot.only_in_reference.empty();
    if (same_vectors && names_differ) std::puts("FAIL: the files do not hold the same vectors (--same-vectors)");
    return comparison.passed && !(same_vectors && names_differ) ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "xbarsim compare: error: %s\n", error.what());
    return 2;
  }
}

}  // namespace xbarsim::cli
