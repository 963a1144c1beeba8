#include "solvers/conjugate_gradient_solver.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
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

// Rows [begin, end) of one iterated bundle of `width` lanes (indexed by position): product = T_I d
// + C_I. (d beside y) for the direction d and y = -T_E^-1 C_EI d in `scratch`. Returns its share
// of d . S d. A function of its own, so that the pointers do not alias and stay in registers.
double iterated_product(int begin, int end, int width, const double* __restrict diagonal, const double* __restrict links,
                        const int* __restrict starts, const int* __restrict columns, const double* __restrict couplings,
                        const double* __restrict scratch, double* __restrict product) {
  double curvature = 0.0;
  for (int row = begin; row < end; row += width) {
    const bool has_previous = row > begin, has_next = row + width < end;
    for (int position = row; position < row + width; ++position) {
      const double direction = scratch[position];
      double sum = diagonal[position] * direction;
      if (has_previous) sum += links[position] * scratch[position - width];
      if (has_next) sum += links[position + width] * scratch[position + width];
      for (int k = starts[position], stop = starts[position + 1]; k < stop; ++k) sum += couplings[k] * scratch[columns[k]];
      product[position] = sum;
      curvature += direction * sum;
    }
  }
  return curvature;
}

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
                     "conjugate gradients on the remaining {}{}",
                     chooser, folding_->source_count(), chains_->size(), chains_->chain_count(), chains_->eliminated_chain_count(),
                     chains_->size() - eliminated, parts_ > 1 ? fmt::format(", split into {} parts for threads", parts_) : "");
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
  reserve_prefaulted(coupling_starts_, size + 1);
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
  free_chains();
  direct_ = std::make_unique<KluSolver>();
  direct_->analyze(*structure_);
}

void ConjugateGradientSolver::copy_direct_statistics() {
  statistics_.full_factorizations = direct_->statistics().full_factorizations;
  statistics_.refactorizations = direct_->statistics().refactorizations;
}

void ConjugateGradientSolver::build(const double* values) {
  const MatrixStructure& structure = *structure_;
  parts_ = parallel_parts(structure.size());
  folding_.emplace(structure, values, parts_);
  chains_.emplace(structure, values, *folding_, parts_);
  first_load_ = true;
  const LineChains& chains = *chains_;
  const int size = chains.size();

  // How many couplings each position's row has (its column: the matrix must be symmetric, which
  // load_values checks), split into the parts; then the rows' offsets. load_values writes the
  // couplings' columns and values.
  reserve_prefaulted(coupling_starts_, static_cast<std::size_t>(size) + 1);
  coupling_starts_.resize(static_cast<std::size_t>(size) + 1);
  coupling_starts_[0] = 0;
  run_parts(parts_, [&](int part) {
    chains.for_each_position(part, true, true, [&](int position, int previous, int next) {
      int couplings = 0;
      for_each_free_entry(position, [&](int, int other_position, int) {
        couplings += other_position != position && other_position != previous && other_position != next;
      });
      coupling_starts_[static_cast<std::size_t>(position) + 1] = couplings;
    });
  });
  for (int position = 0; position < size; ++position) coupling_starts_[position + 1] += coupling_starts_[position];
  const std::size_t couplings = static_cast<std::size_t>(coupling_starts_[size]);
  reserve_prefaulted(coupling_columns_, couplings);
  reserve_prefaulted(coupling_values_, couplings);
  coupling_columns_.resize(couplings);
  coupling_values_.resize(couplings);
  const std::size_t iterated = static_cast<std::size_t>(size - chains.eliminated_size());
  for (auto* vector : {&solution_, &scratch_}) reserve_prefaulted(*vector, static_cast<std::size_t>(size));
  for (auto* vector : {&residual_, &product_}) reserve_prefaulted(*vector, iterated);
  // Written before they are read, except the iterated part of solution_ (the first solve's
  // starting point), which the parts clear.
  solution_.resize(static_cast<std::size_t>(size));
  scratch_.resize(static_cast<std::size_t>(size));
  for (auto* vector : {&residual_, &product_}) vector->resize(iterated);
  run_parts(parts_, [&](int part) {
    chains.for_each_range(part, false, true, [&](int first, int count) { std::fill_n(solution_.data() + first, count, 0.0); });
  });
}

bool ConjugateGradientSolver::load_values(const double* values) {
  if (!folding_->still_valid(values)) return false;
  LineChains& chains = *chains_;
  double* diagonal = chains.diagonal();
  double* links = chains.links();
  // Split into the parts that own the positions and rows (core/parallel.h). The eliminated
  // chains are factored as their values are read; the iterated ones keep their values (the
  // Schur product applies them) and are factored again only when these changed.
  bool part_valid[kMaximumParts] = {};
  long part_balance[kMaximumParts] = {};
  const bool first_load = std::exchange(first_load_, false);
  run_parts(parts_, [&](int part) {
    bool changed = first_load, valid = true;
    long balance = 0;  // entries above the diagonal minus those below: 0 when every one is mirrored
    // Position k's diagonal and link to the previous element; its couplings (and on the first
    // load their columns) into row k of C. Every entry above the diagonal (row < column) is
    // compared with its mirror below it.
    auto load_position = [&](int k, int previous, int next) {
      double value = 0.0, link = 0.0;
      int entry = coupling_starts_[k];
      const int unknown = chains.unknown_at(k);
      for_each_free_entry(k, [&](int slot, int other_position, int row) {
        const double entry_value = values[slot];
        if (other_position == k) {
          value = entry_value;
          return;
        }
        if (row < unknown) {
          const int mirror = structure_->find_slot(unknown, row);
          valid &= mirror >= 0 && nearly_equal(entry_value, values[mirror]);
          ++balance;
        } else {
          --balance;
        }
        if (other_position == previous) {
          link = entry_value;
        } else if (other_position != next) {
          if (first_load) coupling_columns_[entry] = other_position;
          coupling_values_[entry++] = entry_value;
        }
      });
      valid &= value > 0.0;
      return std::pair{value, link};
    };
    valid &= chains.factor_eliminated(part, load_position);
    chains.for_each_position(part, false, true, [&](int k, int previous, int next) {
      const auto [value, link] = load_position(k, previous, next);
      changed |= value != diagonal[k] || link != links[k];
      diagonal[k] = value;
      links[k] = link;
    });
    if (valid && changed) valid = chains.factor_iterated(part);
    part_valid[part] = valid;
    part_balance[part] = balance;
  });
  // A matrix that is structurally unsymmetric has an entry without a mirror, which tips the balance.
  if (std::accumulate(part_balance, part_balance + parts_, 0L) != 0) return false;
  if (!std::all_of(part_valid, part_valid + parts_, [](bool valid) { return valid; })) return false;
  ++statistics_.preconditioner_factorizations;
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
  if (!direct_ && !chains_) build(values);
  if (!direct_ && !load_values(values))
    fall_back_to_direct("cg fell back: not symmetric positive definite after folding grounded voltage sources");
  if (direct_) {
    direct_->factor(values);
    copy_direct_statistics();
  }
}

double ConjugateGradientSolver::sum_of_parts() const {
  double sum = 0.0;
  for (int part = 0; part < parts_; ++part) sum += partial_sums_[part];
  return sum;
}

// target[row] = base[row] (0 without a base) - sum of C(row, column) * source[column] over the
// rows of the eliminated chains [first_chain, last_chain) (all their columns are iterated
// positions, so target may be source or base).
void ConjugateGradientSolver::gather_eliminated_couplings(int first_chain, int last_chain, const double* base, const double* source,
                                                          double* target) const {
  const int* __restrict starts = coupling_starts_.data();
  const int* __restrict columns = coupling_columns_.data();
  const double* __restrict couplings = coupling_values_.data();
  for (int row = chains_->bundle_begin(first_chain), end = chains_->bundle_begin(last_chain); row < end; ++row) {
    double sum = base ? base[row] : 0.0;
    for (int k = starts[row], stop = starts[row + 1]; k < stop; ++k) sum -= couplings[k] * source[columns[k]];
    target[row] = sum;
  }
}

// product = S d for the direction d held in scratch_[eliminated, size), with
// S = T_I + C_II - C_IE T_E^-1 C_EI; scratch_[0, eliminated) receives y = -T_E^-1 C_EI d.
// Two phases, each split into the parts: every eliminated row gathers -C_EI d and its chains
// are solved (a group at a time, so the values are still in cache); then every iterated row
// gathers T_I d + C_II d + C_IE y in one pass over its couplings (scratch_ holds y beside d),
// with its share of the dot product. Returns d . S d.
double ConjugateGradientSolver::apply_schur_complement(double* product) {
  const LineChains& chains = *chains_;
  const int eliminated = chains.eliminated_size();
  double* scratch = scratch_.data();
  run_parts(parts_, [&](int part) {
    const int first = chains.eliminated_split(part), last = chains.eliminated_split(part + 1);
    for (int chain = first; chain < last; chain += kGroupChains) {
      const int group_end = std::min(chain + kGroupChains, last);
      // -C_EI d, then -T_E^-1 C_EI d.
      gather_eliminated_couplings(chain, group_end, nullptr, scratch, scratch);
      chains.solve_eliminated(chain, group_end, scratch + chains.bundle_begin(chain));
    }
  });
  const double* diagonal = chains.diagonal();
  const double* links = chains.links();
  const int* columns = coupling_columns_.data();
  const double* couplings = coupling_values_.data();
  double* shifted_product = product - eliminated;  // indexed by position
  const int* starts = coupling_starts_.data();
  run_parts(parts_, [&](int part) {
    double curvature = 0.0;
    for (int bundle : chains.iterated_bundles(part))
      curvature += iterated_product(chains.bundle_begin(bundle), chains.bundle_end(bundle), chains.bundle_width(bundle), diagonal, links,
                                    starts, columns, couplings, scratch, shifted_product);
    partial_sums_[part] = curvature;
  });
  return sum_of_parts();
}

// Preconditioned CG on S x_I = g; g in residual_ on entry, x_I (warm start) in solution_.
bool ConjugateGradientSolver::conjugate_gradients() {
  const LineChains& chains = *chains_;
  const int eliminated = chains.eliminated_size();
  double* iterate = solution_.data() + eliminated;
  double* direction = scratch_.data() + eliminated;
  double* residual = residual_.data();
  double* product = product_.data();
  double* preconditioned = product;  // T_I^-1 r replaces S d, which the step reads first
  const long count = static_cast<long>(residual_.size());
  // preconditioned = T_I^-1 residual after residual -= residual_step * product and iterate +=
  // iterate_step * direction (a step of 0 is skipped); returns residual . preconditioned.
  auto update_and_precondition = [&](double iterate_step, double residual_step) {
    run_parts(parts_, [&](int part) {
      partial_sums_[part] =
          chains.step_and_solve_iterated(part, iterate_step, residual_step, direction, product, iterate, residual, preconditioned);
    });
    return sum_of_parts();
  };
  // direction = source + beta * direction (beta 0: a copy, the direction unread), split into
  // the parts.
  auto update_direction = [&](const double* source, double beta) {
    run_parts(parts_, [&](int part) {
      chains.for_each_range(part, false, true, [&](int first, int lanes) {
        double* __restrict target = direction + (first - eliminated);
        const double* __restrict from = source + (first - eliminated);
        if (beta == 0.0)
          std::copy_n(from, lanes, target);
        else
          for (int c = 0; c < lanes; ++c) target[c] = from[c] + beta * target[c];
      });
    });
  };
  // g . T_I^-1 g, the stopping test's reference; with a warm start in one forward sweep (its
  // preconditioned g is not needed), else as the first step's preconditioned residual.
  const bool warm_start = std::any_of(iterate, iterate + count, [](double x) { return x != 0.0; });
  double rhs_norm_squared = 0.0;
  if (warm_start) {
    run_parts(parts_, [&](int part) { partial_sums_[part] = chains.preconditioner_norm_iterated(part, residual, preconditioned); });
    rhs_norm_squared = sum_of_parts();
  } else {
    rhs_norm_squared = update_and_precondition(0.0, 0.0);
  }
  if (!(rhs_norm_squared > 0.0)) {
    std::fill(iterate, iterate + count, 0.0);
    return rhs_norm_squared == 0.0;
  }
  double residual_norm_squared = rhs_norm_squared;
  if (warm_start) {
    // Warm start: r = g - S x.
    update_direction(iterate, 0.0);
    apply_schur_complement(product);
    residual_norm_squared = update_and_precondition(0.0, 1.0);
  }
  largest_rhs_norm_squared_ = std::max(largest_rhs_norm_squared_, rhs_norm_squared);
  const double threshold = relative_tolerance_ * relative_tolerance_ * largest_rhs_norm_squared_;
  update_direction(preconditioned, 0.0);
  for (int iteration = 0; residual_norm_squared > threshold; ++iteration) {
    if (iteration == kMaximumIterations) return false;
    const double curvature = apply_schur_complement(product);
    if (!(curvature > 0.0)) return false;
    const double step = residual_norm_squared / curvature;
    const double next_norm_squared = update_and_precondition(step, step);
    update_direction(preconditioned, next_norm_squared / residual_norm_squared);
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
  free_chains();  // factor() builds everything again
}

void ConjugateGradientSolver::free_chains() {
  folding_.reset();
  chains_.reset();
  for (auto* indices : {&coupling_starts_, &coupling_columns_}) UninitializedVector<int>().swap(*indices);
  for (auto* vector : {&coupling_values_, &solution_, &scratch_, &residual_, &product_})
    UninitializedVector<double>().swap(*vector);
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
  const int eliminated = chains.eliminated_size();
  // The known node voltages folded into b (in place: complete_solution reads only the pinned
  // and branch rows' rhs), then in one pass b in chain order into scratch_, b_E also into
  // solution_ (its x_E part is free until the end), and the warm start x_I into solution_: the
  // caller's guess, else the previous solve's solution (kept there).
  folding_->fold_rhs(values_, rhs_then_solution, [&](int row, double amount) { rhs_then_solution[row] -= amount; });
  // The loops below read and write through non-aliasing pointers local to each part, which keeps
  // them in registers (through the members, every store made the compiler reload them).
  const int* unknown_at = chains.unknowns_by_position();
  run_parts(parts_, [&](int part) {
    const double* __restrict b = rhs_then_solution;
    double* __restrict solution = solution_.data();
    double* __restrict scratch = scratch_.data();
    chains.for_each_range(part, true, false, [&](int first, int count) {
      for (int position = first; position < first + count; ++position) solution[position] = scratch[position] = b[unknown_at[position]];
    });
    chains.for_each_range(part, false, true, [&](int first, int count) {
      for (int position = first; position < first + count; ++position) scratch[position] = b[unknown_at[position]];
      if (guess)
        for (int position = first; position < first + count; ++position) solution[position] = guess[unknown_at[position]];
    });
  });

  // g = b_I - C_IE T_E^-1 b_E, into residual_.
  run_parts(parts_, [&](int part) {
    const int first = chains.eliminated_split(part), last = chains.eliminated_split(part + 1);
    chains.solve_eliminated(first, last, scratch_.data() + chains.bundle_begin(first));
  });
  run_parts(parts_, [&](int part) {
    const int* __restrict starts = coupling_starts_.data();
    const int* __restrict columns = coupling_columns_.data();
    const double* __restrict couplings = coupling_values_.data();
    const double* __restrict scratch = scratch_.data();
    double* __restrict residual = residual_.data();
    chains.for_each_range(part, false, true, [&](int first, int count) {
      for (int position = first; position < first + count; ++position) {
        double sum = scratch[position];
        for (int k = starts[position], stop = starts[position + 1]; k < stop; ++k)
          if (columns[k] < eliminated) sum -= couplings[k] * scratch[columns[k]];
        residual[position - eliminated] = sum;
      }
    });
  });
  ++statistics_.conjugate_gradient_solves;
  if (!conjugate_gradients()) {
    fall_back_to_direct(fmt::format("cg fell back: no convergence in {} iterations", kMaximumIterations));
    direct_->factor(values_);
    copy_direct_statistics();
    direct_->solve(rhs_then_solution);
    return;
  }

  // x_E = T_E^-1 (b_E - C_EI x_I), and every part's x back in unknown order.
  run_parts(parts_, [&](int part) {
    const int first = chains.eliminated_split(part), last = chains.eliminated_split(part + 1);
    gather_eliminated_couplings(first, last, solution_.data(), solution_.data(), solution_.data());
    chains.solve_eliminated(first, last, solution_.data() + chains.bundle_begin(first));
    chains.for_each_range(part, true, true, [&](int begin, int count) {
      double* __restrict x = rhs_then_solution;
      const double* __restrict solution = solution_.data();
      for (int position = begin; position < begin + count; ++position) x[unknown_at[position]] = solution[position];
    });
  });
  folding_->complete_solution(values_, rhs_then_solution, rhs_then_solution);
}

}  // namespace xbarsim
