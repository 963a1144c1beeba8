#include "cli/process_memory.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string_view>

namespace xbarsim::cli {
namespace {

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;  // x86-64's transparent huge pages
constexpr std::size_t kSmallPageBytes = std::size_t{4} << 10;
constexpr std::size_t kMaximumWarmHeapBytes = std::size_t{28} << 20;  // malloc's M_MMAP_THRESHOLD limit is 32 MB

// Options whose value is a file or directory the command writes: an existing one is not an input.
bool is_output_option(std::string_view option) {
  for (std::string_view output : {"-r", "--raw", "--json", "--csv", "--metrics", "--plot", "-o", "--out", "--output"})
    if (option == output) return true;
  return false;
}

std::uintmax_t largest_input_bytes(int argc, char** argv) {
  std::uintmax_t largest = 0;
  for (int i = 1; i < argc; ++i) {
    if (is_output_option(argv[i - 1])) continue;
    std::error_code error;
    const std::filesystem::path path(argv[i]);
    if (!std::filesystem::is_regular_file(path, error)) continue;
    const std::uintmax_t bytes = std::filesystem::file_size(path, error);
    if (!error) largest = std::max(largest, bytes);
  }
  return largest;
}

// The heap's free top, from a huge-page boundary: `warm_bytes` of it mapped in at once, and
// `reserved_bytes` (more) in huge pages as they are first touched.
void warm_heap(std::size_t warm_bytes, std::size_t reserved_bytes) {
  const auto round_up = [](std::size_t bytes) { return (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes; };
  reserved_bytes = std::min(round_up(reserved_bytes), kMaximumWarmHeapBytes);
  warm_bytes = std::min(round_up(warm_bytes), reserved_bytes);
  const std::size_t block_bytes = reserved_bytes + kHugePageBytes;  // room to align the huge pages inside
  // Blocks smaller than the threshold come from the heap, which is then never given back to the
  // system: the warmed memory stays mapped and is reused after every free.
  if (mallopt(M_MMAP_THRESHOLD, static_cast<int>(block_bytes + kHugePageBytes)) == 0) return;
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
  // The program break is moved to a huge-page boundary, where malloc continues its heap (it
  // steps over memory that someone else took with sbrk), so that the blocks it hands out from
  // now on lie in whole huge pages, not in 4 KB pages below the first boundary.
  const auto break_now = reinterpret_cast<std::uintptr_t>(sbrk(0));
  const std::uintptr_t gap = (kHugePageBytes - break_now % kHugePageBytes) % kHugePageBytes;
  if (gap != 0 && sbrk(static_cast<intptr_t>(gap)) == reinterpret_cast<void*>(-1)) return;
  const std::size_t mapped_blocks = mallinfo2().hblks;
  void* block = std::malloc(block_bytes);
  if (block == nullptr) return;
  if (mallinfo2().hblks == mapped_blocks) {  // from the heap, as asked
    // The huge pages inside the block, from the boundary its chunk header sits on.
    const auto address = reinterpret_cast<std::uintptr_t>(block);
    std::uintptr_t begin = address / kHugePageBytes * kHugePageBytes;
    if (address - begin > kSmallPageBytes) begin += kHugePageBytes;
    void* warm = reinterpret_cast<void*>(begin);
    // Where the kernel gives no huge pages (transparent_hugepage=never), this maps in 4 KB pages.
    madvise(warm, reserved_bytes, MADV_HUGEPAGE);
    madvise(warm, warm_bytes, MADV_POPULATE_WRITE);
  }
  std::free(block);  // back to the heap's free top
}

}  // namespace

void set_up_process_memory(int argc, char** argv) {
  const std::uintmax_t input_bytes = largest_input_bytes(argc, argv);
  if (input_bytes >= kHugePageInputBytes) {
    if (std::getenv("GLIBC_TUNABLES") != nullptr) return;
    if (setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1) != 0) return;
    execv("/proc/self/exe", argv);
    unsetenv("GLIBC_TUNABLES");  // exec failed: carry on without
  } else if (input_bytes >= kWarmHeapInputBytes && std::getenv("XBARSIM_NO_PREFAULT") == nullptr) {
    warm_heap(static_cast<std::size_t>(input_bytes * kWarmHeapBytesPerInputByte),
              static_cast<std::size_t>(input_bytes * kReservedHeapBytesPerInputByte));
  }
}

}  // namespace xbarsim::cli
