// Expression: ngspice's expression language, compiled once and evaluated many times with exact
// derivatives (forward-mode automatic differentiation).
//
// Used for `.param` values and `{...}` element values (constants only) and for behavioural sources
// (`B n+ n- V={V(a)*I(v1)+time}`), whose expressions read circuit variables. Compilation resolves
// every name through an ExpressionSymbols object: parameters become constants folded into the code,
// `V(n)`, `V(a,b)`, `I(vsource)` and `time` become variable slots. Evaluation is a flat stack
// machine over the compiled program; no parsing or name lookup happens at evaluation time.
//
// Language (ngspice 39 B-source dialect; semantics and the checks against ngspice are listed at
// the top of expression.cpp):
//   numbers with SPICE suffixes (`2k`, `1.5meg`, `3u`), `pi`, `e`;
//   operators by increasing precedence: `c ? a : b` (right-associative), `||`, `&&`, `== != <>`,
//   `< <= > >=`, `+ -`, `* /`, unary `- + !`, `^` and `**` (left-associative, as in ngspice:
//   2^3^2 = 64, -2^2 = -4); parentheses;
//   functions: exp ln log (natural) log10 sqrt abs sgn sin cos tan asin acos atan sinh cosh tanh
//   asinh acosh atanh floor ceil nint min max pow pwr u (unit step) u2 uramp limit(x,lo,hi);
//   `V(node)`, `V(node1,node2)`, `I(vsource)`, `time`, `temper`;
//   Monte Carlo draws agauss gauss aunif unif (constant arguments; drawn once at compile time
//   from ExpressionSymbols::random_source(), so in .param and element values only).
// `V(0)` is ground: the constant 0, never passed to node_voltage(). Names that are neither
// parameters, `pi`/`e` nor simulator variables are errors. Evaluation keeps its stack in
// thread-local scratch memory, so one CompiledExpression may be evaluated from several threads.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace xbarsim {

class SeededRandom;

// Thrown by compile(); offset is the 0-based character offset into the expression text where the
// problem is, so callers can turn it into a netlist line:column.
class ExpressionError : public std::runtime_error {
 public:
  ExpressionError(std::size_t offset, const std::string& message)
      : std::runtime_error(message), offset_(offset) {}
  std::size_t offset() const { return offset_; }

 private:
  std::size_t offset_;
};

// Resolves names during compilation. Every method returns nullopt for "unknown"; compile() then
// throws ExpressionError naming the offending identifier. Names are passed lower-cased.
class ExpressionSymbols {
 public:
  virtual ~ExpressionSymbols() = default;
  // A parameter or other constant (e.g. from .param): folded into the program.
  virtual std::optional<double> constant(std::string_view name) const = 0;
  // Variable slot of node voltage V(node); nullopt if such variables are not allowed or unknown.
  virtual std::optional<int> node_voltage(std::string_view node) const { (void)node; return std::nullopt; }
  // Variable slot of a voltage source's (or inductor's) branch current I(name).
  virtual std::optional<int> branch_current(std::string_view device) const { (void)device; return std::nullopt; }
  // Variable slot of a named simulator variable: `time`, `temper`.
  virtual std::optional<int> simulator_variable(std::string_view name) const { (void)name; return std::nullopt; }
  // Where agauss/gauss/aunif/unif draw from; nullptr where random draws are not allowed.
  virtual SeededRandom* random_source() const { return nullptr; }
};

// Symbols that only know constants (for .param and `{...}` element values).
class ConstantSymbols : public ExpressionSymbols {
 public:
  using Lookup = std::optional<double> (*)(const void* context, std::string_view name);
  ConstantSymbols(Lookup lookup, const void* context) : lookup_(lookup), context_(context) {}
  std::optional<double> constant(std::string_view name) const override { return lookup_(context_, name); }

 private:
  Lookup lookup_;
  const void* context_;
};

class CompiledExpression {
 public:
  CompiledExpression();
  ~CompiledExpression();
  CompiledExpression(CompiledExpression&&) noexcept;
  CompiledExpression& operator=(CompiledExpression&&) noexcept;
  CompiledExpression(const CompiledExpression&);
  CompiledExpression& operator=(const CompiledExpression&);

  // Compiles `text` (without surrounding braces or quotes). Throws ExpressionError.
  static CompiledExpression compile(std::string_view text, const ExpressionSymbols& symbols);

  // The distinct variable slots the expression reads, in first-use order. Gradients are reported
  // in this order.
  std::span<const int> variables() const;
  bool is_constant() const { return variables().empty(); }

  // Value, reading variable slot k from values[k] (values must cover every slot in variables()).
  double evaluate(std::span<const double> values) const;
  // Value and d(value)/d(values[variables()[j]]) into gradient[j] (gradient.size() >= variables().size()).
  double evaluate(std::span<const double> values, std::span<double> gradient) const;

 private:
  struct Program;
  std::unique_ptr<Program> program_;
  friend double evaluate_constant_expression(std::string_view text, const ExpressionSymbols& symbols);
};

// Convenience: compile and evaluate a constant expression (throws ExpressionError if it reads a
// variable).
double evaluate_constant_expression(std::string_view text, const ExpressionSymbols& symbols);

}  // namespace xbarsim
