#include "core/parallel.h"

#include <omp.h>

namespace xbarsim {
namespace {

ParallelSettings settings;

}  // namespace

int parallel_parts(long work) {
  if (work < settings.minimum_work) return 1;
  return std::clamp(settings.parts > 0 ? settings.parts : omp_get_max_threads(), 1, kMaximumParts);
}

void set_parallel_settings(const ParallelSettings& new_settings) { settings = new_settings; }

}  // namespace xbarsim
