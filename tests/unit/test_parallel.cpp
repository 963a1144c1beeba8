// Unit tests of the parallel parts (core/parallel.h): every part runs once per call, on as many
// threads as asked; calls from inside a part and from two threads at once complete (serially);
// the ranges and the helpers cover every element.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <set>
#include <thread>
#include <vector>

#include "core/parallel.h"

using namespace xbarsim;

TEST_CASE("run_parts runs every part once per call, the parts on different threads") {
  for (int parts : {1, 2, 3, 5}) {
    CAPTURE(parts);
    for (int call = 0; call < 200; ++call) {
      std::vector<std::atomic<int>> runs(static_cast<std::size_t>(parts));
      std::vector<std::thread::id> threads(static_cast<std::size_t>(parts));
      run_parts(parts, [&](int part) {
        ++runs[static_cast<std::size_t>(part)];
        threads[static_cast<std::size_t>(part)] = std::this_thread::get_id();
      });
      for (const auto& count : runs) REQUIRE(count.load() == 1);
      CHECK(threads[0] == std::this_thread::get_id());  // part 0 on the caller
      CHECK(std::set<std::thread::id>(threads.begin(), threads.end()).size() == static_cast<std::size_t>(parts));
    }
  }
}

TEST_CASE("run_parts from inside a part, and from two threads at once, runs every part") {
  std::atomic<int> inner{0};
  run_parts(2, [&](int) { run_parts(3, [&](int) { ++inner; }); });
  CHECK(inner.load() == 6);

  std::atomic<long> total{0};
  auto caller = [&] {
    for (int call = 0; call < 500; ++call) run_parts(2, [&](int part) { total += part + 1; });
  };
  std::thread other(caller);
  caller();
  other.join();
  CHECK(total.load() == 2 * 500 * 3);
}

TEST_CASE("part ranges cover [0, count) in order; the helpers cover every element") {
  for (long count : {0L, 1L, 7L, 100001L})
    for (int parts : {1, 2, 3, 16}) {
      long next = 0;
      for (int part = 0; part < parts; ++part) {
        const auto [begin, end] = part_range(count, parts, part);
        CHECK(begin == next);
        CHECK(end >= begin);
        next = end;
      }
      CHECK(next == count);
    }

  set_parallel_settings({3, 0});
  std::vector<double> values(100001);
  for (std::size_t k = 0; k < values.size(); ++k) values[k] = static_cast<double>(k);
  std::vector<double> copy(values.size(), -1.0);
  parallel_copy(values.data(), values.size(), copy.data());
  CHECK(copy == values);
  parallel_fill(copy.data(), copy.size(), 2.5);
  CHECK(std::all_of(copy.begin(), copy.end(), [](double value) { return value == 2.5; }));
  CHECK(all_finite(values.data(), values.size()));
  values[99999] = std::numeric_limits<double>::quiet_NaN();
  CHECK_FALSE(all_finite(values.data(), values.size()));
  CHECK(parallel_parts(1) == 3);
  set_parallel_settings({});
  CHECK(parallel_parts(kParallelMinimumWork - 1) == 1);
}

TEST_CASE("balanced ranges cover every element once and move their cut towards equal times") {
  set_parallel_settings({2, 0});
  BalancedRanges ranges;
  const long count = 2000;
  std::vector<int> visits(count, 0);
  long first_part_end = 0;
  // The first tenth of the elements costs about 50 times more than the rest: an even split leaves
  // part 0 with most of the time, so its range must shrink.
  for (int run = 0; run < 20; ++run) {
    std::fill(visits.begin(), visits.end(), 0);
    ranges.run(count, [&](int part, long begin, long end) {
      if (part == 0) first_part_end = end;
      volatile double sink = 0.0;
      for (long k = begin; k < end; ++k) {
        ++visits[static_cast<std::size_t>(k)];
        const int work = k < count / 10 ? 5000 : 100;
        for (int w = 0; w < work; ++w) sink = sink + 1.0;
      }
    });
    CHECK(std::all_of(visits.begin(), visits.end(), [](int v) { return v == 1; }));
  }
  CHECK(first_part_end < count / 2);
  CHECK(first_part_end >= count / 100);  // the smallest width a part keeps
  set_parallel_settings({});
}
