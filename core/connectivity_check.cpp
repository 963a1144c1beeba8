#include "core/connectivity_check.h"

#include <fmt/format.h>

#include <numeric>
#include <optional>
#include <span>

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

// Every DC connection of the circuit, group by group, handed to `consume` in batches.
void visit_dc_connections(const Circuit& circuit, const DcConnectionSink::Consumer& consume) {
  DcConnectionSink sink(consume);
  for (const auto& group : circuit.groups()) group->dc_connections(sink);
  sink.flush();
}

}  // namespace

void check_dc_connectivity(const Circuit& circuit) {
  const int count = circuit.unknown_count();
  const int ground = count;  // index used for ground inside this check
  auto index = [&](int node) { return node == kGround ? ground : node; };

  // One pass: voltage-defining connections join `voltage_defined` (a connection whose ends are
  // already joined closes a loop), every connection joins `conducting`.
  DisjointSets voltage_defined(count + 1), conducting(count + 1);
  std::optional<DcConnection> closing;
  visit_dc_connections(circuit, [&](std::span<const DcConnection> batch) {
    for (const DcConnection& connection : batch) {
      if (closing) return;
      if (connection.defines_voltage && !voltage_defined.join(index(connection.a), index(connection.b))) closing = connection;
      conducting.join(index(connection.a), index(connection.b));
    }
  });
  if (closing) {
    // Devices forming the loop: every voltage-defining device between nodes of the cycle's set.
    std::vector<std::string> loop;
    const int root = voltage_defined.find(index(closing->a));
    visit_dc_connections(circuit, [&](std::span<const DcConnection> batch) {
      for (const DcConnection& other : batch)
        if (other.defines_voltage && other.device != closing->device && voltage_defined.find(index(other.a)) == root)
          loop.push_back(circuit.device_name(other.device));
    });
    loop.push_back(circuit.device_name(closing->device));
    throw SimulationError(fmt::format("singular matrix: voltage sources and inductors form a loop ({}); '{}' closes it between {} and {}",
                                      fmt::join(loop, ", "), circuit.device_name(closing->device), circuit.unknown_label(closing->a),
                                      circuit.unknown_label(closing->b)));
  }

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
