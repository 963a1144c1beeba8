#include "core/step_specification.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/diagnostics.h"
#include "core/spice_number.h"

namespace xbarsim {
namespace {

constexpr long kMostValues = 10'000'000;

// Drops the last bits of rounding noise (0.1 + 2 * 0.1 is 0.30000000000000004): sweep values are
// written to result files and read by people.
double tidy(double value) { return std::stod(fmt::format("{:.14g}", value)); }

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const std::size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

}  // namespace

std::vector<double> incremented_values(double start, double stop, double increment) {
  if (increment == 0.0 || (stop - start) / increment < 0)
    throw std::invalid_argument("the increment must be non-zero and point from start to stop");
  const double count = std::floor((stop - start) / increment + 1e-9);
  if (count >= kMostValues) throw std::invalid_argument(fmt::format("{:.0f} values is too many", count + 1));
  std::vector<double> values;
  for (long i = 0; i <= static_cast<long>(count); ++i) values.push_back(tidy(start + static_cast<double>(i) * increment));
  return values;
}

std::vector<double> evenly_spaced_values(double start, double stop, long count) {
  if (count < 1 || count > kMostValues) throw std::invalid_argument("the number of points must be at least 1");
  if (count == 1) return {start};
  std::vector<double> values;
  for (long i = 0; i < count; ++i) values.push_back(tidy(start + (stop - start) * static_cast<double>(i) / static_cast<double>(count - 1)));
  return values;
}

std::vector<double> logarithmic_values(double start, double stop, long per_interval, double ratio) {
  if (start <= 0 || stop <= 0) throw std::invalid_argument("logarithmic steps need positive start and stop");
  if (stop < start) throw std::invalid_argument("logarithmic steps need stop >= start");
  if (per_interval < 1) throw std::invalid_argument("the number of points per decade or octave must be at least 1");
  const double intervals = std::log(stop / start) / std::log(ratio);
  const double count = std::floor(intervals * static_cast<double>(per_interval) + 1e-9);
  if (count >= kMostValues) throw std::invalid_argument(fmt::format("{:.0f} values is too many", count + 1));
  std::vector<double> values;
  for (long i = 0; i <= static_cast<long>(count); ++i)
    values.push_back(tidy(start * std::pow(ratio, static_cast<double>(i) / static_cast<double>(per_interval))));
  return values;
}

SteppedParameter parse_step_card(const Card& card) {
  const auto& tokens = card.tokens;
  const Token& head = tokens.front();
  std::string kind;
  std::size_t i = 1;
  auto is_kind = [](const Token& token) { return token.is("dec") || token.is("oct") || token.is("lin") || token.is("list"); };
  if (i < tokens.size() && is_kind(tokens[i])) kind = tokens[i++].text;
  if (i >= tokens.size() || !tokens[i].is("param"))
    throw NetlistError(i < tokens.size() ? tokens[i].where : head.where,
                       "expected 'param NAME' after '.step' (only parameters can be stepped)");
  ++i;
  if (i >= tokens.size() || tokens[i].kind != TokenKind::word) throw NetlistError(tokens[i - 1].where, "'.step param' needs a parameter name");
  SteppedParameter parameter;
  parameter.name = tokens[i].text;
  parameter.where = card.where;
  ++i;
  if (kind.empty() && i < tokens.size() && is_kind(tokens[i])) kind = tokens[i++].text;
  std::vector<double> numbers;
  for (std::size_t k = i; k < tokens.size(); ++k) {
    if (tokens[k].kind == TokenKind::comma) continue;
    auto number = tokens[k].kind == TokenKind::word ? parse_spice_number(tokens[k].text) : std::nullopt;
    if (!number) throw NetlistError(tokens[k].where, fmt::format("expected a number in '.step', got '{}'", tokens[k].original));
    numbers.push_back(*number);
  }
  try {
    if (kind == "list") {
      if (numbers.empty()) throw std::invalid_argument("'.step ... list' needs at least one value");
      parameter.values = numbers;
      return parameter;
    }
    if (numbers.size() != 3)
      throw std::invalid_argument(fmt::format("'.step param {} {}' takes start, stop and {}", parameter.name, kind,
                                              kind == "dec" || kind == "oct" ? "points per interval" : "increment"));
    if (kind == "dec" || kind == "oct") {
      parameter.values = logarithmic_values(numbers[0], numbers[1], std::lround(numbers[2]), kind == "dec" ? 10.0 : 2.0);
      parameter.logarithmic = true;
    } else {
      parameter.values = incremented_values(numbers[0], numbers[1], numbers[2]);
    }
  } catch (const std::invalid_argument& error) {
    throw NetlistError(head.where, error.what());
  }
  return parameter;
}

SteppedParameter parse_step_option(std::string_view name_and_specification) {
  const std::size_t equals = name_and_specification.find('=');
  const std::size_t colon = name_and_specification.find(':', equals == std::string_view::npos ? 0 : equals);
  if (equals == std::string_view::npos || equals == 0 || colon == std::string_view::npos)
    throw std::invalid_argument(fmt::format("'--param {}': expected NAME=KIND:VALUES, e.g. rwl=list:1,2,5 or rwl=lin:0,10,11",
                                            name_and_specification));
  SteppedParameter parameter;
  parameter.name = lower(name_and_specification.substr(0, equals));
  const std::string kind = lower(name_and_specification.substr(equals + 1, colon - equals - 1));
  std::vector<double> numbers;
  for (std::string_view part : split(name_and_specification.substr(colon + 1), ',')) {
    auto number = parse_spice_number(lower(part));
    if (!number) throw std::invalid_argument(fmt::format("'--param {}': '{}' is not a number", name_and_specification, part));
    numbers.push_back(*number);
  }
  auto need = [&](std::size_t count, std::string_view what) {
    if (numbers.size() != count)
      throw std::invalid_argument(fmt::format("'--param {}': {} takes {}", name_and_specification, kind, what));
  };
  try {
    if (kind == "list") {
      parameter.values = numbers;
    } else if (kind == "lin") {
      need(3, "START,STOP,COUNT");
      parameter.values = evenly_spaced_values(numbers[0], numbers[1], std::lround(numbers[2]));
    } else if (kind == "step") {
      need(3, "START,STOP,INCREMENT");
      parameter.values = incremented_values(numbers[0], numbers[1], numbers[2]);
    } else if (kind == "dec" || kind == "oct") {
      need(3, kind == "dec" ? "START,STOP,PER_DECADE" : "START,STOP,PER_OCTAVE");
      parameter.values = logarithmic_values(numbers[0], numbers[1], std::lround(numbers[2]), kind == "dec" ? 10.0 : 2.0);
      parameter.logarithmic = true;
    } else {
      throw std::invalid_argument(fmt::format("unknown kind '{}' (choose list, lin, step, dec or oct)", kind));
    }
  } catch (const std::invalid_argument& error) {
    const std::string message = error.what();
    if (message.rfind("'--param", 0) == 0) throw;
    throw std::invalid_argument(fmt::format("'--param {}': {}", name_and_specification, message));
  }
  return parameter;
}

}  // namespace xbarsim
