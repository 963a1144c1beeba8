// NameCollector: gathers a large netlist's device names on a second thread and checks them for
// repeats as they come.
//
// Device names must be unique, but the millions of a large array's devices are only looked at
// again in messages. Checking them after elaboration (NameList::find_repeat) costs a pass over all
// of them on the elaborating thread; here the elaborating thread only copies each name into a
// batch, and a second thread appends the batches to the list and enters every name in a hash
// table, in parallel with the rest of the elaboration. finish() waits for that thread and gives
// the names, in order, with the first repeat.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/name_table.h"

namespace xbarsim {

class NameCollector {
 public:
  // `expected_count`: about how many names will come (room is reserved for them).
  explicit NameCollector(std::size_t expected_count);
  ~NameCollector();
  NameCollector(const NameCollector&) = delete;
  NameCollector& operator=(const NameCollector&) = delete;

  void append(std::string_view name);

  struct Result {
    NameList names;             // every name appended, in order
    std::optional<int> repeat;  // the position of the first name equal to an earlier one
  };
  // Waits for the second thread; call once.
  Result finish();

 private:
  struct Batch {
    std::string chars;
    std::vector<std::uint32_t> ends;  // end of each name in `chars`
  };

  std::unique_ptr<Batch> filling_;  // the elaborating thread's current batch
  // Handed between the threads under mutex_: full batches to check, checked ones to reuse.
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<Batch>> full_, empty_;
  bool finished_ = false;
  // The second thread's own.
  NameTable table_;
  std::vector<std::uint64_t> hashes_;  // of the batch being checked
  NameList names_;
  std::optional<int> repeat_;
  std::thread thread_;

  void hand_over();  // filling_ to the second thread
  void check_batches();
};

}  // namespace xbarsim
