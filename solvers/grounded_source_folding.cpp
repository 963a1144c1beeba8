#include "solvers/grounded_source_folding.h"

#include <algorithm>
#include <cstdint>

#include "core/prefault.h"

namespace xbarsim {

GroundedSourceFolding::GroundedSourceFolding(const MatrixStructure& structure, const double* values) {
  const int n = structure.size();
  const auto& starts = structure.column_starts();
  const auto& rows = structure.row_indices();
  // Candidates: column k = {k, p}. Their rows' lengths are counted (up to 3) in one pass over
  // the entries; other rows are not candidates (kNotCandidate).
  constexpr std::uint8_t kNotCandidate = 0xFF;
  std::vector<std::uint8_t> row_lengths(static_cast<std::size_t>(n), kNotCandidate);
  for (int k = 0; k < n; ++k)
    if (starts[k + 1] - starts[k] == 2 && (rows[starts[k]] == k || rows[starts[k] + 1] == k)) row_lengths[k] = 0;
  for (int row : rows)
    if (std::uint8_t& length = row_lengths[static_cast<std::size_t>(row)]; length < 3) ++length;

  // Sources: column k = {k, p} and row k = {k, p}, with source-like values.
  std::vector<Source> candidates;
  std::vector<int> pins(static_cast<std::size_t>(n), 0);
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
    ++pins[node];
  }
  role_.assign(static_cast<std::size_t>(n), Role::free);
  for (const Source& source : candidates) role_[source.branch] = Role::source_branch;
  reserve_prefaulted(source_of_node_, static_cast<std::size_t>(n));
  source_of_node_.assign(static_cast<std::size_t>(n), -1);
  for (const Source& source : candidates) {
    // Two sources on one node, or a node that is itself a source branch: leave for the caller
    // to find that the free block does not qualify.
    if (pins[source.node] != 1 || role_[source.node] == Role::source_branch) {
      role_[source.branch] = Role::free;
      continue;
    }
    source_of_node_[source.node] = static_cast<int>(sources_.size());
    role_[source.node] = Role::pinned_node;
    sources_.push_back(source);
  }
  free_count_ = static_cast<int>(std::count(role_.begin(), role_.end(), Role::free));

  // Free rows coupled to pinned columns (from the pinned columns), and the rows of the pinned
  // nodes (from every column).
  for (std::size_t s = 0; s < sources_.size(); ++s)
    for (int slot = starts[sources_[s].node]; slot < starts[sources_[s].node + 1]; ++slot)
      if (role_[rows[slot]] == Role::free) free_couplings_.push_back({slot, rows[slot], static_cast<int>(s)});
  std::vector<std::vector<std::pair<int, int>>> node_rows(sources_.size());
  for (int column = 0; column < n; ++column) {
    if (role_[column] == Role::source_branch) continue;
    for (int slot = starts[column]; slot < starts[column + 1]; ++slot)
      if (const int row = rows[slot]; role_[row] == Role::pinned_node)
        node_rows[static_cast<std::size_t>(source_of_node_[row])].emplace_back(slot, column);
  }
  node_row_starts_.assign(1, 0);
  for (const auto& entries : node_rows) {
    for (const auto& [slot, column] : entries) {
      node_row_slots_.push_back(slot);
      node_row_columns_.push_back(column);
    }
    node_row_starts_.push_back(static_cast<int>(node_row_slots_.size()));
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
      const int column = node_row_columns_[static_cast<std::size_t>(e)];
      const int pinned = source_of_node_[static_cast<std::size_t>(column)];
      const double x = pinned >= 0 ? pinned_voltages_[static_cast<std::size_t>(pinned)] : solution[column];
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
