#include "solvers/block_triangular_split.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <utility>

namespace xbarsim {
namespace {

// Strongly connected components of the graph "column j influences row i" (A(i,j) in the
// pattern), by Tarjan's algorithm without recursion. Components are numbered in the order they
// complete: a component influences only components with smaller numbers, so decreasing numbers
// are dependency (solve) order. Returns the component count.
int strongly_connected_components(const MatrixStructure& structure, std::vector<int>& component) {
  const int n = structure.size();
  const auto& starts = structure.column_starts();
  const auto& rows = structure.row_indices();
  std::vector<int> index(static_cast<std::size_t>(n), -1), low(static_cast<std::size_t>(n));
  component.assign(static_cast<std::size_t>(n), -1);
  std::vector<int> stack;
  struct Frame {
    int unknown, next_slot;
  };
  std::vector<Frame> calls;
  int counter = 0, components = 0;
  for (int root = 0; root < n; ++root) {
    if (index[root] >= 0) continue;
    index[root] = low[root] = counter++;
    stack.push_back(root);
    calls.push_back({root, starts[root]});
    while (!calls.empty()) {
      const int v = calls.back().unknown;
      if (calls.back().next_slot < starts[v + 1]) {
        const int w = rows[calls.back().next_slot++];
        if (w == v) continue;
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          stack.push_back(w);
          calls.push_back({w, starts[w]});
        } else if (component[w] < 0) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] == index[v]) {
        int w;
        do {
          w = stack.back();
          stack.pop_back();
          component[w] = components;
        } while (w != v);
        ++components;
      }
      calls.pop_back();
      if (!calls.empty()) low[calls.back().unknown] = std::min(low[calls.back().unknown], low[v]);
    }
  }
  return components;
}

}  // namespace

std::unique_ptr<BlockTriangularSplit> BlockTriangularSplit::find(const MatrixStructure& structure) {
  const int n = structure.size();
  const auto& starts = structure.column_starts();
  const auto& rows = structure.row_indices();
  {
    std::vector<int> row_lengths(static_cast<std::size_t>(n), 0);
    for (int row : rows) ++row_lengths[row];
    bool all_equal = true;
    for (int k = 0; k < n && all_equal; ++k) all_equal = row_lengths[k] == starts[k + 1] - starts[k];
    if (all_equal) return nullptr;
  }

  std::vector<int> component;
  const int count = strongly_connected_components(structure, component);
  if (count <= 1) return nullptr;
  // Members of each component.
  std::vector<int> member_starts(static_cast<std::size_t>(count) + 1, 0), members(static_cast<std::size_t>(n));
  for (int c : component) ++member_starts[c + 1];
  for (int c = 0; c < count; ++c) member_starts[c + 1] += member_starts[c];
  {
    std::vector<int> fill(member_starts.begin(), member_starts.end() - 1);
    for (int k = 0; k < n; ++k) members[fill[component[k]]++] = k;
  }
  auto size_of = [&](int c) { return member_starts[c + 1] - member_starts[c]; };
  auto for_each_influenced = [&](int c, auto&& visit) {  // visit(component of every row c's columns reach)
    for (int m = member_starts[c]; m < member_starts[c + 1]; ++m)
      for (int slot = starts[members[m]]; slot < starts[members[m] + 1]; ++slot)
        if (component[rows[slot]] != c) visit(component[rows[slot]]);
  };

  // Levels: the most large components on a path into a component, in solve order.
  std::vector<int> level(static_cast<std::size_t>(count), 0);
  bool any_large = false;
  for (int c = count - 1; c >= 0; --c) {
    const bool large = size_of(c) > kMaximumSmallBlock;
    any_large |= large;
    const int passed_on = level[c] + (large ? 1 : 0);
    for_each_influenced(c, [&](int other) { level[other] = std::max(level[other], passed_on); });
  }
  if (!any_large) return nullptr;
  // Order: by (level, large), stably in solve order: a counting sort on 2 level + large.
  const int top_level = *std::max_element(level.begin(), level.end());
  auto key = [&](int c) { return 2 * level[c] + (size_of(c) > kMaximumSmallBlock ? 1 : 0); };
  std::vector<int> key_starts(static_cast<std::size_t>(2 * top_level + 3), 0), order(static_cast<std::size_t>(count));
  for (int c = 0; c < count; ++c) ++key_starts[key(c) + 1];
  for (std::size_t k = 1; k < key_starts.size(); ++k) key_starts[k] += key_starts[k - 1];
  for (int c = count - 1; c >= 0; --c) order[key_starts[key(c)]++] = c;

  std::unique_ptr<BlockTriangularSplit> split(new BlockTriangularSplit());
  // Cores: the large components of each level. core_of: core of an unknown (-1: small block);
  // local: its index in its core, or its member index among the small blocks.
  std::vector<int> core_of(static_cast<std::size_t>(n), -1), local(static_cast<std::size_t>(n), -1);
  {
    std::vector<int> core_sizes;
    int small_blocks = 0, small_members = 0, previous_key = -1;
    for (int c : order) {
      if (size_of(c) <= kMaximumSmallBlock) {
        ++small_blocks;
        small_members += size_of(c);
        continue;
      }
      if (key(c) != previous_key) core_sizes.push_back(0);
      previous_key = key(c);
      core_sizes.back() += size_of(c);
    }
    if (core_sizes.size() == 1 && core_sizes[0] == n) return nullptr;
    split->cores_.reserve(core_sizes.size());
    for (int size : core_sizes) split->cores_.emplace_back(size).unknowns.reserve(static_cast<std::size_t>(size));
    split->block_starts_.reserve(static_cast<std::size_t>(small_blocks) + 1);
    split->dense_starts_.reserve(static_cast<std::size_t>(small_blocks) + 1);
    split->block_unknowns_.reserve(static_cast<std::size_t>(small_members));
  }
  split->block_starts_.assign(1, 0);
  split->dense_starts_.assign(1, 0);
  {
    int core = -1, previous_key = -1;
    for (int c : order) {
      const int size = size_of(c);
      if (size <= kMaximumSmallBlock) {
        for (int m = member_starts[c]; m < member_starts[c + 1]; ++m) {
          local[members[m]] = static_cast<int>(split->block_unknowns_.size());
          split->block_unknowns_.push_back(members[m]);
        }
        split->block_starts_.push_back(static_cast<int>(split->block_unknowns_.size()));
        split->dense_starts_.push_back(split->dense_starts_.back() + size * size);
        continue;
      }
      if (key(c) != previous_key) {
        ++core;
        split->cores_[static_cast<std::size_t>(core)].small_blocks_before = split->small_block_count();
      }
      previous_key = key(c);
      for (int m = member_starts[c]; m < member_starts[c + 1]; ++m) core_of[members[m]] = core;
    }
  }
  // Core unknowns numbered in their original order.
  for (int k = 0; k < n; ++k) {
    if (core_of[k] < 0) continue;
    Core& core = split->cores_[static_cast<std::size_t>(core_of[k])];
    local[k] = static_cast<int>(core.unknowns.size());
    core.unknowns.push_back(k);
  }
  split->dense_.assign(static_cast<std::size_t>(split->dense_starts_.back()), 0.0);
  split->pivots_.assign(split->block_unknowns_.size(), 0);

  // Block of every member (for local columns), then the block rows' entries by member.
  const std::size_t block_members = split->block_unknowns_.size();
  std::vector<int> block_of(block_members);
  for (int b = 0; b < split->small_block_count(); ++b)
    for (int m = split->block_starts_[b]; m < split->block_starts_[b + 1]; ++m) block_of[m] = b;
  split->entry_starts_.assign(block_members + 1, 0);
  for (int row : rows)
    if (core_of[row] < 0) ++split->entry_starts_[local[row] + 1];
  for (std::size_t m = 0; m < block_members; ++m) split->entry_starts_[m + 1] += split->entry_starts_[m];
  split->entry_slots_.resize(static_cast<std::size_t>(split->entry_starts_.back()));
  split->entry_columns_.resize(split->entry_slots_.size());
  // Internal entries fill each member's range from the front, external ones from the back.
  split->external_starts_.assign(split->entry_starts_.begin(), split->entry_starts_.end() - 1);
  std::vector<int> back(split->entry_starts_.begin() + 1, split->entry_starts_.end());

  for (int column = 0; column < n; ++column) {
    const int column_core = core_of[column];
    for (int slot = starts[column]; slot < starts[column + 1]; ++slot) {
      const int row = rows[slot];
      if (core_of[row] >= 0) {
        Core& core = split->cores_[static_cast<std::size_t>(core_of[row])];
        if (column_core == core_of[row])
          core.structure.add(local[row], local[column]);
        else
          core.couplings.push_back({local[row], slot, column});
        continue;
      }
      const int m = local[row];
      const int block = block_of[m];
      const int local_column = column_core < 0 && block_of[local[column]] == block ? local[column] - split->block_starts_[block] : -1;
      const int e = local_column >= 0 ? split->external_starts_[m]++ : --back[m];
      split->entry_slots_[e] = slot;
      split->entry_columns_[e] = local_column >= 0 ? local_column : column;
    }
  }
  for (Core& core : split->cores_) {
    core.structure.finalize();
    // The core's entries, in CSC order, are the full matrix's entries of the core in CSC order
    // (the renumbering keeps the order).
    const int index = static_cast<int>(&core - split->cores_.data());
    core.slots.reserve(static_cast<std::size_t>(core.structure.nonzeros()));
    for (int column : core.unknowns)
      for (int slot = starts[column]; slot < starts[column + 1]; ++slot)
        if (core_of[rows[slot]] == index) core.slots.push_back(slot);
    core.values.assign(core.slots.size(), 0.0);
    core.rhs.assign(core.unknowns.size(), 0.0);
  }
  return split;
}

bool BlockTriangularSplit::factor(const double* values) {
  values_ = values;
  for (Core& core : cores_)
    for (std::size_t k = 0; k < core.slots.size(); ++k) core.values[k] = values[core.slots[k]];
  const int blocks = small_block_count();
  for (int b = 0; b < blocks; ++b) {
    const int first = block_starts_[b];
    const int size = block_starts_[b + 1] - first;
    double* a = dense_.data() + dense_starts_[b];
    if (size == 1) {  // most blocks: a state, or an unknown nothing else reads
      double diagonal = 0.0;
      for (int e = entry_starts_[first]; e < external_starts_[first]; ++e) diagonal += values[entry_slots_[e]];
      a[0] = diagonal;
      if (!(diagonal != 0.0) || !std::isfinite(diagonal)) return false;
      continue;
    }
    std::fill(a, a + size * size, 0.0);
    for (int r = 0; r < size; ++r)
      for (int e = entry_starts_[first + r]; e < external_starts_[first + r]; ++e) a[r * size + entry_columns_[e]] += values[entry_slots_[e]];
    // LU with partial pivoting, rows swapped in place; pivots_[first + k] = row swapped with k.
    for (int k = 0; k < size; ++k) {
      int pivot = k;
      for (int r = k + 1; r < size; ++r)
        if (std::abs(a[r * size + k]) > std::abs(a[pivot * size + k])) pivot = r;
      pivots_[first + k] = pivot;
      if (!(a[pivot * size + k] != 0.0) || !std::isfinite(a[pivot * size + k])) return false;
      if (pivot != k)
        for (int c = 0; c < size; ++c) std::swap(a[k * size + c], a[pivot * size + c]);
      for (int r = k + 1; r < size; ++r) {
        const double multiplier = a[r * size + k] / a[k * size + k];
        a[r * size + k] = multiplier;
        for (int c = k + 1; c < size; ++c) a[r * size + c] -= multiplier * a[k * size + c];
      }
    }
  }
  return true;
}

void BlockTriangularSplit::solve_block(int block, double* x) const {
  const int first = block_starts_[block];
  const int size = block_starts_[block + 1] - first;
  const double* a = dense_.data() + dense_starts_[block];
  const double* values = values_;
  std::array<double, kMaximumSmallBlock> local;
  for (int r = 0; r < size; ++r) {
    double sum = x[block_unknowns_[first + r]];
    for (int e = external_starts_[first + r]; e < entry_starts_[first + r + 1]; ++e) sum -= values[entry_slots_[e]] * x[entry_columns_[e]];
    local[r] = sum;
  }
  if (size == 1) {
    x[block_unknowns_[first]] = local[0] / a[0];
    return;
  }
  // Whole rows (L's part too) were swapped while factoring: all swaps first, then L and U.
  for (int k = 0; k < size; ++k) std::swap(local[k], local[pivots_[first + k]]);
  for (int k = 0; k < size; ++k)
    for (int r = k + 1; r < size; ++r) local[r] -= a[r * size + k] * local[k];
  for (int k = size - 1; k >= 0; --k) {
    double sum = local[k];
    for (int c = k + 1; c < size; ++c) sum -= a[k * size + c] * local[c];
    local[k] = sum / a[k * size + k];
  }
  for (int r = 0; r < size; ++r) x[block_unknowns_[first + r]] = local[r];
}

void BlockTriangularSplit::gather_core_rhs(Core& core, const double* x) const {
  for (std::size_t k = 0; k < core.unknowns.size(); ++k) core.rhs[k] = x[core.unknowns[k]];
  for (const Coupling& coupling : core.couplings) core.rhs[static_cast<std::size_t>(coupling.row)] -= values_[coupling.slot] * x[coupling.column];
}

}  // namespace xbarsim
