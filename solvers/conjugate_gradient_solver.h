// ConjugateGradientSolver: the large-array solver. Folds grounded voltage sources, orders the
// remaining nodal block into line chains, and solves it by conjugate gradients on the Schur
// complement of the eliminated chains; anything that does not qualify goes to KLU.
//
//   analyze:  below minimum_unknowns ("auto" on a small circuit) -> KLU for good
//   factor(A), first time: fold grounded sources (GroundedSourceFolding), build the chains and
//             the coupling matrix C in chain order (LineChains); A_free = T + C, T tridiagonal
//             per chain, C_EE = 0 between eliminated chains, C stored by rows (both triangles)
//   factor(A): copy values into C and T_I from A's columns, LDL^T of the eliminated chains
//             straight from A (T_E is not kept) and of the iterated ones when T_I changed; check
//             symmetry (every entry mirrored, values equal to relative 1e-12) and positive
//             pivots; on failure -> KLU for good
//   solve(b): fold the known node voltages into b
//             S = T_I + C_II - C_IE T_E^-1 C_EI         -- never formed, applied per iteration
//             g = b_I - C_IE T_E^-1 b_E
//             preconditioned CG on S x_I = g, preconditioner T_I (exact line solves),
//               starting from the previous solve's x_I (or from set_initial_guess's),
//               until sqrt(r' T_I^-1 r) <= tol * sqrt(g' T_I^-1 g) for the largest such
//               norm of a g since forget_values() (tol: relative_tolerance(), 1e-12 unless set)
//             x_E = T_E^-1 (b_E - C_EI x_I); pinned voltages and source currents by KCL
//             no convergence in kMaximumIterations -> KLU for good
// On a large system every step above is split into parts that run on threads (core/parallel.h):
// a part owns a range of eliminated chains and whole iterated bundles (LineChains::partition),
// and every vector operation touches only the part's own positions, except the two gathers of
// the Schur product: the eliminated rows read the direction, the iterated rows read
// T_E^-1 C_EI d. That is why C is stored by rows in both triangles and gathered, never
// scattered: two parts never write one value, nor one cache line of the work vectors.
// For a crossbar the eliminated chains are the word lines, the iterated ones the bit lines
// (or the other way round), and S is well conditioned because the cells are weak next to the
// wires: about 20 iterations whatever the size. A circuit whose chains cannot be two-coloured
// still works: the chains that cannot be eliminated stay in S, preconditioned line by line.
// A matrix with one-way couplings around its network (held N-LEM cells: states the network reads,
// optical outputs nobody reads) is split first (BlockTriangularSplit): its small blocks are
// solved directly, each large block (core) by a ConjugateGradientSolver of its own.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/parallel.h"
#include "core/uninitialized_vector.h"
#include "solvers/block_triangular_split.h"
#include "solvers/grounded_source_folding.h"
#include "solvers/klu_solver.h"
#include "solvers/line_chains.h"
#include "solvers/linear_solver.h"

namespace xbarsim {

class ConjugateGradientSolver : public LinearSolver {
 public:
  // Systems with fewer unknowns than minimum_unknowns are handed to KLU at analyze() ("auto");
  // 0 tries conjugate gradients on any size ("cg").
  explicit ConjugateGradientSolver(int minimum_unknowns);

  std::string_view name() const override { return minimum_unknowns_ > 0 ? "auto" : "cg"; }
  std::string describe() const override;
  void analyze(const MatrixStructure& structure) override;
  void factor(const double* values) override;
  void solve(double* rhs_then_solution) override;
  // The next solve starts from zero instead of the previous solution (and KLU pivots afresh),
  // so a sweep point's result does not depend on which point this solver solved before.
  void forget_values() override;
  void rebind_structure(const MatrixStructure& structure) override { structure_ = &structure; }
  void release_memory() override;
  // The next solve starts from this guess (e.g. a transient's predicted solution) instead of
  // the previous solve's solution.
  void set_initial_guess(const double* guess) override { initial_guess_ = guess; }

  bool uses_conjugate_gradients() const;

 private:
  void build(const double* values);        // folding, chains, the coupling matrix's layout
  bool load_values(const double* values);  // T, C and their checks; false if not qualified
  double apply_schur_complement(double* product);
  bool conjugate_gradients();
  void fall_back_to_direct(std::string reason);
  void copy_direct_statistics();

  int minimum_unknowns_;
  const MatrixStructure* structure_ = nullptr;
  const double* values_ = nullptr;
  std::unique_ptr<KluSolver> direct_;  // set once conjugate gradients are out
  std::string direct_reason_;  // why KLU runs, for describe()
  std::string released_description_;  // describe() as it was before release_memory()
  const double* initial_guess_ = nullptr;  // for the next solve only

  // Set when the matrix splits into cores and small blocks (BlockTriangularSplit); each core has
  // a solver of its own.
  std::unique_ptr<BlockTriangularSplit> split_;
  std::vector<std::unique_ptr<ConjugateGradientSolver>> core_solvers_;
  std::vector<double> core_guess_;  // set_initial_guess's guess for one core
  void copy_core_statistics();

  std::optional<GroundedSourceFolding> folding_;
  std::optional<LineChains> chains_;
  // Calls visit(slot, position, row) for every entry of the column of position k's unknown
  // whose row is a free unknown (the diagonal too: its position is k), in slot order.
  template <typename Visit>
  void for_each_free_entry(int k, Visit&& visit) const {
    const int unknown = chains_->unknown_at(k);
    const int* rows = structure_->row_indices().data();
    for (int slot = structure_->column_starts()[unknown], end = structure_->column_starts()[unknown + 1]; slot < end; ++slot)
      if (const int position = chains_->position_of(rows[slot]); position >= 0) visit(slot, position, rows[slot]);
  }
  void gather_eliminated_couplings(int first_chain, int last_chain, const double* base, const double* source, double* target) const;
  void free_chains();  // folding, chains and every array built from them
  // C in chain order, compressed rows, both triangles: row k holds its couplings in
  // [coupling_starts_[k], coupling_starts_[k+1]) (columns and values), read from column k of the
  // matrix (the same entries as row k, since it is symmetric) at every load: no map of value
  // slots is kept. Every row is gathered by the one part that owns it, so threads never write
  // the same entry.
  UninitializedVector<int> coupling_starts_, coupling_columns_;
  UninitializedVector<double> coupling_values_;
  bool first_load_ = true;  // load_values has not run since the chains were built
  int parts_ = 1;  // threads' parts (core/parallel.h), set when the chains are built
  double partial_sums_[kMaximumParts] = {};
  double sum_of_parts() const;
  // Work vectors in chain order (size(); scratch_ holds the CG direction over the iterated
  // positions, solution_ b_E over the eliminated ones until x_E replaces it) and over the
  // iterated unknowns (product_: S d, then in its place the preconditioned residual T_I^-1 r).
  UninitializedVector<double> solution_, scratch_;
  UninitializedVector<double> residual_, product_;
  double largest_rhs_norm_squared_ = 0.0;  // the stopping test's reference, since forget_values()
};

}  // namespace xbarsim
