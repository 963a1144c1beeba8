// Transparent huge pages for the simulator's large arrays.
//
// A million-node circuit allocates gigabytes in a few large vectors (names, device arrays, the
// matrix, solver work vectors); with 4 KB pages a third of the run goes to page faults. Debian's
// kernel grants huge pages only to memory that asks for them (transparent_hugepage=madvise), and
// glibc's malloc asks only when told by the tunable glibc.malloc.hugetlb=1, which it reads at
// start-up. So the CLI re-executes itself once with that tunable set, unless GLIBC_TUNABLES is
// already set (by the user, or by the first execution); if exec fails it simply runs on.
#pragma once

namespace xbarsim::cli {

void reexecute_with_huge_pages(char** argv);

}  // namespace xbarsim::cli
