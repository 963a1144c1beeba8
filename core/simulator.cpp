#include "core/simulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/connectivity_check.h"
#include "core/diagnostics.h"
#include "solvers/newton.h"

namespace xbarsim {
namespace {

// From this many unknowns on, the constructor runs the circuit checks on threads of their own.
constexpr int kConcurrentChecksMinimum = 100000;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<int> select_outputs(const Circuit& circuit) {
  const auto& saved = circuit.saved_vectors;
  bool all = saved.empty() || std::find(saved.begin(), saved.end(), "all") != saved.end();
  std::vector<int> voltages, currents;
  voltages.reserve(static_cast<std::size_t>(circuit.unknown_count()));  // once: growing would copy it 20 times on a large array
  std::string name;
  for (int i = 0; i < circuit.unknown_count(); ++i) {
    if (!circuit.unknown_is_output(i)) continue;
    if (!all) {
      name.clear();
      circuit.append_unknown_name(i, name);
      if (std::find(saved.begin(), saved.end(), name) == saved.end()) continue;
    }
    (circuit.unknown_quantity(i) == Quantity::voltage ? voltages : currents).push_back(i);
  }
  voltages.insert(voltages.end(), currents.begin(), currents.end());
  return voltages;
}

// ngspice's sweep values: start, start+step, ... up to stop (inclusive within rounding).
std::vector<double> sweep_values(const SweepSpecification& sweep) {
  std::vector<double> values;
  const double count = std::floor((sweep.stop - sweep.start) / sweep.step + 1e-9);
  for (long i = 0; i <= static_cast<long>(count); ++i) values.push_back(sweep.start + static_cast<double>(i) * sweep.step);
  return values;
}

}  // namespace

Simulator::Simulator(Circuit& circuit, SimulatorSettings settings) : circuit_(circuit), settings_(std::move(settings)) {
  auto start = std::chrono::steady_clock::now();
  build_system([&] { return std::make_unique<MnaSystem>(circuit_, make_linear_solver(settings_.linear_solver)); });
  outputs_ = select_outputs(circuit_);
  statistics_.unknowns = system_->size();
  statistics_.nonzeros = system_->structure().nonzeros();
  statistics_.setup_seconds = seconds_since(start);
}

Simulator::Simulator(Circuit& circuit, SimulatorSettings settings, Simulator& previous)
    : circuit_(circuit), settings_(std::move(settings)) {
  auto start = std::chrono::steady_clock::now();
  build_system([&] { return std::make_unique<MnaSystem>(circuit_, make_linear_solver(settings_.linear_solver), *previous.system_); });
  outputs_ = select_outputs(circuit_);
  statistics_.unknowns = system_->size();
  statistics_.nonzeros = system_->structure().nonzeros();
  statistics_.setup_seconds = seconds_since(start);
}

void Simulator::build_system(const std::function<std::unique_ptr<MnaSystem>()>& make_system) {
  if (circuit_.unknown_count() < kConcurrentChecksMinimum) {
    circuit_.check_device_names();
    system_ = make_system();
    return;
  }
  const bool connectivity_needed = std::any_of(circuit_.analyses.begin(), circuit_.analyses.end(), [](const AnalysisRequest& request) {
    const auto* transient = std::get_if<TransientRequest>(&request);
    return transient == nullptr || !transient->use_initial_conditions;
  });
  std::future<void> names = std::async(std::launch::async, [this] { circuit_.check_device_names(); });
  if (connectivity_needed) connectivity_check_ = std::async(std::launch::async, [this] { check_dc_connectivity(circuit_); });
  try {
    system_ = make_system();
  } catch (...) {
    names.get();  // a duplicate name is reported first, as without the threads
    throw;
  }
  names.get();
}

void Simulator::check_connectivity() {
  if (connectivity_checked_) return;
  if (connectivity_check_.valid())
    connectivity_check_.get();
  else
    check_dc_connectivity(circuit_);
  connectivity_checked_ = true;
}

SimulationStatistics Simulator::statistics() const {
  SimulationStatistics result = statistics_;
  result.newton_iterations = operating_point_statistics_.newton_iterations;
  result.gmin_steps = operating_point_statistics_.gmin_steps;
  result.source_steps = operating_point_statistics_.source_steps;
  return result;
}

Plot Simulator::make_plot(std::string name, std::string_view scale_name, Quantity scale_quantity) const {
  Plot plot(circuit_.title, std::move(name), !scale_name.empty());
  plot.reserve_vectors(outputs_.size() + (plot.has_scale ? 1 : 0));
  if (plot.has_scale) plot.add_vector(scale_name, scale_quantity);
  std::string vector_name;
  for (int unknown : outputs_) {
    vector_name.clear();
    circuit_.append_unknown_name(unknown, vector_name);
    plot.add_vector(vector_name, circuit_.unknown_quantity(unknown));
  }
  return plot;
}

void Simulator::append_point(Plot& plot, const std::vector<double>& solution, double scale) const {
  double* value = plot.append_point().data();
  if (plot.has_scale) *value++ = scale;
  for (int unknown : outputs_) *value++ = solution[static_cast<std::size_t>(unknown)];
}

std::string Simulator::explain_singular(int unknown) const {
  if (unknown < 0 || unknown >= circuit_.unknown_count()) return "singular matrix";
  return fmt::format("singular matrix: check {} (no unique solution: floating or over-constrained)", circuit_.unknown_label(unknown));
}

Waveforms Simulator::run() {
  if (circuit_.analyses.empty()) throw SimulationError("the netlist requests no analysis: add .op, .dc or .tran");
  Waveforms waveforms;
  for (const AnalysisRequest& request : circuit_.analyses) {
    last_analysis_ = &request == &circuit_.analyses.back();
    if (const auto* op = std::get_if<OperatingPointRequest>(&request)) {
      waveforms.plots.push_back(operating_point(*op));
    } else if (const auto* dc = std::get_if<DcSweepRequest>(&request)) {
      waveforms.plots.push_back(dc_sweep(*dc));
    } else {
      waveforms.plots.push_back(transient(std::get<TransientRequest>(request)));
    }
  }
  return waveforms;
}

Plot Simulator::operating_point(const OperatingPointRequest& request) {
  (void)request;
  auto start = std::chrono::steady_clock::now();
  check_connectivity();
  std::vector<double> solution;
  try {
    solve_operating_point(*system_, solution, AnalysisMode::operating_point, true, circuit_.options.itl1, operating_point_statistics_);
  } catch (const SingularMatrixError& error) {
    throw SimulationError(explain_singular(error.unknown()));
  }
  if (last_analysis_ && settings_.release_solver_before_last_output) system_->solver().release_memory();
  Plot plot = make_plot("Operating Point");
  append_point(plot, solution);
  statistics_.analysis_seconds += seconds_since(start);
  return plot;
}

Plot Simulator::dc_sweep(const DcSweepRequest& request) {
  auto start = std::chrono::steady_clock::now();
  check_connectivity();
  struct Axis {
    SourceReference source;
    std::vector<double> values;
    double original;
  };
  std::vector<Axis> axes;
  for (const SweepSpecification& sweep : request.sweeps) {
    SourceReference source = *circuit_.find_source(sweep.source);
    axes.push_back({source, sweep_values(sweep), source.group->dc_value(source.index)});
  }
  const Quantity scale_quantity = axes.front().source.group->source_quantity();
  Plot plot = make_plot("DC transfer characteristic", scale_quantity == Quantity::voltage ? "v(v-sweep)" : "i(i-sweep)", scale_quantity);

  std::vector<double> solution;
  bool first_point = true;
  const std::size_t outer_count = axes.size() > 1 ? axes[1].values.size() : 1;
  try {
    for (std::size_t outer = 0; outer < outer_count; ++outer) {
      if (axes.size() > 1) axes[1].source.group->set_dc_value(axes[1].source.index, axes[1].values[outer]);
      for (double value : axes[0].values) {
        axes[0].source.group->set_dc_value(axes[0].source.index, value);
        bool converged = false;
        if (!first_point) {
          NewtonSettings settings;
          settings.mode = AnalysisMode::dc_sweep;
          settings.max_iterations = circuit_.options.itl2;
          std::vector<double> trial = solution;
          NewtonResult result = newton_solve(*system_, trial, settings);
          operating_point_statistics_.newton_iterations += result.iterations;
          if (result.converged) {
            solution = trial;
            converged = true;
          }
        }
        if (!converged) {
          try {
            solve_operating_point(*system_, solution, AnalysisMode::dc_sweep, first_point, circuit_.options.itl1,
                                  operating_point_statistics_);
          } catch (const SimulationError& error) {
            throw SimulationError(fmt::format("at DC sweep point {} = {:.6g}: {}", request.sweeps[0].source, value, error.what()));
          }
        }
        first_point = false;
        append_point(plot, solution, value);
        ++statistics_.sweep_points;
      }
    }
  } catch (const SingularMatrixError& error) {
    for (Axis& axis : axes) axis.source.group->set_dc_value(axis.source.index, axis.original);
    throw SimulationError(explain_singular(error.unknown()));
  }
  for (Axis& axis : axes) axis.source.group->set_dc_value(axis.source.index, axis.original);
  statistics_.analysis_seconds += seconds_since(start);
  return plot;
}

}  // namespace xbarsim

namespace xbarsim {

Plot Simulator::transient(const TransientRequest& request) {
  auto start = std::chrono::steady_clock::now();
  if (!request.use_initial_conditions) check_connectivity();
  Plot plot = make_plot("Transient Analysis", "time", Quantity::time);
  TransientAnalysis analysis(*system_, request);
  std::vector<double> previous_solution;
  double previous_time = 0.0;
  double next_output = request.start;  // for `.options interp`
  const bool interpolate = circuit_.options.interpolate;
  try {
    analysis.run(operating_point_statistics_, [&](double time, const std::vector<double>& solution) {
      if (!interpolate) {
        if (time >= request.start * (1 - 1e-12)) {
          append_point(plot, solution, time);
        }
        return;
      }
      // Resample onto tstart, tstart + tstep, ... by linear interpolation between accepted points.
      while (next_output <= time * (1 + 1e-12) && next_output <= request.stop * (1 + 1e-12)) {
        std::vector<double> point = solution;
        if (!previous_solution.empty() && time > previous_time) {
          const double weight = (next_output - previous_time) / (time - previous_time);
          for (std::size_t k = 0; k < point.size(); ++k)
            point[k] = previous_solution[k] + weight * (solution[k] - previous_solution[k]);
        }
        append_point(plot, point, next_output);
        next_output = request.start + static_cast<double>(plot.point_count()) * request.step;
      }
      previous_solution = solution;
      previous_time = time;
    });
  } catch (const SingularMatrixError& error) {
    throw SimulationError(explain_singular(error.unknown()));
  }
  const TransientStatistics& done = analysis.statistics();
  statistics_.transient.accepted_steps += done.accepted_steps;
  statistics_.transient.rejected_steps += done.rejected_steps;
  statistics_.transient.newton_failures += done.newton_failures;
  statistics_.transient.newton_iterations += done.newton_iterations;
  statistics_.analysis_seconds += seconds_since(start);
  return plot;
}

}  // namespace xbarsim
