#include "core/ciblock_study.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "core/elaborator.h"
#include "core/netlist_reader.h"
#include "core/noise_budget.h"
#include "core/seeded_random.h"
#include "core/simulator.h"
#include "models/nlem_model.h"

namespace xbarsim {

// Every numeric field of CiblockConfig, by name (JSON keys, sweep parameters).
#define XBARSIM_CIBLOCK_NUMERIC_FIELDS(X)                                                                        \
  X(seed) X(inputs) X(outputs) X(receiving_columns) X(read_voltage) X(weight_low) X(weight_high)                  \
  X(levels_per_sign) X(pulses_per_level) X(pulse_voltage) X(pulse_width) X(pulse_gap) X(nlem_g0) X(nlem_vh)      \
  X(emission_state_gain) X(light_onset_current) X(vectors) X(wire_resistance) X(line_capacitance)                \
  X(coupling_capacitance) X(tia_gbw) X(tia_gain) X(tia_swing) X(tia_input_capacitance) X(tia_static_power)      \
  X(driver_resistance) X(coupling_efficiency) X(optical_crosstalk) X(edge_dummy_emitters) X(responsivity) X(photodiode_capacitance)     \
  X(dark_current) X(photodiode_bias) X(shunt_resistance) X(adc_bits) X(dac_bits) X(adc_offset_lsb)              \
  X(adc_gain_error) X(adc_inl_lsb) X(adc_noise_lsb) X(dac_inl_lsb) X(dac_noise_lsb) X(adc_clock) X(walden_fom)   \
  X(dac_unit_capacitance) X(memory_energy_per_bit) X(noise) X(temperature) X(cascade_blocks)

std::vector<CiblockConfig::Sweep> CiblockConfig::default_sweeps() {
  return {
      {"wire_resistance", {0.5, 2, 10, 50}},
      {"coupling_capacitance", {0.1e-15, 1e-15, 10e-15, 100e-15}},
      {"optical_crosstalk", {0, 0.02, 0.05, 0.1}},
      {"edge_dummy_emitters", {0, 1}},
      {"responsivity", {0.1, 0.2, 0.4, 0.6}},
      {"dark_current", {1e-12, 1e-10, 1e-9, 1e-8}},
      {"adc_bits", {4, 6, 8, 10}},
      {"inputs", {4, 8, 16, 32}},
  };
}

nlohmann::json CiblockConfig::to_json() const {
  nlohmann::json json;
#define XBARSIM_WRITE_FIELD(name) json[#name] = name;
  XBARSIM_CIBLOCK_NUMERIC_FIELDS(XBARSIM_WRITE_FIELD)
#undef XBARSIM_WRITE_FIELD
  json["sweeps"] = nlohmann::json::array();
  for (const Sweep& sweep : sweeps) json["sweeps"].push_back({{"parameter", sweep.parameter}, {"values", sweep.values}});
  json["fcn"] = {{"enabled", fcn.enabled},
                 {"mnist_directory", fcn.mnist_directory},
                 {"test_images", fcn.test_images},
                 {"epochs", fcn.epochs},
                 {"seed", fcn.seed}};
  return json;
}

CiblockConfig CiblockConfig::from_json(const nlohmann::json& json) {
  CiblockConfig config;
  const nlohmann::json known = config.to_json();
  for (const auto& [key, value] : json.items()) {
    if (!known.contains(key)) throw std::invalid_argument(fmt::format("unknown configuration field '{}'", key));
  }
#define XBARSIM_READ_FIELD(name) \
  if (json.contains(#name)) json.at(#name).get_to(config.name);
  XBARSIM_CIBLOCK_NUMERIC_FIELDS(XBARSIM_READ_FIELD)
#undef XBARSIM_READ_FIELD
  if (json.contains("sweeps")) {
    config.sweeps.clear();
    for (const nlohmann::json& sweep : json.at("sweeps")) {
      Sweep parsed{sweep.at("parameter").get<std::string>(), sweep.at("values").get<std::vector<double>>()};
      if (!known.contains(parsed.parameter) || !known.at(parsed.parameter).is_number())
        throw std::invalid_argument(fmt::format("sweep parameter '{}' is not a numeric field", parsed.parameter));
      config.sweeps.push_back(std::move(parsed));
    }
  }
  if (json.contains("fcn")) {
    const nlohmann::json& fcn = json.at("fcn");
    for (const auto& [key, value] : fcn.items())
      if (!known.at("fcn").contains(key)) throw std::invalid_argument(fmt::format("unknown field 'fcn.{}'", key));
    if (fcn.contains("enabled")) fcn.at("enabled").get_to(config.fcn.enabled);
    if (fcn.contains("mnist_directory")) fcn.at("mnist_directory").get_to(config.fcn.mnist_directory);
    if (fcn.contains("test_images")) fcn.at("test_images").get_to(config.fcn.test_images);
    if (fcn.contains("epochs")) fcn.at("epochs").get_to(config.fcn.epochs);
    if (fcn.contains("seed")) fcn.at("seed").get_to(config.fcn.seed);
  }
  if (config.inputs < 1 || config.outputs < 1 || config.receiving_columns < 1 || config.vectors < 1)
    throw std::invalid_argument("inputs, outputs, receiving_columns and vectors must be at least 1");
  if (config.levels_per_sign < 2) throw std::invalid_argument("levels_per_sign must be at least 2");
  return config;
}

double CiblockConfig::get(const std::string& parameter) const {
  const nlohmann::json json = to_json();
  if (!json.contains(parameter) || !json.at(parameter).is_number())
    throw std::invalid_argument(fmt::format("'{}' is not a numeric configuration field", parameter));
  return json.at(parameter).get<double>();
}

void CiblockConfig::set(const std::string& parameter, double value) {
  nlohmann::json json = to_json();
  if (!json.contains(parameter) || !json.at(parameter).is_number())
    throw std::invalid_argument(fmt::format("'{}' is not a numeric configuration field", parameter));
  if (json.at(parameter).is_number_integer() || json.at(parameter).is_number_unsigned())
    json[parameter] = static_cast<long long>(std::llround(value));
  else
    json[parameter] = value;
  *this = from_json(json);
}

std::vector<std::string> CiblockConfig::numeric_fields() {
  std::vector<std::string> names;
#define XBARSIM_NAME_FIELD(name) names.emplace_back(#name);
  XBARSIM_CIBLOCK_NUMERIC_FIELDS(XBARSIM_NAME_FIELD)
#undef XBARSIM_NAME_FIELD
  return names;
}

std::string_view path_name(TransferPath path) { return path == TransferPath::electrical ? "electrical" : "optical"; }

namespace {

NlemParameters nlem_parameters(const CiblockConfig& config) {
  NlemParameters p;
  p.g0 = config.nlem_g0;
  p.vh = config.nlem_vh;
  p.cw = config.emission_state_gain;
  p.ion = config.light_onset_current;
  return p;
}

// Small-signal conductance factor of the sinh I-V at the read voltage: I = g V * factor.
double sinh_factor(const CiblockConfig& config, double voltage) {
  const double z = voltage / config.nlem_vh;
  return z == 0.0 ? 1.0 : std::sinh(z) / z;
}

int top_level(const CiblockConfig& config) { return config.levels_per_sign - 1; }

std::string node_list_pwl(const std::vector<double>& values, double period, double edge) {
  std::string text = fmt::format("PWL(0 {:.9g}", values.front());
  for (std::size_t k = 1; k < values.size(); ++k) {
    const double t = static_cast<double>(k) * period;
    text += fmt::format(" {:.9g} {:.9g} {:.9g} {:.9g}", t, values[k - 1], t + edge, values[k]);
  }
  return text + ")";
}

}  // namespace

double programmed_weight_state(const CiblockConfig& config, int pulses) {
  const NlemParameters p = nlem_parameters(config);
  const double drive = nlem_drive(p, config.pulse_voltage).value;
  const double rate = p.kw * drive + 1.0 / p.tauw;
  const double target = p.kw * drive / rate;
  double w = 0.0;
  for (int k = 0; k < pulses; ++k) {
    w = target + (w - target) * std::exp(-rate * config.pulse_width);
    w *= std::exp(-config.pulse_gap / p.tauw);
  }
  return w;
}

double BlockDesign::weight(int i, int j) const {
  return static_cast<double>(levels[static_cast<std::size_t>(i * outputs + j)]) /
         static_cast<double>(level_state.size() - 1);
}

BlockDesign design_block(const CiblockConfig& config, std::uint64_t seed, int inputs, int outputs,
                         const std::vector<std::vector<double>>& vectors) {
  BlockDesign design;
  design.inputs = inputs;
  design.outputs = outputs;
  for (int level = 0; level < config.levels_per_sign; ++level)
    design.level_state.push_back(programmed_weight_state(config, level * config.pulses_per_level));
  SeededRandom random(seed);
  std::vector<double> raw(static_cast<std::size_t>(inputs * outputs));
  double largest = 0.0;
  for (double& w : raw) {
    w = random.uniform(config.weight_low, config.weight_high);
    largest = std::max(largest, std::abs(w));
  }
  for (double w : raw)
    design.levels.push_back(static_cast<int>(std::lround(w / largest * top_level(config))));
  const double top_state = design.level_state.back();
  for (int k = 0; k < outputs * config.receiving_columns; ++k) design.receiving_state.push_back(random.uniform(0, top_state));
  double largest_output = 0.0;
  for (const std::vector<double>& x : vectors)
    for (int j = 0; j < outputs; ++j) {
      double y = 0.0;
      for (int i = 0; i < inputs; ++i) y += x[static_cast<std::size_t>(i)] * design.weight(i, j);
      largest_output = std::max(largest_output, y);
    }
  design.full_scale = largest_output > 0 ? 1.1 * largest_output : 1.0;
  return design;
}

std::vector<double> ideal_delivered(const CiblockConfig& config, const BlockDesign& design,
                                    const std::vector<double>& input) {
  std::vector<double> delivered;
  for (int j = 0; j < design.outputs; ++j) {
    double y = 0.0;
    for (int i = 0; i < design.inputs; ++i) y += input[static_cast<std::size_t>(i)] * design.weight(i, j);
    delivered.push_back(config.read_voltage * std::max(y, 0.0) / design.full_scale);
  }
  return delivered;
}

BlockNetlist block_netlist(const CiblockConfig& config, const BlockDesign& design,
                           const std::vector<std::vector<double>>& vectors, TransferPath path, bool with_noise,
                           std::uint64_t noise_seed) {
  const NlemParameters nlem = nlem_parameters(config);
  const int m = design.inputs, n = design.outputs, columns = 2 * n;
  const double v_read = config.read_voltage;
  const double w_top = design.level_state.back();
  const double g_top = config.nlem_g0 * (1 + nlem.aw * w_top);
  const double sinh_gain = sinh_factor(config, v_read);
  const bool optical = path == TransferPath::optical;
  const double wire = std::max(config.wire_resistance, 1e-6);  // numerical floor for an ideal wire
  const double dark_saturation = std::max(config.dark_current - config.photodiode_bias / config.shunt_resistance, 1e-18);

  // Column TIA design: the largest column current gives tia_swing; cf for a well-damped loop.
  const double largest_device_current = v_read * g_top * sinh_gain;
  const double light_per_current = config.coupling_efficiency * config.responsivity * nlem.eta *
                                   (1 + nlem.cw * w_top) * (1 + 2 * config.optical_crosstalk);
  const double largest_column_current =
      optical ? m * (largest_device_current * light_per_current + config.dark_current) : m * largest_device_current;
  const double rf = config.tia_swing / largest_column_current;
  const double input_capacitance = config.tia_input_capacitance + m * config.line_capacitance +
                                   (optical ? m * config.photodiode_capacitance : 2.0 * m * config.coupling_capacitance);
  const double cf = 2.0 * std::sqrt(input_capacitance / (2 * std::numbers::pi * rf * config.tia_gbw));
  BlockTiming timing;
  timing.feedback_resistance = rf;
  timing.feedback_capacitance = cf;
  timing.tia_time_constant = rf * cf;
  const double reference_lsb_count = std::ldexp(1.0, config.adc_bits + 1);
  const double tia_settle = timing.tia_time_constant * std::log(reference_lsb_count);
  const double row_capacitance = config.receiving_columns * config.line_capacitance;

  AdcParameters adc;
  DacParameters dac;
  adc.bits = config.adc_bits;
  adc.vlow = 0.0;
  adc.vhigh = 1.0;
  adc.offset = config.adc_offset_lsb * adc.lsb();
  adc.gain_error = config.adc_gain_error;
  adc.inl = InlProfile::from_seed(config.seed + 101, config.adc_inl_lsb);
  adc.conversion_time = config.adc_bits / config.adc_clock;
  dac.bits = config.dac_bits;
  dac.vlow = 0.0;
  dac.vhigh = v_read;
  dac.rout = config.driver_resistance;
  dac.inl = InlProfile::from_seed(config.seed + 202, config.dac_inl_lsb);
  const double edge = std::max(1e-9, 1e-3 * tia_settle);
  if (optical) {
    timing.period = 3.0 * tia_settle + 10 * config.driver_resistance * row_capacitance + 20 * edge;
  } else {
    timing.sample_end = 1.5 * tia_settle + 10 * edge;
    timing.conversion = adc.conversion_time;
    timing.period = timing.sample_end + timing.conversion + 3.0 * dac.settling_time(row_capacitance) + 50e-9;
  }
  const double stop = timing.period * static_cast<double>(vectors.size());

  // Design gain of the difference stage: full scale -> ADC range (electrical) or read voltage.
  const double unit_current = v_read * config.nlem_g0 * nlem.aw * w_top;  // delta I at y = 1
  const double optical_unit_current = config.coupling_efficiency * config.responsivity * nlem.eta * v_read *
                                      config.nlem_g0 * (nlem.aw + nlem.cw + nlem.aw * nlem.cw * w_top) * w_top;
  const double gain = optical ? v_read / (rf * optical_unit_current * design.full_scale)
                              : adc.vhigh / (rf * unit_current * design.full_scale);

  std::string t;
  t += fmt::format("CIBlock {} path: {} x {} N-LEM differential array -> {} -> receiving layer\n", path_name(path), m, n,
                   optical ? "N-LEM light, photodiodes, TIAs" : "TIAs, S/H, ADC, memory, DAC");
  t += fmt::format("* generated by xbarsim study ciblock; seed {}, noise seed {}, noise {}\n", config.seed, noise_seed,
                   with_noise ? "on" : "off");
  t += fmt::format("* {} input vectors, one per {:.6g} s; delivered values: v(rv<j>) at the end of each period\n",
                   vectors.size(), timing.period);
  t += ".include models/nlem.lib\n.include models/tia.lib\n";
  t += optical ? ".include models/optical_coupling.lib\n.include models/photodiode.lib\n"
               : ".include models/adc.lib\n.include models/dac.lib\n";
  // Input drivers and row wires of the sending array.
  for (int i = 0; i < m; ++i) {
    std::vector<double> drive;
    for (const std::vector<double>& x : vectors) drive.push_back(v_read * x[static_cast<std::size_t>(i)]);
    t += fmt::format("Vx{} x{} 0 {}\n", i, i, node_list_pwl(drive, timing.period, edge));
    for (int k = 0; k < columns; ++k) {
      t += fmt::format("Rr{0}_{1} {2} sr{0}_{1} {3:.9g}\n", i, k, k == 0 ? fmt::format("x{}", i) : fmt::format("sr{}_{}", i, k - 1),
                       wire);
      if (config.line_capacitance > 0) t += fmt::format("Cr{0}_{1} sr{0}_{1} 0 {2:.9g}\n", i, k, config.line_capacitance);
    }
  }
  // Cells (held states), bit lines with capacitance and neighbour coupling.
  for (int k = 0; k < columns; ++k) {
    const int j = k / 2;
    const bool positive = k % 2 == 0;
    for (int i = 0; i < m; ++i) {
      const int level = design.levels[static_cast<std::size_t>(i * n + j)];
      const int own = (positive ? std::max(level, 0) : std::max(-level, 0));
      t += fmt::format("Xn{0}_{1} sr{0}_{1} sc{1}_{0} o{0}_{1} 0 NLEM g0={2:.9g} vh={3:.9g} cw={4:.9g} ion={5:.9g} w0={6:.9g} hold=1\n",
                       i, k, config.nlem_g0, config.nlem_vh, config.emission_state_gain, config.light_onset_current,
                       design.level_state[static_cast<std::size_t>(own)]);
      const std::string next = i + 1 < m ? fmt::format("sc{}_{}", k, i + 1) : fmt::format("tin{}", k);
      t += fmt::format("Rc{0}_{1} sc{0}_{1} {2} {3:.9g}\n", k, i, optical ? (i + 1 < m ? next : fmt::format("0")) : next, wire);
      if (config.line_capacitance > 0) t += fmt::format("Cc{0}_{1} sc{0}_{1} 0 {2:.9g}\n", k, i, config.line_capacitance);
      if (config.coupling_capacitance > 0 && k + 1 < columns)
        t += fmt::format("Ck{0}_{1} sc{0}_{1} sc{2}_{1} {3:.9g}\n", k, i, k + 1, config.coupling_capacitance);
    }
  }
  // Receivers: photodiodes on the light (optical) or the bit lines themselves (electrical) into TIAs.
  double noise_density = 4 * kBoltzmann * config.temperature / rf;
  if (optical) {
    t += fmt::format("Vpdbias pdbias 0 {:.9g}\n", config.photodiode_bias);
    const bool dummies = config.edge_dummy_emitters != 0;
    for (int i = 0; i < m; ++i) {
      if (dummies)  // pristine emitters at both row ends, conducting to ground, only for their light
        t += fmt::format("Xdl{0} sr{0}_0 0 odl{0} 0 NLEM g0={1:.9g} vh={2:.9g} cw={3:.9g} ion={4:.9g} w0=0 hold=1\n"
                         "Xdr{0} sr{0}_{5} 0 odr{0} 0 NLEM g0={1:.9g} vh={2:.9g} cw={3:.9g} ion={4:.9g} w0=0 hold=1\n",
                         i, config.nlem_g0, config.nlem_vh, config.emission_state_gain, config.light_onset_current, columns - 1);
      for (int k = 0; k < columns; ++k) {
        const std::string left = k > 0 ? fmt::format("o{}_{}", i, k - 1) : dummies ? fmt::format("odl{}", i) : "0";
        const std::string right = k + 1 < columns ? fmt::format("o{}_{}", i, k + 1) : dummies ? fmt::format("odr{}", i) : "0";
        t += fmt::format("Xl{0}_{1} rx{0}_{1} {2} o{0}_{1} {3} OPTICAL_CHANNEL efficiency={4:.9g} crosstalk={5:.9g}\n", i, k,
                         left, right, config.coupling_efficiency, config.optical_crosstalk);
        t += fmt::format("Xp{0}_{1} tin{1} pdbias rx{0}_{1} PHOTODIODE resp={2:.9g} is={3:.9g} cj={4:.9g} rsh={5:.9g}\n", i, k,
                         config.responsivity, dark_saturation, config.photodiode_capacitance, config.shunt_resistance);
      }
    }
    const double mean_photocurrent = 0.5 * m * v_read * config.nlem_g0 * (1 + 0.5 * nlem.aw * w_top) * light_per_current;
    noise_density += shot_current_density(mean_photocurrent + m * config.dark_current) +
                     m * thermal_current_density(config.shunt_resistance, config.temperature);
  } else {
    noise_density += m * thermal_current_density(1.0 / (config.nlem_g0 * (1 + 0.5 * nlem.aw * w_top)), config.temperature);
  }
  timing.tia_noise_density = noise_density;
  timing.difference_gain = gain;
  {
    const double receiver = gain * rf * std::sqrt(2.0 * noise_density / (4.0 * rf * cf));  // at the difference output
    const double adc_noise = config.adc_noise_lsb * adc.lsb(), dac_noise = config.dac_noise_lsb * dac.lsb();
    const double to_delivered = optical ? 1.0 : v_read / adc.vhigh;
    timing.analytic_noise_rms = optical ? receiver
                                        : std::sqrt(std::pow(to_delivered * std::hypot(receiver, adc_noise), 2) + dac_noise * dac_noise);
  }
  const double noise_step = 2 * std::numbers::pi * timing.tia_time_constant / 10.0;  // 10 samples per 1/f_3dB
  for (int k = 0; k < columns; ++k) {
    t += fmt::format("Ctin{0} tin{0} 0 {1:.9g}\n", k, config.tia_input_capacitance);
    t += fmt::format("Xt{0} tin{0} tout{0} TIA rf={1:.9g} cf={2:.9g} a0={3:.9g} gbw={4:.9g}\n", k, rf, cf, config.tia_gain,
                     config.tia_gbw);
    if (with_noise)
      t += seeded_noise_source('I', fmt::format("noise{}", k), fmt::format("tin{}", k), "0",
                               white_noise_sample_sigma(noise_density, noise_step), noise_step, stop, noise_seed + k);
  }
  // Difference stage (with ReLU), then the path's converters or driver, then the receiving rows.
  for (int j = 0; j < n; ++j)
    t += fmt::format("Bd{0} d{0} 0 V={{max({1:.9g}*(V(tout{3}) - V(tout{2})), 0)}}\n", j, gain, 2 * j, 2 * j + 1);
  if (optical) {
    for (int j = 0; j < n; ++j) t += fmt::format("Rdrv{0} d{0} drv{0} {1:.9g}\n", j, config.driver_resistance);
  } else {
    t += converter_clock_sources("sample", "latch", 0.0, timing.sample_end, timing.conversion, timing.period);
    for (int j = 0; j < n; ++j) {
      std::string adc_in = fmt::format("d{}", j), dac_out = fmt::format("drv{}", j);
      if (with_noise) {
        adc_in = fmt::format("a{}", j);
        dac_out = fmt::format("da{}", j);
        t += seeded_per_period_source('V', fmt::format("adcnoise{}", j), adc_in, fmt::format("d{}", j),
                                      config.adc_noise_lsb * adc.lsb(), timing.period, static_cast<int>(vectors.size()), edge,
                                      noise_seed + 1000 + j);
        t += seeded_per_period_source('V', fmt::format("dacnoise{}", j), fmt::format("drv{}", j), dac_out,
                                      config.dac_noise_lsb * dac.lsb(), timing.period, static_cast<int>(vectors.size()), edge,
                                      noise_seed + 2000 + j);
      }
      t += adc.instance(fmt::format("adc{}", j), adc_in, fmt::format("code{}", j), "sample", "latch") + "\n";
      t += dac.instance(fmt::format("dac{}", j), fmt::format("code{}", j), dac_out) + "\n";
    }
  }
  for (int j = 0; j < n; ++j)
    for (int c = 0; c < config.receiving_columns; ++c) {
      const std::string node = c + 1 == config.receiving_columns ? fmt::format("rv{}", j) : fmt::format("rr{}_{}", j, c);
      const std::string previous = c == 0 ? fmt::format("drv{}", j) : fmt::format("rr{}_{}", j, c - 1);
      t += fmt::format("Rq{0}_{1} {2} {3} {4:.9g}\n", j, c, previous, node, wire);
      if (config.line_capacitance > 0) t += fmt::format("Cq{0}_{1} {2} 0 {3:.9g}\n", j, c, node, config.line_capacitance);
      t += fmt::format("Xm{0}_{1} {2} 0 ro{0}_{1} 0 NLEM g0={3:.9g} vh={4:.9g} w0={5:.9g} hold=1\n", j, c, node, config.nlem_g0,
                       config.nlem_vh, design.receiving_state[static_cast<std::size_t>(j * config.receiving_columns + c)]);
    }
  t += ".options vntol=1e-12\n.save";
  for (int j = 0; j < n; ++j) t += fmt::format(" v(rv{})", j);
  t += fmt::format("\n.tran {:.6g} {:.9g} 0 {:.6g}\n.end\n", timing.period / 100, stop, timing.period / 50);
  return {std::move(t), timing};
}

BlockResult simulate_block(const CiblockConfig& config, const BlockDesign& design,
                           const std::vector<std::vector<double>>& vectors, TransferPath path, bool with_noise,
                           std::uint64_t noise_seed) {
  BlockNetlist netlist = block_netlist(config, design, vectors, path, with_noise, noise_seed);
  const DiagnosticSink quiet = [](const Diagnostic&) {};
  const NetlistText text = read_netlist_string(netlist.text, fmt::format("ciblock_{}.cir", path_name(path)),
                                               std::filesystem::path(XBARSIM_SOURCE_DIR), quiet);
  Circuit circuit = elaborate(text, quiet);
  Simulator simulator(circuit);
  const Waveforms waveforms = simulator.run();
  const Plot& plot = waveforms.plots.back();
  const std::vector<double> times = plot.values(*plot.find("time"));

  BlockResult result;
  result.timing = netlist.timing;
  result.netlist = std::move(netlist.text);
  const double period = result.timing.period;
  const double tolerance = 0.5 * config.read_voltage / std::ldexp(1.0, config.adc_bits);
  std::vector<double> measured_flat, ideal_flat;
  double worst_latency = 0.0;
  bool settled = true;
  std::vector<std::vector<double>> outputs;  // v(rv<j>) over time
  for (int j = 0; j < design.outputs; ++j) {
    const std::optional<std::size_t> vector = plot.find(fmt::format("v(rv{})", j));
    if (!vector) throw SimulationError(fmt::format("CIBlock netlist lacks v(rv{})", j));
    outputs.push_back(plot.values(*vector));
    if (j == 0) {
      result.times = times;
      result.first_output = outputs.front();
    }
  }
  for (std::size_t k = 0; k < vectors.size(); ++k) {
    std::vector<double> delivered;
    const std::vector<double> ideal = ideal_delivered(config, design, vectors[k]);
    const double start = static_cast<double>(k) * period, end = start + period * (1 - 1e-3);
    for (int j = 0; j < design.outputs; ++j) {
      const std::vector<double>& values = outputs[static_cast<std::size_t>(j)];
      const double final_value = value_at(times, values, end);
      delivered.push_back(final_value);
      measured_flat.push_back(final_value);
      ideal_flat.push_back(ideal[static_cast<std::size_t>(j)]);
      if (k == 0) continue;  // the first period starts from the operating point, not a step
      const std::optional<double> latency = settling_time(times, values, start, end, final_value, tolerance);
      if (latency)
        worst_latency = std::max(worst_latency, *latency);
      else
        settled = false;
    }
    result.delivered.push_back(std::move(delivered));
    result.ideal.push_back(ideal);
  }
  result.error = error_statistics(measured_flat, ideal_flat, config.read_voltage);
  if (settled && vectors.size() > 1) result.latency = worst_latency;

  // Energy per transferred value (the path) and per MAC (with the sending array's read energy).
  const double active_time = result.latency.value_or(period);
  const NlemParameters nlem = nlem_parameters(config);
  double array_power = 0.0;
  for (const std::vector<double>& x : vectors)
    for (int i = 0; i < design.inputs; ++i)
      for (int j = 0; j < design.outputs; ++j) {
        const int level = design.levels[static_cast<std::size_t>(i * design.outputs + j)];
        const double g_positive = config.nlem_g0 * (1 + nlem.aw * design.level_state[static_cast<std::size_t>(std::max(level, 0))]);
        const double g_negative = config.nlem_g0 * (1 + nlem.aw * design.level_state[static_cast<std::size_t>(std::max(-level, 0))]);
        const double v = config.read_voltage * x[static_cast<std::size_t>(i)];
        array_power += v * v * (g_positive + g_negative) / static_cast<double>(vectors.size());
      }
  const double row_charge = config.receiving_columns * config.line_capacitance * config.read_voltage * config.read_voltage;
  double path_energy = 2 * config.tia_static_power * active_time + row_charge;
  if (path == TransferPath::electrical) {
    AdcParameters adc;
    adc.bits = config.adc_bits;
    adc.walden_fom = config.walden_fom;
    DacParameters dac;
    dac.bits = config.dac_bits;
    dac.vhigh = config.read_voltage;
    dac.unit_capacitance = config.dac_unit_capacitance;
    path_energy = 2 * config.tia_static_power * result.timing.sample_end + adc.energy_per_conversion() +
                  memory_energy_per_value(config.adc_bits, config.memory_energy_per_bit) + dac.energy_per_update() +
                  row_charge;
  } else {
    const double bias_current = 2 * design.inputs * config.dark_current;
    path_energy += config.photodiode_bias * bias_current * active_time;
  }
  result.energy_per_value = path_energy;
  result.energy_per_mac = (array_power * active_time + design.outputs * path_energy) / (design.inputs * design.outputs);
  return result;
}

}  // namespace xbarsim
