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
    for (std::size_t i = 0; i < size(); ++i)
      slots_[i] = {structure.slot(a[i], a[i]), structure.slot(b[i], b[i]), structure.slot(a[i], b[i]), structure.slot(b[i], a[i]),
                   structure.rhs_index(a[i]), structure.rhs_index(b[i])};
  }
  void load(LoadContext& context) override {
    if (context.mode != AnalysisMode::transient) return;  // no DC current
    const double* x = context.solution;
    double* matrix = context.matrix;
    double* charges = context.charges + charge_base();
    const double* history = context.charge_history + charge_base();
    if (context.charges_only && !context.use_initial_conditions) {
      for (std::size_t i = 0; i < slots_.size(); ++i) charges[i] = capacitance[i] * (x[slots_[i].rhs_a] - x[slots_[i].rhs_b]);
      return;
    }
    if (context.rhs_only && !context.use_initial_conditions) {
      // The equivalent current below is a0*C*v + history - a0*C*v = history, whatever v.
      double* rhs = context.rhs;
      for (std::size_t i = 0; i < slots_.size(); ++i) {
        rhs[slots_[i].rhs_a] -= history[i];
        rhs[slots_[i].rhs_b] += history[i];
      }
      return;
    }
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      const Slots& s = slots_[i];
      double voltage = x[s.rhs_a] - x[s.rhs_b];
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
      context.rhs[s.rhs_a] -= equivalent;
      context.rhs[s.rhs_b] += equivalent;
    }
  }

 private:
  struct Slots {
    int aa, bb, ab, ba, rhs_a, rhs_b;
  };
  std::vector<Slots> slots_;
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
