#include "core/name_table.h"

#include <cstring>

namespace xbarsim {
namespace {

// A fast 64-bit hash of short strings: 8-byte words mixed by multiplication (the names of a
// netlist are mostly 4 to 16 characters).
std::uint64_t hash_name(std::string_view name) {
  constexpr std::uint64_t kMultiplier = 0x9E3779B97F4A7C15ull;
  std::uint64_t hash = name.size() * kMultiplier;
  std::size_t i = 0;
  for (; i + 8 <= name.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, name.data() + i, 8);
    hash = (hash ^ word) * kMultiplier;
    hash ^= hash >> 29;
  }
  if (i < name.size()) {
    std::uint64_t word = 0;
    std::memcpy(&word, name.data() + i, name.size() - i);
    hash = (hash ^ word) * kMultiplier;
    hash ^= hash >> 29;
  }
  hash *= kMultiplier;
  return hash ^ (hash >> 32);
}

constexpr std::uint64_t kIdMask = 0xFFFFFFFFull;

}  // namespace

int NameList::append(std::string_view name) {
  chars_.append(name);
  ends_.push_back(chars_.size());
  return size() - 1;
}

std::pair<int, bool> NameTable::insert(std::string_view name) {
  if (static_cast<std::uint64_t>(names_.size()) * 2 >= slots_.size()) grow();
  const std::uint64_t hash = hash_name(name);
  const std::uint64_t tag = hash & ~kIdMask;
  for (std::uint64_t position = hash & mask_;; position = (position + 1) & mask_) {
    const std::uint64_t slot = slots_[position];
    if (slot == 0) {
      const int id = names_.append(name);
      slots_[position] = tag | static_cast<std::uint64_t>(id + 1);
      return {id, true};
    }
    if ((slot & ~kIdMask) == tag) {
      const int id = static_cast<int>((slot & kIdMask) - 1);
      if (names_[id] == name) return {id, false};
    }
  }
}

std::optional<int> NameTable::find(std::string_view name) const {
  if (slots_.empty()) return std::nullopt;
  const std::uint64_t hash = hash_name(name);
  const std::uint64_t tag = hash & ~kIdMask;
  for (std::uint64_t position = hash & mask_;; position = (position + 1) & mask_) {
    const std::uint64_t slot = slots_[position];
    if (slot == 0) return std::nullopt;
    if ((slot & ~kIdMask) == tag) {
      const int id = static_cast<int>((slot & kIdMask) - 1);
      if (names_[id] == name) return id;
    }
  }
}

void NameTable::grow() {
  const std::size_t capacity = slots_.empty() ? 64 : slots_.size() * 2;
  slots_.assign(capacity, 0);
  mask_ = capacity - 1;
  for (int id = 0; id < names_.size(); ++id) {
    const std::uint64_t hash = hash_name(names_[id]);
    std::uint64_t position = hash & mask_;
    while (slots_[position] != 0) position = (position + 1) & mask_;
    slots_[position] = (hash & ~kIdMask) | static_cast<std::uint64_t>(id + 1);
  }
}

}  // namespace xbarsim
