#include "cli/huge_pages.h"

#include <unistd.h>

#include <cstdlib>

namespace xbarsim::cli {

void reexecute_with_huge_pages(char** argv) {
  if (std::getenv("GLIBC_TUNABLES") != nullptr) return;
  if (setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1) != 0) return;
  execv("/proc/self/exe", argv);
  unsetenv("GLIBC_TUNABLES");  // exec failed: carry on without
}

}  // namespace xbarsim::cli
