// MatrixStructure: the sparsity pattern of the MNA matrix, built once per topology.
//
// Devices declare the (row, column) entries they will ever write, then the structure is
// finalised into compressed sparse columns (CSC, the layout KLU and Eigen take) and each device
// binds to the value slots of its entries. Newton iterations, time steps and sweep points then
// only write values. Row or column -1 is ground: such entries map to a trash slot one past the
// last value (and ground's right-hand-side row to one past the last row), so device loads never
// branch on ground. Every diagonal entry is present (gmin stepping writes there).
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace xbarsim {

class MatrixStructure {
 public:
  explicit MatrixStructure(int size);

  void add(int row, int column);  // declare an entry; ignored when row or column is ground (-1)
  void finalize();                // bucket by column, sort and deduplicate each column: the CSC arrays
  // Instead of add() then finalize(): `declare` adds every entry, and is called twice, first to
  // count each column's entries, then to store them in place, so that no list of the declared
  // entries is kept (a large circuit declares tens of millions). Both calls must add the same
  // entries.
  void build(const std::function<void(MatrixStructure&)>& declare);

  int size() const { return size_; }
  int nonzeros() const { return static_cast<int>(row_indices_.size()); }
  // Value slot of (row, column) in the CSC value array; the trash slot (nonzeros()) for ground.
  // The entry must have been declared.
  int slot(int row, int column) const;
  // Value slot of (row, column), or -1 when the pattern lacks it (row and column not ground).
  int find_slot(int row, int column) const;
  int rhs_index(int row) const { return row < 0 ? size_ : row; }  // trash row (size()) for ground
  int trash_slot() const { return nonzeros(); }
  int diagonal_slot(int row) const { return diagonal_slots_[static_cast<std::size_t>(row + 1)]; }  // trash slot for ground
  // diagonal_slot() as a table: entry r for row r, from -1 (ground) to size() - 1.
  const int* diagonal_slot_table() const { return diagonal_slots_.data() + 1; }

  // True when both finalised structures have the same size and entries.
  bool same_pattern(const MatrixStructure& other) const {
    return size_ == other.size_ && column_starts_ == other.column_starts_ && row_indices_ == other.row_indices_;
  }

  const std::vector<int>& column_starts() const { return column_starts_; }  // size()+1 entries
  const std::vector<int>& row_indices() const { return row_indices_; }

 private:
  struct Entry {
    int row, column;
  };
  // Off-diagonal entries declared with add() until finalize(), in blocks of a fixed capacity so
  // that growing never copies them.
  static constexpr std::size_t kPendingBlockEntries = std::size_t{1} << 20;

  // What add() does: keep the entry for finalize(), count it or store it (build()), or refuse.
  enum class Phase { pending, counting, storing, finalized };

  int size_;
  Phase phase_ = Phase::pending;
  std::vector<std::vector<Entry>> pending_;
  std::vector<int> column_starts_;
  std::vector<int> row_indices_;
  std::vector<int> diagonal_slots_;  // ground's (the trash slot), then row 0's, 1's, ...
};

}  // namespace xbarsim
