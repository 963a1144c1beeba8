// BlockTriangularSplit: splits an MNA matrix into large "core" blocks and small blocks, solved
// one after the other by block substitution, so that a solver made for a core (conjugate
// gradients on a conductance network, solvers/conjugate_gradient_solver.h) is not defeated by
// the one-way couplings around it. ConjugateGradientSolver tries it at analyze() and gives every
// core a solver of its own.
//
// Unknown i depends on unknown j when A(i,j) is in the pattern. The strongly connected components
// of that graph are the diagonal blocks of the block triangular form, as in KLU's BTF (no
// transversal is needed: every diagonal is in the pattern).
//   find (pattern only):
//     every row exactly as long as its column -> presumably symmetric, one block -> no split
//       (an O(nonzeros) count, so a plain conductance network pays nothing more)
//     components by Tarjan's algorithm (iterative), in dependency order
//     large: more than kMaximumSmallBlock unknowns; level of a component: the most large
//       components on a dependency path into it (not counting itself)
//     order: by level, within a level the small components first, then the large ones; the
//       large components of one level (independent of each other) form one core
//     no split when there is no large component or a single core holds everything
//     each core's own pattern (MatrixStructure, unknowns renumbered in their original order) and
//       the slots its entries take in the full matrix
//   factor(values): cores' values gathered into their own value arrays; every small block
//     LU-factored densely with partial pivoting (false when a pivot is zero: singular)
//   solve(x, solve_core), in order:
//     small block B:  x_B = A_BB^-1 (b_B - sum A_BK x_K over the blocks K solved before)
//     core C:         x_C = solve_core(C, b_C - sum A_CK x_K)
// An array of held N-LEM cells (models/nlem_device.cpp, hold = 1) splits into the cell states
// (before: their rows read only themselves), the conductance network (a core, symmetric) and the
// optical outputs with their branch currents (after: nothing electrical reads them); with an
// optical readout, the receivers' networks form a second core after the optical outputs.
#pragma once

#include <memory>
#include <vector>

#include "solvers/matrix_structure.h"

namespace xbarsim {

class BlockTriangularSplit {
 public:
  static constexpr int kMaximumSmallBlock = 16;

  // The split of `structure`, or nullptr when there is nothing to split.
  static std::unique_ptr<BlockTriangularSplit> find(const MatrixStructure& structure);

  int core_count() const { return static_cast<int>(cores_.size()); }
  const MatrixStructure& core_structure(int core) const { return cores_[static_cast<std::size_t>(core)].structure; }
  const double* core_values(int core) const { return cores_[static_cast<std::size_t>(core)].values.data(); }
  int core_size(int core) const { return cores_[static_cast<std::size_t>(core)].structure.size(); }
  // Full index of each of the core's unknowns (the core numbers them in this order).
  const std::vector<int>& core_unknowns(int core) const { return cores_[static_cast<std::size_t>(core)].unknowns; }
  int small_block_count() const { return static_cast<int>(block_starts_.size()) - 1; }
  int small_block_size() const { return static_cast<int>(block_unknowns_.size()); }  // unknowns in small blocks

  // Gathers the cores' values and factors the small blocks; false when a small block is singular.
  // `values` must stay alive and unchanged until the next factor() (the solves read them).
  bool factor(const double* values);
  // `x` holds the rhs (size() entries) and receives the solution; solve_core(core, rhs) must
  // overwrite the core's rhs (core_size(core) entries) with the core's solution.
  template <typename SolveCore>
  void solve(double* x, SolveCore&& solve_core) {
    int block = 0;
    for (int core = 0; core < core_count(); ++core) {
      Core& c = cores_[static_cast<std::size_t>(core)];
      for (; block < c.small_blocks_before; ++block) solve_block(block, x);
      gather_core_rhs(c, x);
      solve_core(core, c.rhs.data());
      for (std::size_t k = 0; k < c.unknowns.size(); ++k) x[c.unknowns[k]] = c.rhs[k];
    }
    for (; block < small_block_count(); ++block) solve_block(block, x);
  }

 private:
  struct Coupling {  // an entry of a core row in a column solved before the core
    int row, slot, column;
  };
  struct Core {
    explicit Core(int size) : structure(size) {}
    MatrixStructure structure;
    std::vector<int> unknowns;  // full index of core unknown k
    std::vector<int> slots;     // full slot of the core's slot k
    std::vector<double> values, rhs;
    std::vector<Coupling> couplings;
    int small_blocks_before = 0;  // small blocks solved before this core
  };

  BlockTriangularSplit() = default;
  void solve_block(int block, double* x) const;
  void gather_core_rhs(Core& core, const double* x) const;

  std::vector<Core> cores_;
  // Small blocks in solve order: block b holds members [block_starts_[b], block_starts_[b+1]) of
  // block_unknowns_. Its dense LU (row-major, size^2 values) starts at dense_starts_[b]; pivots_
  // holds each member's pivot row (local).
  std::vector<int> block_starts_, block_unknowns_, dense_starts_, pivots_;
  std::vector<double> dense_;
  // Entries of the block rows: per member m, entries [entry_starts_[m], entry_starts_[m+1]) with
  // their slot and column: first those inside the block (local column), from
  // external_starts_[m] on those outside it (full column).
  std::vector<int> entry_starts_, external_starts_, entry_slots_, entry_columns_;
  const double* values_ = nullptr;
};

}  // namespace xbarsim
