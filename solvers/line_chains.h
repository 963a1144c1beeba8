// LineChains: the free unknowns of a nodal matrix ordered into chains of strongly coupled
// unknowns (the word and bit lines of a crossbar), each chain solved exactly as a tridiagonal
// system, and split into an "eliminated" and an "iterated" set for a Schur complement.
//
//   build (pattern and the values of the first factorisation):
//     every unknown picks its two strongest neighbours among those at least kChainStrength times
//       its strongest link; a pick made from both ends is a chain link; links form paths
//       (a cycle is cut open)
//     entries that are not links are couplings; colour the chains two ways across couplings,
//       breadth first; in each connected part the larger colour class is eliminated, except
//       chains coupled to themselves or to another eliminated chain (their block must stay
//       tridiagonal)
//     order: the eliminated chains first, then the iterated ones, each chain end to end
//   factor(diagonal, links): LDL^T of every chain; a pivot <= 0 means "not positive definite"
//   solve: forward and backward substitution along each chain, O(length)
// For a crossbar the word lines are eliminated and the bit lines iterated (or the other way
// round): the coupling block between them holds only the weak cell conductances.
#pragma once

#include <vector>

#include "solvers/grounded_source_folding.h"
#include "solvers/matrix_structure.h"

namespace xbarsim {

class LineChains {
 public:
  static constexpr int kInterleavedChains = 4;  // solve() runs this many equal chains in lockstep

  LineChains(const MatrixStructure& structure, const double* values, const GroundedSourceFolding& folding);

  int size() const { return static_cast<int>(unknown_at_.size()); }
  int chain_count() const { return static_cast<int>(chain_starts_.size()) - 1; }
  int eliminated_chain_count() const { return eliminated_chains_; }
  int eliminated_size() const { return chain_starts_[static_cast<std::size_t>(eliminated_chains_)]; }
  int position_of(int unknown) const { return position_of_unknown_[static_cast<std::size_t>(unknown)]; }  // -1 if not free
  int unknown_at(int position) const { return unknown_at_[static_cast<std::size_t>(position)]; }
  bool is_chain_start(int position) const { return chain_start_flags_[static_cast<std::size_t>(position)]; }
  bool are_linked(int position_a, int position_b) const;  // consecutive in one chain

  // Tridiagonal values in chain order: diagonal[k], link[k] between k-1 and k (0 at chain starts).
  std::vector<double>& diagonal() { return diagonal_; }
  std::vector<double>& links() { return links_; }
  // LDL^T of every chain from diagonal() and links(); false when a pivot is not positive.
  bool factor();
  // x := T^-1 x on the chains [first_chain, last_chain); x[0] is position chain_begin(first_chain).
  void solve(int first_chain, int last_chain, double* x) const;
  // y := T x on the chains [first_chain, last_chain); x[0], y[0] are position chain_begin(first_chain).
  void multiply(int first_chain, int last_chain, const double* x, double* y) const;
  int chain_begin(int chain) const { return chain_starts_[static_cast<std::size_t>(chain)]; }

 private:
  std::vector<int> position_of_unknown_, unknown_at_;
  std::vector<int> chain_starts_;  // chain c holds positions [chain_starts_[c], chain_starts_[c+1])
  std::vector<bool> chain_start_flags_;
  int eliminated_chains_ = 0;
  std::vector<double> diagonal_, links_;
  std::vector<double> inverse_pivots_, multipliers_;  // LDL^T: multipliers_[k] = links_[k] / pivot[k-1]
};

}  // namespace xbarsim
