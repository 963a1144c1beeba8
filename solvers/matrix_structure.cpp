#include "solvers/matrix_structure.h"

#include <algorithm>
#include <stdexcept>

#include "core/prefault.h"

namespace xbarsim {

MatrixStructure::MatrixStructure(int size) : size_(size) {}

void MatrixStructure::add(int row, int column) {
  if (row < 0 || column < 0 || row == column) return;  // every diagonal entry is present anyway
  switch (phase_) {
    case Phase::pending:
      if (pending_.empty() || pending_.back().size() == kPendingBlockEntries) pending_.emplace_back().reserve(kPendingBlockEntries);
      pending_.back().push_back({row, column});
      return;
    case Phase::counting: ++column_starts_[static_cast<std::size_t>(column) + 1]; return;
    case Phase::storing: row_indices_[static_cast<std::size_t>(column_starts_[static_cast<std::size_t>(column)]++)] = row; return;
    case Phase::finalized: throw std::logic_error("MatrixStructure::add after finalize");
  }
}

void MatrixStructure::finalize() {
  const std::vector<std::vector<Entry>> pending = std::move(pending_);
  pending_.clear();
  build([&pending](MatrixStructure& structure) {
    for (const auto& block : pending)
      for (const Entry& entry : block) structure.add(entry.row, entry.column);
  });
}

// Counting sort by column: count, turn counts into column starts, drop every row into its
// column (the diagonal first), then sort and deduplicate each short column in place.
void MatrixStructure::build(const std::function<void(MatrixStructure&)>& declare) {
  if (phase_ != Phase::pending || !pending_.empty()) throw std::logic_error("MatrixStructure::build after add or finalize");
  const std::size_t n = static_cast<std::size_t>(size_);
  reserve_prefaulted(column_starts_, n + 1);
  column_starts_.assign(n + 1, 0);
  phase_ = Phase::counting;
  declare(*this);
  // column_starts_[c] becomes the start of column c, used as its fill cursor below.
  int start = 0;
  for (std::size_t c = 0; c < n; ++c) {
    const int count = column_starts_[c + 1] + 1;  // + the diagonal
    column_starts_[c] = start;
    start += count;
  }
  reserve_prefaulted(row_indices_, static_cast<std::size_t>(start));
  row_indices_.resize(static_cast<std::size_t>(start));
  for (std::size_t c = 0; c < n; ++c) row_indices_[static_cast<std::size_t>(column_starts_[c]++)] = static_cast<int>(c);
  phase_ = Phase::storing;
  declare(*this);
  phase_ = Phase::finalized;
  // Now column_starts_[c] is the end of column c. Sort, deduplicate and compact column by column.
  reserve_prefaulted(diagonal_slots_, n + 1);
  diagonal_slots_.resize(n + 1);
  int written = 0, begin = 0;
  for (std::size_t c = 0; c < n; ++c) {
    const int end = column_starts_[c];
    auto first = row_indices_.begin() + begin, last = row_indices_.begin() + end;
    std::sort(first, last);
    last = std::unique(first, last);
    column_starts_[c] = written;
    for (auto row = first; row != last; ++row) {
      if (*row == static_cast<int>(c)) diagonal_slots_[c + 1] = written;
      row_indices_[static_cast<std::size_t>(written++)] = *row;
    }
    begin = end;
  }
  column_starts_[n] = written;
  row_indices_.resize(static_cast<std::size_t>(written));
  diagonal_slots_[0] = written;  // ground's: the trash slot
}

int MatrixStructure::find_slot(int row, int column) const {
  auto begin = row_indices_.begin() + column_starts_[column];
  auto end = row_indices_.begin() + column_starts_[column + 1];
  auto found = std::lower_bound(begin, end, row);
  return found != end && *found == row ? static_cast<int>(found - row_indices_.begin()) : -1;
}

int MatrixStructure::slot(int row, int column) const {
  if (row < 0 || column < 0) return trash_slot();
  if (row == column) return diagonal_slot(row);
  const int found = find_slot(row, column);
  if (found < 0) throw std::logic_error("MatrixStructure::slot of an undeclared entry");
  return found;
}

}  // namespace xbarsim
