#include "core/name_table.h"

#include <cstring>

#include "core/prefault.h"

namespace xbarsim {
namespace {

// The 1 to 7 bytes at `bytes` as the low bytes of a word (the rest zero), read without touching
// the bytes after them: two overlapping loads where they fit, single bytes otherwise. (A memcpy
// into a zeroed word costs a call and stalls the load that follows its byte stores.)
std::uint64_t name_tail_word(const char* bytes, std::size_t count) {
  const auto byte = [bytes](std::size_t k) { return static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[k])); };
  if (count >= 4) {
    std::uint32_t low, high;
    std::memcpy(&low, bytes, 4);
    std::memcpy(&high, bytes + count - 4, 4);
    return low | std::uint64_t{high} << (8 * (count - 4));  // the overlapping bytes are equal
  }
  return byte(0) | byte(count / 2) << (8 * (count / 2)) | byte(count - 1) << (8 * (count - 1));
}

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
    const std::uint64_t word = name_tail_word(name.data() + i, name.size() - i);
    hash = (hash ^ word) * kMultiplier;
    hash ^= hash >> 29;
  }
  hash *= kMultiplier;
  return hash ^ (hash >> 32);
}

constexpr std::uint64_t kIdMask = 0xFFFFFFFFull;  // NameTable's slots: the id part

// NameList::find_repeat with slots of type Slot: 0 empty, else the hash's top bits above the
// low kIdBits bits, which hold id + 1 (so at most 2^kIdBits - 1 names).
template <class Slot, int kIdBits>
std::optional<int> first_repeat(const NameList& names) {
  const std::size_t count = static_cast<std::size_t>(names.size());
  constexpr Slot kSlotIdMask = (Slot{1} << kIdBits) - 1;
  constexpr int kTagShift = 64 - (8 * static_cast<int>(sizeof(Slot)) - kIdBits);
  std::size_t capacity = 64;  // at most half full
  while (capacity < 2 * count) capacity *= 2;
  const std::uint64_t mask = capacity - 1;
  std::vector<Slot> slots(capacity, 0);
  for (std::size_t id = 0; id < count; ++id) {
    const std::string_view name = names[static_cast<int>(id)];
    const std::uint64_t hash = hash_name(name);
    const Slot tag = static_cast<Slot>(static_cast<Slot>(hash >> kTagShift) << kIdBits);
    for (std::uint64_t position = hash & mask;; position = (position + 1) & mask) {
      const Slot slot = slots[position];
      if (slot == 0) {
        slots[position] = static_cast<Slot>(tag | static_cast<Slot>(id + 1));
        break;
      }
      if ((slot & ~kSlotIdMask) == tag && names[static_cast<int>((slot & kSlotIdMask) - 1)] == name) return static_cast<int>(id);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<int> NameList::find_repeat() const {
  if (size() < 2) return std::nullopt;
  // Four-byte slots (12 bits of hash, 20 of id) keep the table of a netlist's names in cache.
  if (size() < (1 << 20)) return first_repeat<std::uint32_t, 20>(*this);
  return first_repeat<std::uint64_t, 32>(*this);
}

int NameList::append(std::string_view name) {
  chars_.append(name);
  ends_.push_back(chars_.size());
  return size() - 1;
}

std::uint64_t NameTable::hash(std::string_view name) { return hash_name(name); }

std::pair<int, bool> NameTable::insert(std::string_view name, std::uint64_t hash) {
  if ((static_cast<std::uint64_t>(names_.size()) + 1) * 4 > slots_.size() * 3) rehash(slots_.empty() ? 64 : slots_.size() * 2);
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

void NameTable::reserve(std::size_t count) {
  std::size_t capacity = 64;
  while (capacity * 3 < (count + 1) * 4) capacity *= 2;
  if (capacity > slots_.size()) rehash(capacity);
  names_.reserve(count);
}

NameList NameTable::release() {
  NameList names = std::move(names_);
  names_ = NameList();
  slots_ = std::vector<std::uint64_t>();
  mask_ = 0;
  return names;
}

void NameTable::rehash(std::size_t capacity) {
  if (slots_.capacity() < capacity) {
    slots_ = std::vector<std::uint64_t>();
    reserve_prefaulted(slots_, capacity);
  }
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
