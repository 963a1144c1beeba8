// Behavioural source `Bname n+ n- V={expr}` or `I={expr}` (ngspice B source).
//
// The expression (core/expression.h) may read V(node), V(a,b), I(vsource), time and .param
// values; it is compiled once and evaluated with its exact gradient, so Newton gets true Jacobian
// entries. I= drives the current f(x) from n+ through the source to n- (like an I source); V=
// adds a branch current i(bname) and the equation V(n+) - V(n-) = f(x). Linearised at x0:
//   f(x) ~ f(x0) + sum_j g_j (x_j - x0_j),  g_j = df/dx_j.
// The expression must also be braced or quoted, or be the rest of the line after `V=`/`I=`.
#include <fmt/format.h>

#include <algorithm>

#include "core/circuit.h"
#include "core/diagnostics.h"
#include "core/expression.h"
#include "models/builtin_models.h"
#include "solvers/matrix_structure.h"

namespace xbarsim {
namespace {

struct ExpressionVariable {
  enum class Kind { node_voltage, branch_current, time, temperature } kind;
  std::string name;  // flat node or device name
};

// Records the variables an expression reads (resolved to unknowns once the circuit is complete).
class RecordingSymbols : public ExpressionSymbols {
 public:
  RecordingSymbols(const ElementCard& card, std::vector<ExpressionVariable>& variables) : card_(card), variables_(variables) {}
  std::optional<double> constant(std::string_view name) const override { return card_.parameter(name); }
  std::optional<int> node_voltage(std::string_view node) const override {
    return slot(ExpressionVariable::Kind::node_voltage, card_.flat_node(node));
  }
  std::optional<int> branch_current(std::string_view device) const override {
    return slot(ExpressionVariable::Kind::branch_current, card_.device_reference(device));
  }
  std::optional<int> simulator_variable(std::string_view name) const override {
    if (name == "time") return slot(ExpressionVariable::Kind::time, "time");
    if (name == "temper") return slot(ExpressionVariable::Kind::temperature, "temper");
    return std::nullopt;
  }

 private:
  int slot(ExpressionVariable::Kind kind, std::string name) const {
    for (std::size_t i = 0; i < variables_.size(); ++i)
      if (variables_[i].kind == kind && variables_[i].name == name) return static_cast<int>(i);
    variables_.push_back({kind, std::move(name)});
    return static_cast<int>(variables_.size() - 1);
  }
  const ElementCard& card_;
  std::vector<ExpressionVariable>& variables_;
};

class BehaviouralSourceGroup : public DeviceGroup {
 public:
  struct Instance {
    std::string name;
    int device;
    SourceLocation where;
    bool is_voltage;
    int positive, negative, branch;  // branch: -1 for current sources
    CompiledExpression expression;
    std::vector<ExpressionVariable> variables;  // by expression slot
    std::vector<int> unknowns;                  // by slot: unknown index, or -2 for time/temper
  };
  std::vector<Instance> instances;

  std::string_view kind() const override { return "behavioural source"; }
  std::size_t size() const override { return instances.size(); }
  bool is_nonlinear() const override { return true; }

  void resolve(const Circuit& circuit) override {
    for (Instance& instance : instances) {
      for (const ExpressionVariable& variable : instance.variables) {
        switch (variable.kind) {
          case ExpressionVariable::Kind::node_voltage: {
            auto node = circuit.find_node(variable.name);
            if (!node) throw NetlistError(instance.where, fmt::format("V({}) in '{}': no node '{}' in the circuit", variable.name, instance.name, variable.name));
            instance.unknowns.push_back(*node);
            break;
          }
          case ExpressionVariable::Kind::branch_current: {
            auto branch = circuit.branch_of(variable.name);
            if (!branch)
              throw NetlistError(instance.where, fmt::format("I({}) in '{}': '{}' is not a voltage source or inductor", variable.name,
                                                             instance.name, variable.name));
            instance.unknowns.push_back(*branch);
            break;
          }
          case ExpressionVariable::Kind::time:
          case ExpressionVariable::Kind::temperature: instance.unknowns.push_back(kNotAnUnknown); break;
        }
      }
    }
  }

  void declare(MatrixStructure& structure) const override {
    for (const Instance& instance : instances) {
      if (instance.is_voltage) {
        structure.add(instance.positive, instance.branch);
        structure.add(instance.negative, instance.branch);
        structure.add(instance.branch, instance.positive);
        structure.add(instance.branch, instance.negative);
      }
      for (int unknown : instance.unknowns) {
        if (unknown == kNotAnUnknown) continue;
        if (instance.is_voltage) {
          structure.add(instance.branch, unknown);
        } else {
          structure.add(instance.positive, unknown);
          structure.add(instance.negative, unknown);
        }
      }
    }
  }

  void bind(const MatrixStructure& structure) override {
    bound_.clear();
    slots_.clear();
    for (const Instance& instance : instances) {
      Bound bound;
      bound.first_slot = slots_.size();
      for (int unknown : instance.unknowns) {
        if (unknown == kNotAnUnknown) {
          slots_.push_back({structure.trash_slot(), structure.trash_slot(), structure.size()});
        } else if (instance.is_voltage) {
          slots_.push_back({structure.slot(instance.branch, unknown), structure.trash_slot(), structure.rhs_index(unknown)});
        } else {
          slots_.push_back(
              {structure.slot(instance.positive, unknown), structure.slot(instance.negative, unknown), structure.rhs_index(unknown)});
        }
      }
      if (instance.is_voltage) {
        bound.positive_branch = structure.slot(instance.positive, instance.branch);
        bound.negative_branch = structure.slot(instance.negative, instance.branch);
        bound.branch_positive = structure.slot(instance.branch, instance.positive);
        bound.branch_negative = structure.slot(instance.branch, instance.negative);
      }
      bound.rhs_positive = structure.rhs_index(instance.positive);
      bound.rhs_negative = structure.rhs_index(instance.negative);
      bound.rhs_branch = structure.rhs_index(instance.branch);
      bound_.push_back(bound);
    }
  }

  void load(LoadContext& context) override {
    const double* x = context.solution;
    double* matrix = context.matrix;
    for (std::size_t i = 0; i < instances.size(); ++i) {
      const Instance& instance = instances[i];
      const Bound& bound = bound_[i];
      const std::size_t count = instance.unknowns.size();
      values_.resize(count);
      gradient_.resize(count);
      for (std::size_t j = 0; j < count; ++j) {
        const ExpressionVariable::Kind kind = instance.variables[j].kind;
        values_[j] = kind == ExpressionVariable::Kind::time          ? context.time
                     : kind == ExpressionVariable::Kind::temperature ? context.options->temperature
                                                                     : x[slots_[bound.first_slot + j].value_index];
      }
      const double value = instance.expression.evaluate(values_, gradient_);
      // The gradient comes in the compiled expression's variable order; a variable the expression
      // no longer reads (a folded-away branch) has no derivative.
      slot_gradient_.assign(count, 0.0);
      const std::span<const int> compiled = instance.expression.variables();
      for (std::size_t k = 0; k < compiled.size(); ++k) slot_gradient_[static_cast<std::size_t>(compiled[k])] = gradient_[k];
      double linear_part = value;
      for (std::size_t j = 0; j < count; ++j) {
        const Slot& slot = slots_[bound.first_slot + j];
        const double g = instance.variables[j].kind == ExpressionVariable::Kind::node_voltage ||
                                 instance.variables[j].kind == ExpressionVariable::Kind::branch_current
                             ? slot_gradient_[j]
                             : 0.0;
        linear_part -= g * values_[j];
        if (instance.is_voltage) {
          matrix[slot.first] -= g;
        } else {
          matrix[slot.first] += g;
          matrix[slot.second] -= g;
        }
      }
      if (instance.is_voltage) {
        matrix[bound.positive_branch] += 1.0;
        matrix[bound.negative_branch] -= 1.0;
        matrix[bound.branch_positive] += 1.0;
        matrix[bound.branch_negative] -= 1.0;
        context.rhs[bound.rhs_branch] += linear_part;
      } else {
        context.rhs[bound.rhs_positive] -= linear_part;
        context.rhs[bound.rhs_negative] += linear_part;
      }
    }
  }

  void dc_connections(DcConnectionSink& connections) const override {
    // A behavioural voltage source defines its output voltage; a current source whose expression
    // reads its own terminal voltages conducts between them.
    for (const Instance& instance : instances) {
      if (instance.is_voltage) {
        connections.add({instance.positive, instance.negative, false, instance.device});
        continue;
      }
      bool reads_positive = std::find(instance.unknowns.begin(), instance.unknowns.end(), instance.positive) != instance.unknowns.end();
      bool reads_negative = std::find(instance.unknowns.begin(), instance.unknowns.end(), instance.negative) != instance.unknowns.end();
      if (reads_positive || reads_negative) connections.add({instance.positive, instance.negative, false, instance.device});
    }
  }

 private:
  static constexpr int kNotAnUnknown = -2;
  struct Slot {
    int first, second;  // matrix slots of the derivative entries (trash for time/temper)
    int value_index;    // where the variable's value is in the solution (ground: the zero row)
  };
  struct Bound {
    std::size_t first_slot = 0;
    int positive_branch = 0, negative_branch = 0, branch_positive = 0, branch_negative = 0;
    int rhs_positive = 0, rhs_negative = 0, rhs_branch = 0;
  };
  std::vector<Slot> slots_;
  std::vector<Bound> bound_;
  std::vector<double> values_, gradient_, slot_gradient_;
};

}  // namespace

void build_behavioural_source(ElementCard& card) {
  const char* usage = "Bname n+ n- V={expression} | I={expression}";
  const Token& kind = card.token(3);
  if (!(kind.is("v") || kind.is("i")) || card.token_count() < 6 || card.token(4).kind != TokenKind::equals)
    card.fail(kind, fmt::format("expected V= or I= after the nodes; usage: {}", usage));
  const Token& first = card.token(5);
  std::string text;
  std::size_t offset;
  if (first.kind == TokenKind::expression && card.token_count() == 6) {
    text = first.text;
    offset = first.offset;
  } else {
    offset = first.offset;
    text = card.card().text.substr(offset);
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
  BehaviouralSourceGroup::Instance instance;
  instance.name = card.name();
  instance.device = card.device_id();
  instance.where = card.token(0).where;
  instance.is_voltage = kind.is("v");
  instance.positive = card.node(1);
  instance.negative = card.node(2);
  instance.branch = -1;
  try {
    RecordingSymbols symbols(card, instance.variables);
    instance.expression = CompiledExpression::compile(text, symbols);
  } catch (const ExpressionError& error) {
    throw NetlistError(card.card().location_at(offset + error.offset()), error.what());
  }
  if (instance.is_voltage) instance.branch = card.circuit().add_branch(card.name());
  card.circuit().group<BehaviouralSourceGroup>().instances.push_back(std::move(instance));
}

}  // namespace xbarsim
