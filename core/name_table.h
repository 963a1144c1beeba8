// NameList and NameTable: compact storage for the millions of node and device names of a large
// netlist.
//
// A 1024 x 1024 differential crossbar has 4.2 million nodes and 6.3 million devices; a
// std::string plus a hash-map node per name would cost more memory than the matrix. Here every
// name lives in one character arena with one end offset per name, and NameTable adds an
// open-addressing index (hash bits and id in one 64-bit slot, so most probes touch a single
// cache line and compare no characters).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/prefault.h"

namespace xbarsim {

// Names in insertion order, id = position.
class NameList {
 public:
  int append(std::string_view name);
  // Room for `count` names (untouched reserved memory costs address space, not RAM).
  void reserve(std::size_t count) {
    reserve_prefaulted(ends_, count);
    chars_.reserve(count * 16);
  }
  std::string_view operator[](int id) const {
    const std::size_t index = static_cast<std::size_t>(id);
    const std::uint64_t begin = index == 0 ? 0 : ends_[index - 1];
    return std::string_view(chars_).substr(begin, ends_[index] - begin);
  }
  int size() const { return static_cast<int>(ends_.size()); }

  // The id of the first name that equals an earlier one, or nullopt when all names differ.
  std::optional<int> find_repeat() const;

 private:
  std::string chars_;
  std::vector<std::uint64_t> ends_;
};

// Names with lookup: each name once, id = insertion order.
class NameTable {
 public:
  // The name's id, and whether it was inserted now (false: it existed).
  std::pair<int, bool> insert(std::string_view name) { return insert(name, hash(name)); }
  // Same, with the name's hash(name) computed beforehand (see prefetch_hash).
  std::pair<int, bool> insert(std::string_view name, std::uint64_t hash);
  static std::uint64_t hash(std::string_view name);
  std::optional<int> find(std::string_view name) const;
  std::string_view operator[](int id) const { return names_[id]; }
  int size() const { return names_.size(); }

  // Room for `count` names without rehashing (the elaborator knows how many lines are coming).
  void reserve(std::size_t count);
  // Starts loading the cache line that insert(name) or find(name) will probe first, so that the
  // lookups of one element line overlap instead of waiting for memory one after the other. A
  // table that fits in the second-level cache is not worth it (the hash and the prefetch cost
  // more than the probe they hide).
  void prefetch(std::string_view name) const {
    if (prefetch_pays()) prefetch_hash(hash(name));
  }
  bool prefetch_pays() const { return slots_.size() > kCachedSlots; }
  void prefetch_hash(std::uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash & mask_]);
  }
  // The names, in id order; the table is left empty.
  NameList release();

 private:
  NameList names_;
  std::vector<std::uint64_t> slots_;  // 0 empty, else (hash's high 32 bits) << 32 | (id + 1); at most 3/4 full
  std::uint64_t mask_ = 0;
  static constexpr std::size_t kCachedSlots = std::size_t{1} << 16;  // 512 KB of slots

  void rehash(std::size_t capacity);
};

}  // namespace xbarsim
