// Resistor `Rname n+ n- value` (or `r=value`): a linear conductance G = 1/R between two nodes.
#include <fmt/format.h>

#include <numeric>
#include <stdexcept>

#include "core/circuit.h"
#include "core/prefault.h"
#include "models/builtin_models.h"
#include "models/primitive_devices.h"
#include "solvers/matrix_structure.h"

namespace xbarsim {
namespace {

class ResistorGroup : public DeviceGroup {
 public:
  std::vector<int> a, b;
  std::vector<double> conductance;
  std::vector<int> devices;  // device ids (Circuit::device_name)

  std::string_view kind() const override { return "resistor"; }
  void reserve(std::size_t count) {
    reserve_prefaulted(a, count);
    reserve_prefaulted(b, count);
    reserve_prefaulted(conductance, count);
    reserve_prefaulted(devices, count);
  }
  std::size_t size() const override { return a.size(); }

  void declare(MatrixStructure& structure) const override {
    for (std::size_t i = 0; i < size(); ++i) {
      structure.add(a[i], b[i]);
      structure.add(b[i], a[i]);
    }
  }
  void bind(const MatrixStructure& structure) override {
    diagonal_slots_ = structure.diagonal_slot_table();
    reserve_prefaulted(slots_, size());
    slots_.resize(size());
    for (std::size_t i = 0; i < size(); ++i) slots_[i] = {structure.slot(a[i], b[i]), structure.slot(b[i], a[i])};
  }
  void load(LoadContext& context) override {
    if (context.rhs_only) return;  // a resistor stamps only the matrix
    double* matrix = context.matrix;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      const double g = conductance[i];
      const OffDiagonalSlots& s = slots_[i];
      matrix[diagonal_slots_[a[i]]] += g;
      matrix[diagonal_slots_[b[i]]] += g;
      matrix[s.ab] -= g;
      matrix[s.ba] -= g;
    }
  }
  void dc_connections(DcConnectionSink& connections) const override {
    for (std::size_t i = 0; i < size(); ++i) connections.add({a[i], b[i], false, devices[i]});
  }

 private:
  // The off-diagonal entries' slots; the diagonal's come from the structure's table, which
  // halves the memory bound to a million resistors.
  struct OffDiagonalSlots {
    int ab, ba;
  };
  std::vector<OffDiagonalSlots> slots_;
  const int* diagonal_slots_ = nullptr;  // the bound structure's table (MnaSystem keeps it), ground's at -1
};

}  // namespace

void add_resistor_device(Circuit& circuit, int device, int a, int b, double resistance, std::size_t expected_count) {
  auto& group = circuit.group<ResistorGroup>();
  if (group.a.empty()) group.reserve(expected_count);
  group.a.push_back(a);
  group.b.push_back(b);
  group.conductance.push_back(1.0 / resistance);
  group.devices.push_back(device);
}

void build_resistor(ElementCard& card) {
  const char* usage = "Rname n+ n- value";
  card.token(3);
  const Token* value_token = &card.token(3);
  std::size_t extra = 4;
  if (value_token->is("r") && card.token_count() > 5 && card.token(4).kind == TokenKind::equals) {
    value_token = &card.token(5);
    extra = 6;
  }
  for (const KeywordValue& pair : card.keyword_values(extra)) {
    if (pair.keyword->is("tc1") || pair.keyword->is("tc2") || pair.keyword->is("m") || pair.keyword->is("temp") ||
        pair.keyword->is("dtemp") || pair.keyword->is("noisy") || pair.keyword->is("ac"))
      card.fail(*pair.keyword, fmt::format("resistor parameter '{}' is not supported yet", pair.keyword->text));
    card.fail(*pair.keyword, fmt::format("unknown resistor parameter '{}'; usage: {}", pair.keyword->text, usage));
  }
  double resistance = card.value(*value_token);
  if (resistance == 0.0) card.fail(*value_token, fmt::format("resistor '{}' has zero resistance", card.name()));
  const int a = card.node(1);
  const int b = card.node(2);
  add_resistor_device(card.circuit(), card.device_id(), a, b, resistance, card.expected_count());
}

void add_resistor(Circuit& circuit, const std::string& name, int a, int b, double resistance) {
  add_resistor_device(circuit, circuit.add_device(name), a, b, resistance);
}

void add_resistors(Circuit& circuit, std::vector<int> a, std::vector<int> b, std::vector<double> resistance, IndexedName name) {
  const std::size_t count = a.size();
  if (b.size() != count || resistance.size() != count)
    throw std::invalid_argument(fmt::format("add_resistors: {} first nodes, {} second nodes, {} resistances", count, b.size(),
                                            resistance.size()));
  for (std::size_t k = 0; k < count; ++k)
    if (resistance[k] == 0.0) throw std::invalid_argument(fmt::format("add_resistors: resistor {} has zero resistance", k));
  auto& group = circuit.group<ResistorGroup>();
  const int first = circuit.add_devices(static_cast<int>(count), std::move(name));
  for (double& value : resistance) value = 1.0 / value;  // now the conductance
  // Into an empty group the arrays move as they are.
  auto append = [](auto& to, auto&& from) {
    if (to.empty()) to = std::move(from);
    else to.insert(to.end(), from.begin(), from.end());
  };
  append(group.a, std::move(a));
  append(group.b, std::move(b));
  append(group.conductance, std::move(resistance));
  group.devices.resize(group.devices.size() + count);
  std::iota(group.devices.end() - static_cast<std::ptrdiff_t>(count), group.devices.end(), first);
}

}  // namespace xbarsim
