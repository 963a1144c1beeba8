// Simulator: runs a Circuit's analyses on one MnaSystem and returns their results as plots.
//
// The matrix structure, device binding and the solver's symbolic analysis happen once, when the
// Simulator is built; every analysis and every sweep point after that only loads values and
// refactors. Results hold the output vectors (.save selection, ngspice names and order: node
// voltages, then branch currents).
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "core/circuit.h"
#include "core/operating_point.h"
#include "core/transient_analysis.h"
#include "core/waveforms.h"
#include "solvers/linear_solver.h"
#include "solvers/mna_system.h"

namespace xbarsim {

struct SimulatorSettings {
  std::string linear_solver = "auto";  // see make_linear_solver: auto, klu, eigen or cg
  // Free the linear solver's factorisation before building the output of the last analysis (a
  // one-shot run: the factor and a million-vector result need not be in memory together). Off
  // when the simulator's solver is handed on (sweep points).
  bool release_solver_before_last_output = false;
};

struct SimulationStatistics {
  int unknowns = 0;
  int nonzeros = 0;
  long newton_iterations = 0;
  int gmin_steps = 0;
  int source_steps = 0;
  long sweep_points = 0;
  TransientStatistics transient;
  double setup_seconds = 0.0;     // structure, binding, symbolic analysis
  double analysis_seconds = 0.0;  // all analyses
};

class Simulator {
 public:
  explicit Simulator(Circuit& circuit, SimulatorSettings settings = {});
  // For the next sweep point: reuses `previous`'s symbolic analysis when the matrix structure is
  // unchanged (MnaSystem's reuse constructor); `previous` cannot simulate afterwards.
  Simulator(Circuit& circuit, SimulatorSettings settings, Simulator& previous);

  // Runs every analysis the circuit requests, in netlist order. Throws SimulationError.
  Waveforms run();
  Plot operating_point(const OperatingPointRequest& request = {});
  Plot dc_sweep(const DcSweepRequest& request);
  Plot transient(const TransientRequest& request);

  SimulationStatistics statistics() const;
  const LinearSolverStatistics& solver_statistics() { return system_->solver().statistics(); }
  std::string_view solver_name() { return system_->solver().name(); }
  std::string solver_description() { return system_->solver().describe(); }
  bool reused_analysis() const { return system_->reused_analysis(); }

 private:
  // A plot of the output vectors, after a scale vector unless `scale_name` is empty (operating point).
  Plot make_plot(std::string name, std::string_view scale_name = {}, Quantity scale_quantity = Quantity::other) const;
  // Appends a point: `scale` (plots with a scale only), then the output unknowns of `solution`.
  void append_point(Plot& plot, const std::vector<double>& solution, double scale = 0) const;
  std::string explain_singular(int unknown) const;
  // The device-name check, then make_system(); on a large circuit both checks (names, DC
  // connectivity), which only read the circuit, run on threads of their own meanwhile.
  void build_system(const std::function<std::unique_ptr<MnaSystem>()>& make_system);
  // The DC connectivity check, once: waits for the constructor's or runs it. Throws SimulationError.
  void check_connectivity();

  Circuit& circuit_;
  SimulatorSettings settings_;
  std::unique_ptr<MnaSystem> system_;
  std::vector<int> outputs_;  // unknowns written to plots
  bool connectivity_checked_ = false;
  std::future<void> connectivity_check_;  // started by the constructor on a large circuit
  bool last_analysis_ = false;  // run() is at its last analysis
  OperatingPointStatistics operating_point_statistics_;
  SimulationStatistics statistics_;
};

}  // namespace xbarsim
