// Capacitor `Cname n+ n- value [ic=v]`: charge q = C * V(n+, n-); open at DC.
// In transient the current dq/dt comes from the integration formula (core/integration.h):
// i = a0*q + history, stamped as the conductance a0*C plus the current i - a0*C*v.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/circuit.h"
#include "core/parallel.h"
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
    // Each row's capacitors, n+ sides first: a count per row, then the lists in place.
    const int rows = structure.size();
    row_starts_.assign(static_cast<std::size_t>(rows) + 1, 0);
    row_splits_.assign(static_cast<std::size_t>(rows), 0);
    for (const Terminals& t : terminals_) {
      if (t.a < rows) ++row_splits_[t.a];
      if (t.b < rows) ++row_starts_[t.b + 1];
    }
    for (int row = 0; row < rows; ++row) {
      const int plus = row_splits_[row];
      row_splits_[row] = row_starts_[row] + plus;
      row_starts_[row + 1] += row_splits_[row];
    }
    row_capacitors_.resize(static_cast<std::size_t>(row_starts_[rows]));
    std::vector<int> plus_next(row_starts_.begin(), row_starts_.end() - 1), minus_next(row_splits_);
    for (std::size_t i = 0; i < size(); ++i) {
      if (terminals_[i].a < rows) row_capacitors_[plus_next[terminals_[i].a]++] = static_cast<int>(i);
      if (terminals_[i].b < rows) row_capacitors_[minus_next[terminals_[i].b]++] = static_cast<int>(i);
    }
  }
  void load(LoadContext& context) override {
    if (context.mode != AnalysisMode::transient) return;  // no DC current
    const double* x = context.solution;
    double* matrix = context.matrix;
    double* charges = context.charges + charge_base();
    const double* history = context.charge_history + charge_base();
    // The per-step passes of a transient, split into parts on large arrays (core/parallel.h).
    if (context.charges_only && !context.use_initial_conditions) {
      charge_ranges_.run(static_cast<long>(terminals_.size()), [&](int, long begin, long end) {
        const Terminals* __restrict terminals = terminals_.data();
        const double* __restrict values = capacitance.data();
        const double* __restrict voltages = x;
        double* __restrict charge = charges;
        for (long i = begin; i < end; ++i) charge[i] = values[i] * (voltages[terminals[i].a] - voltages[terminals[i].b]);
      });
      return;
    }
    if (context.rhs_only && !context.use_initial_conditions) {
      // The equivalent current below is a0*C*v + history - a0*C*v = history, whatever v. Each
      // row gathers its capacitors' terms and is written once.
      double* rhs = context.rhs;
      rhs_ranges_.run(static_cast<long>(row_splits_.size()), [&](int, long begin, long end) {
        const int* __restrict starts = row_starts_.data();
        const int* __restrict splits = row_splits_.data();
        const int* __restrict capacitors = row_capacitors_.data();
        const double* __restrict terms = history;
        double* __restrict target = rhs;
        for (long row = begin; row < end; ++row) {
          double sum = 0.0;
          for (int k = starts[row], split = splits[row]; k < split; ++k) sum -= terms[capacitors[k]];
          for (int k = splits[row], stop = starts[row + 1]; k < stop; ++k) sum += terms[capacitors[k]];
          target[row] += sum;
        }
      });
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
  // The capacitors at each rhs row, for the rhs-only load, which gathers row by row instead of
  // scattering capacitor by capacitor (grounded capacitors would all add into the one trash row,
  // each update waiting for the one before): row r's capacitors with n+ at r are
  // row_capacitors_[row_starts_[r], row_splits_[r]), those with n- at r follow up to
  // row_starts_[r + 1]. Ground has no row here.
  std::vector<int> row_starts_, row_splits_, row_capacitors_;

  // The per-step loads' splits into parts: rows cost unequally (the capacitors sit on the array's
  // nodes, not on its sources), and so do capacitors (a coupling capacitor reads scattered rows).
  BalancedRanges rhs_ranges_, charge_ranges_;
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
