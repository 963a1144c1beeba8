#include "core/elaborator.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <memory>

#include "core/element_card.h"
#include "core/expression.h"
#include "core/seeded_random.h"
#include "core/measure.h"
#include "core/name_table.h"
#include "core/native_subcircuit.h"
#include "core/step_specification.h"
#include "core/spice_number.h"
#include "models/primitive_devices.h"

namespace xbarsim {
namespace {

struct SubcircuitDefinition {
  std::string name;
  SourceLocation where;
  const Card* header = nullptr;  // the `.subckt` card (for locations of default parameters)
  std::vector<const Token*> pins;
  std::vector<std::pair<const Token*, const Token*>> default_parameters;  // name, value
  std::vector<std::string_view> parameter_names;                        // the same names, in order
  // The defaults' values when every one is a plain number (no expression to evaluate per instance).
  std::optional<std::vector<double>> plain_defaults;
  // The native model of this definition (Elaborator::native_model), looked up on first use.
  mutable std::optional<const NativeSubcircuitModel*> native;
  std::vector<const Card*> body;
  std::vector<std::unique_ptr<SubcircuitDefinition>> children;
};

// Splits cards into the top-level body and (nested) subcircuit definitions.
SubcircuitDefinition parse_structure(const std::vector<Card>& cards) {
  SubcircuitDefinition top;
  std::vector<SubcircuitDefinition*> open{&top};
  for (const Card& card : cards) {
    const Token& head = card.tokens.front();
    if (head.is(".subckt")) {
      auto definition = std::make_unique<SubcircuitDefinition>();
      definition->where = card.where;
      definition->header = &card;
      if (card.tokens.size() < 2 || card.tokens[1].kind != TokenKind::word)
        throw NetlistError(head.where, "'.subckt' needs a name");
      definition->name = card.tokens[1].text;
      std::size_t i = 2;
      for (; i < card.tokens.size(); ++i) {
        const Token& token = card.tokens[i];
        if (token.is("params:")) {
          ++i;
          break;
        }
        if (i + 1 < card.tokens.size() && card.tokens[i + 1].kind == TokenKind::equals) break;
        if (token.kind != TokenKind::word) throw NetlistError(token.where, fmt::format("unexpected '{}' in '.subckt' pin list", token.original));
        definition->pins.push_back(&token);
      }
      for (; i < card.tokens.size(); i += 3) {
        const Token& key = card.tokens[i];
        if (key.kind != TokenKind::word || i + 2 >= card.tokens.size() || card.tokens[i + 1].kind != TokenKind::equals)
          throw NetlistError(key.where, "expected 'name=value' subcircuit parameter");
        definition->default_parameters.emplace_back(&key, &card.tokens[i + 2]);
        definition->parameter_names.push_back(key.text);
      }
      std::vector<double> defaults;
      for (const auto& [key, value] : definition->default_parameters) {
        const std::optional<double> number = value->kind == TokenKind::word ? parse_spice_number(value->text) : std::nullopt;
        if (!number) break;
        defaults.push_back(*number);
      }
      if (defaults.size() == definition->default_parameters.size()) definition->plain_defaults = std::move(defaults);
      SubcircuitDefinition* raw = definition.get();
      open.back()->children.push_back(std::move(definition));
      open.push_back(raw);
      continue;
    }
    if (head.is(".ends")) {
      if (open.size() == 1) throw NetlistError(head.where, "'.ends' without a '.subckt' before it");
      if (card.tokens.size() > 1 && card.tokens[1].text != open.back()->name)
        throw NetlistError(card.tokens[1].where, fmt::format("'.ends {}' closes subcircuit '{}'", card.tokens[1].text, open.back()->name));
      open.pop_back();
      continue;
    }
    open.back()->body.push_back(&card);
  }
  if (open.size() > 1) throw NetlistError(open.back()->where, fmt::format("subcircuit '{}' has no '.ends'", open.back()->name));
  return top;
}

// One level of the hierarchy: the top level or one subcircuit instance.
struct Scope {
  const Scope* parent = nullptr;
  const SubcircuitDefinition* definition = nullptr;
  std::string path;                              // "" at the top, "x1", "x1.x2"
  std::map<std::string, std::string> pin_nodes;  // pin name -> flat node name
  std::map<std::string, double> parameters;
  std::map<std::string, ModelCard> models;
  SeededRandom* random = nullptr;  // set at the top level: the elaboration's Monte Carlo draws
  // Values of the element lines' expressions without function calls (`{rwl}`, `{2*rdrv}`), by
  // text: a generated array repeats a handful of them millions of times. The scope's parameters
  // are fixed once its elements are built; an expression with a call may draw a random number
  // (agauss) and is evaluated every time.
  mutable StringMap<double> element_values;

  SeededRandom* random_source() const {
    const Scope* scope = this;
    while (scope->parent) scope = scope->parent;
    return scope->random;
  }

  std::optional<double> parameter(std::string_view name) const {
    for (const Scope* scope = this; scope; scope = scope->parent) {
      auto it = scope->parameters.find(std::string(name));
      if (it != scope->parameters.end()) return it->second;
    }
    return std::nullopt;
  }
  const SubcircuitDefinition* subcircuit(std::string_view name) const {
    for (const Scope* scope = this; scope; scope = scope->parent)
      for (const auto& child : scope->definition->children)
        if (child->name == name) return child.get();
    return nullptr;
  }
  const ModelCard* model(std::string_view name) const {
    for (const Scope* scope = this; scope; scope = scope->parent) {
      auto it = scope->models.find(std::string(name));
      if (it != scope->models.end()) return &it->second;
    }
    return nullptr;
  }
  std::string flat_node(std::string_view name) const {
    if (name == "0" || name == "gnd") return std::string(name);
    auto it = pin_nodes.find(std::string(name));
    if (it != pin_nodes.end()) return it->second;
    return path.empty() ? std::string(name) : fmt::format("{}.{}", path, name);
  }
  std::string flat_device(std::string_view name) const {
    return path.empty() ? std::string(name) : fmt::format("{}.{}.{}", name.substr(0, 1), path, name);
  }
};

class ScopeSymbols : public ExpressionSymbols {
 public:
  explicit ScopeSymbols(const Scope& scope) : scope_(scope) {}
  std::optional<double> constant(std::string_view name) const override { return scope_.parameter(name); }
  SeededRandom* random_source() const override { return scope_.random_source(); }

 private:
  const Scope& scope_;
};

double evaluate_value(const Token& token, const Card& card, const Scope& scope) {
  if (token.kind == TokenKind::expression) {
    try {
      return evaluate_constant_expression(token.text, ScopeSymbols(scope));
    } catch (const ExpressionError& error) {
      throw NetlistError(card.location_at(token.offset + error.offset()), error.what());
    }
  }
  if (token.kind == TokenKind::word) {
    if (auto number = parse_spice_number(token.text)) return *number;
    if (scope.parameter(token.text))
      throw NetlistError(token.where, fmt::format("'{}' is a parameter: write {{{}}} to use its value", token.original, token.original));
    throw NetlistError(token.where, fmt::format("malformed number '{}'", token.original));
  }
  throw NetlistError(token.where, fmt::format("expected a value, got '{}'", token.original));
}

class ScopedElementCard : public ElementCard {
 public:
  ScopedElementCard(const Card& card, const Scope& scope, Circuit& circuit, const std::string& name, int device,
                    std::size_t expected_count)
      : card_(card), scope_(scope), circuit_(circuit), name_(name), device_(device), expected_count_(expected_count) {}

  const Card& card() const override { return card_; }
  const std::string& name() const override { return name_; }
  int device_id() const override { return device_; }
  Circuit& circuit() override { return circuit_; }

  int node(std::size_t index) override {
    const Token& node = token(index);
    if (node.kind != TokenKind::word) fail(node, fmt::format("expected a node name, got '{}'", node.original));
    if (scope_.path.empty()) return circuit_.node(node.text);  // top level: names are already flat
    return circuit_.node(scope_.flat_node(node.text));
  }
  std::string node_name(std::size_t index) const override {
    const Token& node = token(index);
    if (node.kind != TokenKind::word) fail(node, fmt::format("expected a node name, got '{}'", node.original));
    return scope_.flat_node(node.text);
  }
  std::string flat_node(std::string_view name) const override { return scope_.flat_node(name); }
  std::string device_reference(std::string_view name) const override { return scope_.flat_device(name); }
  std::optional<double> parameter(std::string_view name) const override { return scope_.parameter(name); }
  double value(const Token& token) const override {
    if (token.kind != TokenKind::expression || token.text.find('(') != std::string::npos) return evaluate_value(token, card_, scope_);
    if (auto known = scope_.element_values.find(token.text); known != scope_.element_values.end()) return known->second;
    const double value = evaluate_value(token, card_, scope_);
    scope_.element_values.emplace(token.text, value);
    return value;
  }
  const ModelCard& model(const Token& token) const override {
    const ModelCard* found = scope_.model(token.text);
    if (!found) fail(token, fmt::format("undefined model '{}'", token.original));
    return *found;
  }
  std::size_t expected_count() const override { return expected_count_; }

 private:
  const Card& card_;
  const Scope& scope_;
  Circuit& circuit_;
  const std::string& name_;
  int device_;
  std::size_t expected_count_;
};

// Thrown by the first elaboration when two devices share a name (see Elaborator::add_device).
struct DuplicateDevice {
  std::string name;
};

class Elaborator {
 public:
  Elaborator(Circuit& circuit, const DiagnosticSink& sink, const ElaborationOptions& options, NameTable* seen_devices)
      : circuit_(circuit), sink_(sink), options_(options), seen_devices_(seen_devices) {
    for (const ElementKind& kind : builtin_element_kinds()) builders_[static_cast<unsigned char>(kind.letter)] = &kind;
  }

  // Elaborates one level: the top level (with the netlist's element lines, read one card at a
  // time) or a subcircuit instance (element_lines null).
  void elaborate_level(const Scope& scope, const std::vector<ElementLines>* element_lines) {
    const bool top_level = element_lines != nullptr;
    Scope& mutable_scope = const_cast<Scope&>(scope);
    for (const Card* card : scope.definition->body)
      if (card->tokens.front().is(".param")) read_parameters(*card, mutable_scope);
    for (const Card* card : scope.definition->body)
      if (card->tokens.front().is(".model")) read_model(*card, mutable_scope);
    for (const Card* card : scope.definition->body) {
      const Token& head = card->tokens.front();
      if (head.text.front() != '.') {
        element(*card, scope);
      } else if (!top_level && !head.is(".param") && !head.is(".model")) {
        throw NetlistError(head.where, fmt::format("'{}' is not allowed inside a subcircuit", head.text));
      }
    }
    if (!top_level) return;
    std::size_t count = 0;
    for (const ElementLines& lines : *element_lines) {
      count += lines.count;
      for (std::size_t letter = 0; letter < lines.by_letter.size(); ++letter) top_level_by_letter_[letter] += lines.by_letter[letter];
    }
    // A generated array has about two nodes per three element lines; more only costs a rehash.
    circuit_.reserve(count, count * 3 / 4);
    // Two lines, reused (their strings and tokens keep their storage): the next line is read
    // and its names' hash slots requested from memory while the current line is built.
    ElementLine element_lines_read[2];
    for (const ElementLines& lines : *element_lines) {
      ElementLineReader reader(lines);
      bool have = reader.next(element_lines_read[0]);
      for (std::size_t k = 0; have; ++k) {
        ElementLine& current = element_lines_read[k % 2];
        ElementLine& next = element_lines_read[(k + 1) % 2];
        have = reader.next(next);
        if (have) prefetch_names(next, current);
        if (current.plain && plain_element(current.words)) continue;
        if (current.plain) reader.make_card(current);
        element(current.card, scope);
      }
    }
    if (auto duplicate = circuit_.duplicate_device()) throw DuplicateDevice{std::move(*duplicate)};
    // Directives last: they refer to sources and nodes defined anywhere in the netlist.
    for (const Card* card : scope.definition->body) {
      const Token& head = card->tokens.front();
      if (head.text.front() == '.' && !head.is(".param") && !head.is(".model")) directive(*card, scope);
    }
  }

 private:
  Circuit& circuit_;
  const DiagnosticSink& sink_;
  ElaborationOptions options_;
  std::array<const ElementKind*, 256> builders_{};  // by element letter
  std::string name_;                                 // the current element's name (storage reused)
  NameTable* seen_devices_;                          // non-null: check each device name at once
  std::vector<const SubcircuitDefinition*> instance_stack_;
  std::array<std::size_t, 26> top_level_by_letter_{};  // element lines per letter a-z at the top level
  NativeSubcircuitInstance native_instance_;           // the X line being built by a native model

  void read_parameters(const Card& card, Scope& scope) {
    const auto& tokens = card.tokens;
    for (std::size_t i = 1; i < tokens.size(); i += 3) {
      const Token& key = tokens[i];
      if (key.kind != TokenKind::word || i + 1 >= tokens.size() || tokens[i + 1].kind != TokenKind::equals)
        throw NetlistError(key.where, "expected 'name=value' after '.param'");
      if (i + 2 >= tokens.size()) throw NetlistError(tokens[i + 1].where, fmt::format("missing value for parameter '{}'", key.text));
      const Token& value = tokens[i + 2];
      if (value.kind == TokenKind::word && !parse_spice_number(value.text)) {
        // ngspice also accepts an unbraced expression after '.param name='.
        std::size_t end = i + 3 < tokens.size() ? tokens[i + 3].offset : card.text.size();
        std::size_t next = i + 3;
        while (next < tokens.size() && !(next + 1 < tokens.size() && tokens[next + 1].kind == TokenKind::equals)) ++next;
        end = next < tokens.size() ? tokens[next].offset : card.text.size();
        Token expression = value;
        expression.kind = TokenKind::expression;
        expression.text = card.text.substr(value.offset, end - value.offset);
        std::transform(expression.text.begin(), expression.text.end(), expression.text.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (!overridden(key.text, scope)) scope.parameters[key.text] = evaluate_value(expression, card, scope);
        i = next - 3;
        continue;
      }
      if (!overridden(key.text, scope)) scope.parameters[key.text] = evaluate_value(value, card, scope);
    }
  }

  bool overridden(const std::string& name, const Scope& scope) const {
    return scope.parent == nullptr && options_.parameter_overrides.count(name) > 0;
  }

  void read_model(const Card& card, Scope& scope) {
    const auto& tokens = card.tokens;
    if (tokens.size() < 3) throw NetlistError(tokens.front().where, "'.model' needs a name and a type");
    ModelCard model;
    model.name = tokens[1].text;
    model.where = card.where;
    model.type = tokens[2].text;
    std::size_t i = 3;
    while (i < tokens.size()) {
      const Token& token = tokens[i];
      if (token.kind == TokenKind::open_paren || token.kind == TokenKind::close_paren || token.kind == TokenKind::comma) {
        ++i;
        continue;
      }
      if (token.kind != TokenKind::word || i + 2 >= tokens.size() || tokens[i + 1].kind != TokenKind::equals)
        throw NetlistError(token.where, fmt::format("expected 'name=value' model parameter, got '{}'", token.original));
      model.parameters[token.text] = evaluate_value(tokens[i + 2], card, scope);
      model.parameter_locations[token.text] = token.where;
      i += 3;
    }
    if (scope.models.count(model.name))
      throw NetlistError(tokens[1].where, fmt::format("model '{}' is defined twice", model.name));
    scope.models.emplace(model.name, std::move(model));
  }

  // Device names are checked for duplicates after all elements are built (Circuit::add_device);
  // when there is one, the netlist is elaborated again with every name checked as it comes, to
  // report the duplicate at its token.
  int add_device(const std::string& name, const Token& head) {
    if (seen_devices_ && !seen_devices_->insert(name).second)
      throw NetlistError(head.where, fmt::format("duplicate element name '{}'", head.original));
    return circuit_.add_device(name);
  }

  // A top-level line's first two nodes (flat names there), about to be looked up, except those
  // on the line before it (found among the recent nodes, Circuit::node): a prefetch costs about
  // as much as the lookup it hides.
  void prefetch_names(const ElementLine& line, const ElementLine& before) const {
    if (!circuit_.node_prefetch_pays()) return;
    auto word = [](const ElementLine& element, std::size_t i) -> std::string_view {
      if (element.plain) return element.words[i];
      return i < element.card.tokens.size() ? std::string_view(element.card.tokens[i].text) : std::string_view();
    };
    for (std::size_t i = 1; i < 3; ++i) {
      const std::string_view name = word(line, i);
      if (!name.empty() && name != word(before, 1) && name != word(before, 2)) circuit_.prefetch_node(name);
    }
  }

  // Builds a plain top-level line (ElementLine) directly when it is a resistor with a nonzero
  // plain number as its value, exactly as build_resistor would; false when it needs the card
  // (another element, anything to report, or duplicate names checked as they come).
  bool plain_element(const std::array<std::string_view, 4>& words) {
    if (words[0].front() != 'r' || seen_devices_) return false;
    const std::optional<double> resistance = parse_spice_number(words[3]);
    if (!resistance || *resistance == 0.0) return false;
    const int device = circuit_.add_device(words[0]);
    const int a = circuit_.node(words[1]);
    const int b = circuit_.node(words[2]);
    add_resistor_device(circuit_, device, a, b, *resistance, top_level_by_letter_['r' - 'a']);
    return true;
  }

  void element(const Card& card, const Scope& scope) {
    const Token& head = card.tokens.front();
    const auto letter = static_cast<unsigned char>(head.text.front());
    name_ = scope.flat_device(head.text);
    if (letter == 'x') {
      instantiate(card, scope, name_);
      return;
    }
    const ElementKind* builder = builders_[letter];
    if (!builder || head.kind != TokenKind::word)
      throw NetlistError(head.where, fmt::format("unknown element type '{}' in '{}'", head.original.substr(0, 1), head.original));
    const int device = add_device(name_, head);
    const std::size_t expected = scope.parent == nullptr && letter >= 'a' && letter <= 'z' ? top_level_by_letter_[letter - 'a'] : 0;
    ScopedElementCard element_card(card, scope, circuit_, name_, device, expected);
    builder->build(element_card);
  }

  void instantiate(const Card& card, const Scope& scope, std::string name) {
    const auto& tokens = card.tokens;
    const Token& head = tokens.front();
    // X name nodes... subckt [params:] [name=value ...]
    std::size_t first_parameter = tokens.size();
    for (std::size_t i = 1; i < tokens.size(); ++i)
      if (tokens[i].is("params:") || (i + 1 < tokens.size() && tokens[i + 1].kind == TokenKind::equals)) {
        first_parameter = i;
        break;
      }
    if (first_parameter < 3) throw NetlistError(head.where, fmt::format("'{}' needs nodes and a subcircuit name", head.original));
    const Token& subcircuit_token = tokens[first_parameter - 1];
    const SubcircuitDefinition* definition = scope.subcircuit(subcircuit_token.text);
    if (!definition) throw NetlistError(subcircuit_token.where, fmt::format("undefined subcircuit '{}'", subcircuit_token.original));
    std::size_t node_count = first_parameter - 2;
    if (node_count != definition->pins.size())
      throw NetlistError(head.where, fmt::format("'{}' connects {} nodes but subcircuit '{}' has {} pins", head.original, node_count,
                                                 definition->name, definition->pins.size()));
    if (std::find(instance_stack_.begin(), instance_stack_.end(), definition) != instance_stack_.end())
      throw NetlistError(subcircuit_token.where, fmt::format("subcircuit '{}' instantiates itself (recursive subcircuit)", definition->name));
    const int device = add_device(name, head);
    std::string path = scope.path.empty() ? head.text : fmt::format("{}.{}", scope.path, head.text);
    for (std::size_t pin = 0; pin < node_count; ++pin) {
      const Token& node = tokens[1 + pin];
      if (node.kind != TokenKind::word) throw NetlistError(node.where, fmt::format("expected a node name, got '{}'", node.original));
    }
    const NativeSubcircuitModel* native = native_model(*definition);
    // A native model whose defaults are plain numbers needs no scope: only the values.
    if (native && definition->plain_defaults) {
      NativeSubcircuitInstance& instance = start_native_instance(card, scope, *definition, std::move(path), device);
      instance.parameter_values = *definition->plain_defaults;
      for_each_override(card, first_parameter, *definition,
                        [&](std::size_t index, const Token& value) { instance.parameter_values[index] = evaluate_value(value, card, scope); });
      native->build(instance);
      return;
    }

    Scope child;
    child.parent = &scope;
    child.definition = definition;
    child.path = std::move(path);
    for (std::size_t pin = 0; pin < node_count; ++pin) child.pin_nodes[definition->pins[pin]->text] = scope.flat_node(tokens[1 + pin].text);
    // Defaults are evaluated in the definition's context (parent of the instance chain); instance
    // overrides in the caller's scope.
    std::vector<bool> given(definition->default_parameters.size());
    for_each_override(card, first_parameter, *definition, [&](std::size_t index, const Token& value) {
      child.parameters[definition->default_parameters[index].first->text] = evaluate_value(value, card, scope);
      given[index] = true;
    });
    for (std::size_t index = 0; index < definition->default_parameters.size(); ++index) {
      if (given[index]) continue;
      const auto& [key, value] = definition->default_parameters[index];
      child.parameters[key->text] = evaluate_value(*value, *definition->header, child);
    }
    if (native) {
      NativeSubcircuitInstance& instance = start_native_instance(card, scope, *definition, std::move(child.path), device);
      instance.parameter_values.clear();
      for (const auto& [key, value] : definition->default_parameters) instance.parameter_values.push_back(child.parameters.at(key->text));
      native->build(instance);
      return;
    }
    instance_stack_.push_back(definition);
    elaborate_level(child, nullptr);
    instance_stack_.pop_back();
  }

  // Calls use(index in the definition's parameters, value token) for each `name=value` of an X
  // line, from token `first` (a `params:` there is skipped).
  template <typename Use>
  static void for_each_override(const Card& card, std::size_t first, const SubcircuitDefinition& definition, Use&& use) {
    const auto& tokens = card.tokens;
    std::size_t i = first;
    if (i < tokens.size() && tokens[i].is("params:")) ++i;
    for (; i < tokens.size(); i += 3) {
      const Token& key = tokens[i];
      if (key.kind != TokenKind::word || i + 2 >= tokens.size() || tokens[i + 1].kind != TokenKind::equals)
        throw NetlistError(key.where, "expected 'name=value' instance parameter");
      const auto known = std::find(definition.parameter_names.begin(), definition.parameter_names.end(), key.text);
      if (known == definition.parameter_names.end())
        throw NetlistError(key.where, fmt::format("subcircuit '{}' has no parameter '{}'", definition.name, key.text));
      use(static_cast<std::size_t>(known - definition.parameter_names.begin()), tokens[i + 2]);
    }
  }

  // The instance handed to a native builder (its storage reused from one X line to the next),
  // with everything but the parameter values filled in.
  NativeSubcircuitInstance& start_native_instance(const Card& card, const Scope& scope, const SubcircuitDefinition& definition,
                                                  std::string path, int device) {
    NativeSubcircuitInstance& instance = native_instance_;
    instance.path = std::move(path);
    instance.nodes.clear();
    for (std::size_t pin = 0; pin < definition.pins.size(); ++pin) {
      const std::string& node = card.tokens[1 + pin].text;
      instance.nodes.push_back(scope.path.empty() ? circuit_.node(node) : circuit_.node(scope.flat_node(node)));  // top level: flat
    }
    instance.parameter_names = definition.parameter_names;
    instance.where = card.where;
    instance.circuit = &circuit_;
    instance.device = device;
    instance.expected_count = scope.parent == nullptr ? top_level_by_letter_['x' - 'a'] : 0;
    return instance;
  }

  // The native model of a library subcircuit definition, if it has one and they are enabled.
  const NativeSubcircuitModel* native_model(const SubcircuitDefinition& definition) const {
    if (!definition.native) definition.native = find_native_model(definition);
    return *definition.native;
  }
  const NativeSubcircuitModel* find_native_model(const SubcircuitDefinition& definition) const {
    if (!options_.native_models) return nullptr;
    const std::string file = std::filesystem::path(definition.where.file.str()).filename().string();
    for (const NativeSubcircuitModel& model : native_subcircuit_models())
      if (definition.name == model.subcircuit && file == model.library_file) return &model;
    return nullptr;
  }

  static double number(const Card& card, std::size_t index, std::string_view what, const Scope& scope) {
    if (index >= card.tokens.size())
      throw NetlistError(card.tokens.back().where, fmt::format("'{}' needs {}", card.tokens.front().text, what));
    return evaluate_value(card.tokens[index], card, scope);
  }

  // Adds a .save name; a name the circuit does not have is warned about, as ngspice does.
  void save(std::string name, const Token& token) {
    bool exists = false;
    if (name.size() > 3 && name[1] == '(' && name.back() == ')') {
      const std::string_view inner = std::string_view(name).substr(2, name.size() - 3);
      if (name[0] == 'v') exists = circuit_.find_node(inner).value_or(kGround) != kGround;
      if (name[0] == 'i') exists = circuit_.branch_of(inner).has_value();
    }
    if (!exists) sink_({Severity::warning, token.where, fmt::format("'.save {}': no such vector in this circuit", name)});
    circuit_.saved_vectors.push_back(std::move(name));
  }

  void directive(const Card& card, const Scope& scope) {
    const Token& head = card.tokens.front();
    const auto& tokens = card.tokens;
    if (head.is(".op")) {
      circuit_.analyses.push_back(OperatingPointRequest{head.where});
    } else if (head.is(".dc")) {
      DcSweepRequest request{head.where, {}};
      std::size_t i = 1;
      while (i < tokens.size()) {
        SweepSpecification sweep;
        sweep.where = tokens[i].where;
        sweep.source = tokens[i].text;
        if (!circuit_.find_source(sweep.source))
          throw NetlistError(tokens[i].where, fmt::format("'.dc' sweeps '{}', which is not an independent voltage or current source", tokens[i].original));
        sweep.start = number(card, i + 1, "a start value", scope);
        sweep.stop = number(card, i + 2, "a stop value", scope);
        sweep.step = number(card, i + 3, "a step", scope);
        if (sweep.step == 0.0 || (sweep.stop - sweep.start) / sweep.step < 0)
          throw NetlistError(tokens[i + 3].where, "'.dc' step must be non-zero and point from start to stop");
        request.sweeps.push_back(sweep);
        i += 4;
      }
      if (request.sweeps.empty()) throw NetlistError(head.where, "'.dc' needs a source, start, stop and step");
      if (request.sweeps.size() > 2) throw NetlistError(tokens[9].where, "'.dc' sweeps at most two sources");
      circuit_.analyses.push_back(request);
    } else if (head.is(".tran")) {
      TransientRequest request{head.where};
      std::vector<const Token*> values;
      for (std::size_t i = 1; i < tokens.size(); ++i) {
        if (tokens[i].is("uic")) request.use_initial_conditions = true;
        else values.push_back(&tokens[i]);
      }
      if (values.size() < 2 || values.size() > 4) throw NetlistError(head.where, "'.tran' takes tstep tstop [tstart [tmax]] [uic]");
      request.step = evaluate_value(*values[0], card, scope);
      request.stop = evaluate_value(*values[1], card, scope);
      if (values.size() > 2) request.start = evaluate_value(*values[2], card, scope);
      if (values.size() > 3) request.max_step = evaluate_value(*values[3], card, scope);
      if (request.stop <= 0 || request.step <= 0) throw NetlistError(head.where, "'.tran' needs positive tstep and tstop");
      circuit_.analyses.push_back(request);
    } else if (head.is(".options") || head.is(".option") || head.is(".opt")) {
      for (std::size_t i = 1; i < tokens.size(); ++i) {
        const Token& key = tokens[i];
        if (i + 2 < tokens.size() && tokens[i + 1].kind == TokenKind::equals) {
          const Token& value = tokens[i + 2];
          bool known = false;
          if (value.kind == TokenKind::word && !parse_spice_number(value.text)) known = circuit_.options.set_word(key.text, value.text);
          else known = circuit_.options.set(key.text, evaluate_value(value, card, scope));
          if (!known) sink_({Severity::warning, key.where, fmt::format("unknown or unsupported option '{}' ignored", key.text)});
          i += 2;
          continue;
        }
        if (SimulationOptions::is_flag(key.text)) {
          circuit_.options.set(key.text, 1.0);
        } else {
          sink_({Severity::warning, key.where, fmt::format("unknown or unsupported option '{}' ignored", key.text)});
        }
      }
    } else if (head.is(".temp")) {
      circuit_.options.temperature = number(card, 1, "a temperature", scope);
    } else if (head.is(".ic") || head.is(".nodeset")) {
      auto& list = head.is(".ic") ? circuit_.initial_conditions : circuit_.nodesets;
      std::size_t i = 1;
      while (i < tokens.size()) {
        // v(node)=value
        if (!(tokens[i].is("v") && i + 5 < tokens.size() && tokens[i + 1].kind == TokenKind::open_paren &&
              tokens[i + 3].kind == TokenKind::close_paren && tokens[i + 4].kind == TokenKind::equals))
          throw NetlistError(tokens[i].where, fmt::format("expected 'v(node)=value' in '{}'", head.text));
        const Token& node = tokens[i + 2];
        auto index = circuit_.find_node(node.text);
        if (!index) throw NetlistError(node.where, fmt::format("unknown node '{}'", node.original));
        if (*index == kGround) throw NetlistError(node.where, "cannot set the ground node");
        list.push_back({*index, number(card, i + 5, "a value", scope), tokens[i].where});
        i += 6;
      }
    } else if (head.is(".save")) {
      for (std::size_t i = 1; i < tokens.size(); ++i) {
        const Token& token = tokens[i];
        if (token.is("all")) {
          circuit_.saved_vectors.push_back("all");
        } else if ((token.is("v") || token.is("i")) && i + 1 < tokens.size() && tokens[i + 1].kind == TokenKind::open_paren) {
          std::size_t close = i + 2;
          while (close < tokens.size() && tokens[close].kind != TokenKind::close_paren) ++close;
          if (close >= tokens.size()) throw NetlistError(token.where, "missing ')'");
          std::string inner;
          for (std::size_t k = i + 2; k < close; ++k) inner += tokens[k].kind == TokenKind::comma ? "," : tokens[k].text;
          save(fmt::format("{}({})", token.text, inner), token);
          i = close;
        } else if (token.kind == TokenKind::word) {
          save(fmt::format("v({})", token.text), token);
        } else {
          throw NetlistError(token.where, fmt::format("unexpected '{}' in '.save'", token.original));
        }
      }
    } else if (head.is(".meas") || head.is(".measure")) {
      MeasureRequest request = parse_measure_card(card);
      for (const std::string& vector : measured_vectors(request)) {
        const std::string inner = vector.substr(2, vector.size() - 3);
        const bool exists = vector.front() == 'v' ? circuit_.find_node(inner).has_value() : circuit_.branch_of(inner).has_value();
        if (!exists) throw NetlistError(card.where, fmt::format("'{}' measures {}, which this circuit does not have", request.name, vector));
      }
      if (std::any_of(circuit_.measurements.begin(), circuit_.measurements.end(),
                      [&](const MeasureRequest& other) { return other.name == request.name; }))
        throw NetlistError(tokens[2].where, fmt::format("measurement '{}' is defined twice", request.name));
      circuit_.measurements.push_back(std::move(request));
    } else if (head.is(".step")) {
      SteppedParameter parameter = parse_step_card(card);
      if (std::any_of(circuit_.steps.begin(), circuit_.steps.end(), [&](const SteppedParameter& other) { return other.name == parameter.name; }))
        throw NetlistError(card.where, fmt::format("parameter '{}' is stepped twice", parameter.name));
      circuit_.steps.push_back(std::move(parameter));
    } else if (head.is(".print") || head.is(".plot") || head.is(".probe") || head.is(".width") || head.is(".global") ||
               head.is(".csparam")) {
      sink_({Severity::note, head.where, fmt::format("'{}' is not supported yet and is ignored", head.text)});
    } else {
      throw NetlistError(head.where, fmt::format("unknown directive '{}'", head.original));
    }
  }
};

}  // namespace

namespace {

Circuit elaborate(const NetlistText& netlist, const DiagnosticSink& sink, const ElaborationOptions& options, NameTable* seen_devices) {
  Circuit circuit;
  circuit.title = netlist.title;
  SubcircuitDefinition top = parse_structure(netlist.cards);
  Scope scope;
  scope.definition = &top;
  scope.parameters = options.parameter_overrides;
  SeededRandom random(options.random_seed);
  scope.random = &random;
  Elaborator elaborator(circuit, sink, options, seen_devices);
  elaborator.elaborate_level(scope, &netlist.element_lines);
  circuit.parameters = scope.parameters;
  for (const auto& group : circuit.groups()) group->resolve(circuit);
  return circuit;
}

}  // namespace

Circuit elaborate(const NetlistText& netlist, const DiagnosticSink& sink, const ElaborationOptions& options) {
  try {
    return elaborate(netlist, sink, options, nullptr);
  } catch (const DuplicateDevice& duplicate) {
    NameTable seen_devices;
    elaborate(netlist, [](const Diagnostic&) {}, options, &seen_devices);  // throws at the duplicate's token
    throw NetlistError(netlist.title_location, fmt::format("duplicate element name '{}'", duplicate.name));
  }
}

Circuit load_circuit(const std::filesystem::path& netlist_path, const DiagnosticSink& sink, const ElaborationOptions& options) {
  return elaborate(read_netlist_file(netlist_path, sink), sink, options);
}

}  // namespace xbarsim
