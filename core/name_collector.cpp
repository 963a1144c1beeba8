#include "core/name_collector.h"

namespace xbarsim {
namespace {

constexpr std::size_t kBatchNames = 1 << 14;

}  // namespace

NameCollector::NameCollector(std::size_t expected_count) : filling_(std::make_unique<Batch>()) {
  filling_->ends.reserve(kBatchNames);
  thread_ = std::thread([this, expected_count] {
    table_.reserve(expected_count);
    check_batches();
  });
}

NameCollector::~NameCollector() {
  if (thread_.joinable()) finish();
}

void NameCollector::append(std::string_view name) {
  Batch& batch = *filling_;
  batch.chars.append(name);
  batch.ends.push_back(static_cast<std::uint32_t>(batch.chars.size()));
  if (batch.ends.size() == kBatchNames) hand_over();
}

void NameCollector::hand_over() {
  std::unique_ptr<Batch> next;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    full_.push_back(std::move(filling_));
    if (!empty_.empty()) {
      next = std::move(empty_.front());
      empty_.pop_front();
    }
  }
  changed_.notify_one();
  if (!next) {
    next = std::make_unique<Batch>();
    next->ends.reserve(kBatchNames);
  }
  next->chars.clear();
  next->ends.clear();
  filling_ = std::move(next);
}

void NameCollector::check_batches() {
  while (true) {
    std::unique_ptr<Batch> batch;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return !full_.empty() || finished_; });
      if (full_.empty()) return;  // finished, and every batch checked
      batch = std::move(full_.front());
      full_.pop_front();
    }
    // The hashes first, so that each name's slot is requested from memory well before its insert.
    const std::size_t count = batch->ends.size();
    auto name = [&batch](std::size_t k) {
      const std::uint32_t begin = k == 0 ? 0 : batch->ends[k - 1];
      return std::string_view(batch->chars).substr(begin, batch->ends[k] - begin);
    };
    hashes_.resize(count);
    for (std::size_t k = 0; k < count; ++k) hashes_[k] = NameTable::hash(name(k));
    constexpr std::size_t kPrefetchDistance = 16;
    for (std::size_t k = 0; k < count; ++k) {
      if (repeat_) {  // after a repeat the names are only listed (the caller reports it)
        names_.append(name(k));
        continue;
      }
      if (k + kPrefetchDistance < count) table_.prefetch_hash(hashes_[k + kPrefetchDistance]);
      if (!table_.insert(name(k), hashes_[k]).second) {
        names_ = table_.release();
        repeat_ = names_.append(name(k));
      }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    empty_.push_back(std::move(batch));
  }
}

NameCollector::Result NameCollector::finish() {
  if (!filling_->ends.empty()) hand_over();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
  }
  changed_.notify_one();
  thread_.join();
  if (!repeat_) names_ = table_.release();
  return {std::move(names_), repeat_};
}

}  // namespace xbarsim
