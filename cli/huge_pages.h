// Transparent huge pages for the simulator's large arrays.
//
// A million-node circuit allocates gigabytes in a few large vectors (names, device arrays, the
// matrix, solver work vectors); with 4 KB pages a third of the run goes to page faults. Debian's
// kernel grants huge pages only to memory that asks for them (transparent_hugepage=madvise), and
// glibc's malloc asks only when told by the tunable glibc.malloc.hugetlb=1, which it reads at
// start-up. So the CLI re-executes itself once with that tunable set when an input file on its
// command line is not small (kLargeInputBytes, about 10,000 netlist lines): from there on the
// page faults saved outweigh a second start (a 64 x 64 crossbar's `.op`: 41 ms without huge
// pages, 29 ms with the re-execution). Nothing happens when GLIBC_TUNABLES is already set (by
// the user, or by the first execution), and if exec fails the process simply runs on.
#pragma once

#include <cstdint>

namespace xbarsim::cli {

inline constexpr std::uintmax_t kLargeInputBytes = 256u << 10;

void use_huge_pages_for_large_inputs(int argc, char** argv);

}  // namespace xbarsim::cli
