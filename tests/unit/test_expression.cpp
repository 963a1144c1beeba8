// Unit tests for the expression compiler (core/expression.h): values of every operator and
// function, precedence, constant folding, variable slots, exact derivatives against central finite
// differences, one-sided derivatives at kinks, and every error with its offset. Expected values of
// the ngspice-specific semantics were obtained by running ngspice 39 B sources (`ngspice -b`).
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>
#include <string>
#include <vector>

#include <unistd.h>

#include "core/expression.h"
#include "core/seeded_random.h"

using xbarsim::CompiledExpression;
using xbarsim::ConstantSymbols;
using xbarsim::ExpressionError;
using xbarsim::ExpressionSymbols;

namespace {

// Slots: V(a)=0 V(b)=1 V(c)=2 I(v1)=3 time=4 temper=5.
constexpr int slot_count = 6;

class TestSymbols : public ExpressionSymbols {
 public:
  std::map<std::string, double, std::less<>> parameters{{"rload", 1000.0}, {"p0", 0.0}, {"gain", 3.0}};
  std::map<std::string, int, std::less<>> nodes{{"a", 0}, {"b", 1}, {"c", 2}};
  std::map<std::string, int, std::less<>> branches{{"v1", 3}};
  std::map<std::string, int, std::less<>> simulator{{"time", 4}, {"temper", 5}};
  mutable std::vector<std::string> names_asked;

  std::optional<double> constant(std::string_view name) const override {
    names_asked.emplace_back(name);
    const auto found = parameters.find(name);
    if (found == parameters.end()) return std::nullopt;
    return found->second;
  }
  std::optional<int> node_voltage(std::string_view node) const override { return find(nodes, node); }
  std::optional<int> branch_current(std::string_view device) const override { return find(branches, device); }
  std::optional<int> simulator_variable(std::string_view name) const override { return find(simulator, name); }

 private:
  std::optional<int> find(const std::map<std::string, int, std::less<>>& table, std::string_view name) const {
    names_asked.emplace_back(name);
    const auto found = table.find(name);
    if (found == table.end()) return std::nullopt;
    return found->second;
  }
};

const TestSymbols default_symbols;

CompiledExpression compile(std::string_view text, const ExpressionSymbols& symbols = default_symbols) {
  return CompiledExpression::compile(text, symbols);
}

// Value of an expression, with the slot values given (missing slots are 0).
double value_of(std::string_view text, std::vector<double> slot_values = {}) {
  slot_values.resize(slot_count, 0.0);
  return compile(text).evaluate(slot_values);
}

std::vector<double> slots(std::initializer_list<std::pair<int, double>> assignments) {
  std::vector<double> values(slot_count, 0.0);
  for (const auto& [slot, value] : assignments) values[static_cast<std::size_t>(slot)] = value;
  return values;
}

// Gradient (in variables() order) at the given slot values.
std::vector<double> gradient_of(const CompiledExpression& expression, const std::vector<double>& values,
                                double* value = nullptr) {
  std::vector<double> gradient(expression.variables().size(), -12345.0);
  const double result = expression.evaluate(values, gradient);
  if (value) *value = result;
  return gradient;
}

// Checks the AD gradient against central finite differences with step 1e-6*max(1,|x|); the
// tolerance is 1e-6 relative to max(1, |derivative|) (truncation error ~ h^2, rounding ~ eps/h).
void check_derivatives(std::string_view text, const std::vector<double>& values) {
  CAPTURE(text);
  const CompiledExpression expression = compile(text);
  double value = 0.0;
  const std::vector<double> gradient = gradient_of(expression, values, &value);
  CHECK(value == doctest::Approx(expression.evaluate(values)).epsilon(1e-15));
  const auto variables = expression.variables();
  REQUIRE(!variables.empty());
  for (std::size_t j = 0; j < variables.size(); ++j) {
    const auto slot = static_cast<std::size_t>(variables[j]);
    const double step = 1e-6 * std::max(1.0, std::fabs(values[slot]));
    std::vector<double> plus = values;
    std::vector<double> minus = values;
    plus[slot] += step;
    minus[slot] -= step;
    const double finite_difference = (expression.evaluate(plus) - expression.evaluate(minus)) / (2.0 * step);
    CAPTURE(j);
    CHECK(std::isfinite(gradient[j]));
    CHECK(std::fabs(gradient[j] - finite_difference) <= 1e-6 * std::max(1.0, std::fabs(finite_difference)));
  }
}

void check_error(std::string_view text, std::size_t offset, const std::string& message,
                 const ExpressionSymbols& symbols = default_symbols) {
  CAPTURE(text);
  try {
    (void)CompiledExpression::compile(text, symbols);
    FAIL("no ExpressionError thrown");
  } catch (const ExpressionError& error) {
    CHECK(std::string(error.what()) == message);
    CHECK(error.offset() == offset);
  }
}

std::optional<double> lookup_in_map(const void* context, std::string_view name) {
  const auto& table = *static_cast<const std::map<std::string, double, std::less<>>*>(context);
  const auto found = table.find(name);
  if (found == table.end()) return std::nullopt;
  return found->second;
}

}  // namespace

TEST_CASE("expression: arithmetic operators") {
  CHECK(value_of("1+2") == 3.0);
  CHECK(value_of("5-7") == -2.0);
  CHECK(value_of("6*7") == 42.0);
  CHECK(value_of("6/4") == 1.5);
  CHECK(value_of("2^10") == 1024.0);
  CHECK(value_of("2**10") == 1024.0);
  CHECK(value_of("-3") == -3.0);
  CHECK(value_of("+3") == 3.0);
  CHECK(value_of("- -3") == 3.0);
  CHECK(value_of("2*-3") == -6.0);
  CHECK(value_of("2k*3") == 6000.0);
  CHECK(value_of("10kOhm/1megohm") == doctest::Approx(0.01).epsilon(1e-15));
  CHECK(value_of("( 1 + 2 ) * 3") == 9.0);
}

TEST_CASE("expression: comparison and logical operators yield 1 or 0") {
  CHECK(value_of("3 == 3") == 1.0);
  CHECK(value_of("3 == 4") == 0.0);
  CHECK(value_of("3 != 4") == 1.0);
  CHECK(value_of("3 <> 3") == 0.0);
  CHECK(value_of("2 < 3") == 1.0);
  CHECK(value_of("3 < 3") == 0.0);
  CHECK(value_of("3 <= 3") == 1.0);
  CHECK(value_of("4 <= 3") == 0.0);
  CHECK(value_of("4 > 3") == 1.0);
  CHECK(value_of("3 > 3") == 0.0);
  CHECK(value_of("3 >= 3") == 1.0);
  CHECK(value_of("2 >= 3") == 0.0);
  CHECK(value_of("5 && 0.1") == 1.0);
  CHECK(value_of("5 && 0") == 0.0);
  CHECK(value_of("0 || -2") == 1.0);
  CHECK(value_of("0 || 0") == 0.0);
  CHECK(value_of("!0") == 1.0);
  CHECK(value_of("!3") == 0.0);
  CHECK(value_of("1 < 2 ? 5 : 7") == 5.0);
  CHECK(value_of("1 > 2 ? 5 : 7") == 7.0);
}

TEST_CASE("expression: precedence and associativity match ngspice 39 B sources") {
  CHECK(value_of("1+2*3-4/2") == 5.0);
  CHECK(value_of("8/2/2") == 2.0);        // left-associative
  CHECK(value_of("7-2-1") == 4.0);
  CHECK(value_of("-2^2") == -4.0);        // ^ binds tighter than unary minus
  CHECK(value_of("-2**2") == -4.0);
  CHECK(value_of("2^3^2") == 64.0);       // ^ is left-associative in ngspice
  CHECK(value_of("2**3**2") == 64.0);
  CHECK(value_of("2^-1") == 0.5);         // sign allowed after ^
  CHECK(value_of("-2^-2") == -0.25);
  CHECK(value_of("2*3^2") == 18.0);
  CHECK(value_of("1 == 1 + 1 < 2") == 0.0);  // == looser than <, which is looser than +
  CHECK(value_of("2 < 3 == 1") == 1.0);
  CHECK(value_of("0 && 1 || 1") == 1.0);  // && tighter than ||
  CHECK(value_of("1 || 0 && 0") == 1.0);
  CHECK(value_of("!0 + 10*!3") == 1.0);   // ! binds tighter than * and +
  CHECK(value_of("1 ? 2 : 0 ? 5 : 6") == 2.0);  // ?: is right-associative
  CHECK(value_of("0 ? 2 : 0 ? 5 : 6") == 6.0);
  CHECK(value_of("0 ? 2 : 1 ? 5 : 6") == 5.0);
  CHECK(value_of("1 + 1 ? 3 : 4") == 3.0);
}

TEST_CASE("expression: power functions follow ngspice's B source") {
  CHECK(value_of("(-2)^3") == 8.0);  // pow(|x|, y)
  CHECK(value_of("pow(-2,3)") == 8.0);
  CHECK(value_of("(-8)^(1/3)") == doctest::Approx(2.0).epsilon(1e-15));
  CHECK(value_of("(-2)^2.5") == doctest::Approx(5.656854249492381).epsilon(1e-15));
  CHECK(value_of("(-2)^-1") == 0.5);
  CHECK(value_of("pwr(-2,3)") == -8.0);  // sgn(x)*|x|^y
  CHECK(value_of("pwr(-2,0.5)") == doctest::Approx(-std::sqrt(2.0)).epsilon(1e-15));
  CHECK(value_of("pwr(2,0.5)") == doctest::Approx(std::sqrt(2.0)).epsilon(1e-15));
  CHECK(value_of("pwr(0,2)") == 0.0);
  CHECK(value_of("pow(0,0)") == 1.0);
}

TEST_CASE("expression: functions") {
  CHECK(value_of("abs(-3)") == 3.0);
  CHECK(value_of("sgn(-3)*100+sgn(0)*10+sgn(2)") == -99.0);
  CHECK(value_of("exp(1)") == doctest::Approx(std::numbers::e).epsilon(1e-15));
  CHECK(value_of("exp(1000)") == 1e99);  // ngspice PTexp clamp
  CHECK(value_of("exp(227)") == doctest::Approx(std::exp(227.0)).epsilon(1e-15));
  CHECK(value_of("ln(100)") == doctest::Approx(4.605170185988092).epsilon(1e-15));
  CHECK(value_of("log(100)") == doctest::Approx(4.605170185988092).epsilon(1e-15));  // natural
  CHECK(value_of("log10(100)") == 2.0);
  CHECK(value_of("log(0)") == -1e99);
  CHECK(value_of("log10(0)") == -1e99);
  CHECK(value_of("sqrt(16)") == 4.0);
  CHECK(value_of("sin(pi/6)") == doctest::Approx(0.5).epsilon(1e-15));
  CHECK(value_of("cos(pi/3)") == doctest::Approx(0.5).epsilon(1e-15));
  CHECK(value_of("tan(pi/4)") == doctest::Approx(1.0).epsilon(1e-15));
  CHECK(value_of("asin(0.5)") == doctest::Approx(std::numbers::pi / 6).epsilon(1e-15));
  CHECK(value_of("acos(0.5)") == doctest::Approx(std::numbers::pi / 3).epsilon(1e-15));
  CHECK(value_of("atan(1)*4") == doctest::Approx(std::numbers::pi).epsilon(1e-15));
  CHECK(value_of("sinh(1)") == doctest::Approx(1.1752011936438014).epsilon(1e-15));
  CHECK(value_of("cosh(1)") == doctest::Approx(1.5430806348152437).epsilon(1e-15));
  CHECK(value_of("tanh(1)") == doctest::Approx(0.7615941559557649).epsilon(1e-15));
  CHECK(value_of("asinh(1)") == doctest::Approx(0.881373587019543).epsilon(1e-15));
  CHECK(value_of("acosh(2)") == doctest::Approx(1.3169578969248166).epsilon(1e-15));
  CHECK(value_of("atanh(0.5)") == doctest::Approx(0.5493061443340549).epsilon(1e-15));
  CHECK(value_of("floor(-2.5)") == -3.0);
  CHECK(value_of("ceil(2.5)") == 3.0);
  CHECK(value_of("nint(2.5)") == 2.0);  // half to even, as ngspice
  CHECK(value_of("nint(3.5)") == 4.0);
  CHECK(value_of("nint(-1.2)") == -1.0);
  CHECK(value_of("u(-1)") == 0.0);
  CHECK(value_of("u(0)") == 0.5);  // ngspice PTustep
  CHECK(value_of("u(2)") == 1.0);
  CHECK(value_of("u2(-1)") == 0.0);
  CHECK(value_of("u2(0.25)") == 0.25);
  CHECK(value_of("u2(3)") == 1.0);
  CHECK(value_of("uramp(-1)") == 0.0);
  CHECK(value_of("uramp(2)") == 2.0);
  CHECK(value_of("min(2,3)") == 2.0);
  CHECK(value_of("min(3,-2)") == -2.0);
  CHECK(value_of("max(2,3)") == 3.0);
  CHECK(value_of("max(3,-2)") == 3.0);
  CHECK(value_of("limit(5,1,3)") == 3.0);
  CHECK(value_of("limit(-5,1,3)") == 1.0);
  CHECK(value_of("limit(2,1,3)") == 2.0);
  CHECK(value_of("pi") == std::numbers::pi);
  CHECK(value_of("e") == std::numbers::e);
  CHECK(value_of("SIN(0) + Max(1, 2)") == 2.0);  // function names are case-insensitive
}

TEST_CASE("expression: division guards like ngspice (PTfudge_factor 1e-32)") {
  CHECK(value_of("6/3") == 2.0);
  CHECK(value_of("1/V(a)", slots({{0, 0.0}})) == doctest::Approx(1e32).epsilon(1e-15));
  CHECK(value_of("-1/V(a)", slots({{0, 0.0}})) == doctest::Approx(-1e32).epsilon(1e-15));
  CHECK(value_of("1/V(a)", slots({{0, -0.5}})) == -2.0);
}

TEST_CASE("expression: domain errors at run time give NaN, ngspice's limits give +-1e99") {
  CHECK(std::isnan(value_of("sqrt(V(a))", slots({{0, -4.0}}))));
  CHECK(std::isnan(value_of("log(V(a))", slots({{0, -1.0}}))));
  CHECK(std::isnan(value_of("log10(V(a))", slots({{0, -1.0}}))));
  CHECK(value_of("log(V(a))", slots({{0, 0.0}})) == -1e99);
  CHECK(value_of("exp(V(a))", slots({{0, 1000.0}})) == 1e99);
  CHECK(value_of("sqrt(V(a))", slots({{0, 0.0}})) == 0.0);
}

TEST_CASE("expression: circuit variables") {
  const auto values = slots({{0, 5.0}, {1, 2.0}, {2, -1.0}, {3, 1e-3}, {4, 1e-6}, {5, 27.0}});
  CHECK(value_of("V(a)", values) == 5.0);
  CHECK(value_of("V(a,b)", values) == 3.0);
  CHECK(value_of("v( b , a )", values) == -3.0);
  CHECK(value_of("V(a,0)", values) == 5.0);
  CHECK(value_of("V(0)", values) == 0.0);
  CHECK(value_of("I(v1)*1k", values) == doctest::Approx(1.0).epsilon(1e-15));
  CHECK(value_of("time", values) == 1e-6);
  CHECK(value_of("temper", values) == 27.0);
  CHECK(value_of("V(A)*I(V1)+TIME", values) == doctest::Approx(5e-3 + 1e-6).epsilon(1e-15));
  CHECK(value_of("2k*V(a)", values) == 10000.0);
  CHECK(compile("V(0)").is_constant());
}

TEST_CASE("expression: names are passed to the symbols lower-cased") {
  TestSymbols symbols;
  (void)CompiledExpression::compile("RLoad + V(A) + I(V1) + Time", symbols);
  for (const std::string& name : symbols.names_asked) {
    CAPTURE(name);
    for (char c : name) CHECK_FALSE(std::isupper(static_cast<unsigned char>(c)));
  }
  CHECK(std::find(symbols.names_asked.begin(), symbols.names_asked.end(), "rload") != symbols.names_asked.end());
  CHECK(std::find(symbols.names_asked.begin(), symbols.names_asked.end(), "a") != symbols.names_asked.end());
  CHECK(std::find(symbols.names_asked.begin(), symbols.names_asked.end(), "v1") != symbols.names_asked.end());
  CHECK(std::find(symbols.names_asked.begin(), symbols.names_asked.end(), "time") != symbols.names_asked.end());
}

TEST_CASE("expression: parameters are folded at compile time") {
  TestSymbols symbols;
  const CompiledExpression expression = CompiledExpression::compile("rload*gain + 1", symbols);
  CHECK(expression.is_constant());
  symbols.parameters["rload"] = 5.0;  // changing the table afterwards does not change the program
  CHECK(expression.evaluate({}) == 3001.0);

  const CompiledExpression mixed = CompiledExpression::compile("V(a)*rload/gain", symbols);
  CHECK(mixed.variables().size() == 1);
  CHECK(mixed.evaluate(slots({{0, 3.0}})) == 5.0);

  // A parameter shadows the built-in constants.
  symbols.parameters["pi"] = 3.0;
  CHECK(CompiledExpression::compile("pi", symbols).evaluate({}) == 3.0);
}

TEST_CASE("expression: a constant condition keeps only the taken branch") {
  // p0 = 0: the division by zero sits in the dropped branch.
  CHECK(value_of("p0 != 0 ? 1/p0 : 42") == 42.0);
  const CompiledExpression expression = compile("gain > 1 ? V(b)*2 : V(a)");
  REQUIRE(expression.variables().size() == 1);
  CHECK(expression.variables()[0] == 1);
  // Names in the dropped branch are still checked.
  check_error("1 ? 2 : nosuch", 8, "undefined parameter 'nosuch'");
}

TEST_CASE("expression: variable slots in first-use order, without duplicates") {
  const CompiledExpression expression = compile("V(c) + V(a)*V(c) + time + V(b,a) + I(v1)");
  const std::vector<int> variables(expression.variables().begin(), expression.variables().end());
  CHECK(variables == std::vector<int>{2, 0, 4, 1, 3});
  CHECK_FALSE(expression.is_constant());

  const auto values = slots({{0, 2.0}, {1, 7.0}, {2, 3.0}, {3, 0.5}, {4, 1.0}});
  double value = 0.0;
  const std::vector<double> gradient = gradient_of(expression, values, &value);
  CHECK(value == 3.0 + 6.0 + 1.0 + 5.0 + 0.5);
  // d/dV(c) = 1 + V(a); d/dV(a) = V(c) - 1; d/dtime = 1; d/dV(b) = 1; d/dI(v1) = 1.
  CHECK(gradient == std::vector<double>{3.0, 2.0, 1.0, 1.0, 1.0});
}

TEST_CASE("expression: derivatives match central finite differences") {
  const auto at = [](double a, double b = 0.7, double c = 0.3) { return slots({{0, a}, {1, b}, {2, c}, {3, 0.2}, {4, 1.5}}); };
  check_derivatives("V(a)+V(b)", at(1.3));
  check_derivatives("V(a)-3*V(b)", at(1.3));
  check_derivatives("V(a)*V(b)", at(1.3));
  check_derivatives("V(a)/V(b)", at(1.3));
  check_derivatives("V(a)/V(b)", at(1.3, -0.4));
  check_derivatives("-V(a)", at(1.3));
  check_derivatives("V(a)^V(b)", at(1.3, 2.1));
  check_derivatives("V(a)^V(b)", at(-1.3, 2.1));  // |x|^y with negative base
  check_derivatives("V(a)**3", at(-1.5));
  check_derivatives("pow(V(a),2.5)", at(-1.2));
  check_derivatives("pow(V(a),V(b))", at(0.6, -1.7));
  check_derivatives("pwr(V(a),V(b))", at(-1.3, 1.7));
  check_derivatives("pwr(V(a),V(b))", at(1.3, 1.7));
  check_derivatives("exp(V(a))", at(1.3));
  check_derivatives("ln(V(a))", at(1.3));
  check_derivatives("log(V(a))", at(0.02));
  check_derivatives("log10(V(a))", at(13.0));
  check_derivatives("sqrt(V(a))", at(2.5));
  check_derivatives("abs(V(a))", at(-2.0));
  check_derivatives("abs(V(a))", at(2.0));
  check_derivatives("sin(V(a))", at(1.3));
  check_derivatives("cos(V(a))", at(1.3));
  check_derivatives("tan(V(a))", at(1.3));
  check_derivatives("asin(V(a))", at(0.4));
  check_derivatives("acos(V(a))", at(-0.4));
  check_derivatives("atan(V(a))", at(1.3));
  check_derivatives("sinh(V(a))", at(1.3));
  check_derivatives("cosh(V(a))", at(-1.3));
  check_derivatives("tanh(V(a))", at(0.3));
  check_derivatives("asinh(V(a))", at(-1.3));
  check_derivatives("acosh(V(a))", at(1.3));
  check_derivatives("atanh(V(a))", at(0.6));
  check_derivatives("uramp(V(a))", at(1.5));
  check_derivatives("u2(V(a))", at(0.5));
  check_derivatives("min(V(a),V(b))", at(1.3));
  check_derivatives("max(V(a),V(b))", at(1.3));
  check_derivatives("limit(V(a),V(b),2)", at(1.3));
  check_derivatives("limit(V(a),V(b),V(c))", at(0.1, 0.2, 0.9));  // clamped at the lower bound
  check_derivatives("V(a) > V(b) ? V(a)^2 : 3*V(b)", at(1.3));
  check_derivatives("V(a) > V(b) ? V(a)^2 : 3*V(b)", at(0.2));
  check_derivatives("V(a,b)^2*I(v1) + time*sin(V(c))", at(1.3));
  check_derivatives("exp(-V(a)/V(b))*sqrt(abs(V(c)))/(1+V(a)^2)", at(0.8, 0.25, -0.6));
  check_derivatives("2k*V(a)*u(V(a)) + (V(b) >= 0.5)*V(b)^3 - !V(c)", at(1.3));
}

TEST_CASE("expression: derivatives at non-differentiable points (ngspice's choices)") {
  const auto gradient_at = [](std::string_view text, std::vector<double> values) {
    return gradient_of(compile(text), values);
  };
  CHECK(gradient_at("abs(V(a))", slots({{0, 0.0}})) == std::vector<double>{0.0});   // sgn(0)
  CHECK(gradient_at("sgn(V(a))", slots({{0, 0.0}})) == std::vector<double>{0.0});
  CHECK(gradient_at("u(V(a))", slots({{0, 0.0}})) == std::vector<double>{0.0});
  CHECK(gradient_at("floor(V(a))+ceil(V(a))+nint(V(a))", slots({{0, 1.0}})) == std::vector<double>{0.0});
  CHECK(gradient_at("uramp(V(a))", slots({{0, 0.0}})) == std::vector<double>{0.5});  // u(0)
  CHECK(gradient_at("uramp(V(a))", slots({{0, -1.0}})) == std::vector<double>{0.0});
  CHECK(gradient_at("u2(V(a))", slots({{0, 0.0}})) == std::vector<double>{0.5});
  CHECK(gradient_at("u2(V(a))", slots({{0, 1.0}})) == std::vector<double>{0.5});
  CHECK(gradient_at("u2(V(a))", slots({{0, 2.0}})) == std::vector<double>{0.0});
  // min/max ties take the second operand's derivative.
  CHECK(gradient_at("min(V(a), 2*V(b))", slots({{0, 2.0}, {1, 1.0}})) == std::vector<double>{0.0, 2.0});
  CHECK(gradient_at("max(V(a), 2*V(b))", slots({{0, 2.0}, {1, 1.0}})) == std::vector<double>{0.0, 2.0});
  // limit at a bound takes the bound's derivative.
  CHECK(gradient_at("limit(V(a), V(b), 3)", slots({{0, 1.0}, {1, 1.0}})) == std::vector<double>{0.0, 1.0});
  CHECK(gradient_at("limit(V(a), 0, V(b))", slots({{0, 3.0}, {1, 3.0}})) == std::vector<double>{0.0, 1.0});
  CHECK(gradient_at("limit(V(a), 0, 3)", slots({{0, 5.0}})) == std::vector<double>{0.0});
  // Comparisons and logic are flat; the ternary differentiates the taken branch.
  CHECK(gradient_at("(V(a) < V(b)) + (V(a) == V(b)) + (V(a) && V(b)) + (V(a) || V(b))",
                    slots({{0, 1.0}, {1, 1.0}})) == std::vector<double>{0.0, 0.0});
  CHECK(gradient_at("V(a) >= 1 ? 4*V(a) : V(b)", slots({{0, 1.0}, {1, 5.0}})) == std::vector<double>{4.0, 0.0});
  // Clamped exp keeps a steep slope; ln and sqrt at 0 use the fudged division (1e32).
  CHECK(gradient_at("exp(V(a))", slots({{0, 500.0}})) == std::vector<double>{1e99});
  CHECK(gradient_at("ln(V(a))", slots({{0, 0.0}}))[0] == doctest::Approx(1e32).epsilon(1e-15));
  CHECK(gradient_at("sqrt(V(a))", slots({{0, 0.0}}))[0] == doctest::Approx(1e32).epsilon(1e-15));
  // |x|^y at x = 0.
  CHECK(gradient_at("V(a)^2", slots({{0, 0.0}})) == std::vector<double>{0.0});
  CHECK(gradient_at("V(a)^V(b)", slots({{0, 0.0}, {1, 2.0}})) == std::vector<double>{0.0, 0.0});
  CHECK(std::isinf(gradient_at("V(a)^0.5", slots({{0, 0.0}}))[0]));
  CHECK(gradient_at("pwr(V(a),3)", slots({{0, 0.0}})) == std::vector<double>{0.0});
  // A zero partial never turns an infinite operand gradient into NaN.
  CHECK(gradient_at("(V(a) > 1) * V(a)^0.5", slots({{0, 0.0}})) == std::vector<double>{0.0});
}

TEST_CASE("expression: gradient evaluation of a constant expression") {
  const CompiledExpression expression = compile("rload/2");
  std::vector<double> gradient;
  CHECK(expression.evaluate({}, gradient) == 500.0);
}

TEST_CASE("expression: errors carry the offset of the offending token") {
  check_error("foo(1)", 0, "unknown function 'foo'");
  check_error("1 + max(1,2,3)", 4, "function 'max' takes 2 arguments, got 3");
  check_error("sin(1,2)", 0, "function 'sin' takes 1 argument, got 2");
  check_error("limit(1,2)", 0, "function 'limit' takes 3 arguments, got 2");
  check_error("exp()", 0, "function 'exp' takes 1 argument, got 0");
  check_error("2*RLoadX", 2, "undefined parameter 'rloadx'");
  check_error("V(n5)+1", 2, "unknown node 'n5' in V()");
  check_error("V(a, N5)", 5, "unknown node 'n5' in V()");
  check_error("1+I(vx)", 4, "unknown device 'vx' in I()");
  check_error("V()", 2, "expected a node name in V()");
  check_error("V(a b)", 4, "expected ')'");
  check_error("(1+2", 4, "expected ')'");
  check_error("max(1,2", 7, "expected ')'");
  check_error("1 ? 2", 5, "expected ':'");
  check_error("1 + 2)", 5, "unexpected ')' after end of expression");
  check_error("1 2", 2, "unexpected '2' after end of expression");
  check_error("V(a) x", 5, "unexpected 'x' after end of expression");
  check_error("", 0, "empty expression");
  check_error("   ", 3, "empty expression");
  check_error("1 +", 3, "expected a number, name or '(' but found end of expression");
  check_error("1 + * 2", 4, "expected a number, name or '(' but found '*'");
  check_error("1 @ 2", 2, "unexpected character '@'");
  check_error("1 = 2", 2, "unexpected character '='");
  check_error("1.2.3", 0, "malformed number '1.2.3'");
  check_error("2 * 1k2", 4, "malformed number '1k2'");
  check_error("1/0", 1, "division by zero");
  check_error("V(a)/(p0*2)", 4, "division by zero");
  check_error("sqrt(-4)", 0, "argument -4 is out of range for 'sqrt'");
  check_error("1 + log(-1)", 4, "argument -1 is out of range for 'log'");
  check_error("1e300*1e300", 5, "arguments 1e+300, 1e+300 are out of range for '*'");
  check_error("pow(0,-1)", 0, "arguments 0, -1 are out of range for 'pow'");
}

TEST_CASE("expression: constant symbols and evaluate_constant_expression") {
  const std::map<std::string, double, std::less<>> parameters{{"w", 2e-6}, {"l", 1e-6}};
  const ConstantSymbols symbols(lookup_in_map, &parameters);
  CHECK(xbarsim::evaluate_constant_expression("W/L*2", symbols) == doctest::Approx(4.0).epsilon(1e-15));
  check_error("time*2", 0, "undefined parameter 'time'", symbols);
  check_error("V(a)", 2, "unknown node 'a' in V()", symbols);

  try {
    (void)xbarsim::evaluate_constant_expression("1 + 2*V(b)", default_symbols);
    FAIL("no ExpressionError thrown");
  } catch (const ExpressionError& error) {
    CHECK(error.offset() == 8);
    CHECK(std::string(error.what()) == "expression must be constant but reads a circuit variable");
  }
}

TEST_CASE("expression: copies and moves evaluate the same program") {
  const CompiledExpression original = compile("V(a)*3 + 1");
  CompiledExpression copy = original;
  CHECK(copy.evaluate(slots({{0, 2.0}})) == 7.0);
  CompiledExpression assigned;
  CHECK(assigned.is_constant());
  CHECK(assigned.evaluate({}) == 0.0);  // default-constructed: the constant 0
  assigned = copy;
  const CompiledExpression moved = std::move(copy);
  CHECK(moved.evaluate(slots({{0, 1.0}})) == 4.0);
  CHECK(assigned.evaluate(slots({{0, 1.0}})) == 4.0);
  CHECK(original.variables().size() == 1);
}

// Cross-check against ngspice itself: each expression becomes a B source in one operating-point
// run, with V(a) = 0.7 and V(b) = -1.3 set by voltage sources. Skipped when ngspice is not
// installed. ngspice prints 16 significant digits (numdgt=15), so values agree to ~1e-12.
TEST_CASE("expression: values agree with ngspice B sources") {
  if (std::system("command -v ngspice >/dev/null 2>&1") != 0) {
    MESSAGE("ngspice not found; cross-check skipped");
    return;
  }
  const std::vector<std::string> expressions{
      "-V(a)^2",
      "2^3^2",
      "-2^-2",
      "V(b)^3",
      "pow(V(b),2.5)",
      "pwr(V(b),3)",
      "pwr(V(b)-1,0.5)",
      "u(V(a)*0) + 10*u(V(b))",
      "uramp(V(b)) + uramp(V(a))",
      "log(V(a)) + ln(V(a)*10) + log10(V(a)*100)",
      "1 == 1 + 1 < 2",
      "0 && 1 || 1",
      "V(a) > 0 ? V(a)*2k : -1",
      "V(b) > 0 ? 1 : V(b) < -2 ? 2 : 3",
      "min(V(a),V(b))*10 + max(V(a),V(b))",
      "sgn(V(b))*abs(V(b))",
      "exp(V(a)*400)",
      "exp(V(a)*3)",
      "sqrt(V(a)) + atan(V(b)) + tanh(V(a))",
      "V(a,b)",
      "floor(V(b)) + ceil(V(a))*10",
      "!V(a) + (V(a) && V(b)) + (0 || V(b))",
      "2*-V(a)",
      "10kOhm*V(a)",
      "sin(V(a))*cos(V(b))/tan(V(a))",
      "acosh(V(a)+1) + asinh(V(b)) + atanh(V(a)/2)",
      "1/(V(a)*0) + 1/V(b)",
  };

  const std::filesystem::path netlist =
      std::filesystem::temp_directory_path() / ("xbarsim_expression_" + std::to_string(::getpid()) + ".cir");
  {
    std::ofstream file(netlist);
    file << "expression cross-check\nV1 a 0 0.7\nV2 b 0 -1.3\n";
    for (std::size_t k = 0; k < expressions.size(); ++k) {
      file << "B" << k << " o" << k << " 0 V=" << expressions[k] << "\nR" << k << " o" << k << " 0 1\n";
    }
    file << ".control\nset numdgt=15\nop\n";
    for (std::size_t k = 0; k < expressions.size(); ++k) file << "print v(o" << k << ")\n";
    file << ".endc\n.end\n";
  }
  std::map<std::size_t, double> ngspice_values;
  {
    FILE* output = ::popen(("ngspice -b " + netlist.string() + " 2>&1").c_str(), "r");
    REQUIRE(output != nullptr);
    char line[512];
    while (std::fgets(line, sizeof line, output)) {
      std::size_t index = 0;
      double value = 0.0;
      if (std::sscanf(line, "v(o%zu) = %lf", &index, &value) == 2) ngspice_values[index] = value;
    }
    ::pclose(output);
  }
  std::filesystem::remove(netlist);

  const auto values = slots({{0, 0.7}, {1, -1.3}});
  for (std::size_t k = 0; k < expressions.size(); ++k) {
    CAPTURE(expressions[k]);
    REQUIRE(ngspice_values.count(k) == 1);
    CHECK(value_of(expressions[k], values) == doctest::Approx(ngspice_values[k]).epsilon(1e-12));
  }
}

namespace {

// Symbols with a random source, for the Monte Carlo functions.
class RandomSymbols : public xbarsim::ExpressionSymbols {
 public:
  explicit RandomSymbols(std::uint64_t seed) : random_(seed) {}
  std::optional<double> constant(std::string_view name) const override {
    if (name == "rnom") return 1000.0;
    return std::nullopt;
  }
  xbarsim::SeededRandom* random_source() const override { return &random_; }

 private:
  mutable xbarsim::SeededRandom random_;
};

}  // namespace

TEST_CASE("Monte Carlo functions: distributions, seeds, and where they are allowed") {
  RandomSymbols symbols(7);
  std::vector<double> gaussian, uniform;
  for (int k = 0; k < 4000; ++k) {
    gaussian.push_back(xbarsim::evaluate_constant_expression("agauss(rnom, 30, 3)", symbols));
    uniform.push_back(xbarsim::evaluate_constant_expression("unif(rnom, 0.2)", symbols));
  }
  auto mean = [](const std::vector<double>& values) {
    double sum = 0;
    for (double value : values) sum += value;
    return sum / static_cast<double>(values.size());
  };
  auto deviation = [&](const std::vector<double>& values) {
    const double centre = mean(values);
    double sum = 0;
    for (double value : values) sum += (value - centre) * (value - centre);
    return std::sqrt(sum / static_cast<double>(values.size()));
  };
  CHECK(mean(gaussian) == doctest::Approx(1000).epsilon(0.001));
  CHECK(deviation(gaussian) == doctest::Approx(10).epsilon(0.05));  // 30 / 3 sigma
  CHECK(*std::min_element(uniform.begin(), uniform.end()) >= 800);
  CHECK(*std::max_element(uniform.begin(), uniform.end()) <= 1200);
  CHECK(deviation(uniform) == doctest::Approx(200 / std::sqrt(3.0)).epsilon(0.05));
  CHECK(xbarsim::evaluate_constant_expression("gauss(2, 0.1, 1)", RandomSymbols(3)) ==
        xbarsim::evaluate_constant_expression("gauss(2, 0.1, 1)", RandomSymbols(3)));
  CHECK(xbarsim::evaluate_constant_expression("aunif(5, 1)", RandomSymbols(3)) !=
        xbarsim::evaluate_constant_expression("aunif(5, 1)", RandomSymbols(4)));
  CHECK_THROWS_WITH(xbarsim::evaluate_constant_expression("agauss(1, 2)", RandomSymbols(1)),
                    doctest::Contains("takes 3 arguments, got 2"));
  // Without a random source (a B-source expression) a draw is an error, not a silent constant.
  struct NoRandom : xbarsim::ExpressionSymbols {
    std::optional<double> constant(std::string_view) const override { return std::nullopt; }
  };
  CHECK_THROWS_WITH(xbarsim::evaluate_constant_expression("agauss(1, 0.1, 1)", NoRandom{}), doctest::Contains("draws a random number"));
}
