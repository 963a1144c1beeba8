#include "cli/fit_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include "core/spice_number.h"
#include "models/nlem_fit.h"
#include "models/nlem_fit_report.h"

namespace xbarsim::cli {
namespace {

constexpr const char* kFitUsage = R"(usage: xbarsim fit nlem DATA.csv [options]

Fits the N-LEM compact model (models/nlem.lib, docs/models/nlem.md) to measured pulse data: the
applied voltage (and UV) record is replayed through the model's state equations and the chosen
parameters are adjusted by Levenberg-Marquardt (Eigen) to minimise the relative residuals of the
current (and of the optical power).

DATA.csv: a header row, then one row per sample, comma separated, '#' comments. Columns in any
order, names case-insensitive, a unit in brackets after the name is ignored:
  time (s)                 sample time, increasing
  voltage (V)              applied anode - cathode voltage (linear between samples, as PWL)
  current (A)              measured device current, anode -> cathode
  optical_power (W)        optional: measured emitted optical power
  uv_irradiance (W/m^2)    optional: UV irradiance on the device (700 W/m^2 = 70 mW/cm^2)
The device is taken to rest at its steady state for the first sample's voltage and UV.

options:
  --params P1,P2,...  parameters to fit (default: g0,aw,kw,tauw; plus eta,cw with optical
                      power; plus kuv with UV). Positive ones are fitted in log space.
  --set N=V,N=V,...   starting values (fitted parameters) or fixed values (all others) away
                      from the library defaults, e.g. --set vh=1.2,g0=3e-6
  --out DIR           output directory (default DATA-STEM-fit)
  --starts N          number of starting points (default 1; the others are drawn within a
                      factor of 2 of the given start); the smallest residual wins
  --seed S            seed of those draws (default 1; printed and recorded)
  -q, --quiet         print nothing but errors
  -h, --help          show this help

parameters (unit, meaning, default):
{}
residuals: r_i = (model_i - measured_i) / (|measured_i| + 1e-3 max|measured|) for the current
and for the optical power, all weighted alike.

writes into DIR: fitted.param (.param nlem_<name>=<value> lines; the instance line to use is in
its header), replay.cir (the stimulus applied to the fitted device, for `xbarsim check`),
residuals.csv, overlay.gp + overlay.svg (measured vs fitted), summary.json.

exit status: 0 fitted, 1 the fit did not converge (files still written), 2 bad input or usage
)";

std::string usage() {
  std::string table;
  const NlemParameters defaults;
  for (const NlemParameters::Field& field : NlemParameters::fields())
    if (field.name != "w0" && field.name != "f0" && field.name != "hold")
      table += fmt::format("  {:<5} {:<6} {:<46} {:g}\n", field.name, field.unit, field.meaning, defaults.*field.member);
  return fmt::format(kFitUsage, table);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ','))
    if (!item.empty()) items.push_back(item);
  return items;
}

// "vh=1.2,g0=3e-6" applied to `parameters`; values take SPICE suffixes.
void apply_settings(const std::string& text, NlemParameters& parameters) {
  for (const std::string& item : split_list(text)) {
    const auto equals = item.find('=');
    if (equals == std::string::npos) throw std::invalid_argument(fmt::format("--set: '{}' is not NAME=VALUE", item));
    const std::string name = item.substr(0, equals);
    const auto& fields = NlemParameters::fields();
    const auto field = std::find_if(fields.begin(), fields.end(), [&](const NlemParameters::Field& f) { return f.name == name; });
    if (field == fields.end()) throw std::invalid_argument(fmt::format("--set: '{}' is not an N-LEM parameter", name));
    const std::optional<double> value = parse_spice_number(item.substr(equals + 1));
    if (!value) throw std::invalid_argument(fmt::format("--set: '{}' is not a number", item.substr(equals + 1)));
    parameters.*field->member = *value;
  }
}

}  // namespace

int fit_command(const std::vector<std::string_view>& arguments) {
  std::optional<std::filesystem::path> data, out;
  std::optional<std::string> parameter_list;
  NlemFitSettings settings;
  bool quiet = false;
  try {
    if (arguments.empty() || (arguments.front() != "nlem" && arguments.front() != "-h" && arguments.front() != "--help"))
      throw std::invalid_argument("the model to fit comes first: xbarsim fit nlem DATA.csv");
    for (std::size_t i = arguments.front() == "nlem" ? 1 : 0; i < arguments.size(); ++i) {
      std::string_view argument = arguments[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= arguments.size()) throw std::invalid_argument(fmt::format("option '{}' needs a value", argument));
        return std::string(arguments[++i]);
      };
      if (argument == "-h" || argument == "--help") {
        std::fputs(usage().c_str(), stdout);
        return 0;
      } else if (argument == "--params") {
        parameter_list = value();
      } else if (argument == "--set") {
        apply_settings(value(), settings.initial);
      } else if (argument == "--out") {
        out = value();
      } else if (argument == "--starts") {
        settings.starts = std::stoi(value());
        if (settings.starts < 1) throw std::invalid_argument("--starts must be at least 1");
      } else if (argument == "--seed") {
        settings.seed = std::stoull(value());
      } else if (argument == "-q" || argument == "--quiet") {
        quiet = true;
      } else if (!argument.empty() && argument.front() == '-') {
        throw std::invalid_argument(fmt::format("unknown option '{}'", argument));
      } else if (!data) {
        data = std::string(argument);
      } else {
        throw std::invalid_argument(fmt::format("unexpected argument '{}' (one data file per fit)", argument));
      }
    }
    if (!data) throw std::invalid_argument("no data file given");
  } catch (const std::exception& error) {
    std::fprintf(stderr, "xbarsim fit: %s\n\n%s", error.what(), usage().c_str());
    return 2;
  }

  try {
    const NlemMeasurement measurement = read_nlem_measurement_csv(*data);
    settings.parameters = parameter_list ? split_list(*parameter_list) : default_nlem_fit_parameters(measurement);
    const NlemFitResult result = fit_nlem(measurement, settings);
    const std::filesystem::path directory = out ? *out : std::filesystem::path(data->stem().string() + "-fit");
    const std::vector<std::filesystem::path> written = write_nlem_fit_report(directory, measurement, result, {*data, settings});
    if (!quiet) {
      std::printf("N-LEM fit of %s: %zu samples%s%s, seed %llu, %d start(s)\n", data->c_str(), measurement.current.size(),
                  measurement.optical_power.empty() ? "" : ", optical power", measurement.has_irradiance ? ", UV" : "",
                  static_cast<unsigned long long>(settings.seed), settings.starts);
      std::printf("%s after %ld iterations (%ld model runs)\n\n", result.status.c_str(), result.iterations, result.evaluations);
      std::printf("  %-5s %14s %14s %14s\n", "name", "initial", "fitted", "rel. std err");
      for (const NlemFittedParameter& fitted : result.fitted)
        std::printf("  %-5s %14.6g %14.6g %13.2g%%\n", fitted.name.c_str(), fitted.initial, fitted.fitted, 100 * fitted.relative_standard_error);
      std::printf("\nrms relative residual %.4g %%, rms current error %.4g A", 100 * result.rms_relative_residual, result.rms_current_error);
      if (!measurement.optical_power.empty()) std::printf(", rms optical power error %.4g W", result.rms_optical_power_error);
      std::printf("\n");
      for (const std::filesystem::path& path : written) std::printf("wrote %s\n", path.c_str());
    }
    return result.converged ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "xbarsim fit: error: %s\n", error.what());
    return 2;
  }
}

}  // namespace xbarsim::cli
