// Parallel parts: the large-array solver's loops split into a fixed number of parts, run on
// worker threads, one part per thread (XBARSIM_THREADS sets how many threads; default: the
// cores this process may run on).
//
//   parts = parallel_parts(work)            -- 1 below kParallelMinimumWork, else the threads
//   run_parts(parts, [&](int part) { ... })  -- each part once, at the same time; returns when
//                                               all are done
//   part_range(count, parts, part)           -- an even split of [0, count)
//   run_part_ranges(count, [&](int part, long begin, long end) { ... })  -- both at once
// A part's partial sum goes into its own slot and the slots are added in part order, so a
// result depends on the number of parts, never on which thread ran first. The workers are
// started on first use and spin briefly between calls (a transient calls run_parts some 30
// times a step), then sleep. A call made while another thread's call runs, or from inside a
// part, runs its parts one after another on the calling thread. A part must not throw.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace xbarsim {

// Below this much work (about one element of a vector each) the threads' start and wait cost
// more than they save.
constexpr long kParallelMinimumWork = 20000;
// At most this many parts (the partial sums live in fixed arrays).
constexpr int kMaximumParts = 16;

// The number of parts for `work` elements: 1 below the minimum work, else the thread count (at
// most kMaximumParts), unless overridden.
int parallel_parts(long work);

// Overrides for tests and measurements: `parts` parts (0: the thread count) for every loop of at
// least `minimum_work` elements. Set before a simulation starts, not during one.
struct ParallelSettings {
  int parts = 0;
  long minimum_work = kParallelMinimumWork;
};
void set_parallel_settings(const ParallelSettings& settings);
ParallelSettings parallel_settings();

// Runs call(context, part) for part in [0, parts), part 0 on the calling thread.
void run_parts_on_threads(int parts, void (*call)(void* context, int part), void* context);

template <typename Body>
void run_parts(int parts, Body&& body) {
  if (parts <= 1) {
    body(0);
    return;
  }
  run_parts_on_threads(parts, [](void* context, int part) { (*static_cast<std::remove_reference_t<Body>*>(context))(part); },
                       const_cast<void*>(static_cast<const void*>(&body)));
}

// target[0, count) = source[0, count) (or = value), split into parts on large counts.
void parallel_copy(const double* source, std::size_t count, double* target);
void parallel_fill(double* target, std::size_t count, double value);
// Whether every value of [values, values + count) is finite, split into parts on large counts.
bool all_finite(const double* values, std::size_t count);

// Part `part` of [0, count) split into `parts` nearly equal ranges.
inline std::pair<long, long> part_range(long count, int parts, int part) {
  return {count * part / parts, count * (part + 1) / parts};
}

// [0, count) in parallel_parts(count) even ranges: body(part, begin, end) for each, as
// run_parts runs them. Returns the number of parts (for the caller's partial results).
template <typename Body>
int run_part_ranges(long count, Body&& body) {
  const int parts = parallel_parts(count);
  run_parts(parts, [&](int part) {
    const auto [begin, end] = part_range(count, parts, part);
    body(part, begin, end);
  });
  return parts;
}

// [0, count) split into parallel_parts(count) ranges whose cut points follow each part's measured
// time, for a loop that runs again and again (every time step) over elements of unequal cost:
// rows with many entries and rows with none, sequential and scattered reads. After each run the
// cuts move halfway towards equal times. Only for loops whose result does not depend on the split
// (each element written once, a maximum), never for partial sums: the split depends on timing.
class BalancedRanges {
 public:
  // body(part, begin, end) for each part, as run_part_ranges runs them; returns the parts.
  template <typename Body>
  int run(long count, Body&& body) {
    const int parts = parallel_parts(count);
    if (parts != parts_) reset(parts);
    run_parts(parts, [&](int part) {
      const long begin = cut(count, part), end = cut(count, part + 1);
      const double start = now_seconds();
      body(part, begin, end);
      seconds_[static_cast<std::size_t>(part)] = now_seconds() - start;
    });
    if (parts > 1) rebalance();
    return parts;
  }

 private:
  int parts_ = 0;
  std::array<double, kMaximumParts + 1> cuts_{};  // part k: [cuts_[k], cuts_[k + 1]) of [0, 1)
  std::array<double, kMaximumParts> seconds_{};   // each part's time in the last run

  long cut(long count, int k) const { return k >= parts_ ? count : static_cast<long>(cuts_[static_cast<std::size_t>(k)] * count); }
  void reset(int parts);
  void rebalance();
  static double now_seconds();
};

}  // namespace xbarsim
