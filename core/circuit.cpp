#include "core/circuit.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include "core/name_collector.h"
#include "core/prefault.h"

namespace xbarsim {

Circuit::Circuit() = default;
Circuit::~Circuit() = default;
Circuit::Circuit(Circuit&&) noexcept = default;
Circuit& Circuit::operator=(Circuit&&) noexcept = default;

int Circuit::node(std::string_view name) {
  if (name == "0" || name == "gnd") return kGround;
  if (indexed_node_blocks_ < node_blocks_.size()) index_bulk_nodes();
  // Netlists written by loops name their nodes in runs (w1_5 w1_6, then w1_6 w1_7, ...): the node
  // asked for is often one of the last two distinct nodes asked for, the one created after
  // either, or the next one at the same stride (b0_1 b0_2 after b0_0 b0_1, created a row apart).
  // Checking those first (names in cache) saves most hash-table probes, which miss the cache in a
  // million-node table.
  const int last = recent_nodes_[0], before = recent_nodes_[1];
  const std::int64_t candidates[5] = {last, before, std::int64_t{last} + 1, std::int64_t{before} + 1, 2 * std::int64_t{last} - before};
  int id = -1;
  for (std::int64_t candidate : candidates)
    if (candidate >= 0 && candidate < node_names_.size() && node_names_[static_cast<int>(candidate)] == name) {
      id = static_cast<int>(candidate);
      break;
    }
  bool inserted = false;
  if (id < 0) std::tie(id, inserted) = node_names_.insert(name);
  if (id != last) {
    recent_nodes_[1] = last;
    recent_nodes_[0] = id;
  }
  if (!inserted) return node_unknowns_[static_cast<std::size_t>(id)];
  node_unknowns_.push_back(unknown_count());
  unknowns_.push_back({id, UnknownKind::node});
  return unknown_count() - 1;
}

void Circuit::reserve(std::size_t devices, std::size_t nodes) {
  // Past this many devices, their names are collected and checked on a second thread.
  constexpr std::size_t kCollectedDevicesMinimum = 100000;
  if (devices >= kCollectedDevicesMinimum && named_device_count_ == 0 && !device_name_collector_)
    device_name_collector_ = std::make_unique<NameCollector>(devices);
  else
    device_names_.reserve(devices);
  node_names_.reserve(nodes);
  reserve_prefaulted(node_unknowns_, nodes);
  reserve_prefaulted(unknowns_, nodes);
}

std::optional<int> Circuit::find_node(std::string_view name) const {
  if (name == "0" || name == "gnd") return kGround;
  if (indexed_node_blocks_ < node_blocks_.size()) index_bulk_nodes();
  auto id = node_names_.find(name);
  if (!id) return std::nullopt;
  return node_unknowns_[static_cast<std::size_t>(*id)];
}

int Circuit::add_nodes(int count, IndexedName name) {
  const int first = unknown_count();
  const int block = static_cast<int>(node_blocks_.size());
  node_blocks_.push_back({first, count, std::move(name)});
  unknowns_.resize(unknowns_.size() + static_cast<std::size_t>(count), {block, UnknownKind::bulk_node});
  return first;
}

void Circuit::index_bulk_nodes() const {
  std::string name;
  for (; indexed_node_blocks_ < node_blocks_.size(); ++indexed_node_blocks_) {
    const NameBlock& block = node_blocks_[indexed_node_blocks_];
    node_names_.reserve(static_cast<std::size_t>(node_names_.size()) + static_cast<std::size_t>(block.count));
    for (int k = 0; k < block.count; ++k) {
      name.clear();
      block.name(k, name);
      if (!node_names_.insert(name).second) throw std::invalid_argument(fmt::format("node name '{}' given twice", name));
      node_unknowns_.push_back(block.first + k);
    }
  }
}

int Circuit::add_branch(std::string_view device_name) {
  int index = unknown_count();
  unknowns_.push_back({branch_names_.append(device_name), UnknownKind::branch});
  branch_index_[std::string(device_name)] = index;
  return index;
}

int Circuit::add_internal_node(std::string_view name, Quantity quantity) {
  int index = unknown_count();
  unknowns_.push_back({internal_names_.append(name),
                       quantity == Quantity::voltage ? UnknownKind::internal_voltage : UnknownKind::internal_current});
  return index;
}

namespace {
void append_call_name(char function, std::string_view argument, std::string& name) {  // "v(a)" without fmt: millions of them
  name += function;
  name += '(';
  name += argument;
  name += ')';
}
}  // namespace

void Circuit::append_unknown_name(int index, std::string& name) const {
  const UnknownEntry& entry = unknowns_[static_cast<std::size_t>(index)];
  switch (entry.kind) {
    case UnknownKind::node: append_call_name('v', node_names_[entry.name], name); return;
    case UnknownKind::bulk_node: {
      const NameBlock& block = node_blocks_[static_cast<std::size_t>(entry.name)];
      name += "v(";
      block.name(index - block.first, name);
      name += ')';
      return;
    }
    case UnknownKind::branch: append_call_name('i', branch_names_[entry.name], name); return;
    case UnknownKind::internal_voltage:
    case UnknownKind::internal_current: name += internal_names_[entry.name]; return;
  }
}

Unknown Circuit::unknown(int index) const {
  std::string name;
  append_unknown_name(index, name);
  return {std::move(name), unknown_quantity(index), unknown_is_output(index)};
}

std::optional<int> Circuit::branch_of(std::string_view device_name) const {
  auto it = branch_index_.find(device_name);
  if (it == branch_index_.end()) return std::nullopt;
  return it->second;
}

std::string Circuit::unknown_label(int index) const {
  if (index < 0) return "ground";
  const Unknown entry = unknown(index);
  const std::string& name = entry.name;
  if (name.size() > 3 && (name.starts_with("v(") || name.starts_with("i(")) && name.back() == ')') {
    std::string inner = name.substr(2, name.size() - 3);
    return entry.quantity == Quantity::voltage ? fmt::format("node '{}'", inner)
                                               : fmt::format("branch current of '{}'", inner);
  }
  return fmt::format("internal node '{}'", name);
}

int Circuit::add_device(std::string_view name) {
  if (device_name_collector_)
    device_name_collector_->append(name);
  else
    device_names_.append(name);
  ++named_device_count_;
  return device_count_++;
}

void Circuit::collect_device_names() const {
  if (!device_name_collector_) return;
  NameCollector::Result collected = device_name_collector_->finish();
  device_name_collector_.reset();
  device_names_ = std::move(collected.names);
  if (collected.repeat) collected_repeat_ = std::string(device_names_[*collected.repeat]);
  else devices_checked_ = device_names_.size();
}

int Circuit::add_devices(int count, IndexedName name) {
  const int first = device_count_;
  named_before_block_.push_back(named_device_count_);
  device_blocks_.push_back({first, count, std::move(name)});
  device_count_ += count;
  return first;
}

std::string Circuit::device_name(int device) const {
  collect_device_names();
  // The last block starting at or before `device`: the device is in it, or one of the named
  // devices added after it.
  auto after = std::upper_bound(device_blocks_.begin(), device_blocks_.end(), device,
                                [](int id, const NameBlock& block) { return id < block.first; });
  if (after == device_blocks_.begin()) return std::string(device_names_[device]);
  const std::size_t index = static_cast<std::size_t>(after - device_blocks_.begin()) - 1;
  const NameBlock& block = device_blocks_[index];
  const int past_block = block.first + block.count;
  if (device >= past_block) return std::string(device_names_[named_before_block_[index] + device - past_block]);
  std::string name;
  block.name(device - block.first, name);
  return name;
}

std::optional<std::string> Circuit::duplicate_device() const {
  collect_device_names();
  if (collected_repeat_) return collected_repeat_;
  if (devices_checked_ == device_names_.size()) return std::nullopt;
  if (auto repeat = device_names_.find_repeat()) return std::string(device_names_[*repeat]);
  devices_checked_ = device_names_.size();
  return std::nullopt;
}

void Circuit::check_device_names() const {
  if (auto name = duplicate_device()) throw std::invalid_argument(fmt::format("duplicate device name '{}'", *name));
}

void Circuit::register_source(std::string_view name, SourceReference source) {
  sources_[std::string(name)] = source;
}

std::optional<SourceReference> Circuit::find_source(std::string_view name) const {
  auto it = sources_.find(name);
  if (it == sources_.end()) return std::nullopt;
  return it->second;
}

}  // namespace xbarsim
