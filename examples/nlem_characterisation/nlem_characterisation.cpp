// N-LEM characterisation: runs every calibration netlist of netlists/nlem/ with the native model
// (and with the behavioural twin, for the agreement column), writes a Markdown table of paper vs
// model and the data plus a gnuplot script for each curve, and renders the plots when gnuplot is
// installed.
//
// usage: nlem_characterisation [OUTPUT_DIR]     (default: nlem_characterisation_results)
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/compare.h"
#include "core/elaborator.h"
#include "core/simulator.h"
#include "models/synaptic_metrics.h"

namespace {

using namespace xbarsim;

Plot simulate(const std::string& name, bool native_models = true) {
  const DiagnosticSink quiet = [](const Diagnostic&) {};
  ElaborationOptions options;
  options.native_models = native_models;
  Circuit circuit = load_circuit(fmt::format("{}/netlists/nlem/{}.cir", XBARSIM_SOURCE_DIR, name), quiet, options);
  Simulator simulator(circuit);
  return simulator.run().plots.front();
}

std::vector<double> negated(std::vector<double> values) {
  for (double& value : values) value = -value;
  return values;
}

// Largest native-vs-twin error of any vector, relative to the vector's peak.
double twin_disagreement(const std::string& name, const Plot& native) {
  const WaveformComparison comparison = compare_waveforms(Waveforms{{native}}, Waveforms{{simulate(name, false)}});
  double worst = 0;
  for (const VectorComparison& vector : comparison.plots.front().vectors) worst = std::max(worst, vector.max_relative_error);
  return worst;
}

void write_columns(const std::filesystem::path& path, const std::string& header, const std::vector<std::vector<double>>& columns) {
  std::ofstream out(path);
  out << "# " << header << "\n";
  for (std::size_t row = 0; row < columns.front().size(); ++row) {
    for (std::size_t column = 0; column < columns.size(); ++column) out << (column ? " " : "") << fmt::format("{:.9g}", columns[column][row]);
    out << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path output = argc > 1 ? argv[1] : "nlem_characterisation_results";
  std::filesystem::create_directories(output);
  std::vector<std::string> rows;
  auto row = [&](std::string observable, std::string paper, std::string model, bool passed) {
    rows.push_back(fmt::format("| {} | {} | {} | {} |", observable, paper, model, passed ? "yes" : "**no**"));
  };

  // Pulse trains.
  const Plot train = simulate("pulse_train");
  std::vector<double> pulse_times, pulse_numbers;
  for (int k = 0; k < 50; ++k) pulse_times.push_back(0.04 + 0.06 * k), pulse_numbers.push_back(k + 1);
  const std::vector<double> epsc = negated(sample_at(train, "i(vpulse)", pulse_times)), epsb = sample_at(train, "v(opt)", pulse_times);
  const double gc10 = epsc[9] / epsc[0], gc50 = epsc[49] / epsc[0], gb10 = epsb[9] / epsb[0], gb50 = epsb[49] / epsb[0];
  const double nl_c = nonlinearity(std::span(epsc).first(10)), nl_b = nonlinearity(std::span(epsb).first(10));
  const double r10 = pearson_correlation(std::span(epsc).first(10), std::span(epsb).first(10)), r50 = pearson_correlation(epsc, epsb);
  row("EPSC gain A10/A1, A50/A1", "1.38, 2.40", fmt::format("{:.3f}, {:.3f}", gc10, gc50),
      std::abs(gc10 / 1.38 - 1) <= 0.05 && std::abs(gc50 / 2.40 - 1) <= 0.05);
  row("EPSB gain A10/A1, A50/A1", "1.57, 3.17", fmt::format("{:.3f}, {:.3f}", gb10, gb50),
      std::abs(gb10 / 1.57 - 1) <= 0.05 && std::abs(gb50 / 3.17 - 1) <= 0.05);
  row("NL of 10 pulses, EPSC / EPSB", "0.20 / 0.27", fmt::format("{:.3f} / {:.3f}", nl_c, nl_b),
      std::abs(nl_c - 0.20) <= 0.03 && std::abs(nl_b - 0.27) <= 0.03);
  row("Pearson r(EPSC, EPSB), 10 / 50 pulse peaks", "0.999", fmt::format("{:.4f} / {:.4f}", r10, r50), r10 >= 0.998 && r50 >= 0.998);
  write_columns(output / "pulse_train.dat", "pulse EPSC(A) EPSB(W)", {pulse_numbers, epsc, epsb});
  std::vector<double> time_grid;
  for (int k = 0; k <= 600; ++k) time_grid.push_back(1e-3 * k);
  write_columns(output / "pulse_train_waveform.dat", "time(s) current(A) optical_power(W)",
                {time_grid, negated(sample_at(train, "i(vpulse)", time_grid)), sample_at(train, "v(opt)", time_grid)});

  // Natural decay and UV reset.
  const Plot decay = simulate("natural_decay");
  const std::vector<double> decay_epsc = negated(sample_at(decay, "i(vprobe)", std::vector{0.04, 2.98, 74.61}));
  const double decayed = (decay_epsc[1] - decay_epsc[2]) / (decay_epsc[1] - decay_epsc[0]);
  row("decayed after 50 pulses + 71.6 s at 0 V", "63.06 %", fmt::format("{:.2f} %", 100 * decayed), std::abs(decayed - 0.6306) <= 0.03);
  const Plot uv = simulate("uv_reset");
  const std::vector<double> uv_epsc = negated(sample_at(uv, "i(vprobe)", std::vector{0.04, 2.98, 5.59}));
  const double removed = (uv_epsc[1] - uv_epsc[2]) / (uv_epsc[1] - uv_epsc[0]);
  row("removed by 700 W/m^2 UV for 2.52 s", "100 %", fmt::format("{:.2f} %", 100 * removed), removed >= 0.99);

  // Paired-pulse facilitation.
  const Plot ppf = simulate("paired_pulse_facilitation");
  const std::vector<double> intervals = {0.01, 0.03, 0.1, 0.3, 1.0, 3.0};
  std::vector<double> ppf_index;
  for (std::size_t k = 0; k < intervals.size(); ++k) {
    const std::vector<double> pair = negated(sample_at(ppf, fmt::format("i(v{})", k + 1), std::vector{0.04, 0.07 + intervals[k]}));
    ppf_index.push_back((pair[1] - pair[0]) / pair[0]);
  }
  const ExponentialFit fit = fit_exponential(intervals, ppf_index);
  bool falling = true;
  for (std::size_t k = 1; k < ppf_index.size(); ++k) falling = falling && ppf_index[k] < ppf_index[k - 1];
  row("PPF index vs interval (10 ms .. 3 s)", "falls exponentially",
      fmt::format("{:.3f} .. {:.3f}; {:.3f} + {:.3f} exp(-dt/{:.3f} s), R^2 {:.4f}", ppf_index.front(), ppf_index.back(), fit.offset,
                  fit.amplitude, fit.time_constant, fit.r_squared),
      falling && fit.r_squared >= 0.99);
  write_columns(output / "ppf.dat", "interval(s) PPF_index", {intervals, ppf_index});

  // Multi-level writing.
  const Plot levels_plot = simulate("multilevel");
  std::vector<double> read_times, level_numbers;
  for (int k = 0; k < 15; ++k) read_times.push_back(0.003 + 0.5 * k), level_numbers.push_back(k);
  read_times.push_back(9.703);
  const std::vector<double> reads = negated(sample_at(levels_plot, "i(vread)", read_times));
  double smallest_step = reads[1] - reads[0];
  for (int k = 1; k < 15; ++k) smallest_step = std::min(smallest_step, reads[k] - reads[k - 1]);
  row("levels written by 5 V, 1 ms pulses (10 per level), read at 1 V", "15, erased by UV",
      fmt::format("15 levels, smallest step {:.2f} % of the top level; after UV {:.3f} steps from level 0", 100 * smallest_step / reads[14],
                  std::abs(reads[15] - reads[0]) / smallest_step),
      smallest_step >= 0.01 * reads[14] && std::abs(reads[15] - reads[0]) <= 0.1 * smallest_step);
  level_numbers.push_back(15);
  write_columns(output / "multilevel.dat", "level read_current(A) (last row: after UV)", {level_numbers, reads});

  // I-V sweeps.
  const Plot sweeps = simulate("iv_sweeps");
  std::vector<double> sweep_grid;
  for (int k = 0; k <= 720; ++k) sweep_grid.push_back(0.01 * k);
  write_columns(output / "iv_sweeps.dat", "time(s) voltage(V) current(A) optical_power(W)",
                {sweep_grid, sample_at(sweeps, "v(a)", sweep_grid), negated(sample_at(sweeps, "i(vsweep)", sweep_grid)),
                 sample_at(sweeps, "v(opt)", sweep_grid)});
  std::vector<double> peak_current;
  bool counter_clockwise = true;
  for (int sweep = 0; sweep < 3; ++sweep) {
    const std::vector<double> current = negated(sample_at(sweeps, "i(vsweep)", std::vector{2.4 * sweep + 0.6, 2.4 * sweep + 1.8, 2.4 * sweep + 1.2}));
    counter_clockwise = counter_clockwise && current[1] > current[0];
    peak_current.push_back(current[2]);
  }
  row("I-V, three 0-6-0 V sweeps", "counter-clockwise, growing",
      fmt::format("{}; I(6 V) = {:.1f}, {:.1f}, {:.1f} uA", counter_clockwise ? "counter-clockwise" : "NOT counter-clockwise",
                  1e6 * peak_current[0], 1e6 * peak_current[1], 1e6 * peak_current[2]),
      counter_clockwise && peak_current[1] > peak_current[0] && peak_current[2] > peak_current[1]);

  std::string twin;
  for (const auto& [name, plot] : {std::pair{"pulse_train", &train}, {"natural_decay", &decay}, {"uv_reset", &uv},
                                   {"paired_pulse_facilitation", &ppf}, {"multilevel", &levels_plot}, {"iv_sweeps", &sweeps}})
    twin += fmt::format("| {} | {:.1e} |\n", name, twin_disagreement(name, *plot));

  std::string table = "# N-LEM compact model vs the paper (default parameters)\n\n| observable | paper | model | within tolerance |\n"
                      "| --- | --- | --- | --- |\n";
  for (const std::string& line : rows) table += line + "\n";
  table += "\nNative model vs behavioural twin (both in xbarsim), largest error relative to each vector's peak:\n\n"
           "| netlist | native vs twin |\n| --- | --- |\n" + twin;
  std::ofstream(output / "table.md") << table;
  std::printf("%s\n", table.c_str());

  std::ofstream gp(output / "plots.gp");
  gp << "set terminal pngcairo size 800,560\n"
        "set output 'pulse_train.png'\nset title 'EPSC and EPSB at the end of each 5 V, 30 ms pulse'\n"
        "set xlabel 'pulse k'; set ylabel 'A_k / A_1'; set key left top\n"
     << fmt::format("plot 'pulse_train.dat' using 1:($2/{0}) with linespoints title 'EPSC', 'pulse_train.dat' using 1:($3/{1}) with "
                    "linespoints title 'EPSB'\n",
                    epsc[0], epsb[0])
     << "set output 'pulse_train_waveform.png'\nset title 'Current and light, first 10 pulses'\nset xlabel 'time (s)'\n"
        "set ylabel 'current (uA)'; set y2label 'optical power (uW)'; set y2tics; set ytics nomirror\n"
        "plot 'pulse_train_waveform.dat' using 1:($2*1e6) with lines title 'EPSC', '' using 1:($3*1e6) axes x1y2 with lines title 'EPSB'\n"
        "unset y2tics; unset y2label; set ytics mirror\n"
        "set output 'ppf.png'\nset title 'Paired-pulse facilitation'\nset logscale x\nset xlabel 'interval (s)'; set ylabel 'PPF index'\n"
     << fmt::format("plot 'ppf.dat' using 1:2 with points pt 7 title 'model', {} + {}*exp(-x/{}) title 'exponential fit'\n", fit.offset,
                    fit.amplitude, fit.time_constant)
     << "unset logscale x\n"
        "set output 'multilevel.png'\nset title '15 levels (10 pulses of 5 V, 1 ms each), read at 1 V; last point after UV'\n"
        "set xlabel 'level'; set ylabel 'read current (uA)'\nplot 'multilevel.dat' using 1:($2*1e6) with linespoints pt 7 notitle\n"
        "set output 'iv_sweeps.png'\nset title 'Three 0-6-0 V sweeps'\nset xlabel 'voltage (V)'; set ylabel 'current (uA)'\n"
        "set y2label 'optical power (uW)'; set y2tics; set ytics nomirror\n"
        "plot 'iv_sweeps.dat' using 2:($3*1e6) with lines title 'current', '' using 2:($4*1e6) axes x1y2 with lines title 'light'\n";
  gp.close();
  const std::string command = fmt::format("cd '{}' && gnuplot plots.gp", output.string());
  if (std::system("command -v gnuplot > /dev/null 2>&1") == 0 && std::system(command.c_str()) == 0)
    std::printf("plots: %s/*.png\n", output.c_str());
  else
    std::printf("gnuplot not found: data and %s/plots.gp written, no plots rendered\n", output.c_str());
  return 0;
}
