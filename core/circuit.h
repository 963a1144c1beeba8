// Circuit: the elaborated, flat circuit a simulation runs on.
//
// Produced by the elaborator from a netlist (or built directly through the library API): the
// unknowns (node voltages, then branch currents and internal nodes, in creation order), the
// device groups that hold every instance, independent sources by name (for .dc sweeps), the
// requested analyses, options, initial conditions, the output selection (.save), the top-level
// parameters, the `.meas` requests and the `.step` parameters.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <typeinfo>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/device_group.h"
#include "core/measure.h"
#include "core/name_table.h"
#include "core/simulation_options.h"
#include "core/source_location.h"
#include "core/step_specification.h"
#include "core/waveforms.h"

namespace xbarsim {

inline constexpr int kGround = -1;

struct Unknown {
  std::string name;   // output name: `v(node)` or `i(device)`; internal unknowns have `#` names
  Quantity quantity;  // voltage (node) or current (branch)
  bool is_output;     // false for device-internal unknowns (not written, as in ngspice)
};

// An independent source that a .dc sweep can set.
class SweepableSource {
 public:
  virtual ~SweepableSource() = default;
  virtual double dc_value(std::size_t index) const = 0;
  virtual void set_dc_value(std::size_t index, double value) = 0;
  virtual Quantity source_quantity() const = 0;  // voltage source or current source
};

struct SourceReference {
  SweepableSource* group = nullptr;
  std::size_t index = 0;
};

struct SweepSpecification {
  std::string source;  // device name, lower case
  SourceLocation where;
  double start = 0, stop = 0, step = 0;
};

struct OperatingPointRequest {
  SourceLocation where;
};
struct DcSweepRequest {
  SourceLocation where;
  std::vector<SweepSpecification> sweeps;  // sweeps[0] is the inner (fast) one, as in ngspice
};
struct TransientRequest {
  SourceLocation where;
  double step = 0, stop = 0, start = 0, max_step = 0;  // max_step 0: not given
  bool use_initial_conditions = false;                  // `uic`
};
using AnalysisRequest = std::variant<OperatingPointRequest, DcSweepRequest, TransientRequest>;

struct NodeValue {
  int node;
  double value;
  SourceLocation where;
};

// Writes the name of item `index` of a bulk-created block (Circuit::add_nodes, add_devices) by
// appending it to `name`: names are made only when asked for, not millions at construction.
using IndexedName = std::function<void(int index, std::string& name)>;

// Hash of strings that also takes string_views, so lookups need not build a std::string.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};
template <class Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

class NameCollector;

class Circuit {
 public:
  Circuit();
  ~Circuit();
  Circuit(Circuit&&) noexcept;
  Circuit& operator=(Circuit&&) noexcept;

  std::string title;
  SimulationOptions options;
  std::vector<AnalysisRequest> analyses;
  std::vector<NodeValue> initial_conditions;  // .ic
  std::vector<NodeValue> nodesets;            // .nodeset
  std::vector<std::string> saved_vectors;     // .save names (lower case); empty means all
  std::map<std::string, double> parameters;    // top-level .param values
  std::vector<MeasureRequest> measurements;    // .meas, in netlist order
  std::vector<SteppedParameter> steps;         // .step lines (run by `xbarsim sweep`)

  // Unknowns.
  int node(std::string_view name);  // get or create; "0" and "gnd" are ground (kGround)
  std::optional<int> find_node(std::string_view name) const;
  // `count` new nodes at once (a library user building an array), named by `name` (without the
  // `v()`) only when a name is asked for: output, messages, or a node(name) / find_node(name)
  // lookup, the first of which indexes every bulk name. Returns the first node's unknown index;
  // the others follow in order. The names must be distinct and new: a repeat is an error
  // (std::invalid_argument) when the names are indexed.
  int add_nodes(int count, IndexedName name);
  // Room for about `devices` devices and `nodes` nodes (a large netlist's line count is known
  // before its elements are built). From 100 000 devices on, their names are collected on a
  // second thread (see add_device).
  void reserve(std::size_t devices, std::size_t nodes);
  int add_branch(std::string_view device_name);  // `i(device)` unknown, recorded for I()/F/H lookups
  // Device-internal unknown, not written out: a diode's ohmic node, a memristor state variable
  // (voltage-like), a native model's internal branch current (Quantity::current).
  int add_internal_node(std::string_view name, Quantity quantity = Quantity::voltage);
  std::optional<int> branch_of(std::string_view device_name) const;
  int unknown_count() const { return static_cast<int>(unknowns_.size()); }
  Unknown unknown(int index) const;  // builds the name: for output and messages, not hot loops
  // Appends unknown(index).name to `name` (a plot's thousands of names, without a string each).
  void append_unknown_name(int index, std::string& name) const;
  bool unknown_is_output(int index) const {
    const UnknownKind kind = unknowns_[static_cast<std::size_t>(index)].kind;
    return kind == UnknownKind::node || kind == UnknownKind::bulk_node || kind == UnknownKind::branch;
  }
  Quantity unknown_quantity(int index) const {
    const UnknownKind kind = unknowns_[static_cast<std::size_t>(index)].kind;
    return kind == UnknownKind::node || kind == UnknownKind::bulk_node || kind == UnknownKind::internal_voltage ? Quantity::voltage
                                                                                                                : Quantity::current;
  }
  std::string unknown_label(int index) const;  // "node 'x'" / "branch current of 'v1'" for messages

  // Device groups, one per kind, created on first use (a circuit has a handful: a linear search
  // of their types is faster than hashing one per device added). The type's own record is
  // compared first: comparing two types' records may compare their names.
  template <class Group>
  Group& group() {
    const std::type_info& type = typeid(Group);
    for (std::size_t k = 0; k < group_types_.size(); ++k)
      if (group_types_[k] == &type) return static_cast<Group&>(*groups_[k]);
    for (std::size_t k = 0; k < group_types_.size(); ++k)
      if (*group_types_[k] == type) return static_cast<Group&>(*groups_[k]);
    group_types_.push_back(&type);
    groups_.push_back(std::make_unique<Group>());
    return static_cast<Group&>(*groups_.back());
  }
  const std::vector<std::unique_ptr<DeviceGroup>>& groups() const { return groups_; }

  // Device names (lower case, hierarchical `r.x1.r1` style) must be unique. Adding a device only
  // records its name and returns its id (what device groups keep): checking each name against
  // millions of others as it comes would cost a cache miss per device. duplicate_device() finds
  // a repeated name afterwards (the elaborator, then the simulator, ask); when reserve() was told
  // of many devices, a second thread has been checking them meanwhile (NameCollector).
  int add_device(std::string_view name);
  // `count` devices at once, named by `name` only when a name is asked for (messages); returns
  // the first device id, the others follow. The names must be distinct from each other and from
  // every other device's: unlike add_device's, they are not checked (that would make them all).
  int add_devices(int count, IndexedName name);
  std::string device_name(int device) const;
  std::optional<std::string> duplicate_device() const;  // a name given to two devices (add_device)
  // Throws std::invalid_argument naming a duplicate device (circuits built through the library).
  void check_device_names() const;
  void register_source(std::string_view name, SourceReference source);
  std::optional<SourceReference> find_source(std::string_view name) const;
  std::size_t device_count() const { return static_cast<std::size_t>(device_count_); }
  // A hint that node `name` is looked up soon (the elaborator reads one line ahead). It pays only
  // once the node table has outgrown the cache (NameTable::prefetch_pays).
  void prefetch_node(std::string_view name) const { node_names_.prefetch(name); }
  bool node_prefetch_pays() const { return node_names_.prefetch_pays(); }

 private:
  enum class UnknownKind : std::uint8_t { node, bulk_node, branch, internal_voltage, internal_current };
  struct UnknownEntry {
    int name;  // into node_names_ (node), node_blocks_ (bulk_node), branch_names_ (branch) or internal_names_
    UnknownKind kind;
  };
  // Items [first, first + count) of a bulk-created block, named by `name(item - first)`.
  struct NameBlock {
    int first;
    int count;
    IndexedName name;
  };
  std::vector<UnknownEntry> unknowns_;
  // Node names by lookup. Bulk nodes enter it at the first lookup after they were added
  // (index_bulk_nodes(), from const lookups too: hence mutable).
  mutable NameTable node_names_;
  mutable std::vector<int> node_unknowns_;  // node name id -> unknown index
  mutable std::size_t indexed_node_blocks_ = 0;
  int recent_nodes_[2] = {0, 0};  // name ids of the last two distinct nodes looked up (see node())
  std::vector<NameBlock> node_blocks_;  // first and count are unknown indices
  NameList branch_names_;
  StringMap<int> branch_index_;
  NameList internal_names_;
  StringMap<SourceReference> sources_;
  int device_count_ = 0;
  int named_device_count_ = 0;          // devices add_device made
  // Their names, in id order. When many are coming (reserve), a NameCollector gathers them and
  // checks them for repeats on a second thread until they are asked for (collect_device_names).
  mutable NameList device_names_;
  mutable std::unique_ptr<NameCollector> device_name_collector_;
  mutable std::optional<std::string> collected_repeat_;  // the repeat the collector found
  std::vector<NameBlock> device_blocks_;  // first and count are device ids
  mutable int devices_checked_ = 0;     // check_device_names() found no duplicate among these
  std::vector<int> named_before_block_;  // named devices when each device block was added

  void collect_device_names() const;

  void index_bulk_nodes() const;
  std::vector<std::unique_ptr<DeviceGroup>> groups_;
  std::vector<const std::type_info*> group_types_;  // of groups_
};

}  // namespace xbarsim
