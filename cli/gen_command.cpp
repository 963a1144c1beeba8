#include "cli/gen_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>

#include "cli/array_report.h"
#include "core/differential_array.h"
#include "core/elaborator.h"
#include "core/raw_file.h"
#include "core/simulator.h"

namespace xbarsim::cli {
namespace {

constexpr const char* kGenUsage = R"(usage: xbarsim gen array [options] -o FILE.cir

Writes an M x N differential memristor array (each weight a G+/G- pair of cells) as a plain SPICE
netlist that also runs in ngspice, and FILE.json beside it: the options, weights, inputs, mapped
conductances and the ideal outputs (the exact matrix-vector product without parasitics).
Simulate it and measure its error with:  xbarsim run FILE.cir --array FILE.json

array:
  --rows M                 word lines / inputs (default 32)
  --cols N                 logical weights per row; 2N physical columns (default 32)
  --layout L               interleaved (G+, G- columns alternate) | split (all G+, then all G-)
                           (default interleaved)
  --cell K                 resistor (linear) | bsource (I(v) expression) | nlem (the N-LEM
                           model in read mode, its state set to the conductance level; default
                           --gmin 1e-6 --gmax 8e-6, the device's range) (default resistor)
  --bsource-expr E         the bsource cell's current, in g (its conductance, S) and v (its
                           voltage, V) (default "g * v")
weights and their mapping:
  --weights FILE.csv       M rows x N columns (default: uniform random in [-1, 1] from --seed)
  --levels K               conductance levels per weight sign (default 15, as the N-LEM paper)
  --gmin S, --gmax S       conductance range in siemens (default 1e-6, 100e-6)
  --mapping M              one-sided (the other device at gmin) | symmetric (around the middle)
                           (default one-sided)
  --variation SIGMA        relative device-to-device variation, Gaussian (default 0)
  --stuck-on F, --stuck-off F   fraction of cells stuck at gmax / gmin (default 0)
  --seed S                 seed of every random draw (default 1)
inputs:
  --inputs FILE.csv        M input voltages (default: uniform random in [0, --read-voltage])
  --read-voltage V         largest input in volts (default 0.2)
  --analysis A             op (DC read) | tran (pulsed inputs) (default op)
  --pulse-delay T, --pulse-edge T, --pulse-width T, --tran-stop T
                           transient input pulses in seconds (default 1e-9, 0.1e-9, 20e-9; stop
                           0 = delay + edges + width + 10 ns)
parasitics (every one separately settable):
  --r-wire R               word- and bit-line segment resistance per cell pitch, ohm (default 1)
  --r-wordline R, --r-bitline R   the two separately
  --r-driver R             input driver resistance, ohm (default 100)
  --c-line C               line capacitance to ground per node, farad (default 1e-15)
  --c-couple C             coupling between adjacent bit lines and adjacent word lines, farad
                           (default 0.2e-15)
  --c-couple-bitline C, --c-couple-wordline C   the two separately
  --r-sense R              sense resistance in series with each readout, ohm (default 0)
optical readout (nlem cells, the paper's FCN-2 path):
  --optical                a photodiode facing every cell, each column's photodiodes into a TIA
                           (outputs v(popt<c>)), besides the electrical readout
  --coupling-efficiency F  share of a cell's light reaching its photodiode (default 0.5)
  --optical-crosstalk F    share of each row neighbour's light (default 0.02)
  --responsivity R         photodiode responsivity, A/W (default 0.4)
  --dark-current I         photodiode junction saturation current, A (default 1e-11)
  --optical-rf R           optical TIA feedback resistance, ohm (default 1e6)
readout:
  --readout R              virtual-ground (0 V ammeters) | tia | resistor (default virtual-ground)
  --tia-rf R               TIA feedback resistance, ohm (default 10e3)
  --tia-gain A             TIA open-loop gain (default 1e5)
  --tia-cf C               TIA feedback capacitance across Rf, farad (default 50e-15)
  --r-load R               load of the resistor readout, ohm (default 1e3)
output:
  -o, --output FILE.cir    the netlist (required); FILE.json is written beside it
  --run                    also simulate it and measure the outputs against the ideal product
                           (as `xbarsim run FILE.cir --array FILE.json`: raw file FILE.raw,
                           metrics in FILE-metrics/)
  -h, --help               show this help
)";

}  // namespace

int gen_command(const std::vector<std::string_view>& arguments) {
  if (arguments.empty() || arguments.front() == "-h" || arguments.front() == "--help") {
    std::fputs(kGenUsage, arguments.empty() ? stderr : stdout);
    return arguments.empty() ? 2 : 0;
  }
  if (arguments.front() != "array") {
    std::fprintf(stderr, "xbarsim gen: unknown generator '%.*s' (available: array)\n", static_cast<int>(arguments.front().size()),
                 arguments.front().data());
    return 2;
  }
  ArraySpecification spec;
  std::string output, weights_file, inputs_file;
  bool conductance_range_given = false;
  bool simulate = false;
  try {
    std::map<std::string_view, std::function<void(const std::string&)>> options;
    auto number = [](const std::string& text) {
      std::size_t used = 0;
      double value = std::stod(text, &used);
      if (used != text.size()) throw std::invalid_argument("");
      return value;
    };
    auto count = [&](const std::string& text) { return static_cast<int>(number(text)); };
    options["--rows"] = [&](const std::string& v) { spec.rows = count(v); };
    options["--cols"] = [&](const std::string& v) { spec.weights = count(v); };
    options["--layout"] = [&](const std::string& v) {
      if (v == "interleaved") spec.layout = ArrayLayout::interleaved;
      else if (v == "split") spec.layout = ArrayLayout::split;
      else throw std::invalid_argument("--layout takes interleaved or split");
    };
    options["--cell"] = [&](const std::string& v) {
      if (v == "resistor") spec.cell = CellKind::resistor;
      else if (v == "bsource") spec.cell = CellKind::bsource;
      else if (v == "nlem") spec.cell = CellKind::nlem;
      else throw std::invalid_argument("--cell takes resistor, bsource or nlem");
    };
    options["--bsource-expr"] = [&](const std::string& v) { spec.bsource_expression = v; };
    options["--weights"] = [&](const std::string& v) { weights_file = v; };
    options["--inputs"] = [&](const std::string& v) { inputs_file = v; };
    options["--levels"] = [&](const std::string& v) { spec.mapping.levels = count(v); };
    options["--gmin"] = [&](const std::string& v) { spec.mapping.gmin = number(v); };
    options["--gmax"] = [&](const std::string& v) { spec.mapping.gmax = number(v); };
    options["--mapping"] = [&](const std::string& v) {
      if (v == "one-sided") spec.mapping.scheme = WeightMappingScheme::one_sided;
      else if (v == "symmetric") spec.mapping.scheme = WeightMappingScheme::symmetric;
      else throw std::invalid_argument("--mapping takes one-sided or symmetric");
    };
    options["--variation"] = [&](const std::string& v) { spec.mapping.variation_sigma = number(v); };
    options["--stuck-on"] = [&](const std::string& v) { spec.mapping.stuck_on_fraction = number(v); };
    options["--stuck-off"] = [&](const std::string& v) { spec.mapping.stuck_off_fraction = number(v); };
    options["--seed"] = [&](const std::string& v) { spec.seed = static_cast<std::uint64_t>(std::stoull(v)); };
    options["--read-voltage"] = [&](const std::string& v) { spec.inputs.read_voltage = number(v); };
    options["--analysis"] = [&](const std::string& v) {
      if (v == "op") spec.analysis = ArrayAnalysis::op;
      else if (v == "tran") spec.analysis = ArrayAnalysis::tran;
      else throw std::invalid_argument("--analysis takes op or tran");
    };
    options["--pulse-delay"] = [&](const std::string& v) { spec.inputs.pulse_delay = number(v); };
    options["--pulse-edge"] = [&](const std::string& v) { spec.inputs.pulse_edge = number(v); };
    options["--pulse-width"] = [&](const std::string& v) { spec.inputs.pulse_width = number(v); };
    options["--tran-stop"] = [&](const std::string& v) { spec.inputs.tran_stop = number(v); };
    options["--r-wire"] = [&](const std::string& v) {
      spec.parasitics.wordline_segment_resistance = spec.parasitics.bitline_segment_resistance = number(v);
    };
    options["--r-wordline"] = [&](const std::string& v) { spec.parasitics.wordline_segment_resistance = number(v); };
    options["--r-bitline"] = [&](const std::string& v) { spec.parasitics.bitline_segment_resistance = number(v); };
    options["--r-driver"] = [&](const std::string& v) { spec.parasitics.driver_resistance = number(v); };
    options["--c-line"] = [&](const std::string& v) { spec.parasitics.line_capacitance = number(v); };
    options["--c-couple"] = [&](const std::string& v) {
      spec.parasitics.bitline_coupling_capacitance = spec.parasitics.wordline_coupling_capacitance = number(v);
    };
    options["--c-couple-bitline"] = [&](const std::string& v) { spec.parasitics.bitline_coupling_capacitance = number(v); };
    options["--c-couple-wordline"] = [&](const std::string& v) { spec.parasitics.wordline_coupling_capacitance = number(v); };
    options["--r-sense"] = [&](const std::string& v) { spec.parasitics.sense_resistance = number(v); };
    options["--readout"] = [&](const std::string& v) {
      if (v == "virtual-ground") spec.readout.kind = ArrayReadout::virtual_ground;
      else if (v == "tia") spec.readout.kind = ArrayReadout::tia;
      else if (v == "resistor") spec.readout.kind = ArrayReadout::resistor;
      else throw std::invalid_argument("--readout takes virtual-ground, tia or resistor");
    };
    options["--tia-rf"] = [&](const std::string& v) { spec.readout.tia_feedback_resistance = number(v); };
    options["--tia-gain"] = [&](const std::string& v) { spec.readout.tia_gain = number(v); };
    options["--tia-cf"] = [&](const std::string& v) { spec.readout.tia_feedback_capacitance = number(v); };
    options["--r-load"] = [&](const std::string& v) { spec.readout.load_resistance = number(v); };
    options["--coupling-efficiency"] = [&](const std::string& v) { spec.optical.coupling_efficiency = number(v); };
    options["--optical-crosstalk"] = [&](const std::string& v) { spec.optical.crosstalk = number(v); };
    options["--responsivity"] = [&](const std::string& v) { spec.optical.responsivity = number(v); };
    options["--dark-current"] = [&](const std::string& v) { spec.optical.dark_saturation_current = number(v); };
    options["--optical-rf"] = [&](const std::string& v) { spec.optical.tia_feedback_resistance = number(v); };
    options["-o"] = options["--output"] = [&](const std::string& v) { output = v; };

    for (std::size_t i = 1; i < arguments.size(); ++i) {
      std::string_view argument = arguments[i];
      if (argument == "-h" || argument == "--help") {
        std::fputs(kGenUsage, stdout);
        return 0;
      }
      if (argument == "--optical") {
        spec.optical.enabled = true;
        continue;
      }
      if (argument == "--run") {
        simulate = true;
        continue;
      }
      if (argument == "--gmin" || argument == "--gmax") conductance_range_given = true;
      auto option = options.find(argument);
      if (option == options.end()) throw std::invalid_argument(fmt::format("unknown option '{}'", argument));
      if (i + 1 >= arguments.size()) throw std::invalid_argument(fmt::format("option '{}' needs a value", argument));
      const std::string value(arguments[++i]);
      try {
        option->second(value);
      } catch (const std::invalid_argument& error) {
        throw std::invalid_argument(*error.what() ? error.what() : fmt::format("'{}' is not a valid value for {}", value, argument));
      } catch (const std::out_of_range&) {
        throw std::invalid_argument(fmt::format("'{}' is out of range for {}", value, argument));
      }
    }
    if (output.empty()) throw std::invalid_argument("give the netlist to write with -o FILE.cir");
    if (spec.cell == CellKind::nlem && !conductance_range_given) {
      spec.mapping.gmin = 1e-6;  // the N-LEM's g0
      spec.mapping.gmax = 8e-6;  // below g0 (1 + aw) = 9 uS
    }
    if (spec.optical.enabled && spec.cell != CellKind::nlem) throw std::invalid_argument("--optical needs --cell nlem");
  } catch (const std::exception& error) {
    std::fprintf(stderr, "xbarsim gen array: %s\n(see xbarsim gen array --help)\n", error.what());
    return 2;
  }
  try {
    Matrix weights = weights_file.empty() ? random_weights(spec) : read_matrix_csv(weights_file);
    std::vector<double> inputs;
    if (inputs_file.empty()) {
      inputs = random_inputs(spec);
    } else {
      for (const auto& row : read_matrix_csv(inputs_file)) inputs.insert(inputs.end(), row.begin(), row.end());
    }
    ArrayDesign design = design_array(spec, std::move(weights), std::move(inputs));
    std::filesystem::path netlist_path(output);
    std::filesystem::path json_path = netlist_path;
    json_path.replace_extension(".json");
    std::ofstream(netlist_path) << array_netlist(design);
    std::ofstream(json_path) << array_design_json(design);
    if (!std::filesystem::exists(netlist_path) || !std::filesystem::exists(json_path))
      throw std::runtime_error(fmt::format("cannot write '{}'", output));
    std::printf("wrote %s (%d x %d array, %d physical columns) and %s\n", netlist_path.c_str(), spec.rows, spec.weights,
                design.physical_columns(), json_path.c_str());
    if (!simulate) return 0;
    DiagnosticSink sink = stderr_diagnostic_sink();
    Circuit circuit = load_circuit(netlist_path, sink);
    Simulator simulator(circuit);
    Waveforms results = simulator.run();
    std::filesystem::path raw_path = netlist_path;
    raw_path.replace_extension(".raw");
    write_raw_file(raw_path, results);
    std::printf("simulated: %s (%d unknowns)\n", raw_path.c_str(), simulator.statistics().unknowns);
    std::filesystem::path metrics_directory = netlist_path.parent_path() / (netlist_path.stem().string() + "-metrics");
    report_array_metrics(design, results, metrics_directory, 8, false);
    return 0;
  } catch (const NetlistError& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 2;
  } catch (const SimulationError& error) {
    std::fprintf(stderr, "xbarsim gen array: error: %s\n", error.what());
    return 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "xbarsim gen array: error: %s\n", error.what());
    return 2;
  }
}

}  // namespace xbarsim::cli
