#include "solvers/line_chains.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>

#include "core/parallel.h"
#include "core/prefault.h"

namespace xbarsim {
namespace {

// A neighbour weaker than this fraction of an unknown's strongest link is never a chain link.
constexpr double kChainStrength = 0.1;

}  // namespace

LineChains::LineChains(const MatrixStructure& structure, const double* values, const GroundedSourceFolding& folding, int parts) {
  const int n = structure.size();
  const auto& starts = structure.column_starts();
  const auto& rows = structure.row_indices();
  auto is_free_neighbour = [&](int row, int column) { return row != column && folding.is_free(row); };

  // Two strongest neighbours of every free unknown (symmetric matrix: column u is row u):
  // picks[0][u], and picks[1][u] unless weaker than kChainStrength times the first (-1 for none).
  // Two arrays rather than one of pairs: the first becomes unknown_at_ once the chains are
  // coloured (fresh memory is costly to touch, core/prefault.h).
  // Split into the parts (core/parallel.h), which also map the arrays in.
  auto first_picks = std::make_unique_for_overwrite<int[]>(static_cast<std::size_t>(n));
  auto second_picks = std::make_unique_for_overwrite<int[]>(static_cast<std::size_t>(n));
  int* const picks[2] = {first_picks.get(), second_picks.get()};
  run_parts(parts, [&](int part) {
    const auto [begin, end] = part_range(n, parts, part);
    for (int u = static_cast<int>(begin); u < end; ++u) {
      picks[0][u] = picks[1][u] = -1;
      if (!folding.is_free(u)) continue;
      double first = 0.0, second = 0.0;
      for (int slot = starts[u]; slot < starts[u + 1]; ++slot) {
        const double strength = std::abs(values[slot]);
        if (!is_free_neighbour(rows[slot], u) || strength == 0.0) continue;
        if (strength > first) {
          second = first, picks[1][u] = picks[0][u];
          first = strength, picks[0][u] = rows[slot];
        } else if (strength > second) {
          second = strength, picks[1][u] = rows[slot];
        }
      }
      if (second < kChainStrength * first) picks[1][u] = -1;
    }
  });
  // A pick is a link when it is mutual; the picks become the links in place. That still reads
  // right for w < u: w's pick of u survived exactly when u picked w, which is the case asked about.
  int* const* const links = picks;
  auto picked = [&](int u, int w) { return picks[0][u] == w || picks[1][u] == w; };
  for (int u = 0; u < n; ++u)
    for (int side = 0; side < 2; ++side)
      if (int w = picks[side][u]; w >= 0 && !picked(w, u)) links[side][u] = -1;

  // Walk the paths from their ends, then whatever is left (cycles), cutting each open: from
  // here on `links` holds exactly the links between neighbours in a chain.
  // chain_of[u]: u's chain; -1 while u is not walked, and for good when it is not free. Its
  // memory becomes position_of_unknown_ once the chains are placed (fresh memory is costly to
  // touch, core/prefault.h).
  std::vector<int> walk, walk_starts{0};
  auto chain_of_memory = std::make_unique_for_overwrite<int[]>(static_cast<std::size_t>(n));
  int* const chain_of = chain_of_memory.get();
  run_parts(parts, [&](int part) {
    const auto [begin, end] = part_range(n, parts, part);
    std::fill(chain_of + begin, chain_of + end, -1);
  });
  reserve_prefaulted(walk, static_cast<std::size_t>(folding.free_count()));
  auto walk_chain = [&](int start) {
    int previous = -1, current = start;
    const int chain = static_cast<int>(walk_starts.size()) - 1;
    while (current >= 0) {
      chain_of[current] = chain;
      walk.push_back(current);
      int next = -1;
      for (int side = 0; side < 2; ++side) {
        int w = links[side][current];
        if (w >= 0 && w != previous && chain_of[w] < 0) next = w;
      }
      previous = current;
      current = next;
    }
    // A walk of 3 or more whose ends are linked went round a cycle: cut its closing link.
    const int first = walk[static_cast<std::size_t>(walk_starts.back())], last = walk.back();
    if (walk.size() - static_cast<std::size_t>(walk_starts.back()) > 2)
      for (int side = 0; side < 2; ++side) {
        if (links[side][last] == first) links[side][last] = -1;
        if (links[side][first] == last) links[side][first] = -1;
      }
    walk_starts.push_back(static_cast<int>(walk.size()));
  };
  for (int u = 0; u < n; ++u)
    if (folding.is_free(u) && chain_of[u] < 0 && (links[0][u] < 0 || links[1][u] < 0)) walk_chain(u);
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
        if (links[0][u] == i || links[1][u] == i) continue;
        visit(chain_of[i]);
      }
    }
  };

  // Two-colour each connected part breadth first; its larger class is the one to eliminate. A
  // coupling between chains of one colour (an odd cycle, or a chain coupled to itself) marks the
  // part as not two-coloured. A level at a time, its chains split into the parts: all of a
  // level's chains have one colour, and a neighbour that is not coloured yet gets the other
  // whichever part finds it first, so the colours, levels and verdict do not depend on timing.
  std::vector<int> colour(static_cast<std::size_t>(chains), -1), part_of(static_cast<std::size_t>(chains), -1);
  std::vector<int> eliminated_colour_of_part;
  std::vector<bool> part_is_two_coloured;
  std::vector<int> level;
  std::vector<int> found[kMaximumParts];
  for (int root = 0; root < chains; ++root) {
    if (colour[root] >= 0) continue;
    const int part = static_cast<int>(eliminated_colour_of_part.size());
    long class_sizes[2] = {0, 0};
    bool two_coloured = true;
    colour[root] = 0;
    level.assign(1, root);
    while (!level.empty()) {
      const int level_colour = colour[level.front()];
      const int level_parts = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(parts), level.size()));
      bool consistent[kMaximumParts];
      run_parts(level_parts, [&](int level_part) {
        const auto [begin, end] = part_range(static_cast<long>(level.size()), level_parts, level_part);
        bool part_consistent = true;
        found[level_part].clear();
        for (long k = begin; k < end; ++k)
          for_each_coupled_chain(level[static_cast<std::size_t>(k)], [&](int neighbour) {
            // Read first: a compare-exchange takes the cache line from the other core every time.
            std::atomic_ref<int> neighbour_colour(colour[static_cast<std::size_t>(neighbour)]);
            int seen = neighbour_colour.load(std::memory_order_relaxed);
            if (seen < 0 && neighbour_colour.compare_exchange_strong(seen, 1 - level_colour, std::memory_order_relaxed))
              found[level_part].push_back(neighbour);
            else
              part_consistent &= seen != level_colour;
          });
        consistent[level_part] = part_consistent;
      });
      for (int chain : level) {
        class_sizes[level_colour] += walk_starts[chain + 1] - walk_starts[chain];
        part_of[chain] = part;
      }
      level.clear();
      for (int level_part = 0; level_part < level_parts; ++level_part) {
        two_coloured &= consistent[level_part];
        level.insert(level.end(), found[level_part].begin(), found[level_part].end());
      }
    }
    eliminated_colour_of_part.push_back(class_sizes[1] > class_sizes[0] ? 1 : 0);
    part_is_two_coloured.push_back(two_coloured);
  }
  // A two-coloured part eliminates its larger class. Otherwise the eliminated chains are picked
  // greedily, the larger class first: a chain is eliminated when it is coupled neither to itself
  // nor to a chain eliminated already, so that the eliminated block stays tridiagonal.
  std::vector<bool> eliminated(static_cast<std::size_t>(chains), false);
  for (int pass = 0; pass < 3; ++pass) {
    for (int chain = 0; chain < chains; ++chain) {
      const int part = part_of[chain];
      const bool in_larger_class = colour[chain] == eliminated_colour_of_part[part];
      if (pass == 0) {
        eliminated[chain] = in_larger_class && part_is_two_coloured[part];
        continue;
      }
      if (part_is_two_coloured[part] || in_larger_class != (pass == 1)) continue;
      bool independent = true;
      for_each_coupled_chain(chain, [&](int neighbour) { independent &= neighbour != chain && !eliminated[neighbour]; });
      eliminated[chain] = independent;
    }
  }

  // Eliminated chains first, each end to end (a bundle of width 1); then the iterated ones,
  // consecutive chains of one length interleaved into a bundle.
  size_ = static_cast<int>(walk.size());
  bundle_starts_.assign(1, 0);
  // Where each chain goes (its first position and stride) first, then the chains placed in parts.
  struct Placement {
    int chain, first_position, stride;
  };
  std::vector<Placement> placements;
  placements.reserve(static_cast<std::size_t>(chains));
  auto place = [&](int chain, int first_position, int stride) { placements.push_back({chain, first_position, stride}); };
  for (int chain = 0; chain < chains; ++chain) {
    if (!eliminated[chain]) continue;
    place(chain, bundle_starts_.back(), 1);
    bundle_widths_.push_back(1);
    bundle_starts_.push_back(bundle_starts_.back() + walk_starts[chain + 1] - walk_starts[chain]);
  }
  eliminated_chains_ = static_cast<int>(bundle_widths_.size());
  std::vector<int> iterated;
  for (int chain = 0; chain < chains; ++chain)
    if (!eliminated[chain]) iterated.push_back(chain);
  for (std::size_t first = 0; first < iterated.size();) {
    const int length = walk_starts[iterated[first] + 1] - walk_starts[iterated[first]];
    std::size_t last = first + 1;
    while (last < iterated.size() && walk_starts[iterated[last] + 1] - walk_starts[iterated[last]] == length) ++last;
    // Split into `parts` bundles when each still has kMinimumSplitWidth chains.
    const int count = static_cast<int>(last - first);
    const int pieces = count >= kMinimumSplitWidth * parts ? parts : 1;
    for (int piece = 0; piece < pieces; ++piece) {
      const std::size_t piece_first = first + static_cast<std::size_t>(count * piece / pieces);
      const std::size_t piece_last = first + static_cast<std::size_t>(count * (piece + 1) / pieces);
      const int width = static_cast<int>(piece_last - piece_first);
      for (std::size_t k = piece_first; k < piece_last; ++k)
        place(iterated[k], bundle_starts_.back() + static_cast<int>(k - piece_first), width);
      bundle_widths_.push_back(width);
      bundle_starts_.push_back(bundle_starts_.back() + width * length);
    }
    first = last;
  }
  // Parts of about equal numbers of positions: placement k starts at position_count[k] of them.
  std::vector<long> position_count(placements.size() + 1, 0);
  for (std::size_t k = 0; k < placements.size(); ++k)
    position_count[k + 1] = position_count[k] + walk_starts[placements[k].chain + 1] - walk_starts[placements[k].chain];
  // The walked (free) unknowns' entries of chain_of are all overwritten; the others stay -1.
  // The links are no longer needed either.
  position_of_unknown_ = std::move(chain_of_memory);
  unknown_at_ = std::move(first_picks);
  second_picks.reset();
  run_parts(parts, [&](int part) {
    const auto [first_position, last_position] = part_range(position_count.back(), parts, part);
    const auto begin = std::lower_bound(position_count.begin(), position_count.end() - 1, first_position) - position_count.begin();
    const auto end = std::lower_bound(position_count.begin(), position_count.end() - 1, last_position) - position_count.begin();
    for (auto k = begin; k < end; ++k) {
      const Placement& placement = placements[static_cast<std::size_t>(k)];
      for (int w = walk_starts[placement.chain], position = placement.first_position; w < walk_starts[placement.chain + 1];
           ++w, position += placement.stride) {
        position_of_unknown_[walk[static_cast<std::size_t>(w)]] = position;
        unknown_at_[static_cast<std::size_t>(position)] = walk[static_cast<std::size_t>(w)];
      }
    }
  });
  chain_count_ = chains;
  // The value arrays are allocated, not written: the caller first writes them, while they are
  // mapped in (only the iterated positions of diagonal_ and links_ are ever touched).
  const auto positions = static_cast<std::size_t>(size_);
  for (auto* values : {&diagonal_, &links_, &inverse_pivots_, &multipliers_}) *values = std::make_unique_for_overwrite<double[]>(positions);
  partition(parts);
  const auto eliminated_positions = static_cast<std::size_t>(eliminated_size());
  for (auto* values : {&diagonal_, &links_})
    prefault(values->get() + eliminated_positions, (positions - eliminated_positions) * sizeof(double));
  for (auto* values : {&inverse_pivots_, &multipliers_}) prefault(values->get(), positions * sizeof(double));
}

void LineChains::partition(int parts) {
  // Eliminated chains: an even share of positions each, split at a multiple of
  // kInterleavedChains so that solve_eliminated's lockstep groups stay whole.
  eliminated_splits_.assign(static_cast<std::size_t>(parts) + 1, eliminated_chains_);
  eliminated_splits_[0] = 0;
  for (int part = 1; part < parts; ++part) {
    const long target = static_cast<long>(eliminated_size()) * part / parts;
    int chain = eliminated_splits_[static_cast<std::size_t>(part) - 1];
    while (chain < eliminated_chains_ && bundle_begin(chain) < target) chain += kInterleavedChains;
    eliminated_splits_[static_cast<std::size_t>(part)] = std::min(chain, eliminated_chains_);
  }
  // Iterated bundles, largest first, each to the part with the least work so far.
  std::vector<int> bundles;
  for (int bundle = eliminated_chains_; bundle < bundle_count(); ++bundle) bundles.push_back(bundle);
  auto size_of = [&](int bundle) { return bundle_end(bundle) - bundle_begin(bundle); };
  std::stable_sort(bundles.begin(), bundles.end(), [&](int a, int b) { return size_of(a) > size_of(b); });
  iterated_bundles_.assign(static_cast<std::size_t>(parts), {});
  std::vector<long> work(static_cast<std::size_t>(parts), 0);
  for (int bundle : bundles) {
    const auto least = static_cast<std::size_t>(std::min_element(work.begin(), work.end()) - work.begin());
    iterated_bundles_[least].push_back(bundle);
    work[least] += size_of(bundle);
  }
  for (auto& part_bundles : iterated_bundles_) std::sort(part_bundles.begin(), part_bundles.end());
}

bool LineChains::factor_iterated(int part) {
  // Bundle by bundle, one step along all of its chains at a time.
  auto factor_bundle = [&](int bundle) {
    const int begin = bundle_begin(bundle), end = bundle_end(bundle), width = bundle_width(bundle);
    for (int k = begin; k < begin + width; ++k) {
      if (!(diagonal_[k] > 0.0) || !std::isfinite(diagonal_[k])) return false;
      inverse_pivots_[k] = 1.0 / diagonal_[k];
    }
    for (int k = begin + width; k < end; ++k) {
      multipliers_[k] = links_[k] * inverse_pivots_[k - width];
      const double pivot = diagonal_[k] - multipliers_[k] * links_[k];
      if (!(pivot > 0.0) || !std::isfinite(pivot)) return false;
      inverse_pivots_[k] = 1.0 / pivot;
    }
    return true;
  };
  bool factored = true;
  for (int bundle : iterated_bundles(part)) factored &= factor_bundle(bundle);
  return factored;
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

void LineChains::solve_eliminated(int first_chain, int last_chain, double* x) const {
  const int base = bundle_begin(first_chain);
  auto solve_group = [&]<int Lanes>(int chain) {
    double* lane_x[Lanes];
    const double* lane_multipliers[Lanes];
    const double* lane_inverse_pivots[Lanes];
    for (int lane = 0; lane < Lanes; ++lane) {
      const int begin = bundle_begin(chain + lane);
      lane_x[lane] = x + (begin - base);
      lane_multipliers[lane] = multipliers_.get() + begin;
      lane_inverse_pivots[lane] = inverse_pivots_.get() + begin;
    }
    solve_lanes<Lanes>(bundle_end(chain) - bundle_begin(chain), lane_x, lane_multipliers, lane_inverse_pivots);
  };
  int chain = first_chain;
  while (chain < last_chain) {
    const int length = bundle_end(chain) - bundle_begin(chain);
    bool interleave = chain + kInterleavedChains <= last_chain;
    for (int lane = 1; interleave && lane < kInterleavedChains; ++lane)
      interleave = bundle_end(chain + lane) - bundle_begin(chain + lane) == length;
    if (interleave) {
      solve_group.template operator()<kInterleavedChains>(chain);
      chain += kInterleavedChains;
    } else {
      solve_group.template operator()<1>(chain);
      ++chain;
    }
  }
}

// One step along all chains of a bundle at a time: the inner loops run over `width`
// independent chains and vectorise.
namespace {

// One row of a bundle's forward substitution y = L^-1 r, all lanes at once: the row's y is its r
// on the bundle's first row (previous unused), else r minus each lane's multiplier times the
// previous row's y.
inline void forward_row(bool first_row, int width, const double* __restrict residual_row, const double* __restrict multipliers,
                        const double* __restrict previous, double* __restrict current) {
  if (first_row) {
    for (int c = 0; c < width; ++c) current[c] = residual_row[c];
    return;
  }
  for (int c = 0; c < width; ++c) current[c] = residual_row[c] - multipliers[c] * previous[c];
}

}  // namespace

double LineChains::preconditioner_norm_iterated(int part, const double* residual, double* work) const {
  const int offset = eliminated_size();
  residual -= offset;
  double* y = work - offset;
  double sums[4] = {0.0, 0.0, 0.0, 0.0};  // lane c % 4: independent additions
  for (int bundle : iterated_bundles(part)) {
    const int begin = bundle_begin(bundle), end = bundle_end(bundle), width = bundle_width(bundle);
    for (int row = begin; row < end; row += width) {
      const double* current = y + row;
      forward_row(row == begin, width, residual + row, multipliers_.get() + row, row == begin ? nullptr : y + row - width, y + row);
      const double* inverse_pivots = inverse_pivots_.get() + row;
      int c = 0;
      for (; c + 4 <= width; c += 4)
        for (int lane = 0; lane < 4; ++lane) sums[lane] += current[c + lane] * current[c + lane] * inverse_pivots[c + lane];
      for (; c < width; ++c) sums[0] += current[c] * current[c] * inverse_pivots[c];
    }
  }
  return (sums[0] + sums[1]) + (sums[2] + sums[3]);
}

double LineChains::step_and_solve_iterated(int part, double iterate_step, double residual_step, const double* direction,
                                           const double* product, double* iterate, double* residual, double* preconditioned) const {
  // Indexed by position from here on.
  const int offset = eliminated_size();
  direction -= offset, product -= offset, iterate -= offset, residual -= offset;
  double* x = preconditioned - offset;
  // Four partial sums (lane k % 4) keep the dot product's additions independent.
  double dot[4] = {0.0, 0.0, 0.0, 0.0};
  auto add_dot = [&dot](const double* __restrict a, const double* __restrict b, int count) {
    int c = 0;
    for (; c + 4 <= count; c += 4)
      for (int lane = 0; lane < 4; ++lane) dot[lane] += a[c + lane] * b[c + lane];
    for (; c < count; ++c) dot[0] += a[c] * b[c];
  };
  for (int bundle : iterated_bundles(part)) {
    const int begin = bundle_begin(bundle), end = bundle_end(bundle), width = bundle_width(bundle);
    for (int row = begin; row < end; row += width) {  // forward, with the step's updates
      double* current = x + row;  // may be product_row: not restrict
      double* __restrict iterate_row = iterate + row;
      double* __restrict residual_row = residual + row;
      const double* __restrict direction_row = direction + row;
      const double* product_row = product + row;
      if (iterate_step != 0.0)
        for (int c = 0; c < width; ++c) iterate_row[c] += iterate_step * direction_row[c];
      if (residual_step != 0.0)
        for (int c = 0; c < width; ++c) residual_row[c] -= residual_step * product_row[c];
      forward_row(row == begin, width, residual_row, multipliers_.get() + row, row == begin ? nullptr : current - width, current);
    }
    const int last_row = end - width;
    for (int k = last_row; k < end; ++k) x[k] *= inverse_pivots_[static_cast<std::size_t>(k)];
    add_dot(residual + last_row, x + last_row, width);
    for (int row = last_row - width; row >= begin; row -= width) {  // backward, with the dot product
      double* __restrict current = x + row;
      const double* __restrict next = x + row + width;
      const double* inverse_pivots = inverse_pivots_.get() + row;
      const double* multipliers = multipliers_.get() + row + width;
      for (int c = 0; c < width; ++c) current[c] = current[c] * inverse_pivots[c] - multipliers[c] * next[c];
      add_dot(residual + row, current, width);
    }
  }
  return (dot[0] + dot[1]) + (dot[2] + dot[3]);
}

}  // namespace xbarsim
