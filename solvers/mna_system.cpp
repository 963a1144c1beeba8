#include "solvers/mna_system.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>

#include "core/parallel.h"
#include "core/prefault.h"

namespace xbarsim {
namespace {
// Below this many matrix entries, binding and analysis run one after the other (a thread's start
// costs more than it saves).
constexpr int kConcurrentBindMinimum = 1000000;
}  // namespace

MnaSystem::MnaSystem(Circuit& circuit, std::unique_ptr<LinearSolver> solver)
    : circuit_(circuit), structure_(circuit.unknown_count()), solver_(std::move(solver)) {
  build_structure();
  // The solver's analysis reads only the pattern: on a large circuit it runs while the devices
  // bind (1024 x 1024 N-LEM cells: an analysis of about 3.5 s beside 2 s of binding).
  if (structure_.nonzeros() < kConcurrentBindMinimum) {
    bind_devices();
    solver_->analyze(structure_);
    return;
  }
  std::future<void> binding = std::async(std::launch::async, [this] { bind_devices(); });
  solver_->analyze(structure_);
  binding.get();
}

MnaSystem::MnaSystem(Circuit& circuit, std::unique_ptr<LinearSolver> solver, MnaSystem& previous)
    : circuit_(circuit), structure_(circuit.unknown_count()) {
  build_structure();
  bind_devices();
  if (previous.solver_ && structure_.same_pattern(previous.structure_)) {
    solver_ = std::move(previous.solver_);
    solver_->rebind_structure(structure_);
    solver_->forget_values();
    reused_analysis_ = true;
  } else {
    solver_ = std::move(solver);
    solver_->analyze(structure_);
  }
}

void MnaSystem::build_structure() {
  const Circuit& circuit = circuit_;
  structure_.build([&circuit](MatrixStructure& structure) {
    for (const auto& group : circuit.groups()) group->declare(structure);
  });
}

void MnaSystem::bind_devices() {
  const Circuit& circuit = circuit_;
  // Mapped in while the groups bind their slots.
  reserve_prefaulted(matrix_, static_cast<std::size_t>(structure_.nonzeros()) + 1);
  reserve_prefaulted(rhs_, static_cast<std::size_t>(size()) + 1);
  for (const auto& group : circuit.groups()) {
    group->set_charge_base(charge_count_);
    charge_count_ += group->charge_count();
    group->bind(structure_);
    if (group->is_nonlinear() && group->size() > 0) linear_ = false;
  }
  matrix_.assign(static_cast<std::size_t>(structure_.nonzeros()) + 1, 0.0);
  rhs_.assign(static_cast<std::size_t>(size()) + 1, 0.0);
  is_node_row_.resize(static_cast<std::size_t>(size()));
  for (int i = 0; i < size(); ++i) is_node_row_[i] = circuit.unknown_quantity(i) == Quantity::voltage;
}

void MnaSystem::load(LoadContext& context) {
  std::fill(matrix_.begin(), matrix_.end(), 0.0);
  std::fill(rhs_.begin(), rhs_.end(), 0.0);
  context.matrix = matrix_.data();
  context.rhs = rhs_.data();
  for (const auto& group : circuit_.groups()) group->load(context);
  matrix_reusable_ = linear_;
  loaded_mode_ = context.mode;
  loaded_a0_ = context.integration_a0;
  factored_ = false;
}

void MnaSystem::ensure_scratch() {
  if (scratch_matrix_) return;
  scratch_matrix_ = std::make_unique_for_overwrite<double[]>(matrix_.size());
  scratch_rhs_ = std::make_unique_for_overwrite<double[]>(rhs_.size());
}

void MnaSystem::load_reusing_matrix(LoadContext& context) {
  if (!matrix_reusable_ || context.mode != loaded_mode_ || context.integration_a0 != loaded_a0_) {
    load(context);
    return;
  }
  ensure_scratch();
  parallel_fill(rhs_.data(), rhs_.size(), 0.0);
  context.matrix = scratch_matrix_.get();
  context.rhs = rhs_.data();
  context.rhs_only = true;
  for (const auto& group : circuit_.groups()) group->load(context);
  context.rhs_only = false;
  context.matrix = matrix_.data();
}

void MnaSystem::load_charges(LoadContext& context) {
  ensure_scratch();
  context.matrix = scratch_matrix_.get();
  context.rhs = scratch_rhs_.get();
  context.charges_only = true;
  for (const auto& group : circuit_.groups())
    if (group->charge_count() > 0) group->load(context);
  context.charges_only = false;
  context.matrix = matrix_.data();
  context.rhs = rhs_.data();
}

void MnaSystem::add_node_shunt(double conductance) {
  matrix_reusable_ = factored_ = false;
  for (int i = 0; i < size(); ++i)
    if (is_node_row_[i]) matrix_[structure_.diagonal_slot(i)] += conductance;
}

void MnaSystem::residual(const double* x, std::vector<double>& residual, std::vector<double>& scale) const {
  const int n = size();
  residual.assign(static_cast<std::size_t>(n), 0.0);
  scale.assign(static_cast<std::size_t>(n), 0.0);
  const auto& starts = structure_.column_starts();
  const auto& rows = structure_.row_indices();
  for (int column = 0; column < n; ++column) {
    const double xj = x[column];
    for (int k = starts[column]; k < starts[column + 1]; ++k) {
      const double term = matrix_[k] * xj;
      residual[rows[k]] += term;
      scale[rows[k]] = std::max(scale[rows[k]], std::abs(term));
    }
  }
  for (int i = 0; i < n; ++i) {
    residual[i] -= rhs_[i];
    scale[i] = std::max(scale[i], std::abs(rhs_[i]));
  }
}

void MnaSystem::factor_and_solve(std::vector<double>& solution) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  if (!factored_) {
    solver_->factor(matrix_.data());
    factored_ = true;
  }
  const Clock::time_point factored = Clock::now();
  solution.resize(rhs_.size());
  parallel_copy(rhs_.data(), rhs_.size(), solution.data());
  solver_->solve(solution.data());
  solution[static_cast<std::size_t>(size())] = 0.0;
  solver_->add_time(std::chrono::duration<double>(factored - start).count(), std::chrono::duration<double>(Clock::now() - factored).count());
}

}  // namespace xbarsim
