// BlockTriangularSplit: splits an MNA matrix into one large "core" block and small blocks that
// are solved before or after it by block substitution, so that a solver made for the core
// (conjugate gradients on a conductance network, solvers/conjugate_gradient_solver.h) is not
// defeated by the one-way couplings around it. ConjugateGradientSolver tries it at analyze().
//
// Unknown i depends on unknown j when A(i,j) is in the pattern. The strongly connected components
// of that graph are the diagonal blocks of the block triangular form, as in KLU's BTF (no
// transversal is needed: every diagonal is in the pattern).
//   find (pattern only):
//     every row exactly as long as its column -> presumably symmetric, one block -> no split
//       (an O(nonzeros) count, so a plain conductance network pays nothing more)
//     components by Tarjan's algorithm (iterative), in dependency order
//     core: every component of more than kMaximumSmallBlock unknowns, and every component that
//       both depends on the core and is depended on by it (it lies on a cycle through the core)
//     "before": the other components that do not depend on the core; "after": those that do
//     no split when there is no core or nothing outside it
//     the core's own pattern (MatrixStructure, unknowns renumbered in their original order) and
//       the slots its entries take in the full matrix
//   factor(values): core values gathered into the core's value array; every small block
//     LU-factored densely with partial pivoting (false when a pivot is zero: singular)
//   solve_before_core(x): blocks before the core in dependency order,
//       x_B = A_BB^-1 (b_B - sum A_BK x_K over earlier blocks K);
//     core rhs  b_C - A_C,before x_before
//   ... the caller solves the core ...
//   solve_after_core(x_C, x): the core's solution into x, then the blocks after it in order
// An array of held N-LEM cells (models/nlem_device.cpp, hold = 1) splits into the cell states
// (before: their rows read only themselves), the conductance network (the core, symmetric) and
// the optical outputs with their branch currents (after: nothing electrical reads them).
#pragma once

#include <memory>
#include <vector>

#include "solvers/matrix_structure.h"

namespace xbarsim {

class BlockTriangularSplit {
 public:
  static constexpr int kMaximumSmallBlock = 16;

  // The split of `structure`, or nullptr when it has no core or nothing outside it.
  static std::unique_ptr<BlockTriangularSplit> find(const MatrixStructure& structure);

  const MatrixStructure& core_structure() const { return core_structure_; }
  const double* core_values() const { return core_values_.data(); }
  int core_size() const { return core_structure_.size(); }
  int before_size() const { return before_size_; }
  int after_size() const { return after_size_; }
  int small_block_count() const { return static_cast<int>(block_starts_.size()) - 1; }

  // Gathers the core's values and factors the small blocks; false when a small block is singular.
  // `values` must stay alive and unchanged until the next factor() (the solves read them).
  bool factor(const double* values);
  // `x` holds the rhs (full numbering, size() entries); afterwards the unknowns before the core
  // hold their solution, and core_rhs (core_size() entries) the core's rhs.
  void solve_before_core(double* x, double* core_rhs);
  // Writes the core's solution into `x` and solves the blocks after the core.
  void solve_after_core(const double* core_solution, double* x);

 private:
  explicit BlockTriangularSplit(int core_size) : core_structure_(core_size) {}
  void solve_block(int block, double* x);

  MatrixStructure core_structure_;
  std::vector<int> core_unknowns_;  // full index of core unknown k
  std::vector<int> core_slots_;     // full slot of the core's slot k
  std::vector<double> core_values_;
  // Entries of core rows in columns outside the core (all before it): core row, slot, column.
  struct Coupling {
    int row, slot, column;
  };
  std::vector<Coupling> core_couplings_;

  // Small blocks in solve order: block b holds members [block_starts_[b], block_starts_[b+1]) of
  // block_unknowns_; the first before_blocks_ come before the core. Its dense LU (row-major,
  // size^2 values) starts at dense_starts_[b]; pivots_ holds each member's pivot row (local).
  int before_blocks_ = 0, before_size_ = 0, after_size_ = 0;
  std::vector<int> block_starts_, block_unknowns_, dense_starts_, pivots_;
  std::vector<double> dense_;
  // Entries of the block rows: per member m, entries [entry_starts_[m], entry_starts_[m+1]) with
  // their slot and column: first those inside the block (local column), from
  // external_starts_[m] on those outside it (full column).
  std::vector<int> entry_starts_, external_starts_, entry_slots_, entry_columns_;
  const double* values_ = nullptr;
};

}  // namespace xbarsim
