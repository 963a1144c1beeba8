// DeviceGroup: all instances of one device kind in a circuit, evaluated together.
//
// A model (models/) implements one DeviceGroup per kind and keeps its instances in contiguous
// arrays (nodes, parameters, bound matrix slots, state). The simulator never touches a single
// device: it calls each group once per phase.
//
// Life cycle:
//   1. elaboration adds instances (the model's builder parses a netlist card into the group);
//   2. resolve(): references to other devices (e.g. an F source's controlling V source) are looked
//      up once every element exists;
//   3. declare(): the group adds every (row, column) it will ever write to the MatrixStructure;
//   4. bind(): after the structure is finalised, the group looks up its value slots once;
//   5. load(): per Newton iteration, the group adds its linearised stamps (Jacobian into
//      `matrix`, right-hand side into `rhs`, in SPICE companion form J*x_new = rhs) at `solution`.
// Ground is row/column -1 until bind(); after bind() it is a trash slot, so loads never branch.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/simulation_options.h"
#include "core/source_location.h"

namespace xbarsim {

class Circuit;
class MatrixStructure;

enum class AnalysisMode { operating_point, dc_sweep, transient };

// What one load() call sees and writes.
struct LoadContext {
  const double* solution = nullptr;  // current iterate, one entry per unknown plus 0 for ground
  double* matrix = nullptr;          // CSC values (plus trash slot), zeroed before the load
  double* rhs = nullptr;             // right-hand side (plus trash row), zeroed before the load
  const SimulationOptions* options = nullptr;
  AnalysisMode mode = AnalysisMode::operating_point;
  double source_factor = 1.0;         // scales independent sources (source stepping)
  double junction_gmin = 1e-12;       // conductance across each junction (options.gmin)
  bool initialize_junctions = false;  // first iteration of an operating point (ngspice MODEINITJCT)
  int limited_devices = 0;            // incremented by a device that limited its voltage step
  double time = 0.0;                  // transient time (s)
};

// Conducting connections between unknowns at DC, for naming the cause of a singular matrix.
struct DcConnection {
  int a;  // node index or -1 for ground
  int b;
  bool defines_voltage;  // a voltage source, inductor or E/H output: a loop of these is singular
  std::string device;    // device name, for messages
};

class DeviceGroup {
 public:
  virtual ~DeviceGroup() = default;

  virtual std::string_view kind() const = 0;  // e.g. "resistor"
  virtual std::size_t size() const = 0;       // number of instances

  virtual void resolve(const Circuit& circuit) { (void)circuit; }
  virtual void declare(MatrixStructure& structure) const = 0;
  virtual void bind(const MatrixStructure& structure) = 0;
  virtual void load(LoadContext& context) = 0;

  virtual void dc_connections(std::vector<DcConnection>& connections) const { (void)connections; }
  virtual bool is_nonlinear() const { return false; }
  // Called at the start of every operating point / sweep point solve; resets limiting history.
  virtual void reset_iteration_state() {}
};

}  // namespace xbarsim
