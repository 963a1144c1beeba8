// How the CLI process sets up its memory, from the size of the largest input file on its command
// line (an existing file given to an output option such as -r does not count).
//
// On the virtual machines this tool is benchmarked on, a 4 KB page costs about 11 us when first
// written (3 us when mapped in beforehand with MADV_POPULATE_WRITE), while a 2 MB transparent huge
// page costs about 0.2 ms when the host has backed its memory before (most of the time: memory
// that a finished process freed) and 3 ms when it has not. So a small run spends as much time in
// page faults as in simulation unless its memory comes in huge pages. Debian's kernel grants huge
// pages only to memory that asks for them (transparent_hugepage=madvise).
// - medium inputs (kWarmHeapInputBytes to kHugePageInputBytes): the heap is warmed. malloc takes
//   every block of up to about kReservedHeapBytesPerInputByte times the input's size from its heap
//   and never gives that memory back; the heap's free top, that size, starts at a huge-page
//   boundary and comes in huge pages, the first kWarmHeapBytesPerInputByte times the input's size
//   mapped in at once, the rest as it is touched. An `.op` of a resistive crossbar peaks at 8-9
//   times its netlist's size of heap, an N-LEM array at 13 (a transient at many times that: it
//   holds its waveforms); a huge page mapped in but not needed costs 0.1-0.2 ms, a megabyte
//   beyond the huge pages 3 ms (4 KB pages), a huge page faulted in as used about as much as
//   mapping it in beforehand. Crossbar `.op`s, 32 x 32 (0.15 MB netlist): 12.5 ms before, 9.2 ms
//   warmed; 64 x 64 (0.6 MB): 28 ms with glibc's huge pages, 16 ms warmed (the first version;
//   10.7 ms against 10.9 ms when 9 rather than 12 times the input was mapped in at once, after
//   other changes); 128 x 128 (2.7 MB): 89 ms, 56 ms.
// - large inputs (kHugePageInputBytes and up): glibc's malloc asks for huge pages for its large
//   blocks when told by the tunable glibc.malloc.hugetlb=1, which it reads at start-up; so the
//   CLI re-executes itself once with that tunable set (a million-node run's arrays are far beyond
//   what a warmed heap can hold). Nothing happens when GLIBC_TUNABLES is already set (by the user,
//   or by the first execution), and if exec fails the process simply runs on.
// - small inputs: nothing (a few page faults).
// The environment variable XBARSIM_NO_PREFAULT turns the warming off, as it does prefault().
#pragma once

#include <cstdint>

namespace xbarsim::cli {

inline constexpr std::uintmax_t kWarmHeapInputBytes = 64u << 10;
inline constexpr std::uintmax_t kHugePageInputBytes = 3u << 20;
inline constexpr std::uintmax_t kWarmHeapBytesPerInputByte = 9;
inline constexpr std::uintmax_t kReservedHeapBytesPerInputByte = 24;

void set_up_process_memory(int argc, char** argv);

}  // namespace xbarsim::cli
