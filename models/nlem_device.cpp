// Native N-LEM device: `X1 anode cathode opt uv NLEM [param=value ...]` with the library
// subcircuit NLEM of models/nlem.lib (equations in models/nlem_model.h).
//
// Unknowns per instance: the pins, two internal state unknowns w and f (dimensionless, not
// written out) and the branch current of the optical output. Equations in DAE form
// f(x) + dq/dt = 0:
//   anode, cathode rows   +I(V, w, f), -I(V, w, f)                          (terminal current)
//   w row                 dw/dt - Fw(V, w, E) = 0     charge q = w           (state, own LTE)
//   f row                 df/dt - Ff(V, f, E) = 0     charge q = f
//   opt row               + i_opt                                          (ideal source output)
//   opt branch row        V(opt) - P(V, w, f) = 0
// The uv pin is only read (infinite impedance). At DC the state rows reduce to Fw = Ff = 0, the
// relaxed state at the applied bias (w ~ 0 at 0 V: a pristine device).
#include <fmt/format.h>


#include "core/circuit.h"
#include "core/diagnostics.h"
#include "core/native_subcircuit.h"
#include "models/builtin_models.h"
#include "models/nlem_model.h"
#include "solvers/matrix_structure.h"

namespace xbarsim {
namespace {

class NlemGroup : public DeviceGroup {
 public:
  struct Instance {
    int device;                   // the X instance (messages)
    int anode, cathode, opt, uv;  // pins
    int weight, facilitation;     // internal state unknowns
    int opt_branch;               // internal branch current driving `opt`
    NlemParameters parameters;
  };
  std::vector<Instance> instances;

  std::string_view kind() const override { return "N-LEM"; }
  std::size_t size() const override { return instances.size(); }
  bool is_nonlinear() const override { return true; }
  int charge_count() const override { return 2 * static_cast<int>(size()); }

  // A held device (hold = 1) has state rows that read nothing but their own state (rate w0 - w,
  // f0 - f: no V or E derivative), so only their diagonals are declared: the states are then
  // unknowns the network depends on but that depend on nothing, and the optical output depends
  // on the network but nothing depends on it. A large-array solver splits both off
  // (solvers/block_triangular_split.h) and solves the conductance network alone.
  static bool held(const Instance& d) { return d.parameters.hold > 0.5; }

  void declare(MatrixStructure& structure) const override {
    for (const Instance& d : instances) {
      for (int row : {d.anode, d.cathode, d.opt_branch})
        for (int column : {d.anode, d.cathode, d.weight, d.facilitation}) structure.add(row, column);
      if (held(d)) {
        structure.add(d.weight, d.weight);
        structure.add(d.facilitation, d.facilitation);
      } else {
        for (int row : {d.weight, d.facilitation})
          for (int column : {d.anode, d.cathode, d.weight, d.facilitation}) structure.add(row, column);
        structure.add(d.weight, d.uv);
        structure.add(d.facilitation, d.uv);
      }
      structure.add(d.opt, d.opt_branch);
      structure.add(d.opt_branch, d.opt);
    }
  }

  void bind(const MatrixStructure& structure) override {
    slots_.clear();
    for (const Instance& d : instances) {
      Slots s;
      const int rows[5] = {d.anode, d.cathode, d.weight, d.facilitation, d.opt_branch};
      const int columns[4] = {d.anode, d.cathode, d.weight, d.facilitation};
      // A held device's state rows write only their diagonals; their other entries (always
      // zero: no V or E derivative) go to the trash slot.
      const bool hold = held(d);
      for (int r = 0; r < 5; ++r)
        for (int c = 0; c < 4; ++c)
          s.matrix[r][c] = hold && (r == 2 || r == 3) && c != r ? structure.trash_slot() : structure.slot(rows[r], columns[c]);
      s.weight_uv = hold ? structure.trash_slot() : structure.slot(d.weight, d.uv);
      s.facilitation_uv = hold ? structure.trash_slot() : structure.slot(d.facilitation, d.uv);
      s.opt_branch = structure.slot(d.opt, d.opt_branch);
      s.branch_opt = structure.slot(d.opt_branch, d.opt);
      for (int r = 0; r < 5; ++r) s.rhs[r] = structure.rhs_index(rows[r]);
      s.value_anode = structure.rhs_index(d.anode);
      s.value_cathode = structure.rhs_index(d.cathode);
      s.value_uv = structure.rhs_index(d.uv);
      s.value_weight = structure.rhs_index(d.weight);
      s.value_facilitation = structure.rhs_index(d.facilitation);
      slots_.push_back(s);
    }
  }

  void load(LoadContext& context) override {
    const double* x = context.solution;
    double* matrix = context.matrix;
    double* rhs = context.rhs;
    const bool transient = context.mode == AnalysisMode::transient;
    for (std::size_t i = 0; i < instances.size(); ++i) {
      const Instance& d = instances[i];
      const Slots& s = slots_[i];
      const double voltage = x[s.value_anode] - x[s.value_cathode];
      // The first iteration of an operating point (ngspice's MODEINITJCT) starts a held device from
      // its held state rather than from the initial guess 0, which its state rows would only reach
      // in this iteration's solution: one Newton iteration less for an array read.
      const bool start_held = context.initialize_junctions && held(d);
      const double weight = start_held ? d.parameters.w0 : x[s.value_weight];
      const double facilitation = start_held ? d.parameters.f0 : x[s.value_facilitation];
      const double irradiance = x[s.value_uv];
      const NlemEvaluation e = evaluate_nlem(d.parameters, voltage, weight, facilitation, irradiance);

      // Terminal current I(V, w, f) from anode to cathode.
      const double current_linear = e.current - e.current_dv * voltage - e.current_dw * weight - e.current_df * facilitation;
      const double current_row[4] = {e.current_dv, -e.current_dv, e.current_dw, e.current_df};
      for (int c = 0; c < 4; ++c) {
        matrix[s.matrix[0][c]] += current_row[c];
        matrix[s.matrix[1][c]] -= current_row[c];
      }
      rhs[s.rhs[0]] -= current_linear;
      rhs[s.rhs[1]] += current_linear;

      // State rows: dq/dt - F = 0 with q = state.
      struct StateRow {
        int row, charge;
        double state, rate, rate_dv, rate_dstate, rate_de;
        int state_column, uv_slot;
      };
      const StateRow states[2] = {
          {2, 0, weight, e.weight_rate, e.weight_rate_dv, e.weight_rate_dw, e.weight_rate_de, 2, s.weight_uv},
          {3, 1, facilitation, e.facilitation_rate, e.facilitation_rate_dv, e.facilitation_rate_df, e.facilitation_rate_de, 3,
           s.facilitation_uv},
      };
      for (const StateRow& state : states) {
        double flow = -state.rate;  // "current" leaving the state row
        double flow_dstate = -state.rate_dstate;
        if (transient) {
          const int charge = charge_base() + 2 * static_cast<int>(i) + state.charge;
          context.charges[charge] = state.state;
          flow += context.integration_a0 * state.state + context.charge_history[charge];
          flow_dstate += context.integration_a0;
        }
        matrix[s.matrix[state.row][0]] -= state.rate_dv;
        matrix[s.matrix[state.row][1]] += state.rate_dv;
        matrix[s.matrix[state.row][state.state_column]] += flow_dstate;
        matrix[state.uv_slot] -= state.rate_de;
        rhs[s.rhs[state.row]] -= flow - (-state.rate_dv * voltage + flow_dstate * state.state - state.rate_de * irradiance);
      }

      // Optical output: V(opt) = P(V, w, f), driven through the branch current.
      matrix[s.opt_branch] += 1.0;
      matrix[s.branch_opt] += 1.0;
      const double power_row[4] = {-e.optical_power_dv, e.optical_power_dv, -e.optical_power_dw, -e.optical_power_df};
      for (int c = 0; c < 4; ++c) matrix[s.matrix[4][c]] += power_row[c];
      rhs[s.rhs[4]] += e.optical_power - e.optical_power_dv * voltage - e.optical_power_dw * weight - e.optical_power_df * facilitation;
    }
  }

  void dc_connections(DcConnectionSink& connections) const override {
    for (const Instance& d : instances) {
      connections.add({d.anode, d.cathode, false, d.device});
      connections.add({d.weight, kGround, false, d.device});
      connections.add({d.facilitation, kGround, false, d.device});
      connections.add({d.opt, kGround, true, d.device});
    }
  }

 private:
  struct Slots {
    int matrix[5][4];  // rows anode, cathode, w, f, opt branch x columns anode, cathode, w, f
    int weight_uv, facilitation_uv, opt_branch, branch_opt;
    int rhs[5];
    int value_anode, value_cathode, value_uv, value_weight, value_facilitation;
  };
  std::vector<Slots> slots_;
};

}  // namespace

void build_native_nlem(NativeSubcircuitInstance& instance) {
  NlemGroup::Instance device;
  device.device = instance.device;
  const std::vector<NlemParameters::Field>& fields = NlemParameters::fields();
  for (std::size_t k = 0; k < fields.size(); ++k) {
    const std::optional<double> value = instance.parameter(fields[k].name, k);  // fields are in nlem.lib's order
    if (!value)
      throw NetlistError(instance.where,
                         fmt::format("N-LEM parameter '{}' is missing (the NLEM subcircuit must come from models/nlem.lib)", fields[k].name));
    device.parameters.*fields[k].member = *value;
  }
  const NlemParameters& p = device.parameters;
  for (auto [name, value] : {std::pair{"g0", p.g0}, {"vh", p.vh}, {"tauw", p.tauw}, {"tauf", p.tauf}, {"vs", p.vs}, {"ion", p.ion}})
    if (!(value > 0)) throw NetlistError(instance.where, fmt::format("N-LEM parameter '{}' must be positive, got {}", name, value));
  Circuit& circuit = *instance.circuit;
  device.anode = instance.nodes[0];
  device.cathode = instance.nodes[1];
  device.opt = instance.nodes[2];
  device.uv = instance.nodes[3];
  std::string name = instance.path;
  auto internal = [&](std::string_view suffix, Quantity quantity) {
    name.resize(instance.path.size());
    name += suffix;
    return circuit.add_internal_node(name, quantity);
  };
  device.weight = internal("#w", Quantity::voltage);
  device.facilitation = internal("#f", Quantity::voltage);
  device.opt_branch = internal("#opt_branch", Quantity::current);
  NlemGroup& group = circuit.group<NlemGroup>();
  if (group.instances.empty()) group.instances.reserve(instance.expected_count);
  group.instances.push_back(device);
}

}  // namespace xbarsim
