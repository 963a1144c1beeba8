#include "core/sweep.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "core/diagnostics.h"
#include "core/measure.h"
#include "core/parallel.h"

namespace xbarsim {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void SweepStatistics::add(const SweepStatistics& other) {
  points += other.points;
  reused_analyses += other.reused_analyses;
  failed_points += other.failed_points;
  elaborate_seconds += other.elaborate_seconds;
  setup_seconds += other.setup_seconds;
  analysis_seconds += other.analysis_seconds;
}

std::vector<std::string> measurement_names(const Circuit& circuit) {
  std::vector<std::string> names;
  for (const MeasureRequest& request : circuit.measurements) names.push_back(request.name);
  return names;
}

void check_swept_parameters(const SweepPlan& plan, const Circuit& circuit) {
  for (const std::string& name : plan.parameter_names())
    if (!circuit.parameters.count(name))
      throw std::invalid_argument(fmt::format("'{}' is not a top-level .param of the netlist, so sweeping it would change nothing", name));
}

PointEvaluator::PointEvaluator(const NetlistText& netlist, const SweepPlan& plan, const SweepSettings& settings,
                               std::vector<std::string> measurement_names)
    : netlist_(netlist), plan_(plan), settings_(settings), parameter_names_(plan.parameter_names()),
      measurement_names_(std::move(measurement_names)) {}

PointEvaluator::~PointEvaluator() = default;

PointResult PointEvaluator::evaluate(long index) {
  const auto start = std::chrono::steady_clock::now();
  const SweepPoint point = plan_.point(index);
  PointResult result;
  result.index = index;
  result.seed = point.seed;
  result.parameters = point.values;
  ++statistics_.points;
  try {
    ElaborationOptions options = settings_.elaboration;
    options.random_seed = point.seed;  // agauss/gauss/aunif/unif in the netlist: per-device draws of this point
    for (std::size_t k = 0; k < parameter_names_.size(); ++k) options.parameter_overrides[parameter_names_[k]] = point.values[k];
    auto circuit = std::make_unique<Circuit>(elaborate(netlist_, [](const Diagnostic&) {}, options));
    // Keep only what the measurements read: a large array's full solution per time step is not needed.
    circuit->saved_vectors.clear();
    for (const MeasureRequest& request : circuit->measurements)
      for (std::string& vector : measured_vectors(request)) circuit->saved_vectors.push_back(std::move(vector));
    statistics_.elaborate_seconds += seconds_since(start);

    std::unique_ptr<Simulator> simulator =
        simulator_ && settings_.reuse_analysis ? std::make_unique<Simulator>(*circuit, settings_.simulator, *simulator_) : std::make_unique<Simulator>(*circuit, settings_.simulator);
    simulator_.reset();
    circuit_ = std::move(circuit);
    simulator_ = std::move(simulator);
    if (simulator_->reused_analysis()) ++statistics_.reused_analyses;
    Waveforms waveforms = simulator_->run();
    const SimulationStatistics simulation = simulator_->statistics();
    statistics_.setup_seconds += simulation.setup_seconds;
    statistics_.analysis_seconds += simulation.analysis_seconds;

    for (const MeasureResult& measured : evaluate_measurements(circuit_->measurements, waveforms, circuit_->parameters)) {
      result.measurements.push_back(measured.value);
      if (!measured.value) result.failures[measured.name] = measured.failure;
    }
  } catch (const std::exception& error) {
    // The point failed; its simulator is unusable (or absent) for reuse.
    simulator_.reset();
    circuit_.reset();
    result.ok = false;
    result.error = error.what();
    result.measurements.assign(measurement_names_.size(), std::nullopt);
    ++statistics_.failed_points;
  }
  result.seconds = seconds_since(start);
  return result;
}

SweepStatistics run_sweep(const NetlistText& netlist, const SweepPlan& plan, const SweepSettings& settings, SweepResultFiles& files,
                          const std::vector<std::string>& measurement_names, const std::function<void(const SweepProgress&)>& progress) {
  std::vector<long> pending;
  for (long index = 0; index < plan.point_count(); ++index)
    if (!files.finished().count(index)) pending.push_back(index);
  const auto start = std::chrono::steady_clock::now();
  std::atomic<std::size_t> next{0};
  std::mutex mutex;  // guards files, progress and statistics
  SweepProgress state;
  state.total = plan.point_count();
  state.finished = static_cast<long>(files.finished().size());
  for (const PointResult& result : files.results()) state.failed += result.ok ? 0 : 1;
  SweepStatistics total;
  std::exception_ptr failure;

  auto work = [&]() {
    try {
      PointEvaluator evaluator(netlist, plan, settings, measurement_names);
      for (std::size_t k = next++; k < pending.size(); k = next++) {
        PointResult result = evaluator.evaluate(pending[k]);
        std::lock_guard lock(mutex);
        files.append(result);
        ++state.finished;
        ++state.run_this_time;
        if (!result.ok) ++state.failed;
        state.elapsed_seconds = seconds_since(start);
        if (progress) progress(state);
      }
      std::lock_guard lock(mutex);
      total.add(evaluator.statistics());
    } catch (...) {
      // Only the result files can fail here (a disk problem): stop handing out points.
      std::lock_guard lock(mutex);
      if (!failure) failure = std::current_exception();
      next = pending.size();
    }
  };
  const int jobs = std::max(1, std::min<int>(settings.jobs, static_cast<int>(std::max<std::size_t>(1, pending.size()))));
  // Points solved side by side keep to one thread each (core/parallel.h): the cores are taken.
  const ParallelSettings saved_parallel_settings = parallel_settings();
  if (jobs > 1) set_parallel_settings({1, saved_parallel_settings.minimum_work});
  struct RestoreParallelSettings {
    ParallelSettings saved;
    ~RestoreParallelSettings() { set_parallel_settings(saved); }
  } restore{saved_parallel_settings};
  std::vector<std::thread> threads;
  for (int job = 1; job < jobs; ++job) threads.emplace_back(work);
  work();
  for (std::thread& thread : threads) thread.join();
  if (failure) std::rethrow_exception(failure);
  return total;
}

}  // namespace xbarsim
