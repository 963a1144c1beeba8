#include "core/parallel.h"

#include <sched.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace xbarsim {
namespace {

ParallelSettings settings;

// The cores this process may run on, or XBARSIM_THREADS.
int thread_count() {
  static const int count = [] {
    if (const char* text = std::getenv("XBARSIM_THREADS")) {
      const int requested = std::atoi(text);
      if (requested > 0) return requested;
    }
    cpu_set_t cpus;
    if (sched_getaffinity(0, sizeof cpus, &cpus) == 0) return std::max(1, CPU_COUNT(&cpus));
    return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }();
  return count;
}

// How long an idle worker spins before it sleeps: longer than the gaps between a time step's
// calls, short enough not to hold a core long after the work is done.
constexpr auto kSpinTime = std::chrono::microseconds(500);

inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Worker k runs part k + 1 of each call. A call publishes its task and bumps `generation_`;
// each worker that takes part counts `remaining_` down when done, and the caller spins on it.
class Workers {
 public:
  ~Workers() {
    stopping_.store(true);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    for (std::thread& thread : threads_) thread.join();
  }

  // False when another call is running or this one comes from inside a part (the caller then
  // runs the parts itself).
  bool run(int parts, void (*call)(void*, int), void* context) {
    if (running_part) return false;
    std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock()) return false;
    while (static_cast<int>(threads_.size()) < parts - 1) {
      const int worker = static_cast<int>(threads_.size());
      // It starts from the generation before this call's, so it takes part in this call.
      threads_.emplace_back([this, worker, seen = generation_.load()] { work(worker, seen); });
    }
    call_ = call;
    context_ = context;
    parts_.store(parts, std::memory_order_relaxed);
    remaining_.store(parts - 1, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    running_part = true;
    call(context, 0);
    running_part = false;
    while (remaining_.load(std::memory_order_acquire) != 0) relax();
    return true;
  }

 private:
  std::mutex mutex_;
  std::vector<std::thread> threads_;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> remaining_{0};
  std::atomic<bool> stopping_{false};
  void (*call_)(void*, int) = nullptr;
  void* context_ = nullptr;
  std::atomic<int> parts_{0};  // read by every worker; call_ and context_ only by those taking part
  static thread_local bool running_part;  // this thread is running a part (a worker always is)

  void work(int worker, std::uint64_t seen) {
    running_part = true;
    while (true) {
      // Spin a while, then sleep until the next call.
      const auto spin_until = std::chrono::steady_clock::now() + kSpinTime;
      std::uint64_t now = generation_.load(std::memory_order_acquire);
      for (int spins = 0; now == seen; now = generation_.load(std::memory_order_acquire)) {
        relax();
        if (++spins % 256 == 0 && std::chrono::steady_clock::now() > spin_until) {
          generation_.wait(seen, std::memory_order_acquire);
          spins = 0;
        }
      }
      seen = now;
      if (stopping_.load()) return;
      if (worker + 1 < parts_.load(std::memory_order_relaxed)) {
        call_(context_, worker + 1);
        remaining_.fetch_sub(1, std::memory_order_release);
      }
    }
  }
};

thread_local bool Workers::running_part = false;

Workers& workers() {
  static Workers instance;
  return instance;
}

}  // namespace

int parallel_parts(long work) {
  if (work < settings.minimum_work) return 1;
  return std::clamp(settings.parts > 0 ? settings.parts : thread_count(), 1, kMaximumParts);
}

void set_parallel_settings(const ParallelSettings& new_settings) { settings = new_settings; }

ParallelSettings parallel_settings() { return settings; }

void run_parts_on_threads(int parts, void (*call)(void*, int), void* context) {
  if (!workers().run(parts, call, context))
    for (int part = 0; part < parts; ++part) call(context, part);
}

void parallel_copy(const double* source, std::size_t count, double* target) {
  run_part_ranges(static_cast<long>(count), [&](int, long begin, long end) { std::copy(source + begin, source + end, target + begin); });
}

void parallel_fill(double* target, std::size_t count, double value) {
  run_part_ranges(static_cast<long>(count), [&](int, long begin, long end) { std::fill(target + begin, target + end, value); });
}

void BalancedRanges::reset(int parts) {
  parts_ = parts;
  for (int k = 0; k <= parts; ++k) cuts_[static_cast<std::size_t>(k)] = static_cast<double>(k) / parts;
}

void BalancedRanges::rebalance() {
  // Time is taken as spread evenly over each part's range; the new cut k is where the time from
  // the start reaches k / parts of the total, and each cut moves halfway there (timings are noisy).
  double total = 0.0;
  for (int k = 0; k < parts_; ++k) total += seconds_[static_cast<std::size_t>(k)];
  if (!(total > 0.0)) return;
  // A part never shrinks below a small width, so that its time keeps being measured.
  constexpr double kMinimumWidth = 0.01;
  std::array<double, kMaximumParts + 1> target{};
  target[static_cast<std::size_t>(parts_)] = 1.0;
  int part = 0;
  double time_before = 0.0;  // time of the parts before `part`
  for (int k = 1; k < parts_; ++k) {
    const double wanted = total * k / parts_;
    while (part < parts_ - 1 && time_before + seconds_[static_cast<std::size_t>(part)] < wanted)
      time_before += seconds_[static_cast<std::size_t>(part++)];
    const double begin = cuts_[static_cast<std::size_t>(part)], end = cuts_[static_cast<std::size_t>(part) + 1];
    const double seconds = seconds_[static_cast<std::size_t>(part)];
    target[static_cast<std::size_t>(k)] = seconds > 0.0 ? begin + (end - begin) * std::min(1.0, (wanted - time_before) / seconds) : end;
  }
  for (int k = 1; k < parts_; ++k) {
    const double moved = 0.5 * (cuts_[static_cast<std::size_t>(k)] + target[static_cast<std::size_t>(k)]);
    const double lowest = cuts_[static_cast<std::size_t>(k) - 1] + kMinimumWidth;
    const double highest = 1.0 - (parts_ - k) * kMinimumWidth;
    cuts_[static_cast<std::size_t>(k)] = std::clamp(moved, lowest, highest);
  }
}

double BalancedRanges::now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool all_finite(const double* values, std::size_t count) {
  bool finite[kMaximumParts] = {};
  const int parts = run_part_ranges(static_cast<long>(count), [&](int part, long begin, long end) {
    finite[part] = std::all_of(values + begin, values + end, [](double value) { return std::isfinite(value); });
  });
  return std::all_of(finite, finite + parts, [](bool part_finite) { return part_finite; });
}

}  // namespace xbarsim
