// LineChains: the free unknowns of a nodal matrix ordered into chains of strongly coupled
// unknowns (the word and bit lines of a crossbar), each chain solved exactly as a tridiagonal
// system, and split into an "eliminated" and an "iterated" set for a Schur complement.
//
//   build (pattern and the values of the first factorisation):
//     every unknown picks its two strongest neighbours among those at least kChainStrength times
//       its strongest link; a pick made from both ends is a chain link; links form paths
//       (a cycle is cut open)
//     entries that are not links are couplings; colour the chains two ways across couplings,
//       breadth first; in each connected part the larger colour class is eliminated; a part that
//       cannot be two-coloured (coupling capacitors between neighbouring lines) eliminates an
//       independent set instead, picked greedily from its larger class first: no eliminated
//       chain may be coupled to itself or to another eliminated chain (the eliminated block
//       must stay tridiagonal)
//     order: the eliminated chains first, each end to end, then the iterated ones, chains of
//       one length interleaved in bundles (see bundle_begin), a wide bundle cut into one per
//       part for threads; the parts get ranges of eliminated chains and whole bundles
//   factor: LDL^T of every chain, the eliminated ones from the caller's values as it reads them,
//     the iterated ones from diagonal() and links(); a pivot <= 0 means "not positive definite"
//   solve: forward and backward substitution along each chain, O(length); the iterated
//     chains of a bundle all at once, one step at a time
// For a crossbar the word lines are eliminated and the bit lines iterated (or the other way
// round): the coupling block between them holds only the weak cell conductances.
#pragma once

#include <cmath>
#include <memory>
#include <vector>

#include "solvers/grounded_source_folding.h"
#include "solvers/matrix_structure.h"

namespace xbarsim {

class LineChains {
 public:
  static constexpr int kInterleavedChains = 4;  // solve_eliminated() runs this many equal chains in lockstep
  static constexpr int kMinimumSplitWidth = 16;  // a bundle is split into parts of at least this many chains

  // `parts`: the number of parts the work is split into (a wide bundle becomes that many).
  LineChains(const MatrixStructure& structure, const double* values, const GroundedSourceFolding& folding, int parts = 1);

  int size() const { return size_; }
  int chain_count() const { return chain_count_; }
  int eliminated_chain_count() const { return eliminated_chains_; }
  int eliminated_size() const { return bundle_begin(eliminated_chains_); }
  int position_of(int unknown) const { return position_of_unknown_[static_cast<std::size_t>(unknown)]; }  // -1 if not free
  int unknown_at(int position) const { return unknown_at_[static_cast<std::size_t>(position)]; }
  const int* unknowns_by_position() const { return unknown_at_.get(); }  // unknown_at(k) for every k

  // Positions come in bundles: bundle b holds positions [bundle_begin(b), bundle_end(b)) of
  // bundle_width(b) chains of one length, interleaved: element k of its chain c is at
  // bundle_begin(b) + k * width + c, so the next element of a chain is `width` positions on.
  // Bundles [0, eliminated_chain_count()) are the eliminated chains, one each (width 1); the
  // rest are the iterated chains, consecutive ones of one length sharing a bundle (or one bundle
  // per part when there are many), so that a step along all of them is contiguous (a
  // crossbar's bit lines: the line solves vectorise, and each word line's couplings to them are
  // contiguous too).
  int bundle_count() const { return static_cast<int>(bundle_widths_.size()); }
  int bundle_begin(int bundle) const { return bundle_starts_[static_cast<std::size_t>(bundle)]; }
  int bundle_end(int bundle) const { return bundle_starts_[static_cast<std::size_t>(bundle) + 1]; }
  int bundle_width(int bundle) const { return bundle_widths_[static_cast<std::size_t>(bundle)]; }

  // The work split into the parts given to the constructor, for threads (core/parallel.h): part
  // p has the eliminated chains [eliminated_split(p), eliminated_split(p + 1)) and the iterated
  // bundles iterated_bundles(p). Each part's positions are whole bundles, contiguous in memory,
  // so that threads never share a cache line of the work vectors.
  int part_count() const { return static_cast<int>(iterated_bundles_.size()); }
  int eliminated_split(int part) const { return eliminated_splits_[static_cast<std::size_t>(part)]; }
  const std::vector<int>& iterated_bundles(int part) const { return iterated_bundles_[static_cast<std::size_t>(part)]; }
  // Calls range(first_position, count) for the eliminated positions of part `part` (when
  // `eliminated`) and for each of its iterated bundles (when `iterated`).
  template <typename Range>
  void for_each_range(int part, bool eliminated, bool iterated, Range&& range) const {
    if (eliminated) {
      const int first = bundle_begin(eliminated_split(part));
      range(first, bundle_begin(eliminated_split(part + 1)) - first);
    }
    if (iterated)
      for (int bundle : iterated_bundles(part)) range(bundle_begin(bundle), bundle_end(bundle) - bundle_begin(bundle));
  }
  // Calls visit(position, previous, next) for the same positions, bundle by bundle in position
  // order; previous and next are the neighbouring positions of its chain (-1 at its ends).
  template <typename Visit>
  void for_each_position(int part, bool eliminated, bool iterated, Visit&& visit) const {
    auto bundle_positions = [&](int bundle) {
      const int begin = bundle_begin(bundle), end = bundle_end(bundle), width = bundle_width(bundle);
      for (int position = begin; position < end; ++position)
        visit(position, position - width >= begin ? position - width : -1, position + width < end ? position + width : -1);
    };
    if (eliminated)
      for (int chain = eliminated_split(part); chain < eliminated_split(part + 1); ++chain) bundle_positions(chain);
    if (iterated)
      for (int bundle : iterated_bundles(part)) bundle_positions(bundle);
  }

  // Tridiagonal values of the iterated positions [eliminated_size(), size()), indexed by
  // position: diagonal[k], link[k] between k and the previous element of its chain (0 at chain
  // starts), written by the caller. The eliminated positions' entries are never stored: their
  // chains are factored straight from the matrix (factor_eliminated).
  double* diagonal() { return diagonal_.get(); }
  double* links() { return links_.get(); }
  const double* diagonal() const { return diagonal_.get(); }
  const double* links() const { return links_.get(); }
  // LDL^T of the eliminated chains of part `part`, position by position in chain order:
  // entry(k, previous, next) returns position k's {diagonal, link to the previous element (0 at
  // chain starts)}. False when a pivot is not positive.
  template <typename Entry>
  bool factor_eliminated(int part, Entry&& entry) {
    bool factored = true;
    double inverse_pivot = 0.0;
    for_each_position(part, true, false, [&](int k, int previous, int next) {
      const auto [diagonal, link] = entry(k, previous, next);
      const double multiplier = link * inverse_pivot;  // 0 at chain starts (link 0)
      const double pivot = diagonal - multiplier * link;
      factored &= pivot > 0.0 && std::isfinite(pivot);
      inverse_pivot = 1.0 / pivot;
      multipliers_[k] = multiplier;
      inverse_pivots_[k] = inverse_pivot;
    });
    return factored;
  }
  // LDL^T of the iterated chains of part `part` from diagonal() and links(); false when a pivot
  // is not positive.
  bool factor_iterated(int part);
  // x := T^-1 x on the eliminated chains [first_chain, last_chain); x[0] is position
  // bundle_begin(first_chain).
  void solve_eliminated(int first_chain, int last_chain, double* x) const;
  // The part's share of residual . T^-1 residual over the iterated chains, in one forward
  // sweep: with T = L D L^T it is y . D^-1 y for y = L^-1 residual (written to work). Element 0
  // of both arrays is position eliminated_size().
  double preconditioner_norm_iterated(int part, const double* residual, double* work) const;
  // A conjugate-gradient step's vector work on part `part` of the iterated chains, in one
  // forward and one backward sweep instead of four passes: iterate += iterate_step * direction,
  // residual -= residual_step * product (each skipped, its arrays unread, when its step is 0),
  // preconditioned := T^-1 residual; returns the part's share of residual . preconditioned.
  // Element 0 of every array is position eliminated_size(). preconditioned may be product: each
  // element of product is read before it is overwritten.
  double step_and_solve_iterated(int part, double iterate_step, double residual_step, const double* direction, const double* product,
                                 double* iterate, double* residual, double* preconditioned) const;

 private:
  std::unique_ptr<int[]> position_of_unknown_, unknown_at_;  // one per unknown, one per position
  int size_ = 0;  // positions
  std::vector<int> bundle_starts_, bundle_widths_;
  std::vector<int> eliminated_splits_;
  std::vector<std::vector<int>> iterated_bundles_;
  void partition(int parts);
  int chain_count_ = 0;
  int eliminated_chains_ = 0;
  // By position (size()); diagonal_ and links_ hold only the iterated positions. LDL^T:
  // multipliers_[k] = link / pivot of the previous element.
  std::unique_ptr<double[]> diagonal_, links_, inverse_pivots_, multipliers_;
};

}  // namespace xbarsim
