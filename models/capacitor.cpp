// Capacitor `Cname n+ n- value [ic=v]`: charge q = C * V(n+, n-); open at DC.
// In transient the current dq/dt comes from the integration formula (core/integration.h):
// i = a0*q + history, stamped as the conductance a0*C plus the current i - a0*C*v.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/circuit.h"
#include "models/builtin_models.h"
#include "solvers/matrix_structure.h"

namespace xbarsim {
namespace {

class CapacitorGroup : public DeviceGroup {
 public:
  std::vector<int> a, b;
  std::vector<double> capacitance;
  std::vector<double> initial_voltage;  // NaN when no ic= was given
  std::vector<int> devices;  // device ids (Circuit::device_name)

  std::string_view kind() const override { return "capacitor"; }
  std::size_t size() const override { return a.size(); }
  int charge_count() const override { return static_cast<int>(size()); }

  void declare(MatrixStructure& structure) const override {
    for (std::size_t i = 0; i < size(); ++i) {
      structure.add(a[i], b[i]);
      structure.add(b[i], a[i]);
    }
  }
  void bind(const MatrixStructure& structure) override {
    slots_.resize(size());
    terminals_.resize(size());
    for (std::size_t i = 0; i < size(); ++i) {
      slots_[i] = {structure.slot(a[i], a[i]), structure.slot(b[i], b[i]), structure.slot(a[i], b[i]), structure.slot(b[i], a[i])};
      terminals_[i] = {structure.rhs_index(a[i]), structure.rhs_index(b[i])};
    }
  }
  void load(LoadContext& context) override {
    if (context.mode != AnalysisMode::transient) return;  // no DC current
    const double* x = context.solution;
    double* matrix = context.matrix;
    double* charges = context.charges + charge_base();
    const double* history = context.charge_history + charge_base();
    if (context.charges_only && !context.use_initial_conditions) {
      for (std::size_t i = 0; i < terminals_.size(); ++i) charges[i] = capacitance[i] * (x[terminals_[i].a] - x[terminals_[i].b]);
      return;
    }
    if (context.rhs_only && !context.use_initial_conditions) {
      // The equivalent current below is a0*C*v + history - a0*C*v = history, whatever v.
      double* rhs = context.rhs;
      for (std::size_t i = 0; i < terminals_.size(); ++i) {
        rhs[terminals_[i].a] -= history[i];
        rhs[terminals_[i].b] += history[i];
      }
      return;
    }
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      const Slots& s = slots_[i];
      const Terminals& t = terminals_[i];
      double voltage = x[t.a] - x[t.b];
      if (context.use_initial_conditions && !std::isnan(initial_voltage[i])) voltage = initial_voltage[i];
      const double charge = capacitance[i] * voltage;
      charges[i] = charge;
      const double conductance = context.integration_a0 * capacitance[i];
      const double current = context.integration_a0 * charge + history[i];
      const double equivalent = current - conductance * voltage;
      matrix[s.aa] += conductance;
      matrix[s.bb] += conductance;
      matrix[s.ab] -= conductance;
      matrix[s.ba] -= conductance;
      context.rhs[t.a] -= equivalent;
      context.rhs[t.b] += equivalent;
    }
  }

 private:
  // Matrix slots and rhs rows apart: a transient's per-step loads (rhs_only, charges_only) read
  // only the rows, a third of the bytes.
  struct Slots {
    int aa, bb, ab, ba;
  };
  struct Terminals {
    int a, b;  // rhs rows of n+ and n- (ground: the trash row)
  };
  std::vector<Slots> slots_;
  std::vector<Terminals> terminals_;
};

}  // namespace

void build_capacitor(ElementCard& card) {
  const Token* value_token = &card.token(3);
  std::size_t extra = 4;
  if (value_token->is("c") && card.token_count() > 5 && card.token(4).kind == TokenKind::equals) {
    value_token = &card.token(5);
    extra = 6;
  }
  double initial = std::numeric_limits<double>::quiet_NaN();
  for (const KeywordValue& pair : card.keyword_values(extra)) {
    if (pair.keyword->is("ic")) initial = card.value(*pair.value);
    else card.fail(*pair.keyword, fmt::format("unknown capacitor parameter '{}'; usage: Cname n+ n- value [ic=v]", pair.keyword->text));
  }
  auto& group = card.circuit().group<CapacitorGroup>();
  group.a.push_back(card.node(1));
  group.b.push_back(card.node(2));
  group.capacitance.push_back(card.value(*value_token));
  group.initial_voltage.push_back(initial);
  group.devices.push_back(card.device_id());
}

}  // namespace xbarsim
