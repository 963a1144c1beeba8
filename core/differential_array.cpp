#include "core/differential_array.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/seeded_random.h"
#include "models/nlem_model.h"

namespace xbarsim {
namespace {

using nlohmann::json;

constexpr std::uint64_t kVariationStream = 0x5eed0001;  // separate streams: weights, inputs, devices
constexpr std::uint64_t kInputStream = 0x5eed0002;

template <class Enum>
struct EnumNames {
  Enum value;
  std::string_view name;
};
constexpr EnumNames<ArrayLayout> kLayouts[] = {{ArrayLayout::interleaved, "interleaved"}, {ArrayLayout::split, "split"}};
constexpr EnumNames<CellKind> kCells[] = {{CellKind::resistor, "resistor"}, {CellKind::bsource, "bsource"}, {CellKind::nlem, "nlem"}};
constexpr EnumNames<ArrayReadout> kReadouts[] = {
    {ArrayReadout::virtual_ground, "virtual-ground"}, {ArrayReadout::tia, "tia"}, {ArrayReadout::resistor, "resistor"}};
constexpr EnumNames<WeightMappingScheme> kSchemes[] = {{WeightMappingScheme::one_sided, "one-sided"},
                                                       {WeightMappingScheme::symmetric, "symmetric"}};
constexpr EnumNames<ArrayAnalysis> kAnalyses[] = {{ArrayAnalysis::op, "op"}, {ArrayAnalysis::tran, "tran"}};

template <class Enum, std::size_t Count>
std::string_view name_of(const EnumNames<Enum> (&names)[Count], Enum value) {
  for (const auto& entry : names)
    if (entry.value == value) return entry.name;
  return "?";
}

template <class Enum, std::size_t Count>
Enum value_of(const EnumNames<Enum> (&names)[Count], std::string_view name, std::string_view what) {
  for (const auto& entry : names)
    if (entry.name == name) return entry.value;
  std::string choices;
  for (const auto& entry : names) choices += fmt::format("{}{}", choices.empty() ? "" : ", ", entry.name);
  throw std::invalid_argument(fmt::format("unknown {} '{}' (choose {})", what, name, choices));
}

template <class... Arguments>
void append_line(std::string& out, fmt::format_string<Arguments...> format, Arguments&&... arguments) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Arguments>(arguments)...);
  out += '\n';
}

bool is_identifier_character(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Replaces the identifier `word` (not a longer name, not a function call) in an expression.
std::string replace_identifier(const std::string& expression, std::string_view word, const std::string& replacement) {
  std::string result;
  for (std::size_t k = 0; k < expression.size();) {
    const std::size_t end = k + word.size();
    const bool matches = expression.compare(k, word.size(), word) == 0 && (k == 0 || !is_identifier_character(expression[k - 1])) &&
                         (end == expression.size() || (!is_identifier_character(expression[end]) && expression[end] != '('));
    if (matches) {
      result += replacement;
      k = end;
    } else {
      result += expression[k++];
    }
  }
  return result;
}

double quantised_level(double weight, double largest, int levels) {
  if (largest == 0.0) return 0.0;
  return std::round(std::abs(weight) / largest * (levels - 1));
}

}  // namespace

std::string_view layout_name(ArrayLayout layout) { return name_of(kLayouts, layout); }
std::string_view cell_name(CellKind cell) { return name_of(kCells, cell); }
std::string_view readout_name(ArrayReadout readout) { return name_of(kReadouts, readout); }

int ArrayDesign::plus_column(int weight) const {
  return specification.layout == ArrayLayout::interleaved ? 2 * weight : weight;
}
int ArrayDesign::minus_column(int weight) const {
  return specification.layout == ArrayLayout::interleaved ? 2 * weight + 1 : specification.weights + weight;
}

Matrix random_weights(const ArraySpecification& specification) {
  SeededRandom random(specification.seed);
  Matrix weights(static_cast<std::size_t>(specification.rows), std::vector<double>(static_cast<std::size_t>(specification.weights)));
  for (auto& row : weights)
    for (double& weight : row) weight = random.uniform(-1.0, 1.0);
  return weights;
}

std::vector<double> random_inputs(const ArraySpecification& specification) {
  SeededRandom random(specification.seed ^ kInputStream);
  std::vector<double> inputs(static_cast<std::size_t>(specification.rows));
  for (double& input : inputs) input = random.uniform(0.0, specification.inputs.read_voltage);
  return inputs;
}

ArrayDesign design_array(const ArraySpecification& specification, Matrix weights, std::vector<double> inputs) {
  const auto rows = static_cast<std::size_t>(specification.rows);
  const auto columns = static_cast<std::size_t>(specification.weights);
  if (specification.rows < 1 || specification.weights < 1) throw std::invalid_argument("an array needs at least one row and one weight");
  if (weights.size() != rows || std::any_of(weights.begin(), weights.end(), [&](const auto& row) { return row.size() != columns; }))
    throw std::invalid_argument(fmt::format("weights must be {} rows x {} columns", rows, columns));
  if (inputs.size() != rows) throw std::invalid_argument(fmt::format("inputs must have {} values (one per row), got {}", rows, inputs.size()));
  const WeightMapping& mapping = specification.mapping;
  if (mapping.levels < 2) throw std::invalid_argument("levels must be at least 2");
  if (!(mapping.gmin > 0 && mapping.gmax > mapping.gmin)) throw std::invalid_argument("need 0 < gmin < gmax");

  ArrayDesign design;
  design.specification = specification;
  design.weights = std::move(weights);
  design.inputs = std::move(inputs);
  double largest = 0.0;
  for (const auto& row : design.weights)
    for (double weight : row) largest = std::max(largest, std::abs(weight));
  const double step = (mapping.gmax - mapping.gmin) / (mapping.levels - 1);
  const double middle = 0.5 * (mapping.gmin + mapping.gmax);

  SeededRandom random(specification.seed ^ kVariationStream);
  auto perturb = [&](double conductance) {
    const double fault = random.uniform();
    const double variation = random.normal();
    if (fault < mapping.stuck_on_fraction) return mapping.gmax;
    if (fault < mapping.stuck_on_fraction + mapping.stuck_off_fraction) return mapping.gmin;
    return std::max(conductance * (1 + mapping.variation_sigma * variation), 1e-3 * mapping.gmin);
  };
  design.conductance_plus.assign(rows, std::vector<double>(columns));
  design.conductance_minus.assign(rows, std::vector<double>(columns));
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < columns; ++j) {
      const double weight = design.weights[i][j];
      const double level = quantised_level(weight, largest, mapping.levels);
      const double sign = weight < 0 ? -1.0 : 1.0;
      double plus, minus;
      if (mapping.scheme == WeightMappingScheme::one_sided) {
        plus = sign > 0 ? mapping.gmin + level * step : mapping.gmin;
        minus = sign > 0 ? mapping.gmin : mapping.gmin + level * step;
      } else {
        plus = middle + sign * level * step / 2;
        minus = middle - sign * level * step / 2;
      }
      design.conductance_plus[i][j] = perturb(plus);
      design.conductance_minus[i][j] = perturb(minus);
    }
  }
  if (specification.cell == CellKind::nlem)
    for (const Matrix* conductances : {&design.conductance_plus, &design.conductance_minus})
      for (const auto& row : *conductances)
        for (double g : row) nlem_weight_state(g, mapping.gmin);  // throws when out of the device's range
  design.ideal_outputs.assign(columns, 0.0);
  for (std::size_t j = 0; j < columns; ++j)
    for (std::size_t i = 0; i < rows; ++i)
      design.ideal_outputs[j] += design.inputs[i] * (design.conductance_plus[i][j] - design.conductance_minus[i][j]);
  design.full_scale_current = static_cast<double>(rows) * specification.inputs.read_voltage * (mapping.gmax - mapping.gmin);
  return design;
}

std::string default_models_directory() { return std::string(XBARSIM_SOURCE_DIR) + "/models"; }

double nlem_weight_state(double conductance, double gmin) {
  const double gain = NlemParameters{}.aw;
  const double state = (conductance / gmin - 1) / gain;
  if (!(state >= 0 && state < 0.999))
    throw std::invalid_argument(fmt::format("an N-LEM with g0 = gmin = {:.4g} S reaches {:.4g} S at most (1 + aw = {:g} times g0): "
                                            "conductance {:.4g} S is out of its range; use --gmax below {:.4g}",
                                            gmin, gmin * (1 + 0.999 * gain), 1 + gain, conductance, gmin * (1 + 0.999 * gain)));
  return state;
}

std::string array_netlist(const ArrayDesign& design, const std::string& models_directory) {
  const ArraySpecification& spec = design.specification;
  const ArrayParasitics& parasitics = spec.parasitics;
  const int rows = spec.rows, columns = design.physical_columns();
  std::string out;
  out.reserve(static_cast<std::size_t>(rows) * static_cast<std::size_t>(columns) * 96);
  append_line(out, "differential array {} x {} ({} physical columns, {} layout, {} cells, {} readout)", rows, spec.weights, columns,
       layout_name(spec.layout), cell_name(spec.cell), readout_name(spec.readout.kind));
  append_line(out, "* Generated by xbarsim gen array; plain SPICE (runs in ngspice 39 unchanged).");
  append_line(out, "* Weight j is G+ at bit line {} and G- at bit line {}; seed {}.",
       spec.layout == ArrayLayout::interleaved ? "2j" : "j", spec.layout == ArrayLayout::interleaved ? "2j+1" : "N+j", spec.seed);
  const bool optical = spec.cell == CellKind::nlem && spec.optical.enabled;
  if (spec.optical.enabled && spec.cell != CellKind::nlem) throw std::invalid_argument("the optical readout needs nlem cells");
  if (spec.cell == CellKind::nlem) {
    append_line(out, ".include {}/nlem.lib", models_directory);
    // Optical nets carry microwatts: Newton's voltage tolerance must resolve them (docs/models/nlem.md).
    append_line(out, ".options vntol=1e-12");
  }
  if (optical) {
    append_line(out, ".include {}/optical_coupling.lib", models_directory);
    append_line(out, ".include {}/photodiode.lib", models_directory);
    append_line(out, ".include {}/tia.lib", models_directory);
  }
  append_line(out, ".param rwl={:.12g} rbl={:.12g} rdrv={:.12g} cline={:.12g} cbb={:.12g} cww={:.12g}", parasitics.wordline_segment_resistance,
       parasitics.bitline_segment_resistance, parasitics.driver_resistance, parasitics.line_capacitance,
       parasitics.bitline_coupling_capacitance, parasitics.wordline_coupling_capacitance);

  // Drivers.
  const ArrayInputs& inputs = spec.inputs;
  for (int i = 0; i < rows; ++i) {
    const double v = design.inputs[static_cast<std::size_t>(i)];
    if (spec.analysis == ArrayAnalysis::op)
      append_line(out, "Vin{} in{} 0 DC {:.12g}", i, i, v);
    else
      append_line(out, "Vin{} in{} 0 PULSE(0 {:.12g} {:.6g} {:.6g} {:.6g} {:.6g})", i, i, v, inputs.pulse_delay, inputs.pulse_edge, inputs.pulse_edge,
           inputs.pulse_width);
    if (parasitics.driver_resistance > 0) append_line(out, "Rdrv{} in{} w{}_0 {{rdrv}}", i, i, i);
    else append_line(out, "Vdrv{} in{} w{}_0 0", i, i, i);  // an ideal driver: a short that keeps the node names
  }
  // Word lines: a segment before each cell (a 0 V source when the wire is ideal).
  for (int i = 0; i < rows; ++i)
    for (int c = 0; c < columns; ++c) {
      if (parasitics.wordline_segment_resistance > 0) append_line(out, "Rwl{}_{} w{}_{} w{}_{} {{rwl}}", i, c, i, c, i, c + 1);
      else append_line(out, "Vwl{}_{} w{}_{} w{}_{} 0", i, c, i, c, i, c + 1);
    }
  // Cells.
  std::vector<int> weight_of_column(static_cast<std::size_t>(columns));
  for (int j = 0; j < spec.weights; ++j) {
    weight_of_column[static_cast<std::size_t>(design.plus_column(j))] = j;
    weight_of_column[static_cast<std::size_t>(design.minus_column(j))] = j;
  }
  for (int i = 0; i < rows; ++i) {
    for (int c = 0; c < columns; ++c) {
      const int j = weight_of_column[static_cast<std::size_t>(c)];
      const bool plus = design.plus_column(j) == c;
      const double g = plus ? design.conductance_plus[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)]
                            : design.conductance_minus[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
      switch (spec.cell) {
        case CellKind::resistor: append_line(out, "Rcell{}_{} w{}_{} b{}_{} {:.12g}", i, c, i, c + 1, c, i, 1.0 / g); break;
        case CellKind::bsource: {
          std::string expression = replace_identifier(spec.bsource_expression, "g", fmt::format("{:.12g}", g));
          expression = replace_identifier(expression, "v", fmt::format("V(w{}_{},b{}_{})", i, c + 1, c, i));
          append_line(out, "Bcell{}_{} w{}_{} b{}_{} I={{{}}}", i, c, i, c + 1, c, i, expression);
          break;
        }
        case CellKind::nlem:
          append_line(out, "Xcell{}_{} w{}_{} b{}_{} opt{}_{} 0 NLEM g0={:.12g} hold=1 w0={:.12g}", i, c, i, c + 1, c, i, i, c,
                      spec.mapping.gmin, nlem_weight_state(g, spec.mapping.gmin));
          break;
      }
    }
  }
  // Bit lines: a segment between each pair of rows, then the readout at the bottom.
  for (int c = 0; c < columns; ++c)
    for (int i = 0; i + 1 < rows; ++i) {
      if (parasitics.bitline_segment_resistance > 0) append_line(out, "Rbl{}_{} b{}_{} b{}_{} {{rbl}}", c, i, c, i, c, i + 1);
      else append_line(out, "Vbl{}_{} b{}_{} b{}_{} 0", c, i, c, i, c, i + 1);
    }
  for (int c = 0; c < columns; ++c) {
    std::string bottom = fmt::format("b{}_{}", c, rows - 1);
    if (spec.parasitics.sense_resistance > 0) {
      append_line(out, "Rsense{} {} s{} {:.12g}", c, bottom, c, spec.parasitics.sense_resistance);
      bottom = fmt::format("s{}", c);
    }
    switch (spec.readout.kind) {
      case ArrayReadout::virtual_ground: append_line(out, "Vsense{} {} 0 0", c, bottom); break;
      case ArrayReadout::tia:
        append_line(out, "Etia{} tia{} 0 0 {} {:.12g}", c, c, bottom, spec.readout.tia_gain);
        append_line(out, "Rf{} {} tia{} {:.12g}", c, bottom, c, spec.readout.tia_feedback_resistance);
        if (spec.readout.tia_feedback_capacitance > 0)
          append_line(out, "Cf{} {} tia{} {:.12g}", c, bottom, c, spec.readout.tia_feedback_capacitance);
        break;
      case ArrayReadout::resistor: append_line(out, "Rread{} {} 0 {:.12g}", c, bottom, spec.readout.load_resistance); break;
    }
  }
  if (optical) {
    const OpticalReadoutSettings& settings = spec.optical;
    for (int i = 0; i < rows; ++i)
      for (int c = 0; c < columns; ++c) {
        const std::string left = c > 0 ? fmt::format("opt{}_{}", i, c - 1) : "0";
        const std::string right = c + 1 < columns ? fmt::format("opt{}_{}", i, c + 1) : "0";
        append_line(out, "Xch{}_{} rx{}_{} {} opt{}_{} {} OPTICAL_CHANNEL efficiency={:.12g} crosstalk={:.12g}", i, c, i, c, left, i, c,
                    right, settings.coupling_efficiency, settings.crosstalk);
        append_line(out, "Xpd{}_{} pin{} 0 rx{}_{} PHOTODIODE resp={:.12g} is={:.12g}", i, c, c, i, c, settings.responsivity,
                    settings.dark_saturation_current);
      }
    for (int c = 0; c < columns; ++c) append_line(out, "Xtiao{} pin{} popt{} TIA rf={:.12g}", c, c, c, settings.tia_feedback_resistance);
  }
  // Line capacitance to ground and coupling between neighbouring lines.
  if (parasitics.line_capacitance > 0) {
    for (int i = 0; i < rows; ++i)
      for (int c = 1; c <= columns; ++c) append_line(out, "Cwl{}_{} w{}_{} 0 {{cline}}", i, c, i, c);
    for (int c = 0; c < columns; ++c)
      for (int i = 0; i < rows; ++i) append_line(out, "Cbl{}_{} b{}_{} 0 {{cline}}", c, i, c, i);
  }
  if (parasitics.bitline_coupling_capacitance > 0)
    for (int c = 0; c + 1 < columns; ++c)
      for (int i = 0; i < rows; ++i) append_line(out, "Cbb{}_{} b{}_{} b{}_{} {{cbb}}", c, i, c, i, c + 1, i);
  if (parasitics.wordline_coupling_capacitance > 0)
    for (int i = 0; i + 1 < rows; ++i)
      for (int c = 1; c <= columns; ++c) append_line(out, "Cww{}_{} w{}_{} w{}_{} {{cww}}", i, c, i, c, i + 1, c);

  if (spec.analysis == ArrayAnalysis::op) {
    append_line(out, ".op");
  } else {
    const double stop = inputs.tran_stop > 0 ? inputs.tran_stop : inputs.pulse_delay + 2 * inputs.pulse_edge + inputs.pulse_width + 10e-9;
    append_line(out, ".tran {:.6g} {:.6g}", stop / 1000, stop);
  }
  append_line(out, ".end");
  return out;
}

namespace {

// Every numeric option of a specification, by its JSON name: one list for writing and reading.
template <class Specification, class Visit>
void visit_numeric_options(Specification& spec, Visit&& visit) {
  visit("rows", spec.rows);
  visit("weights", spec.weights);
  visit("levels", spec.mapping.levels);
  visit("gmin", spec.mapping.gmin);
  visit("gmax", spec.mapping.gmax);
  visit("variation_sigma", spec.mapping.variation_sigma);
  visit("stuck_on_fraction", spec.mapping.stuck_on_fraction);
  visit("stuck_off_fraction", spec.mapping.stuck_off_fraction);
  visit("r_wordline", spec.parasitics.wordline_segment_resistance);
  visit("r_bitline", spec.parasitics.bitline_segment_resistance);
  visit("r_driver", spec.parasitics.driver_resistance);
  visit("c_line", spec.parasitics.line_capacitance);
  visit("c_couple_bitline", spec.parasitics.bitline_coupling_capacitance);
  visit("c_couple_wordline", spec.parasitics.wordline_coupling_capacitance);
  visit("r_sense", spec.parasitics.sense_resistance);
  visit("tia_feedback_resistance", spec.readout.tia_feedback_resistance);
  visit("tia_gain", spec.readout.tia_gain);
  visit("tia_feedback_capacitance", spec.readout.tia_feedback_capacitance);
  visit("load_resistance", spec.readout.load_resistance);
  visit("optical", spec.optical.enabled);
  visit("coupling_efficiency", spec.optical.coupling_efficiency);
  visit("optical_crosstalk", spec.optical.crosstalk);
  visit("responsivity", spec.optical.responsivity);
  visit("dark_saturation_current", spec.optical.dark_saturation_current);
  visit("optical_tia_feedback_resistance", spec.optical.tia_feedback_resistance);
  visit("read_voltage", spec.inputs.read_voltage);
  visit("pulse_delay", spec.inputs.pulse_delay);
  visit("pulse_edge", spec.inputs.pulse_edge);
  visit("pulse_width", spec.inputs.pulse_width);
  visit("tran_stop", spec.inputs.tran_stop);
  visit("seed", spec.seed);
}

}  // namespace

std::string array_design_json(const ArrayDesign& design) {
  const ArraySpecification& spec = design.specification;
  json document;
  document["format"] = "xbarsim-array-1";
  json& options = document["options"];
  visit_numeric_options(spec, [&](const char* name, const auto& value) { options[name] = value; });
  options["layout"] = layout_name(spec.layout);
  options["cell"] = cell_name(spec.cell);
  options["bsource_expression"] = spec.bsource_expression;
  options["mapping"] = name_of(kSchemes, spec.mapping.scheme);
  options["readout"] = readout_name(spec.readout.kind);
  options["analysis"] = name_of(kAnalyses, spec.analysis);
  document["weights"] = design.weights;
  document["inputs"] = design.inputs;
  document["conductance_plus"] = design.conductance_plus;
  document["conductance_minus"] = design.conductance_minus;
  document["ideal_outputs"] = design.ideal_outputs;
  document["full_scale_current"] = design.full_scale_current;
  document["columns"] = json::array();
  for (int j = 0; j < spec.weights; ++j) document["columns"].push_back({{"plus", design.plus_column(j)}, {"minus", design.minus_column(j)}});
  return document.dump(1) + "\n";
}

ArrayDesign array_design_from_json(const std::string& text) {
  try {
    const json document = json::parse(text);
    if (document.value("format", "") != "xbarsim-array-1") throw std::invalid_argument("not an xbarsim array description (format xbarsim-array-1)");
    const json& options = document.at("options");
    ArraySpecification spec;
    visit_numeric_options(spec, [&](const char* name, auto& value) { options.at(name).get_to(value); });
    spec.layout = value_of(kLayouts, options.at("layout").get<std::string>(), "layout");
    spec.cell = value_of(kCells, options.at("cell").get<std::string>(), "cell");
    spec.bsource_expression = options.at("bsource_expression");
    spec.mapping.scheme = value_of(kSchemes, options.at("mapping").get<std::string>(), "mapping");
    spec.readout.kind = value_of(kReadouts, options.at("readout").get<std::string>(), "readout");
    spec.analysis = value_of(kAnalyses, options.at("analysis").get<std::string>(), "analysis");
    ArrayDesign design;
    design.specification = spec;
    design.weights = document.at("weights").get<Matrix>();
    design.inputs = document.at("inputs").get<std::vector<double>>();
    design.conductance_plus = document.at("conductance_plus").get<Matrix>();
    design.conductance_minus = document.at("conductance_minus").get<Matrix>();
    design.ideal_outputs = document.at("ideal_outputs").get<std::vector<double>>();
    design.full_scale_current = document.at("full_scale_current");
    return design;
  } catch (const json::exception& error) {
    throw std::invalid_argument(fmt::format("array description: {}", error.what()));
  }
}

Matrix read_matrix_csv(const std::string& path) {
  std::ifstream stream(path);
  if (!stream) throw std::invalid_argument(fmt::format("cannot open '{}'", path));
  Matrix matrix;
  std::string text;
  int line_number = 0;
  while (std::getline(stream, text)) {
    ++line_number;
    if (auto hash = text.find('#'); hash != std::string::npos) text.erase(hash);
    std::replace(text.begin(), text.end(), ',', ' ');
    std::istringstream fields(text);
    std::vector<double> row;
    std::string field;
    while (fields >> field) {
      try {
        std::size_t used = 0;
        row.push_back(std::stod(field, &used));
        if (used != field.size()) throw std::invalid_argument(field);
      } catch (const std::exception&) {
        throw std::invalid_argument(fmt::format("{}:{}: error: '{}' is not a number", path, line_number, field));
      }
    }
    if (row.empty()) continue;
    if (!matrix.empty() && row.size() != matrix.front().size())
      throw std::invalid_argument(fmt::format("{}:{}: error: {} values, but the first row has {}", path, line_number, row.size(), matrix.front().size()));
    matrix.push_back(std::move(row));
  }
  if (matrix.empty()) throw std::invalid_argument(fmt::format("'{}' holds no numbers", path));
  return matrix;
}

}  // namespace xbarsim
