#include "cli/study_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "core/ciblock_study.h"

namespace xbarsim::cli {
namespace {

constexpr const char* kStudyUsage = R"(usage: xbarsim study ciblock [CONFIG.json] [--out DIR] [--print-default]

Compares the optical cross-layer path (N-LEM light -> photodiodes -> TIA) with the all-electrical
path (TIA -> S/H -> ADC -> memory -> DAC -> driver): accuracy, noise, latency and energy at the
receiving layer, sweeps, a cascade of blocks and the paper's FCN experiment on MNIST digits 0-3.

  CONFIG.json       study configuration (fields: examples/ciblock/README.md); the built-in
                    default (examples/ciblock/default.json) when omitted
  --out DIR         output directory (default results/ciblock): report.md, metrics.json, CSVs,
                    figures/, netlists/
  --print-default   print the built-in default configuration as JSON and exit
)";

}  // namespace

int study_command(const std::vector<std::string_view>& arguments) {
  if (arguments.empty() || arguments.front() == "-h" || arguments.front() == "--help") {
    std::fputs(kStudyUsage, arguments.empty() ? stderr : stdout);
    return arguments.empty() ? 2 : 0;
  }
  if (arguments.front() != "ciblock") {
    std::fprintf(stderr, "xbarsim study: unknown study '%.*s' (available: ciblock)\n", static_cast<int>(arguments.front().size()),
                 arguments.front().data());
    return 2;
  }
  std::string config_path, out = "results/ciblock";
  for (std::size_t k = 1; k < arguments.size(); ++k) {
    const std::string_view argument = arguments[k];
    if (argument == "--out" && k + 1 < arguments.size()) {
      out = std::string(arguments[++k]);
    } else if (argument == "--print-default") {
      std::printf("%s\n", CiblockConfig{}.to_json().dump(2).c_str());
      return 0;
    } else if (argument == "-h" || argument == "--help") {
      std::fputs(kStudyUsage, stdout);
      return 0;
    } else if (!argument.starts_with("-") && config_path.empty()) {
      config_path = std::string(argument);
    } else {
      std::fprintf(stderr, "xbarsim study ciblock: unexpected argument '%.*s'\n\n%s", static_cast<int>(argument.size()), argument.data(),
                   kStudyUsage);
      return 2;
    }
  }
  CiblockConfig config;
  try {
    if (!config_path.empty()) {
      std::ifstream stream(config_path);
      if (!stream) {
        std::fprintf(stderr, "%s: error: cannot read the configuration file\n", config_path.c_str());
        return 2;
      }
      config = CiblockConfig::from_json(nlohmann::json::parse(stream));
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: error: %s\n", config_path.c_str(), error.what());
    return 2;
  }
  const bool terminal = isatty(STDERR_FILENO) != 0;
  const auto started = std::chrono::steady_clock::now();
  const ProgressCallback progress = [&](const std::string& message) {
    if (!terminal) return;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::fprintf(stderr, "[%6.1f s] %s\n", seconds, message.c_str());
  };
  std::fprintf(stderr, "study ciblock: seed %llu (noise seed %llu), configuration %s, output %s\n",
               static_cast<unsigned long long>(config.seed), static_cast<unsigned long long>(config.noise_seed()),
               config_path.empty() ? "built-in default" : config_path.c_str(), out.c_str());
  try {
    const nlohmann::json metrics = run_ciblock_study(config, out, progress);
    const nlohmann::json& e = metrics["default"]["electrical"];
    const nlohmann::json& o = metrics["default"]["optical"];
    std::printf("rms error (%% FS): electrical %.3g, optical %.3g\n", e["rms_error_percent_fs"].get<double>(),
                o["rms_error_percent_fs"].get<double>());
    if (metrics.contains("fcn") && metrics["fcn"]["ran"].get<bool>())
      std::printf("FCN accuracy: ideal %.2f %%, FCN-1 electrical %.2f %%, FCN-2 optical %.2f %% (paper 94.95 / 91.6 / 90.23)\n",
                  metrics["fcn"]["ideal_accuracy_percent"].get<double>(), metrics["fcn"]["fcn1_electrical_accuracy_percent"].get<double>(),
                  metrics["fcn"]["fcn2_optical_accuracy_percent"].get<double>());
    std::printf("report: %s/report.md (%.0f s)\n", out.c_str(), metrics["run_seconds"].get<double>());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "xbarsim study ciblock: error: %s\n", error.what());
    return 1;
  }
  return 0;
}

}  // namespace xbarsim::cli
