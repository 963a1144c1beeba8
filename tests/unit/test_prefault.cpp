// Unit tests of background prefaulting (core/prefault.h): the pages get mapped in, and what the
// calling thread writes meanwhile is kept.
#include <doctest/doctest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "core/prefault.h"

namespace {

std::size_t resident_pages(void* data, std::size_t bytes) {
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> flags((bytes + page - 1) / page);
  if (mincore(data, bytes, flags.data()) != 0) return 0;
  std::size_t resident = 0;
  for (unsigned char flag : flags) resident += flag & 1;
  return resident;
}

}  // namespace

TEST_CASE("prefault maps a range in on another thread and keeps what is written meanwhile") {
  constexpr std::size_t kBytes = std::size_t{64} << 20;
  void* mapping = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(mapping != MAP_FAILED);
  auto* values = static_cast<std::uint64_t*>(mapping);
  const std::size_t count = kBytes / sizeof(std::uint64_t);
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  CHECK(resident_pages(mapping, kBytes) == 0);

  xbarsim::prefault(mapping, kBytes);
  for (std::size_t k = 0; k < count; ++k) values[k] = k * 2654435761u;  // written while it runs
  bool all_kept = true;
  for (std::size_t k = 0; k < count; ++k) all_kept &= values[k] == k * 2654435761u;
  CHECK(all_kept);

  // An untouched range becomes resident without being written (where the kernel can do it).
  void* untouched = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(untouched != MAP_FAILED);
  const bool supported = madvise(untouched, page, MADV_POPULATE_WRITE) == 0;
  xbarsim::prefault(untouched, kBytes);
  if (supported) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (resident_pages(untouched, kBytes) < kBytes / page && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(resident_pages(untouched, kBytes) == kBytes / page);
    const auto* zeros = static_cast<const std::uint64_t*>(untouched);
    bool all_zero = true;
    for (std::size_t k = 0; k < count; ++k) all_zero &= zeros[k] == 0;
    CHECK(all_zero);
  }
  munmap(untouched, kBytes);
  munmap(mapping, kBytes);
}
