#include "solvers/grounded_source_folding.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <unordered_map>

#include "core/parallel.h"

namespace xbarsim {

GroundedSourceFolding::GroundedSourceFolding(const MatrixStructure& structure, const double* values, int parts) {
  const int n = structure.size();
  const auto& starts = structure.column_starts();
  const auto& rows = structure.row_indices();
  // Candidates: column k = {k, p}. Their rows' lengths are counted (up to 3) in one pass over
  // the entries, split into parts; other rows are not candidates (kNotCandidate) and are only
  // read, so the parts share the counts through atomic increments of the few candidates'.
  constexpr std::uint8_t kNotCandidate = 0xFF;
  std::vector<std::uint8_t> row_lengths(static_cast<std::size_t>(n), kNotCandidate);
  for (int k = 0; k < n; ++k)
    if (starts[k + 1] - starts[k] == 2 && (rows[starts[k]] == k || rows[starts[k] + 1] == k)) row_lengths[k] = 0;
  run_parts(parts, [&](int part) {
    const auto [begin, end] = part_range(static_cast<long>(rows.size()), parts, part);
    for (long entry = begin; entry < end; ++entry) {
      std::atomic_ref<std::uint8_t> length(row_lengths[static_cast<std::size_t>(rows[static_cast<std::size_t>(entry)])]);
      if (length.load(std::memory_order_relaxed) < 3) length.fetch_add(1, std::memory_order_relaxed);
    }
  });

  // Sources: column k = {k, p} and row k = {k, p}, with source-like values.
  std::vector<Source> candidates;
  for (int k = 0; k < n; ++k) {
    if (row_lengths[k] != 2) continue;
    const int first = starts[k];
    const int node = rows[first] == k ? rows[first + 1] : rows[first];
    const int node_row_slot = rows[first] == k ? first + 1 : first;
    const int branch_diagonal_slot = rows[first] == k ? first : first + 1;
    const int branch_row_slot = structure.find_slot(k, node);
    if (branch_row_slot < 0) continue;
    if (values[branch_diagonal_slot] != 0.0 || values[branch_row_slot] == 0.0 || values[node_row_slot] == 0.0) continue;
    candidates.push_back({k, node, branch_row_slot, node_row_slot, branch_diagonal_slot});
  }
  role_.assign(static_cast<std::size_t>(n), Role::free);
  std::unordered_map<int, int> pins;  // candidate sources per node
  for (const Source& source : candidates) {
    role_[source.branch] = Role::source_branch;
    ++pins[source.node];
  }
  std::unordered_map<int, int> source_of_node;
  for (const Source& source : candidates) {
    // Two sources on one node, or a node that is itself a source branch: leave for the caller
    // to find that the free block does not qualify.
    if (pins[source.node] != 1 || role_[source.node] == Role::source_branch) {
      role_[source.branch] = Role::free;
      continue;
    }
    source_of_node[source.node] = static_cast<int>(sources_.size());
    role_[source.node] = Role::pinned_node;
    sources_.push_back(source);
  }
  free_count_ = static_cast<int>(std::count(role_.begin(), role_.end(), Role::free));

  // Free rows coupled to pinned columns (from the pinned columns), and the rows of the pinned
  // nodes (from every column, split into parts of columns, joined in column order).
  for (std::size_t s = 0; s < sources_.size(); ++s)
    for (int slot = starts[sources_[s].node]; slot < starts[sources_[s].node + 1]; ++slot)
      if (role_[rows[slot]] == Role::free) free_couplings_.push_back({slot, rows[slot], static_cast<int>(s)});
  struct NodeRowEntry {
    int source, slot, column;
  };
  std::vector<NodeRowEntry> part_entries[kMaximumParts];
  run_parts(parts, [&](int part) {
    const auto [begin, end] = part_range(n, parts, part);
    for (int column = static_cast<int>(begin); column < end; ++column) {
      if (role_[column] == Role::source_branch) continue;
      for (int slot = starts[column]; slot < starts[column + 1]; ++slot)
        if (const int row = rows[slot]; role_[row] == Role::pinned_node) part_entries[part].push_back({source_of_node.at(row), slot, column});
    }
  });
  node_row_starts_.assign(sources_.size() + 1, 0);
  for (int part = 0; part < parts; ++part)
    for (const NodeRowEntry& entry : part_entries[part]) ++node_row_starts_[static_cast<std::size_t>(entry.source) + 1];
  for (std::size_t s = 0; s < sources_.size(); ++s) node_row_starts_[s + 1] += node_row_starts_[s];
  node_row_slots_.resize(static_cast<std::size_t>(node_row_starts_.back()));
  node_row_columns_.resize(node_row_slots_.size());
  node_row_pinned_.resize(node_row_slots_.size());
  std::vector<int> next(node_row_starts_.begin(), node_row_starts_.end() - 1);
  for (int part = 0; part < parts; ++part)
    for (const NodeRowEntry& entry : part_entries[part]) {
      const auto k = static_cast<std::size_t>(next[static_cast<std::size_t>(entry.source)]++);
      node_row_slots_[k] = entry.slot;
      node_row_columns_[k] = entry.column;
      const auto pinned = source_of_node.find(entry.column);
      node_row_pinned_[k] = pinned == source_of_node.end() ? -1 : pinned->second;
    }
  pinned_voltages_.assign(sources_.size(), 0.0);
}

bool GroundedSourceFolding::still_valid(const double* values) const {
  return std::all_of(sources_.begin(), sources_.end(), [&](const Source& source) {
    return values[source.branch_diagonal_slot] == 0.0 && values[source.branch_row_slot] != 0.0 && values[source.node_row_slot] != 0.0;
  });
}

void GroundedSourceFolding::complete_solution(const double* values, const double* rhs, double* solution) {
  std::vector<double> currents(sources_.size());
  for (std::size_t s = 0; s < sources_.size(); ++s) {
    double sum = 0.0;
    for (int e = node_row_starts_[s]; e < node_row_starts_[s + 1]; ++e) {
      const int pinned = node_row_pinned_[static_cast<std::size_t>(e)];
      const double x = pinned >= 0 ? pinned_voltages_[static_cast<std::size_t>(pinned)] : solution[node_row_columns_[static_cast<std::size_t>(e)]];
      sum += values[node_row_slots_[static_cast<std::size_t>(e)]] * x;
    }
    currents[s] = (rhs[sources_[s].node] - sum) / values[sources_[s].node_row_slot];
  }
  for (std::size_t s = 0; s < sources_.size(); ++s) {
    solution[sources_[s].node] = pinned_voltages_[s];
    solution[sources_[s].branch] = currents[s];
  }
}

}  // namespace xbarsim
