#include "core/connectivity_check.h"

#include <fmt/format.h>

#include <numeric>

#include "core/diagnostics.h"

namespace xbarsim {
namespace {

class DisjointSets {
 public:
  explicit DisjointSets(int size) : parent_(static_cast<std::size_t>(size)) { std::iota(parent_.begin(), parent_.end(), 0); }
  int find(int x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  bool join(int a, int b) {  // false when already joined
    a = find(a);
    b = find(b);
    if (a == b) return false;
    parent_[a] = b;
    return true;
  }

 private:
  std::vector<int> parent_;
};

}  // namespace

void check_dc_connectivity(const Circuit& circuit) {
  std::vector<DcConnection> connections;
  std::size_t instances = 0;  // most devices make one connection: growing from there copies little
  for (const auto& group : circuit.groups()) instances += group->size();
  connections.reserve(instances);
  for (const auto& group : circuit.groups()) group->dc_connections(connections);
  const int count = circuit.unknown_count();
  const int ground = count;  // index used for ground inside this check
  auto index = [&](int node) { return node == kGround ? ground : node; };

  DisjointSets voltage_defined(count + 1);
  for (const DcConnection& connection : connections) {
    if (!connection.defines_voltage) continue;
    if (!voltage_defined.join(index(connection.a), index(connection.b))) {
      std::vector<std::string> loop;
      // Devices forming the loop: every voltage-defining device between nodes of the cycle's set.
      int root = voltage_defined.find(index(connection.a));
      for (const DcConnection& other : connections)
        if (other.defines_voltage && voltage_defined.find(index(other.a)) == root && &other != &connection) loop.push_back(circuit.device_name(other.device));
      loop.push_back(circuit.device_name(connection.device));
      throw SimulationError(fmt::format(
          "singular matrix: voltage sources and inductors form a loop ({}); '{}' closes it between {} and {}",
          fmt::join(loop, ", "), circuit.device_name(connection.device), circuit.unknown_label(connection.a), circuit.unknown_label(connection.b)));
    }
  }

  DisjointSets conducting(count + 1);
  for (const DcConnection& connection : connections) conducting.join(index(connection.a), index(connection.b));
  std::vector<std::string> floating;
  const int grounded = conducting.find(ground);
  for (int i = 0; i < count; ++i) {
    if (circuit.unknown_quantity(i) != Quantity::voltage) continue;
    if (conducting.find(i) != grounded) floating.push_back(circuit.unknown_label(i));
  }
  if (!floating.empty()) {
    std::size_t shown = std::min<std::size_t>(floating.size(), 10);
    std::vector<std::string> listed(floating.begin(), floating.begin() + static_cast<long>(shown));
    throw SimulationError(fmt::format("singular matrix: {} {} no DC path to ground: {}{}", floating.size(),
                                      floating.size() == 1 ? "node has" : "nodes have", fmt::join(listed, ", "),
                                      floating.size() > shown ? fmt::format(" and {} more", floating.size() - shown) : ""));
  }
}

}  // namespace xbarsim
