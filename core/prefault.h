// Prefault: maps in, on a background thread, memory that the calling thread is about to write.
//
// On the virtual machines this tool is benchmarked on, the first write to fresh memory costs
// 1-2 s per GB (the host backs each page as it is touched) and is most of a million-node run's
// time when it happens on the one thread that does the work. Large arrays whose size is known
// before they are filled are handed to prefault(): a background thread asks the kernel to map
// their pages in (madvise MADV_POPULATE_WRITE, which leaves the contents alone, so it is safe
// while other threads write there), from the end backwards, so that a filling thread starting
// at the front and the background thread meet in the middle. Small ranges are ignored; where
// the kernel lacks MADV_POPULATE_WRITE (before Linux 5.14), or the environment variable
// XBARSIM_NO_PREFAULT is set, nothing happens. On a 1024 x 1024 crossbar's `.op` this takes about
// 0.5 s off a 4.8 s run (the setup and the solver's set-up mostly), for 10 MB more peak memory.
#pragma once

#include <cstddef>
#include <vector>

namespace xbarsim {

void prefault(const void* data, std::size_t bytes);

// The unused capacity of `vector`: what push_back / resize within it will write.
template <class T, class Allocator>
void prefault_capacity(const std::vector<T, Allocator>& vector) {
  prefault(vector.data() + vector.size(), (vector.capacity() - vector.size()) * sizeof(T));
}

// Room for `count` elements in `vector` (as reserve), the new memory mapped in by the background
// thread while the caller fills it.
template <class T, class Allocator>
void reserve_prefaulted(std::vector<T, Allocator>& vector, std::size_t count) {
  if (vector.capacity() >= count) return;
  vector.reserve(count);
  prefault(vector.data() + vector.size(), (count - vector.size()) * sizeof(T));
}

}  // namespace xbarsim
