#include "solvers/line_chains.h"

#include <cmath>
#include <deque>

namespace xbarsim {
namespace {

// A neighbour weaker than this fraction of an unknown's strongest link is never a chain link.
constexpr double kChainStrength = 0.1;

}  // namespace

LineChains::LineChains(const MatrixStructure& structure, const double* values, const GroundedSourceFolding& folding) {
  const int n = structure.size();
  const auto& starts = structure.column_starts();
  const auto& rows = structure.row_indices();
  auto is_free_neighbour = [&](int row, int column) { return row != column && folding.is_free(row); };

  // Two strongest neighbours of every free unknown (symmetric matrix: column u is row u).
  std::vector<int> picks(2 * static_cast<std::size_t>(n), -1);
  for (int u = 0; u < n; ++u) {
    if (!folding.is_free(u)) continue;
    double strongest = 0.0;
    for (int slot = starts[u]; slot < starts[u + 1]; ++slot)
      if (is_free_neighbour(rows[slot], u)) strongest = std::max(strongest, std::abs(values[slot]));
    double first = 0.0, second = 0.0;
    for (int slot = starts[u]; slot < starts[u + 1]; ++slot) {
      const double strength = std::abs(values[slot]);
      if (!is_free_neighbour(rows[slot], u) || strength == 0.0 || strength < kChainStrength * strongest) continue;
      if (strength > first) {
        second = first, picks[2 * u + 1] = picks[2 * u];
        first = strength, picks[2 * u] = rows[slot];
      } else if (strength > second) {
        second = strength, picks[2 * u + 1] = rows[slot];
      }
    }
  }
  // A pick is a link when it is mutual; the picks become the links in place. That still reads
  // right for w < u: w's pick of u survived exactly when u picked w, which is the case asked about.
  std::vector<int>& links = picks;
  auto picked = [&](int u, int w) { return picks[2 * u] == w || picks[2 * u + 1] == w; };
  for (int u = 0; u < n; ++u)
    for (int side = 0; side < 2; ++side)
      if (int w = picks[2 * u + side]; w >= 0 && !picked(w, u)) links[2 * u + side] = -1;

  // Walk the paths from their ends, then whatever is left (cycles), cutting each open.
  std::vector<int> walk, walk_starts{0}, chain_of(static_cast<std::size_t>(n), -1), walk_index(static_cast<std::size_t>(n), -1);
  walk.reserve(static_cast<std::size_t>(folding.free_count()));
  auto walk_chain = [&](int start) {
    int previous = -1, current = start;
    const int chain = static_cast<int>(walk_starts.size()) - 1;
    while (current >= 0) {
      chain_of[current] = chain;
      walk_index[current] = static_cast<int>(walk.size());
      walk.push_back(current);
      int next = -1;
      for (int side = 0; side < 2; ++side) {
        int w = links[2 * current + side];
        if (w >= 0 && w != previous && chain_of[w] < 0) next = w;
      }
      previous = current;
      current = next;
    }
    walk_starts.push_back(static_cast<int>(walk.size()));
  };
  for (int u = 0; u < n; ++u)
    if (folding.is_free(u) && chain_of[u] < 0 && (links[2 * u] < 0 || links[2 * u + 1] < 0)) walk_chain(u);
  for (int u = 0; u < n; ++u)
    if (folding.is_free(u) && chain_of[u] < 0) walk_chain(u);
  const int chains = static_cast<int>(walk_starts.size()) - 1;

  // Calls visit(neighbour chain) for every coupling (non-link entry) of chain c.
  auto for_each_coupled_chain = [&](int chain, auto&& visit) {
    for (int w = walk_starts[chain]; w < walk_starts[chain + 1]; ++w) {
      const int u = walk[static_cast<std::size_t>(w)];
      for (int slot = starts[u]; slot < starts[u + 1]; ++slot) {
        const int i = rows[slot];
        if (!is_free_neighbour(i, u)) continue;
        if (chain_of[i] == chain && std::abs(walk_index[i] - w) == 1) continue;
        visit(chain_of[i]);
      }
    }
  };

  // Two-colour each connected part breadth first; its larger class is the one to eliminate.
  std::vector<int> colour(static_cast<std::size_t>(chains), -1), eliminated_colour_of_part(static_cast<std::size_t>(chains), 0),
      part_of(static_cast<std::size_t>(chains), -1);
  std::deque<int> queue;
  int parts = 0;
  for (int root = 0; root < chains; ++root) {
    if (colour[root] >= 0) continue;
    long class_sizes[2] = {0, 0};
    colour[root] = 0;
    part_of[root] = parts;
    queue.push_back(root);
    while (!queue.empty()) {
      const int chain = queue.front();
      queue.pop_front();
      class_sizes[colour[chain]] += walk_starts[chain + 1] - walk_starts[chain];
      for_each_coupled_chain(chain, [&](int neighbour) {
        if (colour[neighbour] >= 0) return;
        colour[neighbour] = 1 - colour[chain];
        part_of[neighbour] = parts;
        queue.push_back(neighbour);
      });
    }
    eliminated_colour_of_part[parts++] = class_sizes[1] > class_sizes[0] ? 1 : 0;
  }
  std::vector<bool> eliminated(static_cast<std::size_t>(chains));
  for (int chain = 0; chain < chains; ++chain) {
    bool candidate = colour[chain] == eliminated_colour_of_part[part_of[chain]];
    if (candidate)
      for_each_coupled_chain(chain, [&](int neighbour) {
        if (colour[neighbour] == colour[chain]) candidate = false;
      });
    eliminated[chain] = candidate;
  }

  // Eliminated chains first, then the iterated ones.
  position_of_unknown_.assign(static_cast<std::size_t>(n), -1);
  unknown_at_.reserve(walk.size());
  chain_starts_.assign(1, 0);
  for (int pass = 0; pass < 2; ++pass) {
    for (int chain = 0; chain < chains; ++chain) {
      if (eliminated[chain] != (pass == 0)) continue;
      for (int w = walk_starts[chain]; w < walk_starts[chain + 1]; ++w) {
        position_of_unknown_[walk[static_cast<std::size_t>(w)]] = static_cast<int>(unknown_at_.size());
        unknown_at_.push_back(walk[static_cast<std::size_t>(w)]);
      }
      chain_starts_.push_back(static_cast<int>(unknown_at_.size()));
    }
    if (pass == 0) eliminated_chains_ = static_cast<int>(chain_starts_.size()) - 1;
  }
  chain_start_flags_.assign(unknown_at_.size(), false);
  for (int chain = 0; chain < chains; ++chain) chain_start_flags_[static_cast<std::size_t>(chain_starts_[chain])] = true;
  diagonal_.assign(unknown_at_.size(), 0.0);
  links_.assign(unknown_at_.size(), 0.0);
  inverse_pivots_.assign(unknown_at_.size(), 0.0);
  multipliers_.assign(unknown_at_.size(), 0.0);
}

bool LineChains::are_linked(int position_a, int position_b) const {
  const int later = std::max(position_a, position_b);
  return std::abs(position_a - position_b) == 1 && !chain_start_flags_[static_cast<std::size_t>(later)];
}

bool LineChains::factor() {
  for (int chain = 0; chain < chain_count(); ++chain) {
    const int begin = chain_starts_[chain], end = chain_starts_[chain + 1];
    double pivot = diagonal_[begin];
    if (!(pivot > 0.0) || !std::isfinite(pivot)) return false;
    inverse_pivots_[begin] = 1.0 / pivot;
    for (int k = begin + 1; k < end; ++k) {
      multipliers_[k] = links_[k] * inverse_pivots_[k - 1];
      pivot = diagonal_[k] - multipliers_[k] * links_[k];
      if (!(pivot > 0.0) || !std::isfinite(pivot)) return false;
      inverse_pivots_[k] = 1.0 / pivot;
    }
  }
  return true;
}

namespace {

// Forward and backward substitution of `Lanes` chains of one length in lockstep, the running
// value of each chain kept in a register: the chains' recurrences overlap instead of each
// waiting on its own latency.
template <int Lanes>
void solve_lanes(int length, double* const* x, const double* const* multipliers, const double* const* inverse_pivots) {
  double carry[Lanes];
  for (int lane = 0; lane < Lanes; ++lane) carry[lane] = x[lane][0];
  for (int k = 1; k < length; ++k)
    for (int lane = 0; lane < Lanes; ++lane) x[lane][k] = carry[lane] = x[lane][k] - multipliers[lane][k] * carry[lane];
  for (int lane = 0; lane < Lanes; ++lane) x[lane][length - 1] = carry[lane] = carry[lane] * inverse_pivots[lane][length - 1];
  for (int k = length - 2; k >= 0; --k)
    for (int lane = 0; lane < Lanes; ++lane)
      x[lane][k] = carry[lane] = x[lane][k] * inverse_pivots[lane][k] - multipliers[lane][k + 1] * carry[lane];
}

}  // namespace

void LineChains::solve(int first_chain, int last_chain, double* x) const {
  const int base = chain_starts_[first_chain];
  auto solve_group = [&]<int Lanes>(int chain) {
    double* lane_x[Lanes];
    const double* lane_multipliers[Lanes];
    const double* lane_inverse_pivots[Lanes];
    for (int lane = 0; lane < Lanes; ++lane) {
      const int begin = chain_starts_[chain + lane];
      lane_x[lane] = x + (begin - base);
      lane_multipliers[lane] = multipliers_.data() + begin;
      lane_inverse_pivots[lane] = inverse_pivots_.data() + begin;
    }
    solve_lanes<Lanes>(chain_starts_[chain + 1] - chain_starts_[chain], lane_x, lane_multipliers, lane_inverse_pivots);
  };
  int chain = first_chain;
  while (chain < last_chain) {
    const int length = chain_starts_[chain + 1] - chain_starts_[chain];
    bool interleave = chain + kInterleavedChains <= last_chain;
    for (int lane = 1; interleave && lane < kInterleavedChains; ++lane)
      interleave = chain_starts_[chain + lane + 1] - chain_starts_[chain + lane] == length;
    if (interleave) {
      solve_group.template operator()<kInterleavedChains>(chain);
      chain += kInterleavedChains;
    } else {
      solve_group.template operator()<1>(chain);
      ++chain;
    }
  }
}

void LineChains::multiply(int first_chain, int last_chain, const double* x, double* y) const {
  const int base = chain_starts_[first_chain];
  for (int chain = first_chain; chain < last_chain; ++chain) {
    const int begin = chain_starts_[chain], end = chain_starts_[chain + 1];
    const double* chain_x = x + (begin - base);
    double* chain_y = y + (begin - base);
    const double* diagonal = diagonal_.data() + begin;
    const double* links = links_.data() + begin;
    const int length = end - begin;
    if (length == 1) {
      chain_y[0] = diagonal[0] * chain_x[0];
      continue;
    }
    chain_y[0] = diagonal[0] * chain_x[0] + links[1] * chain_x[1];
    for (int k = 1; k < length - 1; ++k) chain_y[k] = links[k] * chain_x[k - 1] + diagonal[k] * chain_x[k] + links[k + 1] * chain_x[k + 1];
    chain_y[length - 1] = links[length - 1] * chain_x[length - 2] + diagonal[length - 1] * chain_x[length - 1];
  }
}

}  // namespace xbarsim
