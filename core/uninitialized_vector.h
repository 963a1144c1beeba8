// UninitializedVector: a std::vector whose resize() leaves new elements of a trivial type
// unwritten, for large work arrays that their user fills completely before reading.
//
// On the virtual machines this tool is benchmarked on, the first write to fresh memory is its
// main cost (see core/prefault.h); a resize that zeroes an array which is then overwritten pays
// it twice as long, on one thread. An UninitializedVector's first writes are its user's, which
// can be split into parts (core/parallel.h) and overlap the background mapping-in.
#pragma once

#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace xbarsim {

// Value-initialisation (what resize() asks for) does nothing; other construction is as usual.
template <class T>
struct DefaultInitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <class U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* place) noexcept {
    ::new (static_cast<void*>(place)) U;
  }
  template <class U, class... Arguments>
  void construct(U* place, Arguments&&... arguments) {
    ::new (static_cast<void*>(place)) U(std::forward<Arguments>(arguments)...);
  }
};

template <class T>
using UninitializedVector = std::vector<T, DefaultInitAllocator<T>>;

}  // namespace xbarsim
