#include "solvers/conjugate_gradient_solver.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/prefault.h"

namespace xbarsim {
namespace {

constexpr double kSymmetryTolerance = 1e-12;   // relative difference of A(i,j) and A(j,i)
constexpr int kMaximumIterations = 1000;
// Chains handled together when applying the Schur complement: a crossbar's eliminated word
// lines couple to every bit line, one cache line of a bit line's values serving 8 word lines.
constexpr int kGroupChains = 2 * LineChains::kInterleavedChains;

bool nearly_equal(double a, double b) { return std::abs(a - b) <= kSymmetryTolerance * std::max(std::abs(a), std::abs(b)); }

}  // namespace

ConjugateGradientSolver::ConjugateGradientSolver(int minimum_unknowns) : minimum_unknowns_(minimum_unknowns) {}

std::string ConjugateGradientSolver::describe() const {
  const std::string chooser = minimum_unknowns_ > 0 ? "chosen by auto" : "as requested";
  if (direct_) return fmt::format("klu ({})", direct_reason_);
  if (split_) {
    std::string cores;
    for (const auto& core : core_solvers_) cores += (cores.empty() ? "" : "; then ") + core->describe();
    return fmt::format("{}; block triangular split: {} core(s) of {} unknowns in all, {} unknowns in {} small blocks solved directly",
                       cores, split_->core_count(), [&] {
                         int sum = 0;
                         for (int k = 0; k < split_->core_count(); ++k) sum += split_->core_size(k);
                         return sum;
                       }(), split_->small_block_size(), split_->small_block_count());
  }
  if (!chains_) return released_description_.empty() ? std::string(name()) : released_description_;
  const int eliminated = chains_->eliminated_size();
  return fmt::format("cg ({}): {} grounded sources folded, {} unknowns in {} line chains, {} of them eliminated exactly, "
                     "conjugate gradients on the remaining {}",
                     chooser, folding_->source_count(), chains_->size(), chains_->chain_count(), chains_->eliminated_chain_count(),
                     chains_->size() - eliminated);
}

void ConjugateGradientSolver::analyze(const MatrixStructure& structure) {
  structure_ = &structure;
  direct_.reset();
  folding_.reset();
  chains_.reset();
  split_.reset();
  core_solvers_.clear();
  ++statistics_.analyses;
  if (structure.size() < minimum_unknowns_) {
    fall_back_to_direct(fmt::format("chosen by auto: {} unknowns, below {}", structure.size(), minimum_unknowns_));
    return;
  }
  split_ = BlockTriangularSplit::find(structure);
  if (split_) {
    for (int core = 0; core < split_->core_count(); ++core) {
      core_solvers_.push_back(std::make_unique<ConjugateGradientSolver>(minimum_unknowns_));
      core_solvers_.back()->analyze(split_->core_structure(core));
    }
    return;
  }
  // The arrays of one entry per unknown that build() fills: mapped in from now on, while the
  // rest of the set-up and the first load run (see core/prefault.h).
  const std::size_t size = static_cast<std::size_t>(structure.size());
  for (auto* slots : {&diagonal_slots_, &link_slots_, &link_transpose_slots_, &coupling_starts_}) reserve_prefaulted(*slots, size + 1);
  for (auto* vector : {&solution_, &scratch_}) reserve_prefaulted(*vector, size);
}

bool ConjugateGradientSolver::uses_conjugate_gradients() const {
  if (direct_) return false;
  if (!split_) return true;
  return std::any_of(core_solvers_.begin(), core_solvers_.end(), [](const auto& core) { return core->uses_conjugate_gradients(); });
}

// The cores' statistics, summed (analyses, solves and times are this solver's).
void ConjugateGradientSolver::copy_core_statistics() {
  const LinearSolverStatistics own = statistics_;
  statistics_ = LinearSolverStatistics{};
  statistics_.analyses = own.analyses;
  statistics_.solves = own.solves;
  statistics_.factor_seconds = own.factor_seconds;
  statistics_.solve_seconds = own.solve_seconds;
  for (const auto& core : core_solvers_) {
    const LinearSolverStatistics& part = core->statistics();
    statistics_.full_factorizations += part.full_factorizations;
    statistics_.refactorizations += part.refactorizations;
    statistics_.preconditioner_factorizations += part.preconditioner_factorizations;
    statistics_.conjugate_gradient_solves += part.conjugate_gradient_solves;
    statistics_.conjugate_gradient_iterations += part.conjugate_gradient_iterations;
  }
}

void ConjugateGradientSolver::fall_back_to_direct(std::string reason) {
  direct_reason_ = std::move(reason);
  split_.reset();
  core_solvers_.clear();
  folding_.reset();
  chains_.reset();
  for (auto* vector : {&diagonal_slots_, &link_slots_, &link_transpose_slots_, &coupling_starts_, &coupling_columns_, &coupling_slots_,
                       &coupling_transpose_slots_})
    std::vector<int>().swap(*vector);
  for (auto* vector : {&coupling_values_, &solution_, &scratch_, &residual_, &preconditioned_, &product_})
    std::vector<double>().swap(*vector);
  direct_ = std::make_unique<KluSolver>();
  direct_->analyze(*structure_);
}

void ConjugateGradientSolver::copy_direct_statistics() {
  statistics_.full_factorizations = direct_->statistics().full_factorizations;
  statistics_.refactorizations = direct_->statistics().refactorizations;
}

bool ConjugateGradientSolver::build(const double* values) {
  const MatrixStructure& structure = *structure_;
  folding_.emplace(structure, values);
  chains_.emplace(structure, values, *folding_);
  const LineChains& chains = *chains_;
  const int size = chains.size();
  const auto& starts = structure.column_starts();
  const auto& rows = structure.row_indices();

  // One pass over the free block in chain order, row `unknown` read from column `unknown` (the
  // matrix must be symmetric): the diagonal, the links to the neighbours in the chain and the
  // couplings to later positions (C's upper triangle, each with the slot of its transpose).
  // Capacities are upper bounds: pages never written are never mapped in.
  const std::size_t capacity = static_cast<std::size_t>(structure.nonzeros());
  for (auto* vector : {&coupling_columns_, &coupling_slots_, &coupling_transpose_slots_}) vector->reserve(capacity);
  for (auto* slots : {&diagonal_slots_, &link_slots_, &link_transpose_slots_, &coupling_starts_})
    reserve_prefaulted(*slots, static_cast<std::size_t>(size) + 1);
  diagonal_slots_.resize(static_cast<std::size_t>(size));
  link_slots_.assign(static_cast<std::size_t>(size), -1);
  link_transpose_slots_.assign(static_cast<std::size_t>(size), -1);
  coupling_starts_.resize(static_cast<std::size_t>(size) + 1);
  coupling_starts_[0] = 0;
  std::size_t lower_couplings = 0;
  bool links_complete = true;
  for (int bundle = 0, position = 0; bundle < chains.bundle_count(); ++bundle) {
    const int begin = chains.bundle_begin(bundle), end = chains.bundle_end(bundle), width = chains.bundle_width(bundle);
    for (; position < end; ++position) {
      const int unknown = chains.unknown_at(position);
      const int previous = position - width >= begin ? position - width : -1;
      const int next = position + width < end ? position + width : -1;
      diagonal_slots_[position] = structure.diagonal_slot(unknown);
      for (int slot = starts[unknown]; slot < starts[unknown + 1]; ++slot) {
        const int other = rows[slot];
        if (other == unknown || !folding_->is_free(other)) continue;
        const int other_position = chains.position_of(other);
        if (other_position == previous) {
          link_slots_[position] = slot;  // A(previous, unknown)
        } else if (other_position == next) {
          link_transpose_slots_[next] = slot;  // A(next, unknown): the next position's transpose
        } else if (other_position > position) {
          const int transpose = structure.find_slot(unknown, other);
          if (transpose < 0) return false;
          coupling_columns_.push_back(other_position);
          coupling_slots_.push_back(slot);
          coupling_transpose_slots_.push_back(transpose);
        } else {
          ++lower_couplings;
        }
      }
      coupling_starts_[static_cast<std::size_t>(position) + 1] = static_cast<int>(coupling_columns_.size());
      if (previous >= 0) links_complete &= link_slots_[position] >= 0 && link_transpose_slots_[position] >= 0;
    }
  }
  // Every link present both ways, every lower entry the transpose of an upper one.
  if (!links_complete || lower_couplings != coupling_columns_.size()) return false;
  coupling_values_.assign(coupling_columns_.size(), 0.0);
  const std::size_t iterated = static_cast<std::size_t>(size - chains.eliminated_size());
  for (auto* vector : {&solution_, &scratch_}) reserve_prefaulted(*vector, static_cast<std::size_t>(size));
  for (auto* vector : {&residual_, &preconditioned_, &product_}) reserve_prefaulted(*vector, iterated);
  solution_.assign(static_cast<std::size_t>(size), 0.0);
  scratch_.assign(static_cast<std::size_t>(size), 0.0);
  for (auto* vector : {&residual_, &preconditioned_, &product_}) vector->assign(iterated, 0.0);
  return true;
}

bool ConjugateGradientSolver::load_values(const double* values) {
  if (!folding_->still_valid(values)) return false;
  LineChains& chains = *chains_;
  std::vector<double>& diagonal = chains.diagonal();
  std::vector<double>& links = chains.links();
  bool chains_changed = false;
  for (std::size_t k = 0; k < diagonal.size(); ++k) {
    const double value = values[diagonal_slots_[k]];
    if (!(value > 0.0)) return false;
    const double link = link_slots_[k] < 0 ? 0.0 : values[link_slots_[k]];
    if (link_slots_[k] >= 0 && !nearly_equal(link, values[link_transpose_slots_[k]])) return false;
    chains_changed |= value != diagonal[k] || link != links[k];
    diagonal[k] = value;
    links[k] = link;
  }
  for (std::size_t k = 0; k < coupling_values_.size(); ++k) {
    const double value = values[coupling_slots_[k]];
    if (!nearly_equal(value, values[coupling_transpose_slots_[k]])) return false;
    coupling_values_[k] = value;
  }
  if (chains_changed) {
    if (!chains.factor()) return false;
    ++statistics_.preconditioner_factorizations;
  }
  return true;
}

void ConjugateGradientSolver::factor(const double* values) {
  values_ = values;
  if (split_) {
    // A singular block or core goes to KLU on the whole matrix, which names the unknown.
    if (split_->factor(values)) {
      try {
        for (int core = 0; core < split_->core_count(); ++core) core_solvers_[core]->factor(split_->core_values(core));
        copy_core_statistics();
        return;
      } catch (const SingularMatrixError&) {
      }
    }
    fall_back_to_direct("cg fell back: singular block after the block triangular split");
  }
  if (!direct_ && !chains_ && !build(values)) fall_back_to_direct("cg fell back: not structurally symmetric after folding sources");
  if (!direct_ && !load_values(values))
    fall_back_to_direct("cg fell back: not symmetric positive definite after folding grounded voltage sources");
  if (direct_) {
    direct_->factor(values);
    copy_direct_statistics();
  }
}

// product = S d for the direction d held in scratch_[eliminated, size), with
// S = T_I + C_II - C_IE T_E^-1 C_EI; scratch_[0, eliminated) receives -T_E^-1 C_EI d.
// C is stored once, as its upper triangle U in chain order: C_EI = U_EI, C_IE = U_EI^T,
// C_II = U_II + U_II^T. Three passes: product = T_I d; per group of eliminated chains (its
// values stay in cache) gather C_EI d, solve, scatter C_IE into product; then U_II both ways
// and the dot product. Returns d . S d.
double ConjugateGradientSolver::apply_schur_complement(double* product) {
  const LineChains& chains = *chains_;
  const int eliminated = chains.eliminated_size(), size = chains.size();
  double* scratch = scratch_.data();
  double* shifted_product = product - eliminated;  // indexed by position
  const int* columns = coupling_columns_.data();
  const double* couplings = coupling_values_.data();
  const int eliminated_chains = chains.eliminated_chain_count();
  chains.multiply_iterated(scratch + eliminated, product);
  for (int chain = 0; chain < eliminated_chains; chain += kGroupChains) {
    const int last = std::min(chain + kGroupChains, eliminated_chains);
    const int begin = chains.bundle_begin(chain), end = chains.bundle_begin(last);
    for (int row = begin; row < end; ++row) {
      double sum = 0.0;
      for (int k = coupling_starts_[row]; k < coupling_starts_[row + 1]; ++k) sum += couplings[k] * scratch[columns[k]];
      scratch[row] = sum;
    }
    chains.solve_eliminated(chain, last, scratch + begin);
    for (int row = begin; row < end; ++row) {
      const double value = scratch[row] = -scratch[row];
      for (int k = coupling_starts_[row]; k < coupling_starts_[row + 1]; ++k) shifted_product[columns[k]] += couplings[k] * value;
    }
  }
  double curvature = 0.0;
  for (int row = eliminated; row < size; ++row) {
    double sum = shifted_product[row];
    const double direction = scratch[row];
    for (int k = coupling_starts_[row]; k < coupling_starts_[row + 1]; ++k) {
      sum += couplings[k] * scratch[columns[k]];
      shifted_product[columns[k]] += couplings[k] * direction;
    }
    shifted_product[row] = sum;
    curvature += direction * sum;
  }
  return curvature;
}

// Preconditioned CG on S x_I = g; g in residual_ on entry, x_I (warm start) in solution_.
bool ConjugateGradientSolver::conjugate_gradients() {
  const LineChains& chains = *chains_;
  const int eliminated = chains.eliminated_size();
  double* iterate = solution_.data() + eliminated;
  double* direction = scratch_.data() + eliminated;
  double* residual = residual_.data();
  double* preconditioned = preconditioned_.data();
  double* product = product_.data();
  const std::size_t count = residual_.size();
  // preconditioned = T_I^-1 residual after residual -= step * product (and iterate += step *
  // direction); returns residual . preconditioned.
  auto update_and_precondition = [&](double step) {
    return chains.step_and_solve_iterated(step, direction, product, iterate, residual, preconditioned);
  };
  const double rhs_norm_squared = update_and_precondition(0.0);
  if (!(rhs_norm_squared > 0.0)) {
    std::fill(iterate, iterate + count, 0.0);
    return rhs_norm_squared == 0.0;
  }
  double residual_norm_squared = rhs_norm_squared;
  if (std::any_of(iterate, iterate + count, [](double x) { return x != 0.0; })) {
    // Warm start: r = g - S x.
    std::copy(iterate, iterate + count, direction);
    apply_schur_complement(product);
    std::fill(direction, direction + count, 0.0);
    residual_norm_squared = update_and_precondition(1.0);
  }
  largest_rhs_norm_squared_ = std::max(largest_rhs_norm_squared_, rhs_norm_squared);
  const double threshold = relative_tolerance_ * relative_tolerance_ * largest_rhs_norm_squared_;
  std::copy(preconditioned, preconditioned + count, direction);
  for (int iteration = 0; residual_norm_squared > threshold; ++iteration) {
    if (iteration == kMaximumIterations) return false;
    const double curvature = apply_schur_complement(product);
    if (!(curvature > 0.0)) return false;
    const double next_norm_squared = update_and_precondition(residual_norm_squared / curvature);
    const double beta = next_norm_squared / residual_norm_squared;
    for (std::size_t k = 0; k < count; ++k) direction[k] = preconditioned[k] + beta * direction[k];
    residual_norm_squared = next_norm_squared;
    ++statistics_.conjugate_gradient_iterations;
  }
  return true;
}

void ConjugateGradientSolver::forget_values() {
  std::fill(solution_.begin(), solution_.end(), 0.0);
  largest_rhs_norm_squared_ = 0.0;
  for (const auto& core : core_solvers_) core->forget_values();
  if (direct_) direct_->forget_values();
}

void ConjugateGradientSolver::release_memory() {
  if (split_ && !direct_) {
    for (const auto& core : core_solvers_) core->release_memory();
    initial_guess_ = nullptr;
    return;
  }
  if (direct_) {
    direct_->forget_values();
    return;
  }
  released_description_ = describe();
  initial_guess_ = nullptr;
  folding_.reset();
  chains_.reset();  // factor() builds everything again
  for (std::vector<int>* slots : {&diagonal_slots_, &link_slots_, &link_transpose_slots_, &coupling_starts_, &coupling_columns_,
                                  &coupling_slots_, &coupling_transpose_slots_})
    std::vector<int>().swap(*slots);
  for (std::vector<double>* work : {&coupling_values_, &solution_, &scratch_, &residual_, &preconditioned_, &product_})
    std::vector<double>().swap(*work);
}

void ConjugateGradientSolver::solve(double* rhs_then_solution) {
  if (split_) {
    ++statistics_.solves;
    const double* guess = std::exchange(initial_guess_, nullptr);
    split_->solve(rhs_then_solution, [&](int core, double* rhs) {
      if (guess) {  // the caller's guess, in the core's numbering
        const std::vector<int>& unknowns = split_->core_unknowns(core);
        core_guess_.resize(unknowns.size());
        for (std::size_t k = 0; k < unknowns.size(); ++k) core_guess_[k] = guess[unknowns[k]];
        core_solvers_[core]->set_initial_guess(core_guess_.data());
      }
      core_solvers_[core]->set_relative_tolerance(relative_tolerance_);
      core_solvers_[core]->solve(rhs);
    });
    copy_core_statistics();
    return;
  }
  ++statistics_.solves;
  const double* guess = std::exchange(initial_guess_, nullptr);
  if (direct_) {
    direct_->solve(rhs_then_solution);
    return;
  }
  const LineChains& chains = *chains_;
  const int size = chains.size();
  const int eliminated = chains.eliminated_size();
  // The warm start x_I: the caller's guess, else the previous solve's solution (kept in solution_).
  if (guess)
    for (int position = eliminated; position < size; ++position) solution_[position] = guess[chains.unknown_at(position)];
  // b in chain order into scratch_, then b_E into solution_ (its x_E part is free until the end).
  for (int position = 0; position < size; ++position) scratch_[position] = rhs_then_solution[chains.unknown_at(position)];
  folding_->fold_rhs(values_, rhs_then_solution, [&](int row, double amount) { scratch_[chains.position_of(row)] -= amount; });
  std::copy(scratch_.begin(), scratch_.begin() + eliminated, solution_.begin());

  // g = b_I - C_IE T_E^-1 b_E, into residual_ (C_IE = U_EI^T, scattered from the E rows).
  chains.solve_eliminated(0, chains.eliminated_chain_count(), scratch_.data());
  std::copy(scratch_.begin() + eliminated, scratch_.end(), residual_.begin());
  for (int row = 0; row < eliminated; ++row)
    for (int k = coupling_starts_[row]; k < coupling_starts_[row + 1]; ++k)
      residual_[coupling_columns_[k] - eliminated] -= coupling_values_[k] * scratch_[row];
  ++statistics_.conjugate_gradient_solves;
  if (!conjugate_gradients()) {
    fall_back_to_direct(fmt::format("cg fell back: no convergence in {} iterations", kMaximumIterations));
    direct_->factor(values_);
    copy_direct_statistics();
    direct_->solve(rhs_then_solution);
    return;
  }

  // x_E = T_E^-1 (b_E - C_EI x_I).
  for (int row = 0; row < eliminated; ++row) {
    double sum = solution_[row];
    for (int k = coupling_starts_[row]; k < coupling_starts_[row + 1]; ++k) sum -= coupling_values_[k] * solution_[coupling_columns_[k]];
    solution_[row] = sum;
  }
  chains.solve_eliminated(0, chains.eliminated_chain_count(), solution_.data());
  for (int position = 0; position < size; ++position) rhs_then_solution[chains.unknown_at(position)] = solution_[position];
  folding_->complete_solution(values_, rhs_then_solution, rhs_then_solution);
}

}  // namespace xbarsim
