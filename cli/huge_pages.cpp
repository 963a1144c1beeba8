#include "cli/huge_pages.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace xbarsim::cli {
namespace {

bool has_large_input(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::error_code error;
    const std::filesystem::path path(argv[i]);
    if (std::filesystem::is_regular_file(path, error) && std::filesystem::file_size(path, error) >= kLargeInputBytes && !error)
      return true;
  }
  return false;
}

}  // namespace

void use_huge_pages_for_large_inputs(int argc, char** argv) {
  if (std::getenv("GLIBC_TUNABLES") != nullptr || !has_large_input(argc, argv)) return;
  if (setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1) != 0) return;
  execv("/proc/self/exe", argv);
  unsetenv("GLIBC_TUNABLES");  // exec failed: carry on without
}

}  // namespace xbarsim::cli
