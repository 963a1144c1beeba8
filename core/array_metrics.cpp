#include "core/array_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/gnuplot.h"
#include "core/table_output.h"

namespace xbarsim {
namespace {

std::size_t require(const Plot& plot, const std::string& name) {
  const std::optional<std::size_t> vector = plot.find(name);
  if (!vector) throw std::invalid_argument(fmt::format("the results have no vector '{}' (is this the array's netlist?)", name));
  return *vector;
}

// Column current over the plot's points, as the readout reports it.
std::vector<double> column_current(const ArrayDesign& design, const Plot& plot, int column) {
  const ArraySpecification& spec = design.specification;
  std::vector<double> current;
  switch (spec.readout.kind) {
    case ArrayReadout::virtual_ground: current = plot.values(require(plot, fmt::format("i(vsense{})", column))); break;
    case ArrayReadout::tia:
      current = plot.values(require(plot, fmt::format("v(tia{})", column)));
      for (double& value : current) value = -value / spec.readout.tia_feedback_resistance;
      break;
    case ArrayReadout::resistor: {
      const std::string node = spec.parasitics.sense_resistance > 0 ? fmt::format("s{}", column) : fmt::format("b{}_{}", column, spec.rows - 1);
      current = plot.values(require(plot, fmt::format("v({})", node)));
      for (double& value : current) value /= spec.readout.load_resistance;
      break;
    }
  }
  return current;
}

}  // namespace

ArrayMetrics array_metrics(const ArrayDesign& design, const Waveforms& results, int resolution_bits) {
  if (results.plots.empty()) throw std::invalid_argument("no simulation results");
  const Plot& plot = results.plots.back();
  const ArraySpecification& spec = design.specification;
  const bool transient = plot.has_scale && plot.quantity(0) == Quantity::time;
  const std::vector<double> time = transient ? plot.values(0) : std::vector<double>{};
  // The read happens at the end of the input pulse's plateau (transient) or at the operating point.
  std::size_t last = plot.point_count() - 1;
  const double read_time = spec.inputs.pulse_delay + spec.inputs.pulse_edge + spec.inputs.pulse_width;
  if (transient) {
    last = static_cast<std::size_t>(std::upper_bound(time.begin(), time.end(), read_time * (1 + 1e-12)) - time.begin());
    if (last == 0) throw std::invalid_argument("the transient ends before the input pulse is read");
    --last;
  }
  ArrayMetrics metrics;
  metrics.resolution_bits = resolution_bits;
  metrics.full_scale_current = design.full_scale_current;
  metrics.ideal_outputs = design.ideal_outputs;
  const double half_lsb = 0.5 * design.full_scale_current / std::ldexp(1.0, resolution_bits);

  double sum_squares = 0.0;
  for (int j = 0; j < spec.weights; ++j) {
    std::vector<double> plus = column_current(design, plot, design.plus_column(j));
    std::vector<double> minus = column_current(design, plot, design.minus_column(j));
    std::vector<double> output(plus.size());
    for (std::size_t k = 0; k < plus.size(); ++k) output[k] = plus[k] - minus[k];
    const double final_value = output[last];
    metrics.simulated_outputs.push_back(final_value);
    const double error = final_value - design.ideal_outputs[static_cast<std::size_t>(j)];
    metrics.errors.push_back(error);
    sum_squares += error * error;
    if (std::abs(error) > std::abs(metrics.errors[static_cast<std::size_t>(metrics.worst_output)]) || j == 0) metrics.worst_output = j;
    if (transient) {
      double settled = time.front();
      for (std::size_t k = 0; k <= last; ++k)
        if (std::abs(output[k] - final_value) > half_lsb) settled = time[std::min(k + 1, last)];
      metrics.settling_times.push_back(settled - spec.inputs.pulse_delay);
    }
  }
  const double scale = 100.0 / design.full_scale_current;
  metrics.rms_error_percent = std::sqrt(sum_squares / spec.weights) * scale;
  metrics.worst_error_percent = metrics.errors[static_cast<std::size_t>(metrics.worst_output)] * scale;

  if (spec.optical.enabled) {
    auto photocurrent = [&](int column) {
      return -plot.value(require(plot, fmt::format("v(popt{})", column)), last) / spec.optical.tia_feedback_resistance;
    };
    double product = 0.0, norm = 0.0;
    for (int j = 0; j < spec.weights; ++j) {
      const double output = photocurrent(design.plus_column(j)) - photocurrent(design.minus_column(j));
      metrics.optical_outputs.push_back(output);
      product += output * design.ideal_outputs[static_cast<std::size_t>(j)];
      norm += output * output;
    }
    metrics.optical_gain = norm > 0 ? product / norm : 0.0;
    double optical_squares = 0.0;
    for (int j = 0; j < spec.weights; ++j) {
      const double error = metrics.optical_gain * metrics.optical_outputs[static_cast<std::size_t>(j)] - design.ideal_outputs[static_cast<std::size_t>(j)];
      metrics.optical_errors.push_back(error);
      optical_squares += error * error;
      if (std::abs(error) * scale > std::abs(metrics.optical_worst_error_percent)) metrics.optical_worst_error_percent = error * scale;
    }
    metrics.optical_rms_error_percent = std::sqrt(optical_squares / spec.weights) * scale;
  }

  const int columns = design.physical_columns();
  metrics.ir_drop.assign(static_cast<std::size_t>(spec.rows), std::vector<double>(static_cast<std::size_t>(columns), 0.0));
  for (int i = 0; i < spec.rows; ++i) {
    const double input = design.inputs[static_cast<std::size_t>(i)];
    for (int c = 0; c < columns; ++c) {
      const double cell_voltage = plot.value(require(plot, fmt::format("v(w{}_{})", i, c + 1)), last) -
                                  plot.value(require(plot, fmt::format("v(b{}_{})", c, i)), last);
      const double drop = (input - cell_voltage) / spec.inputs.read_voltage;
      metrics.ir_drop[static_cast<std::size_t>(i)][static_cast<std::size_t>(c)] = drop;
      metrics.worst_ir_drop = std::max(metrics.worst_ir_drop, drop);
    }
  }
  if (transient) {
    for (int i = 0; i < spec.rows; ++i) {
      if (design.inputs[static_cast<std::size_t>(i)] != 0.0) continue;
      double peak = 0.0;
      for (int c = 1; c <= columns; ++c)
        for (double value : plot.values(require(plot, fmt::format("v(w{}_{})", i, c)))) peak = std::max(peak, std::abs(value));
      metrics.peak_quiet_crosstalk = std::max(metrics.peak_quiet_crosstalk.value_or(0.0), peak);
    }
  }
  return metrics;
}

std::vector<std::filesystem::path> write_array_metrics(const std::filesystem::path& directory, const ArrayDesign& design,
                                                       const ArrayMetrics& metrics) {
  std::filesystem::create_directories(directory);
  std::vector<std::filesystem::path> written;
  const ArraySpecification& spec = design.specification;

  nlohmann::json document;
  document["full_scale_current"] = metrics.full_scale_current;
  document["rms_error_percent_of_full_scale"] = metrics.rms_error_percent;
  document["worst_error_percent_of_full_scale"] = metrics.worst_error_percent;
  document["worst_output"] = metrics.worst_output;
  document["worst_ir_drop_fraction"] = metrics.worst_ir_drop;
  document["simulated_outputs"] = metrics.simulated_outputs;
  document["ideal_outputs"] = metrics.ideal_outputs;
  document["errors"] = metrics.errors;
  document["ir_drop"] = metrics.ir_drop;
  if (!metrics.settling_times.empty()) {
    document["resolution_bits"] = metrics.resolution_bits;
    document["settling_times"] = metrics.settling_times;
  }
  if (metrics.peak_quiet_crosstalk) document["peak_quiet_crosstalk_volts"] = *metrics.peak_quiet_crosstalk;
  if (!metrics.optical_outputs.empty()) {
    document["optical_outputs_photocurrent"] = metrics.optical_outputs;
    document["optical_gain"] = metrics.optical_gain;
    document["optical_errors_after_gain_calibration"] = metrics.optical_errors;
    document["optical_rms_error_percent_of_full_scale"] = metrics.optical_rms_error_percent;
    document["optical_worst_error_percent_of_full_scale"] = metrics.optical_worst_error_percent;
  }
  written.push_back(directory / "metrics.json");
  write_text_file(written.back(), document.dump(1) + "\n");

  std::string outputs = "output,ideal_A,simulated_A,error_A,error_percent_of_full_scale";
  if (!metrics.settling_times.empty()) outputs += ",settling_time_s";
  outputs += "\n";
  for (std::size_t j = 0; j < metrics.errors.size(); ++j) {
    outputs += fmt::format("{},{},{},{},{}", j, metrics.ideal_outputs[j], metrics.simulated_outputs[j], metrics.errors[j],
                           100.0 * metrics.errors[j] / metrics.full_scale_current);
    if (!metrics.settling_times.empty()) outputs += fmt::format(",{}", metrics.settling_times[j]);
    outputs += "\n";
  }
  written.push_back(directory / "outputs.csv");
  write_text_file(written.back(), outputs);

  std::string ir_drop = "# (input - voltage across the cell) / read voltage, rows x physical columns\n";
  std::string heat_map_data;
  for (std::size_t i = 0; i < metrics.ir_drop.size(); ++i) {
    for (std::size_t c = 0; c < metrics.ir_drop[i].size(); ++c) {
      ir_drop += fmt::format("{}{}", c == 0 ? "" : ",", metrics.ir_drop[i][c]);
      heat_map_data += fmt::format("{} {} {}\n", c, i, 100.0 * metrics.ir_drop[i][c]);
    }
    ir_drop += "\n";
    heat_map_data += "\n";
  }
  written.push_back(directory / "ir_drop.csv");
  write_text_file(written.back(), ir_drop);
  written.push_back(directory / "ir_drop.dat");
  write_text_file(written.back(), heat_map_data);
  written.push_back(directory / "ir_drop.gp");
  write_text_file(written.back(), fmt::format("# IR-drop heat map: run `gnuplot ir_drop.gp` in this directory.\n"
                                         "set terminal svg size 800,600 dynamic background rgb 'white'\n"
                                         "set output 'ir_drop.svg'\n"
                                         "set title {2}\n"
                                         "set xlabel 'physical column (bit line)'\nset ylabel 'row (word line)'\n"
                                         "set cblabel 'voltage lost before the cell (% of the read voltage)'\n"
                                         "set xrange [-0.5:{0} - 0.5]\nset yrange [{1} - 0.5:-0.5]\n"
                                         "set palette defined (0 'white', 1 'orange', 2 'dark-red')\n"
                                         "plot 'ir_drop.dat' using 1:2:3 with image notitle\n",
                                         design.physical_columns(), spec.rows,
                                         gnuplot_string(fmt::format("IR drop, {} x {} array, rms output error {:.3g} % of full scale",
                                                                    spec.rows, spec.weights, metrics.rms_error_percent))));
  if (gnuplot_available()) {
    run_gnuplot_script(directory / "ir_drop.gp");
    written.push_back(directory / "ir_drop.svg");
  }
  return written;
}

}  // namespace xbarsim
