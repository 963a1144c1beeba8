#include "models/nlem_fit_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>

#include "core/gnuplot.h"
#include "core/table_output.h"

namespace xbarsim {
namespace {

const NlemParameters::Field& field_named(const std::string& name) {
  const auto& fields = NlemParameters::fields();
  return *std::find_if(fields.begin(), fields.end(), [&](const NlemParameters::Field& field) { return field.name == name; });
}

// Fitted parameters first, then those set away from their defaults.
std::vector<std::string> card_parameter_names(const NlemFitResult& result) {
  std::vector<std::string> names;
  for (const NlemFittedParameter& fitted : result.fitted) names.push_back(fitted.name);
  const NlemParameters defaults;
  for (const NlemParameters::Field& field : NlemParameters::fields())
    if (result.parameters.*field.member != defaults.*field.member && std::find(names.begin(), names.end(), field.name) == names.end())
      names.emplace_back(field.name);
  return names;
}

std::string pwl_source(const std::string& name, const std::string& node, const std::vector<double>& time, const std::vector<double>& value) {
  std::string card = fmt::format("{} {} 0 PWL(", name, node);
  for (std::size_t i = 0; i < time.size(); ++i) fmt::format_to(std::back_inserter(card), "{}{} {}", i % 4 == 0 ? "\n+ " : " ", time[i], value[i]);
  return card + ")\n";
}

std::string residuals_csv(const NlemMeasurement& measurement, const NlemFitResult& result) {
  const bool optical = !measurement.optical_power.empty();
  std::string text = "time,voltage,uv_irradiance,current_measured,current_fitted,current_residual";
  if (optical) text += ",optical_power_measured,optical_power_fitted,optical_power_residual";
  text += "\n";
  const NlemStimulus& stimulus = measurement.stimulus;
  for (std::size_t i = 0; i < stimulus.time.size(); ++i) {
    fmt::format_to(std::back_inserter(text), "{},{},{},{},{},{}", stimulus.time[i], stimulus.voltage[i], stimulus.irradiance[i],
                   measurement.current[i], result.response.current[i], result.current_residuals[i]);
    if (optical)
      fmt::format_to(std::back_inserter(text), ",{},{},{}", measurement.optical_power[i], result.response.optical_power[i],
                     result.optical_power_residuals[i]);
    text += "\n";
  }
  return text;
}

std::string overlay_script(const NlemMeasurement& measurement, const NlemFitResult& result) {
  const bool optical = !measurement.optical_power.empty();
  std::string script = fmt::format(
      "# Measured vs fitted N-LEM response: run `gnuplot overlay.gp` in this directory (reads residuals.csv).\n"
      "set terminal svg size 900,{} dynamic background rgb 'white'\n"
      "set output 'overlay.svg'\n"
      "set datafile separator ','\n"
      "set key top center\n"
      "set multiplot layout {},1 title {}\n"
      "set lmargin 12\n"
      "set ylabel 'current (uA)'\n"
      "plot 'residuals.csv' using 1:($4*1e6) with points pt 7 ps 0.3 lc rgb 'gray50' title 'measured', \\\n"
      "     '' using 1:($5*1e6) with lines lw 1.5 lc rgb 'dark-red' title 'fitted'\n",
      optical ? 900 : 650, optical ? 3 : 2,
      gnuplot_string(fmt::format("N-LEM fit: rms relative residual {:.3g} %", 100 * result.rms_relative_residual)));
  if (optical)
    script +=
        "set ylabel 'optical power (uW)'\n"
        "plot 'residuals.csv' using 1:($7*1e6) with points pt 7 ps 0.3 lc rgb 'gray50' title 'measured', \\\n"
        "     '' using 1:($8*1e6) with lines lw 1.5 lc rgb 'dark-blue' title 'fitted'\n";
  script +=
      "set xlabel 'time (s)'\n"
      "set ylabel 'voltage (V)'\n"
      "set y2label 'UV irradiance (W/m^2)'\n"
      "set y2tics\n"
      "plot 'residuals.csv' using 1:2 with lines lc rgb 'black' title 'voltage', \\\n"
      "     '' using 1:3 axes x1y2 with lines lc rgb 'violet' title 'UV irradiance'\n"
      "unset multiplot\n";
  return script;
}

nlohmann::json summary_json(const NlemMeasurement& measurement, const NlemFitResult& result, const NlemFitReportContext& context) {
  nlohmann::json summary;
  summary["data"] = context.data.string();
  summary["samples"] = measurement.current.size();
  summary["optical_power_measured"] = !measurement.optical_power.empty();
  summary["uv_irradiance_measured"] = measurement.has_irradiance;
  summary["seed"] = context.settings.seed;
  summary["starts"] = context.settings.starts;
  summary["best_start"] = result.best_start;
  nlohmann::json parameters = nlohmann::json::array();
  for (const NlemFittedParameter& fitted : result.fitted)
    parameters.push_back({{"name", fitted.name},
                          {"unit", field_named(fitted.name).unit},
                          {"initial", fitted.initial},
                          {"fitted", fitted.fitted},
                          {"relative_standard_error", fitted.relative_standard_error},
                          {"log_space", fitted.logarithmic}});
  summary["parameters"] = parameters;
  summary["rms_relative_residual"] = result.rms_relative_residual;
  summary["rms_current_error_A"] = result.rms_current_error;
  if (!measurement.optical_power.empty()) summary["rms_optical_power_error_W"] = result.rms_optical_power_error;
  summary["iterations"] = result.iterations;
  summary["model_evaluations"] = result.evaluations;
  summary["converged"] = result.converged;
  summary["status"] = result.status;
  return summary;
}

}  // namespace

std::string nlem_parameter_card(const NlemParameters& parameters, const std::vector<std::string>& names) {
  std::string instance;
  for (const std::string& name : names) instance += fmt::format(" {0}={{nlem_{0}}}", name);
  std::string card = fmt::format("* N-LEM parameters fitted by `xbarsim fit nlem` (models/nlem.lib for the rest).\n"
                                 "* Use: .include this file, then\n*   X1 anode cathode opt uv NLEM{}\n",
                                 instance);
  for (const std::string& name : names) {
    const NlemParameters::Field& field = field_named(name);
    card += fmt::format("* {} ({}): {}\n.param nlem_{}={:.9g}\n", name, field.unit, field.meaning, name, parameters.*field.member);
  }
  return card;
}

std::string nlem_replay_netlist(const NlemStimulus& stimulus, const std::vector<std::string>& names, const std::filesystem::path& card,
                                const std::filesystem::path& library) {
  std::string netlist = "N-LEM fit: the measured stimulus applied to the fitted device\n"
                        "* EPSC = -i(vin) (A), EPSB = v(opt) (W). Optical nets carry microwatts: vntol resolves them.\n";
  netlist += fmt::format(".include {}\n.include {}\n", library.string(), card.string());
  netlist += pwl_source("Vin", "a", stimulus.time, stimulus.voltage);
  netlist += pwl_source("Vuv", "uv", stimulus.time, stimulus.irradiance);
  netlist += "X1 a 0 opt uv NLEM";
  for (const std::string& name : names) netlist += fmt::format(" {0}={{nlem_{0}}}", name);
  double shortest_interval = stimulus.time.back() - stimulus.time.front();
  for (std::size_t i = 1; i < stimulus.time.size(); ++i) shortest_interval = std::min(shortest_interval, stimulus.time[i] - stimulus.time[i - 1]);
  // A maximum step of a quarter sample interval: with tstep alone ngspice steps over PWL corners
  // by up to tstep, which makes a comparison of the two engines' waveforms fail at every edge.
  netlist += fmt::format("\n.options vntol=1e-12\n.save v(a) v(uv) v(opt) i(vin)\n.tran {} {} {} {}\n.end\n", shortest_interval,
                         stimulus.time.back(), stimulus.time.front(), shortest_interval / 4);
  return netlist;
}

std::vector<std::filesystem::path> write_nlem_fit_report(const std::filesystem::path& directory, const NlemMeasurement& measurement,
                                                         const NlemFitResult& result, const NlemFitReportContext& context) {
  std::filesystem::create_directories(directory);
  std::vector<std::filesystem::path> written;
  auto write = [&](const std::string& name, const std::string& text) {
    written.push_back(directory / name);
    write_text_file(written.back(), text);
  };
  const std::vector<std::string> names = card_parameter_names(result);
  write("fitted.param", nlem_parameter_card(result.parameters, names));
  write("replay.cir", nlem_replay_netlist(measurement.stimulus, names, "fitted.param",
                                          std::filesystem::path(XBARSIM_SOURCE_DIR) / "models" / "nlem.lib"));
  write("residuals.csv", residuals_csv(measurement, result));
  write("overlay.gp", overlay_script(measurement, result));
  if (gnuplot_available()) {
    run_gnuplot_script(directory / "overlay.gp");
    written.push_back(directory / "overlay.svg");
  }
  write("summary.json", summary_json(measurement, result, context).dump(1) + "\n");
  return written;
}

}  // namespace xbarsim
