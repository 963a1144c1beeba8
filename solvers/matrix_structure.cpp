#include "solvers/matrix_structure.h"

#include <algorithm>
#include <stdexcept>

namespace xbarsim {

MatrixStructure::MatrixStructure(int size) : size_(size) {
  pending_.reserve(static_cast<std::size_t>(size) * 4);
  for (int i = 0; i < size; ++i) add(i, i);
}

void MatrixStructure::add(int row, int column) {
  if (row < 0 || column < 0) return;
  if (finalized_) throw std::logic_error("MatrixStructure::add after finalize");
  pending_.push_back(static_cast<std::uint64_t>(column) << 32 | static_cast<std::uint32_t>(row));
}

void MatrixStructure::finalize() {
  std::sort(pending_.begin(), pending_.end());
  pending_.erase(std::unique(pending_.begin(), pending_.end()), pending_.end());
  column_starts_.assign(static_cast<std::size_t>(size_) + 1, 0);
  row_indices_.resize(pending_.size());
  for (std::size_t k = 0; k < pending_.size(); ++k) {
    int column = static_cast<int>(pending_[k] >> 32);
    row_indices_[k] = static_cast<int>(pending_[k] & 0xffffffffu);
    ++column_starts_[static_cast<std::size_t>(column) + 1];
  }
  for (int c = 0; c < size_; ++c) column_starts_[c + 1] += column_starts_[c];
  pending_.clear();
  pending_.shrink_to_fit();
  finalized_ = true;
  diagonal_slots_.resize(static_cast<std::size_t>(size_));
  for (int i = 0; i < size_; ++i) diagonal_slots_[i] = slot(i, i);
}

int MatrixStructure::slot(int row, int column) const {
  if (row < 0 || column < 0) return trash_slot();
  auto begin = row_indices_.begin() + column_starts_[column];
  auto end = row_indices_.begin() + column_starts_[column + 1];
  auto found = std::lower_bound(begin, end, row);
  if (found == end || *found != row) throw std::logic_error("MatrixStructure::slot of an undeclared entry");
  return static_cast<int>(found - row_indices_.begin());
}

}  // namespace xbarsim
