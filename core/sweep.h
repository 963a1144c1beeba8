// Sweep: runs the points of a SweepPlan over a netlist, in parallel, into SweepResultFiles.
//
// Each point re-elaborates the parsed netlist (NetlistText, read once) with the point's parameter
// values as overrides of the top-level `.param` lines (elaboration is cheap next to simulation),
// keeps only the vectors its `.meas` lines read, simulates, and evaluates the measurements. A
// PointEvaluator keeps its previous point's Simulator: when the new point's matrix structure is
// the same (only values changed, the usual case), the matrix pattern's symbolic analysis (KLU's
// ordering) is taken over instead of recomputed; when a parameter changes the topology, that
// point builds its own. The taken-over solver forgets its previous numeric factorisation, so every
// point's result is the same whichever point ran before it on the same thread: results do not
// depend on the number of jobs.
//
// run_sweep() hands points to `jobs` threads dynamically (next unfinished point to the next free
// thread); a point that throws records its error and the sweep goes on. Progress is reported after
// every point.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "core/circuit.h"
#include "core/elaborator.h"
#include "core/netlist_reader.h"
#include "core/simulator.h"
#include "core/sweep_plan.h"
#include "core/sweep_results.h"

namespace xbarsim {

struct SweepSettings {
  int jobs = 1;
  ElaborationOptions elaboration;
  SimulatorSettings simulator;
  // Take over the previous point's symbolic analysis when the structure is unchanged; false
  // analyses every point afresh (to measure what the reuse saves).
  bool reuse_analysis = true;
};

// What the evaluators did: how often the symbolic analysis was reused, and the time spent.
struct SweepStatistics {
  long points = 0;
  long reused_analyses = 0;  // points that took over the previous point's symbolic analysis
  long failed_points = 0;
  double elaborate_seconds = 0;
  double setup_seconds = 0;  // matrix structure, binding, symbolic analysis (or its reuse)
  double analysis_seconds = 0;
  void add(const SweepStatistics& other);
};

struct SweepProgress {
  long finished = 0;  // including points finished before a resume
  long total = 0;
  long failed = 0;
  long run_this_time = 0;
  double elapsed_seconds = 0;
};

class PointEvaluator {
 public:
  PointEvaluator(const NetlistText& netlist, const SweepPlan& plan, const SweepSettings& settings, std::vector<std::string> measurement_names);
  ~PointEvaluator();
  PointEvaluator(const PointEvaluator&) = delete;
  PointEvaluator& operator=(const PointEvaluator&) = delete;

  // Runs point `index`; never throws for problems of the point itself (they become its error).
  PointResult evaluate(long index);
  const SweepStatistics& statistics() const { return statistics_; }

 private:
  const NetlistText& netlist_;
  const SweepPlan& plan_;
  const SweepSettings& settings_;
  std::vector<std::string> parameter_names_, measurement_names_;
  std::unique_ptr<Circuit> circuit_;
  std::unique_ptr<Simulator> simulator_;
  SweepStatistics statistics_;
};

// The measurement names of an elaborated netlist, in `.meas` order.
std::vector<std::string> measurement_names(const Circuit& circuit);

// Checks that every swept or varied parameter is a top-level `.param` of the netlist.
// Throws std::invalid_argument naming the first that is not.
void check_swept_parameters(const SweepPlan& plan, const Circuit& circuit);

// Runs every point `files` does not have yet on `settings.jobs` threads; appends each to `files`
// as it finishes and calls `progress` (from the thread that finished it, serialised).
SweepStatistics run_sweep(const NetlistText& netlist, const SweepPlan& plan, const SweepSettings& settings, SweepResultFiles& files,
                          const std::vector<std::string>& measurement_names, const std::function<void(const SweepProgress&)>& progress);

}  // namespace xbarsim
