// Expression compiler and evaluator: ngspice B-source / .param expressions are parsed to a syntax
// tree, names are resolved, constant subtrees are folded, and the result is emitted as a flat
// postfix program run by a stack machine over doubles (value) or over dual numbers (value and
// gradient, forward-mode automatic differentiation).
//
// Semantics follow ngspice 39's B source (src/spicelib/parser/ptfuncs.c, inpptree.c), checked by
// running `ngspice -b` on small netlists:
//   - `x^y`, `x**y` and `pow(x,y)` are pow(|x|, y): (-2)^3 = 8, (-8)^(1/3) = 2, (-2)^2.5 = 5.657.
//   - `pwr(x,y)` is x < 0 ? -pow(-x, y) : pow(x, y): pwr(-2,3) = -8, pwr(-2,0.5) = -1.414.
//   - `^` binds tighter than unary minus and is left-associative: -2^2 = -4, 2^3^2 = 64,
//     2^-1 = 0.5 (a sign is allowed directly after `^`).
//   - `==`/`!=` bind more loosely than `<`/`<=`/`>`/`>=` (as in C): `1 == 1 + 1 < 2` is 0.
//   - `&&` binds tighter than `||`; `c ? a : b` is right-associative and lowest.
//   - u(0) = 0.5, uramp(x) = x < 0 ? 0 : x, u2(x) = clamp(x, 0, 1), sgn(0) = 0.
//   - log and ln are the natural logarithm; log(0) = -1e99 (ngspice PTlog); log of a negative
//     number and sqrt of a negative number are errors in ngspice ("out of range") and NaN here.
//   - exp(x) = 1e99 for x > 227.9559242 (ngspice PTexp), so exp never overflows.
//   - a / b divides by b + 1e-32 (b >= 0) or b - 1e-32 (b < 0): ngspice's PTfudge_factor
//     (gmin * 1e-20 with the default gmin 1e-12), so 1/V(x) at V(x) = 0 is 1e32, not inf.
//   - min(a,b) = a > b ? b : a, max(a,b) = a > b ? a : b (ties return b).
//   - comparisons, `!`, `&&`, `||` yield 1 or 0; the condition of `?:` is true when nonzero.
//   - pi = 3.14159..., e = 2.71828... (ngspice B-source constants), unless a parameter of that
//     name exists.
//   - limit(x, lo, hi) = min(max(x, lo), hi) (the manual's own .func LIMIT). ngspice 39 has no
//     such B-source function (it returns garbage) and its .param `limit(nom, avar)` is a random
//     draw, so netlists meant for both engines should not use it.
// Where ngspice's .param (numparam) evaluator differs from its B source we follow the B source:
// numparam gives pow(-2,3) = -8 and pwr(-2,3) = 8, treats `mil` as milli and errors on 1/0.
//
// Constant folding: any subtree without variables is evaluated at compile time. A folded result
// that is NaN or infinite, or a division by a constant zero, is reported as an ExpressionError
// (ngspice's .param evaluator rejects these too). A conditional whose condition folds to a
// constant keeps only the taken branch, so `{a != 0 ? 1/a : 0}` with a = 0 is fine; names in the
// dropped branch are still checked. V(0) is the constant 0 (ground) without asking the symbols.
//
// Derivatives are exact derivatives of the values computed here. At points where the function is
// not differentiable we use ngspice's rules, so Newton iterations see the same Jacobians:
//   abs'(0) = sgn(0) = 0; u' = sgn' = floor' = ceil' = nint' = 0; uramp'(0) = u(0) = 0.5;
//   u2'(x) = u(x) - u(x-1) (0.5 at 0 and at 1); min/max take the derivative of the operand whose
//   value they return (b on ties); comparisons and logic have zero derivative; `?:` has the
//   derivative of the taken branch; limit at a bound takes the bound's derivative.
//   exp'(x) = 1e99 above 227.9559242 (the clamped value, as ngspice's derivative tree does);
//   ln'(x) = 1/x and sqrt'(x) = 1/(2 sqrt(x)) use the same fudged division, so both are 1e32 at 0.
//   For |x|^y (and pwr) at x = 0: d/dy = 0, d/dx = 0 when y >= 1 or y = 0, +inf when 0 < y < 1
//   or y < 0 (ngspice reports "out of range" there). Unlike ngspice, whose derivative of x^c is
//   c*|x|^(c-1) for either sign of x, we use the true derivative c*|x|^(c-1)*sgn(x).
// A zero partial derivative is a structural zero: it never multiplies an infinite or NaN operand
// gradient into a NaN.
#include "core/expression.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <numbers>

#include "core/seeded_random.h"
#include "core/spice_number.h"

namespace xbarsim {
namespace {

constexpr double division_fudge = 1e-32;           // ngspice PTfudge_factor at default gmin
constexpr double exp_argument_limit = 227.9559242;  // ngspice PTexp: exp(x) = 1e99 beyond this
constexpr double huge_value = 1e99;                 // ngspice's stand-in for overflow

enum class Opcode : std::uint8_t {
  push_constant,
  push_variable,
  jump_if_zero,
  jump,
  // Unary operations (first_unary .. last_unary).
  negate,
  logical_not,
  abs,
  sgn,
  exp,
  ln,
  log10,
  sqrt,
  sin,
  cos,
  tan,
  asin,
  acos,
  atan,
  sinh,
  cosh,
  tanh,
  asinh,
  acosh,
  atanh,
  floor,
  ceil,
  nint,
  unit_step,
  unit_step_ramp,  // u2
  unit_ramp,
  // Binary operations (every opcode after last_unary).
  add,
  subtract,
  multiply,
  divide,
  power,
  signed_power,
  minimum,
  maximum,
  equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
  logical_and,
  logical_or,
};

constexpr Opcode first_unary = Opcode::negate;
constexpr Opcode last_unary = Opcode::unit_ramp;

bool is_unary(Opcode op) { return op >= first_unary && op <= last_unary; }

// Built-in functions callable by name. `limit` is expanded to max then min by the parser.
struct FunctionInfo {
  std::string_view name;
  int arity;
  Opcode opcode;
};

constexpr std::array function_table{
    FunctionInfo{"abs", 1, Opcode::abs},       FunctionInfo{"sgn", 1, Opcode::sgn},
    FunctionInfo{"exp", 1, Opcode::exp},       FunctionInfo{"ln", 1, Opcode::ln},
    FunctionInfo{"log", 1, Opcode::ln},        FunctionInfo{"log10", 1, Opcode::log10},
    FunctionInfo{"sqrt", 1, Opcode::sqrt},     FunctionInfo{"sin", 1, Opcode::sin},
    FunctionInfo{"cos", 1, Opcode::cos},       FunctionInfo{"tan", 1, Opcode::tan},
    FunctionInfo{"asin", 1, Opcode::asin},     FunctionInfo{"acos", 1, Opcode::acos},
    FunctionInfo{"atan", 1, Opcode::atan},     FunctionInfo{"sinh", 1, Opcode::sinh},
    FunctionInfo{"cosh", 1, Opcode::cosh},     FunctionInfo{"tanh", 1, Opcode::tanh},
    FunctionInfo{"asinh", 1, Opcode::asinh},   FunctionInfo{"acosh", 1, Opcode::acosh},
    FunctionInfo{"atanh", 1, Opcode::atanh},   FunctionInfo{"floor", 1, Opcode::floor},
    FunctionInfo{"ceil", 1, Opcode::ceil},     FunctionInfo{"nint", 1, Opcode::nint},
    FunctionInfo{"u", 1, Opcode::unit_step},   FunctionInfo{"u2", 1, Opcode::unit_step_ramp},
    FunctionInfo{"uramp", 1, Opcode::unit_ramp}, FunctionInfo{"min", 2, Opcode::minimum},
    FunctionInfo{"max", 2, Opcode::maximum},   FunctionInfo{"pow", 2, Opcode::power},
    FunctionInfo{"pwr", 2, Opcode::signed_power}, FunctionInfo{"limit", 3, Opcode::minimum},
};

const FunctionInfo* find_function(std::string_view name) {
  for (const FunctionInfo& function : function_table) {
    if (function.name == name) return &function;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Values and derivatives of the operations, shared by folding and both evaluators.

double sign_of(double x) { return x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : 0.0; }
double unit_step(double x) { return x < 0.0 ? 0.0 : x > 0.0 ? 1.0 : 0.5; }
double fudged_denominator(double x) { return x >= 0.0 ? x + division_fudge : x - division_fudge; }
double truth(bool condition) { return condition ? 1.0 : 0.0; }

double unary_value(Opcode op, double x) {
  switch (op) {
    case Opcode::negate: return -x;
    case Opcode::logical_not: return truth(x == 0.0);
    case Opcode::abs: return std::fabs(x);
    case Opcode::sgn: return sign_of(x);
    case Opcode::exp: return x > exp_argument_limit ? huge_value : std::exp(x);
    case Opcode::ln:
      return x < 0.0 ? std::numeric_limits<double>::quiet_NaN() : x == 0.0 ? -huge_value : std::log(x);
    case Opcode::log10:
      return x < 0.0 ? std::numeric_limits<double>::quiet_NaN() : x == 0.0 ? -huge_value : std::log10(x);
    case Opcode::sqrt: return x < 0.0 ? std::numeric_limits<double>::quiet_NaN() : std::sqrt(x);
    case Opcode::sin: return std::sin(x);
    case Opcode::cos: return std::cos(x);
    case Opcode::tan: return std::tan(x);
    case Opcode::asin: return std::asin(x);
    case Opcode::acos: return std::acos(x);
    case Opcode::atan: return std::atan(x);
    case Opcode::sinh: return std::sinh(x);
    case Opcode::cosh: return std::cosh(x);
    case Opcode::tanh: return std::tanh(x);
    case Opcode::asinh: return std::asinh(x);
    case Opcode::acosh: return std::acosh(x);
    case Opcode::atanh: return std::atanh(x);
    case Opcode::floor: return std::floor(x);
    case Opcode::ceil: return std::ceil(x);
    case Opcode::nint: return std::nearbyint(x);  // half to even, like ngspice
    case Opcode::unit_step: return unit_step(x);
    case Opcode::unit_step_ramp: return x <= 0.0 ? 0.0 : x <= 1.0 ? x : 1.0;
    case Opcode::unit_ramp: return x < 0.0 ? 0.0 : x;
    default: return 0.0;
  }
}

// d unary_value(op, x) / dx, given value = unary_value(op, x).
double unary_derivative(Opcode op, double x, double value) {
  switch (op) {
    case Opcode::negate: return -1.0;
    case Opcode::abs: return sign_of(x);
    case Opcode::exp: return value;  // 1e99 in the clamped region, as in ngspice
    case Opcode::ln: return 1.0 / fudged_denominator(x);
    case Opcode::log10: return std::numbers::log10e / fudged_denominator(x);
    case Opcode::sqrt: return 1.0 / fudged_denominator(2.0 * value);
    case Opcode::sin: return std::cos(x);
    case Opcode::cos: return -std::sin(x);
    case Opcode::tan: return 1.0 / (std::cos(x) * std::cos(x));
    case Opcode::asin: return 1.0 / std::sqrt(1.0 - x * x);
    case Opcode::acos: return -1.0 / std::sqrt(1.0 - x * x);
    case Opcode::atan: return 1.0 / (1.0 + x * x);
    case Opcode::sinh: return std::cosh(x);
    case Opcode::cosh: return std::sinh(x);
    case Opcode::tanh: return 1.0 - value * value;
    case Opcode::asinh: return 1.0 / std::sqrt(x * x + 1.0);
    case Opcode::acosh: return 1.0 / std::sqrt(x * x - 1.0);
    case Opcode::atanh: return 1.0 / (1.0 - x * x);
    case Opcode::unit_step_ramp: return unit_step(x) - unit_step(x - 1.0);
    case Opcode::unit_ramp: return unit_step(x);
    default: return 0.0;  // piecewise constant: !, sgn, floor, ceil, nint, u
  }
}

double binary_value(Opcode op, double a, double b) {
  switch (op) {
    case Opcode::add: return a + b;
    case Opcode::subtract: return a - b;
    case Opcode::multiply: return a * b;
    case Opcode::divide: return a / fudged_denominator(b);
    case Opcode::power: return std::pow(std::fabs(a), b);
    case Opcode::signed_power: return a < 0.0 ? -std::pow(-a, b) : std::pow(a, b);
    case Opcode::minimum: return a > b ? b : a;
    case Opcode::maximum: return a > b ? a : b;
    case Opcode::equal: return truth(a == b);
    case Opcode::not_equal: return truth(a != b);
    case Opcode::less: return truth(a < b);
    case Opcode::less_equal: return truth(a <= b);
    case Opcode::greater: return truth(a > b);
    case Opcode::greater_equal: return truth(a >= b);
    case Opcode::logical_and: return truth(a != 0.0 && b != 0.0);
    case Opcode::logical_or: return truth(a != 0.0 || b != 0.0);
    default: return 0.0;
  }
}

struct Partials {
  double with_respect_to_a;
  double with_respect_to_b;
};

// d|a|^b / d|a| = b |a|^(b-1), with the a = 0 rule from the file comment.
double power_magnitude_derivative(double a, double b) {
  if (a == 0.0) {
    return (b >= 1.0 || b == 0.0) ? 0.0 : std::numeric_limits<double>::infinity();
  }
  return b * std::pow(std::fabs(a), b - 1.0);
}

Partials binary_partials(Opcode op, double a, double b, double value) {
  switch (op) {
    case Opcode::add: return {1.0, 1.0};
    case Opcode::subtract: return {1.0, -1.0};
    case Opcode::multiply: return {b, a};
    case Opcode::divide: {
      const double denominator = fudged_denominator(b);
      return {1.0 / denominator, -value / denominator};
    }
    case Opcode::power:
    case Opcode::signed_power: {
      // d|a|^b/da = sgn(a) b |a|^(b-1) and d(sgn(a)|a|^b)/da = b |a|^(b-1), both with the a = 0
      // rule; d/db = value * ln|a|, taken as 0 at a = 0.
      const double magnitude_slope = power_magnitude_derivative(a, b);
      const bool even_in_a = op == Opcode::power && a != 0.0;  // |a|^b is even in a
      return {even_in_a ? sign_of(a) * magnitude_slope : magnitude_slope,
              a == 0.0 ? 0.0 : value * std::log(std::fabs(a))};
    }
    case Opcode::minimum: return a < b ? Partials{1.0, 0.0} : Partials{0.0, 1.0};
    case Opcode::maximum: return a > b ? Partials{1.0, 0.0} : Partials{0.0, 1.0};
    default: return {0.0, 0.0};  // comparisons and logic
  }
}

// ---------------------------------------------------------------------------------------------
// Syntax tree.

struct Node {
  enum class Kind { constant, variable, unary, binary, conditional };
  Kind kind = Kind::constant;
  Opcode opcode = Opcode::push_constant;
  double constant = 0.0;
  int variable_slot = -1;
  std::size_t offset = 0;  // where the construct starts (operator, function name, literal)
  std::string_view name;   // operator or function as written, for error messages
  std::array<int, 3> children{-1, -1, -1};
};

std::string lower_case(std::string_view text) {
  std::string result(text);
  for (char& c : result) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

bool is_identifier_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

struct Token {
  enum class Kind { end, number, identifier, symbol };
  Kind kind = Kind::end;
  std::size_t offset = 0;
  std::size_t length = 0;
  double number = 0.0;
};

// Recursive-descent parser producing a tree with names already resolved through the symbols.
// Folds constant subtrees in place; returns the index of the folded node.
class ConstantFolder {
 public:
  explicit ConstantFolder(std::vector<Node>& nodes) : nodes_(nodes) {}

  int fold(int index) {
    Node& node = nodes_[static_cast<std::size_t>(index)];
    switch (node.kind) {
      case Node::Kind::constant:
      case Node::Kind::variable:
        return index;
      case Node::Kind::unary: {
        node.children[0] = fold(node.children[0]);
        const Node& operand = nodes_[static_cast<std::size_t>(node.children[0])];
        if (operand.kind != Node::Kind::constant) return index;
        const double value = unary_value(node.opcode, operand.constant);
        if (!std::isfinite(value)) {
          throw ExpressionError(node.offset, "argument " + format(operand.constant) + " is out of range for '" +
                                                 std::string(node.name) + "'");
        }
        return become_constant(index, value);
      }
      case Node::Kind::binary: {
        node.children[0] = fold(node.children[0]);
        node.children[1] = fold(node.children[1]);
        const Node& left = nodes_[static_cast<std::size_t>(node.children[0])];
        const Node& right = nodes_[static_cast<std::size_t>(node.children[1])];
        if (node.opcode == Opcode::divide && right.kind == Node::Kind::constant && right.constant == 0.0) {
          throw ExpressionError(node.offset, "division by zero");
        }
        if (left.kind != Node::Kind::constant || right.kind != Node::Kind::constant) return index;
        const double value = binary_value(node.opcode, left.constant, right.constant);
        if (!std::isfinite(value)) {
          throw ExpressionError(node.offset, "arguments " + format(left.constant) + ", " + format(right.constant) +
                                                 " are out of range for '" +
                                                 std::string(node.name) + "'");
        }
        return become_constant(index, value);
      }
      case Node::Kind::conditional: {
        node.children[0] = fold(node.children[0]);
        const Node& condition = nodes_[static_cast<std::size_t>(node.children[0])];
        if (condition.kind == Node::Kind::constant) {
          return fold(condition.constant != 0.0 ? node.children[1] : node.children[2]);
        }
        node.children[1] = fold(node.children[1]);
        node.children[2] = fold(node.children[2]);
        return index;
      }
    }
    return index;
  }

 private:
  static std::string format(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", value);
    return buffer;
  }

  int become_constant(int index, double value) {
    Node& node = nodes_[static_cast<std::size_t>(index)];
    node.kind = Node::Kind::constant;
    node.constant = value;
    node.children = {-1, -1, -1};
    return index;
  }

  std::vector<Node>& nodes_;
};

class Parser {
 public:
  Parser(std::string_view text, const ExpressionSymbols& symbols) : text_(text), symbols_(symbols) {}

  std::vector<Node> parse(int& root) {
    if (peek().kind == Token::Kind::end) throw ExpressionError(peek().offset, "empty expression");
    root = parse_conditional();
    const Token trailing = peek();
    if (trailing.kind != Token::Kind::end) {
      throw ExpressionError(trailing.offset,
                            "unexpected '" + std::string(token_text(trailing)) + "' after end of expression");
    }
    return std::move(nodes_);
  }

 private:
  std::string_view token_text(const Token& token) const { return text_.substr(token.offset, token.length); }

  bool is_symbol(const Token& token, std::string_view symbol) const {
    return token.kind == Token::Kind::symbol && token_text(token) == symbol;
  }

  void skip_space() {
    while (position_ < text_.size() && is_space(text_[position_])) ++position_;
  }

  // The token at the current position (not consumed).
  Token peek() {
    skip_space();
    Token token;
    token.offset = position_;
    if (position_ >= text_.size()) return token;
    const char c = text_[position_];
    const std::string_view rest = text_.substr(position_);
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && rest.size() > 1 && std::isdigit(static_cast<unsigned char>(rest[1])))) {
      std::size_t consumed = 0;
      const std::optional<double> value = parse_spice_number_prefix(rest, consumed);
      // A digit or dot right after a number (`1.2.3`, `1k2`) is a malformed number, as in ngspice.
      if (consumed < rest.size() && (std::isdigit(static_cast<unsigned char>(rest[consumed])) ||
                                     rest[consumed] == '.' || rest[consumed] == '_')) {
        std::size_t end = consumed;
        while (end < rest.size() && (is_identifier_char(rest[end]) || rest[end] == '.')) ++end;
        throw ExpressionError(position_, "malformed number '" + std::string(rest.substr(0, end)) + "'");
      }
      token.kind = Token::Kind::number;
      token.length = consumed;
      token.number = *value;
      return token;
    }
    if (is_identifier_start(c)) {
      std::size_t end = 1;
      while (end < rest.size() && is_identifier_char(rest[end])) ++end;
      token.kind = Token::Kind::identifier;
      token.length = end;
      return token;
    }
    // Two-character operators first, so `**` is not read as two `*`.
    static constexpr std::array<std::string_view, 21> symbols{
        "**", "==", "!=", "<>", "<=", ">=", "&&", "||", "+", "-", "*",
        "/",  "^",  "(",  ")",  ",",  "?",  ":",  "<",  ">", "!"};
    for (std::string_view symbol : symbols) {
      if (rest.starts_with(symbol)) {
        token.kind = Token::Kind::symbol;
        token.length = symbol.size();
        return token;
      }
    }
    throw ExpressionError(position_, "unexpected character '" + std::string(1, c) + "'");
  }

  Token next() {
    const Token token = peek();
    position_ = token.offset + token.length;
    return token;
  }

  bool accept(std::string_view symbol) {
    if (!is_symbol(peek(), symbol)) return false;
    next();
    return true;
  }

  void expect(std::string_view symbol) {
    const Token token = peek();
    if (!is_symbol(token, symbol)) throw ExpressionError(token.offset, "expected '" + std::string(symbol) + "'");
    next();
  }

  int add_node(Node node) {
    nodes_.push_back(node);
    return static_cast<int>(nodes_.size() - 1);
  }

  int make_constant(double value, std::size_t offset) {
    Node node;
    node.kind = Node::Kind::constant;
    node.constant = value;
    node.offset = offset;
    return add_node(node);
  }

  int make_variable(int slot, std::size_t offset) {
    Node node;
    node.kind = Node::Kind::variable;
    node.variable_slot = slot;
    node.offset = offset;
    return add_node(node);
  }

  int make_unary(Opcode op, int operand, const Token& token) {
    Node node;
    node.name = token_text(token);
    node.kind = Node::Kind::unary;
    node.opcode = op;
    node.offset = token.offset;
    node.children[0] = operand;
    return add_node(node);
  }

  int make_binary(Opcode op, int left, int right, const Token& token) {
    Node node;
    node.name = token_text(token);
    node.kind = Node::Kind::binary;
    node.opcode = op;
    node.offset = token.offset;
    node.children[0] = left;
    node.children[1] = right;
    return add_node(node);
  }

  // Left-associative binary level: operand (op operand)*.
  template <typename ParseOperand>
  int parse_left_associative(ParseOperand parse_operand,
                             std::initializer_list<std::pair<std::string_view, Opcode>> operators) {
    int left = (this->*parse_operand)();
    for (;;) {
      const Token token = peek();
      const auto match = std::find_if(operators.begin(), operators.end(),
                                      [&](const auto& entry) { return is_symbol(token, entry.first); });
      if (match == operators.end()) return left;
      next();
      const int right = (this->*parse_operand)();
      left = make_binary(match->second, left, right, token);
    }
  }

  int parse_conditional() {
    const int condition = parse_or();
    const Token question = peek();
    if (!is_symbol(question, "?")) return condition;
    next();
    const int when_true = parse_conditional();
    expect(":");
    const int when_false = parse_conditional();
    Node node;
    node.kind = Node::Kind::conditional;
    node.offset = question.offset;
    node.children = {condition, when_true, when_false};
    return add_node(node);
  }

  int parse_or() { return parse_left_associative(&Parser::parse_and, {{"||", Opcode::logical_or}}); }
  int parse_and() { return parse_left_associative(&Parser::parse_equality, {{"&&", Opcode::logical_and}}); }
  int parse_equality() {
    return parse_left_associative(&Parser::parse_relational, {{"==", Opcode::equal},
                                                              {"!=", Opcode::not_equal},
                                                              {"<>", Opcode::not_equal}});
  }
  int parse_relational() {
    return parse_left_associative(&Parser::parse_additive, {{"<=", Opcode::less_equal},
                                                            {">=", Opcode::greater_equal},
                                                            {"<", Opcode::less},
                                                            {">", Opcode::greater}});
  }
  int parse_additive() {
    return parse_left_associative(&Parser::parse_multiplicative,
                                  {{"+", Opcode::add}, {"-", Opcode::subtract}});
  }
  int parse_multiplicative() {
    return parse_left_associative(&Parser::parse_unary, {{"*", Opcode::multiply}, {"/", Opcode::divide}});
  }

  // Prefix `-`, `+`, `!` applied to `operand`; they bind more loosely than `^`.
  int parse_prefixed(int (Parser::*parse_operand)()) {
    const Token token = peek();
    if (is_symbol(token, "-") || is_symbol(token, "+") || is_symbol(token, "!")) {
      next();
      const int operand = parse_prefixed(parse_operand);
      if (is_symbol(token, "+")) return operand;
      return make_unary(is_symbol(token, "-") ? Opcode::negate : Opcode::logical_not, operand, token);
    }
    return (this->*parse_operand)();
  }

  int parse_unary() { return parse_prefixed(&Parser::parse_power); }

  int parse_power() {
    int base = parse_primary();
    for (;;) {
      const Token token = peek();
      if (!is_symbol(token, "^") && !is_symbol(token, "**")) return base;
      next();
      const int exponent = parse_prefixed(&Parser::parse_primary);
      base = make_binary(Opcode::power, base, exponent, token);
    }
  }

  int parse_primary() {
    const Token token = peek();
    switch (token.kind) {
      case Token::Kind::number:
        next();
        return make_constant(token.number, token.offset);
      case Token::Kind::identifier:
        next();
        if (is_symbol(peek(), "(")) return parse_call(token);
        return resolve_name(token);
      case Token::Kind::symbol:
        if (is_symbol(token, "(")) {
          next();
          const int inner = parse_conditional();
          expect(")");
          return inner;
        }
        throw ExpressionError(token.offset, "expected a number, name or '(' but found '" +
                                                std::string(token_text(token)) + "'");
      case Token::Kind::end:
        break;
    }
    throw ExpressionError(token.offset, "expected a number, name or '(' but found end of expression");
  }

  int resolve_name(const Token& token) {
    const std::string name = lower_case(token_text(token));
    if (const std::optional<double> value = symbols_.constant(name)) return make_constant(*value, token.offset);
    if (name == "pi") return make_constant(std::numbers::pi, token.offset);
    if (name == "e") return make_constant(std::numbers::e, token.offset);
    if (const std::optional<int> slot = symbols_.simulator_variable(name)) return make_variable(*slot, token.offset);
    throw ExpressionError(token.offset, "undefined parameter '" + name + "'");
  }

  // A node or device name inside V(...) / I(...): everything up to blank, ',', '(' or ')'.
  Token read_circuit_name(std::string_view what) {
    skip_space();
    Token token;
    token.kind = Token::Kind::identifier;
    token.offset = position_;
    while (position_ < text_.size() && !is_space(text_[position_]) && text_[position_] != ',' &&
           text_[position_] != '(' && text_[position_] != ')') {
      ++position_;
    }
    token.length = position_ - token.offset;
    if (token.length == 0) throw ExpressionError(token.offset, "expected " + std::string(what));
    return token;
  }

  int node_voltage(const Token& token) {
    const std::string node = lower_case(token_text(token));
    if (node == "0") return make_constant(0.0, token.offset);
    const std::optional<int> slot = symbols_.node_voltage(node);
    if (!slot) throw ExpressionError(token.offset, "unknown node '" + node + "' in V()");
    return make_variable(*slot, token.offset);
  }

  int parse_call(const Token& name_token) {
    const std::string name = lower_case(token_text(name_token));
    expect("(");
    if (name == "v") {
      const int positive = node_voltage(read_circuit_name("a node name in V()"));
      if (accept(",")) {
        const int negative = node_voltage(read_circuit_name("a node name in V()"));
        expect(")");
        return make_binary(Opcode::subtract, positive, negative, name_token);
      }
      expect(")");
      return positive;
    }
    if (name == "i") {
      const Token device = read_circuit_name("a device name in I()");
      const std::string device_name = lower_case(token_text(device));
      const std::optional<int> slot = symbols_.branch_current(device_name);
      if (!slot) throw ExpressionError(device.offset, "unknown device '" + device_name + "' in I()");
      expect(")");
      return make_variable(*slot, device.offset);
    }
    if (name == "agauss" || name == "gauss" || name == "aunif" || name == "unif") return parse_random_draw(name, name_token);
    const FunctionInfo* function = find_function(name);
    if (!function) throw ExpressionError(name_token.offset, "unknown function '" + name + "'");
    std::vector<int> arguments;
    if (!is_symbol(peek(), ")")) {
      do {
        arguments.push_back(parse_conditional());
      } while (accept(","));
    }
    expect(")");
    if (static_cast<int>(arguments.size()) != function->arity) {
      throw ExpressionError(name_token.offset,
                            "function '" + name + "' takes " + std::to_string(function->arity) +
                                (function->arity == 1 ? " argument" : " arguments") + ", got " +
                                std::to_string(arguments.size()));
    }
    if (name == "limit") {  // min(max(x, lo), hi)
      const int at_least_low = make_binary(Opcode::maximum, arguments[0], arguments[1], name_token);
      return make_binary(Opcode::minimum, at_least_low, arguments[2], name_token);
    }
    if (function->arity == 1) return make_unary(function->opcode, arguments[0], name_token);
    return make_binary(function->opcode, arguments[0], arguments[1], name_token);
  }

  // ngspice's Monte Carlo functions, drawn once when the expression is compiled:
  //   agauss(nominal, abs_variation, sigma)  Gaussian, mean nominal, deviation abs_variation/sigma
  //   gauss(nominal, rel_variation, sigma)   Gaussian, deviation nominal*rel_variation/sigma
  //   aunif(nominal, abs_variation)          uniform in nominal +- abs_variation
  //   unif(nominal, rel_variation)           uniform in nominal +- nominal*rel_variation
  // Each call is one draw (one per device when it sits in an element value), from the random
  // source of the symbols (the elaboration's seed).
  int parse_random_draw(const std::string& name, const Token& name_token) {
    const bool gaussian = name == "agauss" || name == "gauss";
    const std::size_t arity = gaussian ? 3 : 2;
    std::vector<double> values;
    do {
      ConstantFolder folder(nodes_);
      const Node& argument = nodes_[static_cast<std::size_t>(folder.fold(parse_conditional()))];
      if (argument.kind != Node::Kind::constant)
        throw ExpressionError(name_token.offset, "the arguments of '" + name + "' must be constants (parameters and numbers)");
      values.push_back(argument.constant);
    } while (accept(","));
    expect(")");
    if (values.size() != arity)
      throw ExpressionError(name_token.offset, "function '" + name + "' takes " + std::to_string(arity) + " arguments, got " +
                                                   std::to_string(values.size()));
    SeededRandom* random = symbols_.random_source();
    if (!random)
      throw ExpressionError(name_token.offset,
                            "'" + name + "' draws a random number: use it in .param lines and element values, where the run's seed applies");
    const bool absolute = name.front() == 'a';
    const double spread = absolute ? values[1] : values[0] * values[1];
    const double draw = gaussian ? values[0] + spread / values[2] * random->normal() : values[0] + spread * random->uniform(-1.0, 1.0);
    return make_constant(draw, name_token.offset);
  }

  std::string_view text_;
  const ExpressionSymbols& symbols_;
  std::size_t position_ = 0;
  std::vector<Node> nodes_;
};


struct Instruction {
  Opcode opcode;
  int operand;      // variable index (push_variable) or jump target
  double constant;  // push_constant
};

}  // namespace

// ---------------------------------------------------------------------------------------------

struct CompiledExpression::Program {
  std::vector<Instruction> code;
  std::vector<int> variables;             // distinct slots in first-use order
  std::size_t first_variable_offset = 0;  // text offset of the first variable read
  std::size_t max_stack_depth = 0;
};

namespace {

// Emits postfix code for a folded tree; returns the stack depth the subtree needs.
class CodeEmitter {
 public:
  CodeEmitter(const std::vector<Node>& nodes, std::vector<Instruction>& code, std::vector<int>& variables,
              std::size_t& first_variable_offset)
      : nodes_(nodes), code_(code), variables_(variables), first_variable_offset_(first_variable_offset) {}

  std::size_t emit(int index) {
    const Node& node = nodes_[static_cast<std::size_t>(index)];
    switch (node.kind) {
      case Node::Kind::constant:
        code_.push_back({Opcode::push_constant, 0, node.constant});
        return 1;
      case Node::Kind::variable: {
        auto found = std::find(variables_.begin(), variables_.end(), node.variable_slot);
        if (found == variables_.end()) {
          if (variables_.empty()) first_variable_offset_ = node.offset;
          variables_.push_back(node.variable_slot);
          found = variables_.end() - 1;
        }
        code_.push_back({Opcode::push_variable, static_cast<int>(found - variables_.begin()), 0.0});
        return 1;
      }
      case Node::Kind::unary: {
        const std::size_t depth = emit(node.children[0]);
        code_.push_back({node.opcode, 0, 0.0});
        return depth;
      }
      case Node::Kind::binary: {
        const std::size_t left_depth = emit(node.children[0]);
        const std::size_t right_depth = emit(node.children[1]);
        code_.push_back({node.opcode, 0, 0.0});
        return std::max(left_depth, right_depth + 1);
      }
      case Node::Kind::conditional: {
        const std::size_t condition_depth = emit(node.children[0]);
        const std::size_t jump_to_false = code_.size();
        code_.push_back({Opcode::jump_if_zero, 0, 0.0});
        const std::size_t true_depth = emit(node.children[1]);
        const std::size_t jump_to_end = code_.size();
        code_.push_back({Opcode::jump, 0, 0.0});
        code_[jump_to_false].operand = static_cast<int>(code_.size());
        const std::size_t false_depth = emit(node.children[2]);
        code_[jump_to_end].operand = static_cast<int>(code_.size());
        return std::max({condition_depth, true_depth, false_depth});
      }
    }
    return 0;
  }

 private:
  const std::vector<Node>& nodes_;
  std::vector<Instruction>& code_;
  std::vector<int>& variables_;
  std::size_t& first_variable_offset_;
};

}  // namespace

CompiledExpression::CompiledExpression() = default;
CompiledExpression::~CompiledExpression() = default;
CompiledExpression::CompiledExpression(CompiledExpression&&) noexcept = default;
CompiledExpression& CompiledExpression::operator=(CompiledExpression&&) noexcept = default;

CompiledExpression::CompiledExpression(const CompiledExpression& other)
    : program_(other.program_ ? std::make_unique<Program>(*other.program_) : nullptr) {}

CompiledExpression& CompiledExpression::operator=(const CompiledExpression& other) {
  if (this != &other) program_ = other.program_ ? std::make_unique<Program>(*other.program_) : nullptr;
  return *this;
}

CompiledExpression CompiledExpression::compile(std::string_view text, const ExpressionSymbols& symbols) {
  int root = -1;
  std::vector<Node> nodes = Parser(text, symbols).parse(root);
  root = ConstantFolder(nodes).fold(root);

  CompiledExpression compiled;
  compiled.program_ = std::make_unique<Program>();
  Program& program = *compiled.program_;
  program.max_stack_depth =
      CodeEmitter(nodes, program.code, program.variables, program.first_variable_offset).emit(root);
  return compiled;
}

std::span<const int> CompiledExpression::variables() const {
  if (!program_) return {};
  return program_->variables;
}

// A default-constructed (or moved-from) expression is the constant 0.
double CompiledExpression::evaluate(std::span<const double> values) const {
  if (!program_) return 0.0;
  const Program& program = *program_;
  thread_local std::vector<double> stack;
  if (stack.size() < program.max_stack_depth) stack.resize(program.max_stack_depth);
  std::size_t depth = 0;
  const std::size_t code_size = program.code.size();
  for (std::size_t pc = 0; pc < code_size; ++pc) {
    const Instruction& instruction = program.code[pc];
    const Opcode op = instruction.opcode;
    if (op == Opcode::push_constant) {
      stack[depth++] = instruction.constant;
    } else if (op == Opcode::push_variable) {
      stack[depth++] = values[static_cast<std::size_t>(program.variables[static_cast<std::size_t>(instruction.operand)])];
    } else if (op == Opcode::jump_if_zero) {
      if (stack[--depth] == 0.0) pc = static_cast<std::size_t>(instruction.operand) - 1;
    } else if (op == Opcode::jump) {
      pc = static_cast<std::size_t>(instruction.operand) - 1;
    } else if (is_unary(op)) {
      stack[depth - 1] = unary_value(op, stack[depth - 1]);
    } else {
      --depth;
      stack[depth - 1] = binary_value(op, stack[depth - 1], stack[depth]);
    }
  }
  return stack[0];
}

double CompiledExpression::evaluate(std::span<const double> values, std::span<double> gradient) const {
  if (!program_) return 0.0;
  const Program& program = *program_;
  const std::size_t width = program.variables.size();
  thread_local std::vector<double> value_stack;
  thread_local std::vector<double> gradient_stack;  // one row of `width` partials per stack entry
  if (value_stack.size() < program.max_stack_depth) value_stack.resize(program.max_stack_depth);
  if (gradient_stack.size() < program.max_stack_depth * width) gradient_stack.resize(program.max_stack_depth * width);
  auto row = [&](std::size_t entry) { return gradient_stack.data() + entry * width; };

  std::size_t depth = 0;
  const std::size_t code_size = program.code.size();
  for (std::size_t pc = 0; pc < code_size; ++pc) {
    const Instruction& instruction = program.code[pc];
    const Opcode op = instruction.opcode;
    if (op == Opcode::push_constant) {
      value_stack[depth] = instruction.constant;
      std::fill_n(row(depth), width, 0.0);
      ++depth;
    } else if (op == Opcode::push_variable) {
      const auto index = static_cast<std::size_t>(instruction.operand);
      value_stack[depth] = values[static_cast<std::size_t>(program.variables[index])];
      std::fill_n(row(depth), width, 0.0);
      row(depth)[index] = 1.0;
      ++depth;
    } else if (op == Opcode::jump_if_zero) {
      if (value_stack[--depth] == 0.0) pc = static_cast<std::size_t>(instruction.operand) - 1;
    } else if (op == Opcode::jump) {
      pc = static_cast<std::size_t>(instruction.operand) - 1;
    } else if (is_unary(op)) {
      const double x = value_stack[depth - 1];
      const double y = unary_value(op, x);
      const double derivative = unary_derivative(op, x, y);
      value_stack[depth - 1] = y;
      double* partials = row(depth - 1);
      if (derivative == 0.0) {
        std::fill_n(partials, width, 0.0);
      } else {
        for (std::size_t j = 0; j < width; ++j) partials[j] *= derivative;
      }
    } else {
      --depth;
      const double a = value_stack[depth - 1];
      const double b = value_stack[depth];
      const double y = binary_value(op, a, b);
      const Partials partial = binary_partials(op, a, b, y);
      value_stack[depth - 1] = y;
      double* left = row(depth - 1);
      const double* right = row(depth);
      for (std::size_t j = 0; j < width; ++j) {
        const double from_left = partial.with_respect_to_a == 0.0 ? 0.0 : partial.with_respect_to_a * left[j];
        const double from_right = partial.with_respect_to_b == 0.0 ? 0.0 : partial.with_respect_to_b * right[j];
        left[j] = from_left + from_right;
      }
    }
  }
  std::copy_n(row(0), width, gradient.begin());
  return value_stack[0];
}

double evaluate_constant_expression(std::string_view text, const ExpressionSymbols& symbols) {
  const CompiledExpression expression = CompiledExpression::compile(text, symbols);
  if (!expression.is_constant()) {
    throw ExpressionError(expression.program_->first_variable_offset,
                          "expression must be constant but reads a circuit variable");
  }
  return expression.evaluate({});
}

}  // namespace xbarsim
