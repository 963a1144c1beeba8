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
//   3. declare(): the group adds every (row, column) it will ever write to the MatrixStructure
//      (called twice, to count and then to store: the same entries each time);
//   4. bind(): after the structure is finalised, the group looks up its value slots once (or keeps
//      a pointer to one of the structure's tables, such as diagonal_slot_table(): the MnaSystem
//      keeps the structure it bound to for as long as it loads);
//   5. load(): per Newton iteration, the group adds its linearised stamps (Jacobian into
//      `matrix`, right-hand side into `rhs`, in SPICE companion form J*x_new = rhs) at `solution`.
// Ground is row/column -1 until bind(); after bind() it is a trash slot, so loads never branch.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/simulation_options.h"
#include "core/source_location.h"

namespace xbarsim {

class Circuit;
class MatrixStructure;

// transient_operating_point: the DC solution a transient starts from (sources at their t = 0
// waveform value, storage elements open/short as at DC).
enum class AnalysisMode { operating_point, dc_sweep, transient_operating_point, transient };

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

  // Transient integration (DAE form f(x) + dq/dt = 0). A device with charge (or flux) state k
  // writes q into charges[k] at every load; in transient mode its current dq/dt is
  //   integration_a0 * q + charge_history[k]
  // (see core/integration.h), so it stamps the conductance integration_a0 * dq/dx.
  double integration_a0 = 0.0;
  const double* charge_history = nullptr;
  double* charges = nullptr;
  // Start of a transient with `uic`: element IC= values, where given, define the initial charges.
  bool use_initial_conditions = false;
  // Only charges[] is wanted (a linear transient's charges at its solution, MnaSystem::
  // load_charges): a group may skip its matrix and rhs stamps. matrix and rhs then point to
  // scratch space that nobody reads, so a group that ignores the flag does no harm.
  bool charges_only = false;
  // The matrix is the one loaded last (a linear circuit loaded again in the same mode with the
  // same integration_a0, MnaSystem::load_reusing_matrix): only the rhs is wanted. A group may skip
  // its matrix stamps (matrix then points to scratch space that nobody reads) and its charges
  // (a linear circuit's charges are evaluated at the solution, by load_charges).
  bool rhs_only = false;
};

// Conducting connections between unknowns at DC, for naming the cause of a singular matrix.
struct DcConnection {
  int a;  // node index or -1 for ground
  int b;
  bool defines_voltage;  // a voltage source, inductor or E/H output: a loop of these is singular
  int device;            // device id (Circuit::register_device), for messages
};

// Where groups put their DC connections: handed on in batches of a few thousand, so that the
// connections of a million-device circuit are never all held at once. Whoever fills it calls
// flush() at the end, for the last batch.
class DcConnectionSink {
 public:
  using Consumer = std::function<void(std::span<const DcConnection>)>;
  explicit DcConnectionSink(Consumer consume) : consume_(std::move(consume)) { batch_.reserve(kBatchSize); }
  DcConnectionSink(const DcConnectionSink&) = delete;
  DcConnectionSink& operator=(const DcConnectionSink&) = delete;

  void add(const DcConnection& connection) {
    batch_.push_back(connection);
    if (batch_.size() == kBatchSize) flush();
  }
  void flush() {
    if (!batch_.empty()) consume_(batch_);
    batch_.clear();
  }

 private:
  static constexpr std::size_t kBatchSize = 4096;
  Consumer consume_;
  std::vector<DcConnection> batch_;
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

  virtual void dc_connections(DcConnectionSink& connections) const { (void)connections; }
  // A group that is not nonlinear stamps the same matrix at every load with the same mode and
  // integration_a0 (whatever the solution, time or source factor), so that the matrix can be
  // reused (LoadContext::rhs_only).
  virtual bool is_nonlinear() const { return false; }
  // Called at the start of every operating point / sweep point solve; resets limiting history.
  virtual void reset_iteration_state() {}

  // Charge (or flux) states for transient integration: the group owns states
  // [charge_base(), charge_base() + charge_count()), numbered by the MnaSystem.
  virtual int charge_count() const { return 0; }
  void set_charge_base(int base) { charge_base_ = base; }
  int charge_base() const { return charge_base_; }
  // Transient breakpoints (waveform corners) in (0, stop] and the state of time-dependent inputs.
  virtual void prepare_transient(double step, double stop, std::vector<double>& breakpoints) {
    (void)step, (void)stop, (void)breakpoints;
  }

 private:
  int charge_base_ = 0;
};

}  // namespace xbarsim
