// ElementCard: what a model's builder sees of one element line during elaboration.
//
// The elaborator hands each element card (`R1 a b 1k`, `D1 a k dmod`, ...) to the builder
// registered for its first letter, wrapped in an ElementCard that knows the subcircuit instance
// it sits in: node tokens map to flat node names (`x1.mid`), device references to hierarchical
// names (`v.x1.vsense`), values are SPICE numbers or `{expressions}` evaluated in the instance's
// parameter scope, and `.model` names resolve through the enclosing scopes. Every error is thrown
// as a NetlistError at the offending token.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/netlist_reader.h"

namespace xbarsim {

class Circuit;

struct ModelCard {
  std::string name;
  std::string type;  // lower case, e.g. "d"
  SourceLocation where;
  std::map<std::string, double> parameters;  // lower-case name -> value
  std::map<std::string, SourceLocation> parameter_locations;
};

struct KeywordValue {
  const Token* keyword;
  const Token* value;
};

class ElementCard {
 public:
  virtual ~ElementCard() = default;

  virtual const Card& card() const = 0;
  const std::vector<Token>& tokens() const { return card().tokens; }
  const Token& token(std::size_t index) const;  // throws "missing ..." when the card is too short
  std::size_t token_count() const { return card().tokens.size(); }

  virtual const std::string& name() const = 0;  // hierarchical device name, lower case
  virtual int device_id() const = 0;             // the name's id in the circuit (registered)
  virtual Circuit& circuit() = 0;

  // Node unknown of token `index` (created on first use). Throws if the token is not a node name.
  virtual int node(std::size_t index) = 0;
  virtual std::string node_name(std::size_t index) const = 0;
  // Flat name of a node named on this card or in an expression (`mid` -> `x1.mid` in an instance).
  virtual std::string flat_node(std::string_view name) const = 0;
  // Hierarchical name of a device referenced from this card (e.g. an F source's `vsense`).
  virtual std::string device_reference(std::string_view name) const = 0;
  // A `.param` value visible from this card, or nullopt.
  virtual std::optional<double> parameter(std::string_view name) const = 0;
  // A number or `{expression}` in this instance's parameter scope.
  virtual double value(const Token& token) const = 0;
  virtual const ModelCard& model(const Token& token) const = 0;
  // How many element lines with this card's letter the netlist's top level has (0 inside a
  // subcircuit): a builder may reserve room for that many when its group is still empty.
  virtual std::size_t expected_count() const { return 0; }

  // `key=value` pairs from token `first` to the end; throws on anything that is not such a pair.
  std::vector<KeywordValue> keyword_values(std::size_t first) const;
  // Throws unless the card has exactly `count` tokens (message names what is missing or extra).
  void expect_token_count(std::size_t count, std::string_view usage) const;
  [[noreturn]] void fail(const Token& token, const std::string& message) const;
  [[noreturn]] void fail_at_end(const std::string& message) const;
};

// Builds devices from an element card; registered per element letter.
using ElementBuilder = void (*)(ElementCard& card);

struct ElementKind {
  char letter;
  std::string_view description;  // for messages and --help, e.g. "resistor"
  ElementBuilder build;
};

// The element letters xbarsim knows (models/builtin_models.cpp).
const std::vector<ElementKind>& builtin_element_kinds();

}  // namespace xbarsim
