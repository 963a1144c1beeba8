// Parallel parts: the large-array solver's loops split into a fixed number of parts, run on
// OpenMP threads, one part per thread (OMP_NUM_THREADS sets how many; default: every core).
//
//   parts = parallel_parts(work)            -- 1 below kParallelMinimumWork, else the threads
//   run_parts(parts, [&](int part) { ... })  -- each part once, at the same time
//   part_range(count, parts, part)           -- an even split of [0, count)
// A part's partial sum goes into its own slot and the slots are added in part order, so a
// result depends on the number of parts, never on which thread ran first.
#pragma once

#include <algorithm>
#include <utility>

namespace xbarsim {

// Below this much work (about one element of a vector each) the threads' start and wait cost
// more than they save.
constexpr long kParallelMinimumWork = 20000;
// At most this many parts (the partial sums live in fixed arrays).
constexpr int kMaximumParts = 16;

// The number of parts for `work` elements: 1 below the minimum work, else the OpenMP thread
// count (at most kMaximumParts), unless overridden.
int parallel_parts(long work);

// Overrides for tests and measurements: `parts` parts (0: the thread count) for every loop of at
// least `minimum_work` elements. Set before a simulation starts, not during one.
struct ParallelSettings {
  int parts = 0;
  long minimum_work = kParallelMinimumWork;
};
void set_parallel_settings(const ParallelSettings& settings);

template <typename Body>
void run_parts(int parts, Body&& body) {
#pragma omp parallel for num_threads(parts) schedule(static, 1) if (parts > 1)
  for (int part = 0; part < parts; ++part) body(part);
}

// Part `part` of [0, count) split into `parts` nearly equal ranges.
inline std::pair<long, long> part_range(long count, int parts, int part) {
  return {count * part / parts, count * (part + 1) / parts};
}

}  // namespace xbarsim
