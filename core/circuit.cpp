#include "core/circuit.h"

#include <fmt/format.h>

namespace xbarsim {

int Circuit::node(std::string_view name) {
  if (name == "0" || name == "gnd") return kGround;
  if (auto it = node_index_.find(name); it != node_index_.end()) return it->second;
  node_index_.emplace(std::string(name), unknown_count());
  unknowns_.push_back({fmt::format("v({})", name), Quantity::voltage, true});
  return unknown_count() - 1;
}

std::optional<int> Circuit::find_node(std::string_view name) const {
  if (name == "0" || name == "gnd") return kGround;
  auto it = node_index_.find(name);
  if (it == node_index_.end()) return std::nullopt;
  return it->second;
}

int Circuit::add_branch(std::string_view device_name) {
  int index = unknown_count();
  unknowns_.push_back({fmt::format("i({})", device_name), Quantity::current, true});
  branch_index_[std::string(device_name)] = index;
  return index;
}

int Circuit::add_internal_node(std::string_view name, Quantity quantity) {
  int index = unknown_count();
  unknowns_.push_back({std::string(name), quantity, false});
  return index;
}

std::optional<int> Circuit::branch_of(std::string_view device_name) const {
  auto it = branch_index_.find(device_name);
  if (it == branch_index_.end()) return std::nullopt;
  return it->second;
}

std::string Circuit::unknown_label(int index) const {
  if (index < 0) return "ground";
  const Unknown& entry = unknown(index);
  const std::string& name = entry.name;
  if (name.size() > 3 && (name.starts_with("v(") || name.starts_with("i(")) && name.back() == ')') {
    std::string inner = name.substr(2, name.size() - 3);
    return entry.quantity == Quantity::voltage ? fmt::format("node '{}'", inner)
                                               : fmt::format("branch current of '{}'", inner);
  }
  return fmt::format("internal node '{}'", name);
}

bool Circuit::register_device(std::string_view name) {
  return device_names_.emplace(name).second;
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
