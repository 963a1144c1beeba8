#include "core/prefault.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

namespace xbarsim {
namespace {

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

constexpr std::size_t kMinimumBytes = std::size_t{4} << 20;  // smaller ranges fault in quickly anyway
constexpr std::size_t kChunkBytes = std::size_t{2} << 20;    // populated per request, last chunk first

struct Range {
  std::uintptr_t begin, end;  // page-aligned
};

class Prefaulter {
 public:
  ~Prefaulter() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
      pending_.clear();
    }
    changed_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  void add(Range range) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (unsupported_ || stopping_) return;
      pending_.push_back(range);
      if (!thread_.joinable()) thread_ = std::thread([this] { work(); });
    }
    changed_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Range> pending_;
  bool stopping_ = false, unsupported_ = false;
  std::thread thread_;

  void work() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      changed_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (stopping_) return;
      Range& range = pending_.front();
      // The range's last chunk: the filling thread starts at the front.
      const std::uintptr_t begin = range.end - range.begin > kChunkBytes ? range.end - kChunkBytes : range.begin;
      const std::uintptr_t end = range.end;
      range.end = begin;
      if (range.end == range.begin) pending_.pop_front();
      lock.unlock();
      // Fails harmlessly (ENOMEM) when the memory was freed meanwhile.
      const bool supported = madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE) == 0 || errno != EINVAL;
      lock.lock();
      if (!supported) {
        unsupported_ = true;
        pending_.clear();
      }
    }
  }
};

}  // namespace

void prefault(const void* data, std::size_t bytes) {
  if (bytes < kMinimumBytes) return;
  static const bool disabled = std::getenv("XBARSIM_NO_PREFAULT") != nullptr;
  if (disabled) return;
  static Prefaulter prefaulter;
  static const std::uintptr_t page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto start = reinterpret_cast<std::uintptr_t>(data);
  // Whole pages inside the range only: a page shared with other data is left to its writer.
  const std::uintptr_t begin = (start + page - 1) / page * page;
  const std::uintptr_t end = (start + bytes) / page * page;
  if (end > begin) prefaulter.add({begin, end});
}

}  // namespace xbarsim
