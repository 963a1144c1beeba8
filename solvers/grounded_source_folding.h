// GroundedSourceFolding: eliminates ideal voltage sources to ground from an MNA matrix, leaving
// the nodal block of the other unknowns (symmetric positive definite for a conductance network).
//
//   build (pattern and first values), for every unknown k:
//     k is a grounded source on node p when column k holds exactly rows {k, p}, row k exactly
//     columns {k, p}, A(k,k) = 0, A(k,p) != 0, A(p,k) != 0 and no other source names p
//   still_valid(values), per factorisation: the same entries keep those properties
//   per solve:
//     x_p  = b_k / A(k,p)                              -- the source's row fixes its node
//     b_i -= A(i,p) x_p        for every free row i    -- known voltages move to the rhs
//     ... the caller solves the free block for the free unknowns ...
//     x_k  = (b_p - sum_{j != k} A(p,j) x_j) / A(p,k)  -- KCL at p gives the branch current
// Free unknowns are those neither pinned nor a source branch. An unknown of another kind that
// happens to look like a source (a node hanging on one resistor has A(k,k) != 0) stays free.
#pragma once

#include <cstdint>
#include <vector>

#include "solvers/matrix_structure.h"

namespace xbarsim {

class GroundedSourceFolding {
 public:
  // `parts`: its passes over the matrix are split into that many parts (core/parallel.h).
  GroundedSourceFolding(const MatrixStructure& structure, const double* values, int parts = 1);

  int source_count() const { return static_cast<int>(sources_.size()); }
  bool is_free(int unknown) const { return role_[static_cast<std::size_t>(unknown)] == Role::free; }
  int free_count() const { return free_count_; }
  // Source entries still zero/non-zero as when built.
  bool still_valid(const double* values) const;

  // Computes the pinned node voltages from `rhs`, then calls subtract(free_row, amount) for
  // every entry coupling a free row to a pinned node: that row's rhs loses A(i,p) x_p.
  template <typename Subtract>
  void fold_rhs(const double* values, const double* rhs, Subtract&& subtract) {
    for (std::size_t s = 0; s < sources_.size(); ++s)
      pinned_voltages_[s] = rhs[sources_[s].branch] / values[sources_[s].branch_row_slot];
    for (const FreeCoupling& coupling : free_couplings_)
      subtract(coupling.row, values[coupling.slot] * pinned_voltages_[static_cast<std::size_t>(coupling.source)]);
  }
  // Given the free unknowns' solution in `solution` (unknown numbering), the rhs and the pinned
  // voltages of the last fold_rhs, writes the pinned node voltages and the source branch
  // currents into `solution`. `rhs` may be `solution` as long as its pinned and branch entries
  // still hold the rhs.
  void complete_solution(const double* values, const double* rhs, double* solution);

 private:
  enum class Role : std::uint8_t { free, pinned_node, source_branch };
  struct Source {
    int branch, node;
    int branch_row_slot;  // A(k, p)
    int node_row_slot;    // A(p, k)
    int branch_diagonal_slot;
  };
  struct FreeCoupling {  // A(i, p): free row i, pinned column p
    int slot, row, source;
  };

  std::vector<Role> role_;
  std::vector<Source> sources_;
  std::vector<FreeCoupling> free_couplings_;
  // Row p of each source without A(p,k), for its branch current: entries [starts[s], starts[s+1]),
  // each with its column and, when that column is a pinned node, its source (-1 otherwise).
  std::vector<int> node_row_starts_, node_row_slots_, node_row_columns_, node_row_pinned_;
  std::vector<double> pinned_voltages_;  // per source, from the last fold_rhs
  int free_count_ = 0;
};

}  // namespace xbarsim
