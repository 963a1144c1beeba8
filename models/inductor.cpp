// Inductor `Lname n+ n- value [ic=i]`: flux phi = L * I with its branch current I as an unknown.
// Branch equation V(n+) - V(n-) - dphi/dt = 0: a short circuit at DC; in transient dphi/dt comes
// from the integration formula (core/integration.h) as a0*phi + history.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/circuit.h"
#include "models/builtin_models.h"
#include "solvers/matrix_structure.h"

namespace xbarsim {
namespace {

class InductorGroup : public DeviceGroup {
 public:
  std::vector<int> a, b, branch;
  std::vector<double> inductance;
  std::vector<double> initial_current;  // NaN when no ic= was given
  std::vector<int> devices;  // device ids (Circuit::device_name)

  std::string_view kind() const override { return "inductor"; }
  std::size_t size() const override { return a.size(); }
  int charge_count() const override { return static_cast<int>(size()); }

  void declare(MatrixStructure& structure) const override {
    for (std::size_t i = 0; i < size(); ++i) {
      structure.add(a[i], branch[i]);
      structure.add(b[i], branch[i]);
      structure.add(branch[i], a[i]);
      structure.add(branch[i], b[i]);
      structure.add(branch[i], branch[i]);
    }
  }
  void bind(const MatrixStructure& structure) override {
    slots_.resize(size());
    for (std::size_t i = 0; i < size(); ++i)
      slots_[i] = {structure.slot(a[i], branch[i]),      structure.slot(b[i], branch[i]), structure.slot(branch[i], a[i]),
                   structure.slot(branch[i], b[i]),      structure.slot(branch[i], branch[i]), branch[i]};
  }
  void load(LoadContext& context) override {
    if (context.charges_only && context.mode == AnalysisMode::transient && !context.use_initial_conditions) {
      double* fluxes = context.charges + charge_base();
      for (std::size_t i = 0; i < slots_.size(); ++i) fluxes[i] = inductance[i] * context.solution[slots_[i].branch];
      return;
    }
    double* matrix = context.matrix;
    if (!context.rhs_only)
      for (const Slots& s : slots_) {
        matrix[s.a_branch] += 1.0;
        matrix[s.b_branch] -= 1.0;
        matrix[s.branch_a] += 1.0;
        matrix[s.branch_b] -= 1.0;
      }
    if (context.mode != AnalysisMode::transient) return;
    double* fluxes = context.charges + charge_base();
    const double* history = context.charge_history + charge_base();
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      const Slots& s = slots_[i];
      double current = context.solution[s.branch];
      if (context.use_initial_conditions && !std::isnan(initial_current[i])) current = initial_current[i];
      fluxes[i] = inductance[i] * current;
      // V(a) - V(b) - (a0*L*I + history) = 0
      matrix[s.branch_branch] -= context.integration_a0 * inductance[i];
      context.rhs[s.branch] += history[i];
    }
  }
  void dc_connections(DcConnectionSink& connections) const override {
    for (std::size_t i = 0; i < size(); ++i) connections.add({a[i], b[i], true, devices[i]});
  }

 private:
  struct Slots {
    int a_branch, b_branch, branch_a, branch_b, branch_branch, branch;
  };
  std::vector<Slots> slots_;
};

}  // namespace

void build_inductor(ElementCard& card) {
  const Token& value_token = card.token(3);
  double initial = std::numeric_limits<double>::quiet_NaN();
  for (const KeywordValue& pair : card.keyword_values(4)) {
    if (pair.keyword->is("ic")) initial = card.value(*pair.value);
    else card.fail(*pair.keyword, fmt::format("unknown inductor parameter '{}'; usage: Lname n+ n- value [ic=i]", pair.keyword->text));
  }
  auto& group = card.circuit().group<InductorGroup>();
  group.a.push_back(card.node(1));
  group.b.push_back(card.node(2));
  group.inductance.push_back(card.value(value_token));
  group.branch.push_back(card.circuit().add_branch(card.name()));
  group.initial_current.push_back(initial);
  group.devices.push_back(card.device_id());
}

}  // namespace xbarsim
