// Linear controlled sources:
//   E n+ n- nc+ nc- gain   V(n+,n-) = gain * V(nc+,nc-)        (branch current i(ename))
//   G n+ n- nc+ nc- gm     current gm * V(nc+,nc-) from n+ through the source to n-
//   F n+ n- vname gain     current gain * I(vname) from n+ through the source to n-
//   H n+ n- vname r        V(n+,n-) = r * I(vname)              (branch current i(hname))
// The controlling current of F and H is the branch current of a voltage source (or inductor).
#include <fmt/format.h>

#include "core/circuit.h"
#include "core/diagnostics.h"
#include "models/builtin_models.h"
#include "models/primitive_devices.h"
#include "solvers/matrix_structure.h"

namespace xbarsim {
namespace {

// Sources whose controlling current is another device's branch current, resolved after elaboration.
struct ControllingReference {
  std::string device;
  SourceLocation where;
};

int resolve_branch(const Circuit& circuit, const ControllingReference& reference) {
  auto branch = circuit.branch_of(reference.device);
  if (!branch)
    throw NetlistError(reference.where,
                       fmt::format("controlling device '{}' is not a voltage source or inductor in this circuit", reference.device));
  return *branch;
}

// E and H: a voltage-defining branch with one or two controlling terms.
class VoltageOutputGroup : public DeviceGroup {
 public:
  std::vector<int> positive, negative, branch;
  std::vector<int> control_positive, control_negative;  // E: controlling nodes; H: control_positive = branch
  std::vector<double> gain;
  std::vector<int> devices;  // device ids (Circuit::device_name)
  std::vector<ControllingReference> references;  // H only

  std::size_t size() const override { return positive.size(); }
  void declare(MatrixStructure& structure) const override {
    for (std::size_t i = 0; i < size(); ++i) {
      structure.add(positive[i], branch[i]);
      structure.add(negative[i], branch[i]);
      structure.add(branch[i], positive[i]);
      structure.add(branch[i], negative[i]);
      structure.add(branch[i], control_positive[i]);
      structure.add(branch[i], control_negative[i]);
    }
  }
  void bind(const MatrixStructure& structure) override {
    slots_.resize(size());
    for (std::size_t i = 0; i < size(); ++i)
      slots_[i] = {structure.slot(positive[i], branch[i]),         structure.slot(negative[i], branch[i]),
                   structure.slot(branch[i], positive[i]),         structure.slot(branch[i], negative[i]),
                   structure.slot(branch[i], control_positive[i]), structure.slot(branch[i], control_negative[i])};
  }
  void load(LoadContext& context) override {
    double* matrix = context.matrix;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      const Slots& s = slots_[i];
      matrix[s.positive_branch] += 1.0;
      matrix[s.negative_branch] -= 1.0;
      matrix[s.branch_positive] += 1.0;
      matrix[s.branch_negative] -= 1.0;
      matrix[s.branch_control_positive] -= gain[i];
      matrix[s.branch_control_negative] += gain[i];
    }
  }
  void dc_connections(DcConnectionSink& connections) const override {
    for (std::size_t i = 0; i < size(); ++i) connections.add({positive[i], negative[i], true, devices[i]});
  }

 private:
  struct Slots {
    int positive_branch, negative_branch, branch_positive, branch_negative, branch_control_positive, branch_control_negative;
  };
  std::vector<Slots> slots_;
};

class VoltageControlledVoltageSourceGroup : public VoltageOutputGroup {
 public:
  std::string_view kind() const override { return "voltage-controlled voltage source"; }
};

class CurrentControlledVoltageSourceGroup : public VoltageOutputGroup {
 public:
  std::string_view kind() const override { return "current-controlled voltage source"; }
  void resolve(const Circuit& circuit) override {
    for (std::size_t i = 0; i < size(); ++i) control_positive[i] = resolve_branch(circuit, references[i]);
  }
};

// G and F: a current between two nodes, proportional to a controlling voltage or branch current.
class CurrentOutputGroup : public DeviceGroup {
 public:
  std::vector<int> positive, negative;
  std::vector<int> control_positive, control_negative;  // F: control_positive = branch, negative = ground
  std::vector<double> gain;
  std::vector<ControllingReference> references;  // F only

  std::size_t size() const override { return positive.size(); }
  void declare(MatrixStructure& structure) const override {
    for (std::size_t i = 0; i < size(); ++i) {
      structure.add(positive[i], control_positive[i]);
      structure.add(positive[i], control_negative[i]);
      structure.add(negative[i], control_positive[i]);
      structure.add(negative[i], control_negative[i]);
    }
  }
  void bind(const MatrixStructure& structure) override {
    slots_.resize(size());
    for (std::size_t i = 0; i < size(); ++i)
      slots_[i] = {structure.slot(positive[i], control_positive[i]), structure.slot(positive[i], control_negative[i]),
                   structure.slot(negative[i], control_positive[i]), structure.slot(negative[i], control_negative[i])};
  }
  void load(LoadContext& context) override {
    double* matrix = context.matrix;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      const Slots& s = slots_[i];
      matrix[s.pp] += gain[i];
      matrix[s.pn] -= gain[i];
      matrix[s.np] -= gain[i];
      matrix[s.nn] += gain[i];
    }
  }

 private:
  struct Slots {
    int pp, pn, np, nn;
  };
  std::vector<Slots> slots_;
};

class VoltageControlledCurrentSourceGroup : public CurrentOutputGroup {
 public:
  std::string_view kind() const override { return "voltage-controlled current source"; }
};

class CurrentControlledCurrentSourceGroup : public CurrentOutputGroup {
 public:
  std::string_view kind() const override { return "current-controlled current source"; }
  void resolve(const Circuit& circuit) override {
    for (std::size_t i = 0; i < size(); ++i) control_positive[i] = resolve_branch(circuit, references[i]);
  }
};

// Throws for the nonlinear forms (`value=`/`poly(...)` right after the output nodes, or extra
// `name=` fields) and for a wrong field count.
void reject_extra_fields(ElementCard& card, std::size_t count, std::string_view usage) {
  auto nonlinear_at = [&](std::size_t i) {
    return card.token_count() > i && (card.token(i).is("value") || card.token(i).is("poly") ||
                                      (card.token_count() > i + 1 && card.token(i + 1).kind == TokenKind::equals));
  };
  for (std::size_t i : {std::size_t{3}, count})
    if (nonlinear_at(i)) card.fail(card.token(i), "nonlinear (value=/poly) controlled sources are not supported yet: use a B source");
  card.expect_token_count(count, usage);
}

void append_voltage_controlled_current_source(Circuit& circuit, int positive, int negative, int control_positive,
                                              int control_negative, double transconductance) {
  auto& group = circuit.group<VoltageControlledCurrentSourceGroup>();
  group.positive.push_back(positive);
  group.negative.push_back(negative);
  group.control_positive.push_back(control_positive);
  group.control_negative.push_back(control_negative);
  group.gain.push_back(transconductance);
  group.references.push_back({});
}

}  // namespace

void build_voltage_controlled_voltage_source(ElementCard& card) {
  reject_extra_fields(card, 6, "Ename n+ n- nc+ nc- gain");
  auto& group = card.circuit().group<VoltageControlledVoltageSourceGroup>();
  group.positive.push_back(card.node(1));
  group.negative.push_back(card.node(2));
  group.control_positive.push_back(card.node(3));
  group.control_negative.push_back(card.node(4));
  group.gain.push_back(card.value(card.token(5)));
  group.branch.push_back(card.circuit().add_branch(card.name()));
  group.devices.push_back(card.device_id());
  group.references.push_back({});
}

void build_voltage_controlled_current_source(ElementCard& card) {
  reject_extra_fields(card, 6, "Gname n+ n- nc+ nc- transconductance");
  append_voltage_controlled_current_source(card.circuit(), card.node(1), card.node(2), card.node(3), card.node(4),
                                           card.value(card.token(5)));
}

void build_current_controlled_current_source(ElementCard& card) {
  reject_extra_fields(card, 5, "Fname n+ n- vcontrol gain");
  auto& group = card.circuit().group<CurrentControlledCurrentSourceGroup>();
  group.positive.push_back(card.node(1));
  group.negative.push_back(card.node(2));
  group.control_positive.push_back(kGround);
  group.control_negative.push_back(kGround);
  group.references.push_back({card.device_reference(card.token(3).text), card.token(3).where});
  group.gain.push_back(card.value(card.token(4)));
}

void build_current_controlled_voltage_source(ElementCard& card) {
  reject_extra_fields(card, 5, "Hname n+ n- vcontrol transresistance");
  auto& group = card.circuit().group<CurrentControlledVoltageSourceGroup>();
  group.positive.push_back(card.node(1));
  group.negative.push_back(card.node(2));
  group.control_positive.push_back(kGround);
  group.control_negative.push_back(kGround);
  group.references.push_back({card.device_reference(card.token(3).text), card.token(3).where});
  group.gain.push_back(card.value(card.token(4)));
  group.branch.push_back(card.circuit().add_branch(card.name()));
  group.devices.push_back(card.device_id());
}

void add_voltage_controlled_current_source(Circuit& circuit, const std::string& name, int positive, int negative,
                                           int control_positive, int control_negative, double transconductance) {
  circuit.add_device(name);
  append_voltage_controlled_current_source(circuit, positive, negative, control_positive, control_negative, transconductance);
}

}  // namespace xbarsim
