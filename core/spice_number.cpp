// SPICE number parsing: mantissa, exponent, scale suffix and ignored unit letters.
//
// Behaviour checked against ngspice 39 (Debian 12) by running `ngspice -b` on element values,
// `.param` values and B-source expressions:
//   - suffixes t g meg k mil m u n p f, case-insensitive; `meg` and `mil` win over `m`
//     (`1Mohm` is 1e-3, `1megohm` is 1e6, `3milli` is 3 mil = 7.62e-5);
//   - there is no atto suffix: `1a` and `1atto` are 1 in ngspice 39 (element values, .param and
//     B sources alike), so `a` is just a unit letter here too;
//   - an `e`/`E` after the mantissa starts the exponent even without digits: `1e` and `1e+` are 1;
//   - letters after the suffix are units: `10kOhm` = 1e4, `5pF` = 5e-12, `1V` = 1, `5x` = 5.
// Where ngspice is lax we are strict: for element values ngspice 39 stops at the first character it
// does not understand (`1k2` = 1e3, `1.2.3` = 1.2, `1_5` = 1), but in `.param` and B-source
// expressions it rejects `1k2` and `1.2.3`. parse_spice_number() rejects them as well (a digit,
// dot or other character after the units is an error), so a typo is reported instead of guessed.
//
// The value is the correctly rounded double of the decimal number: the mantissa digits and the
// combined exponent (written exponent plus the suffix's power of ten) go through one correctly
// rounded conversion (an exact multiplication or division for short numbers, std::from_chars for
// the others), so `0.1u` is exactly the double nearest 1e-7. `mil` (25.4e-6) is applied as a
// multiplication.
#include "core/spice_number.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

namespace xbarsim {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_ignoring_case(std::string_view text, std::size_t position, std::string_view word) {
  if (text.size() - position < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (lower(text[position + i]) != word[i]) return false;
  }
  return true;
}

struct ScaleSuffix {
  int power_of_ten = 0;       // used when multiplier == 1
  double multiplier = 1.0;    // only `mil` is not a power of ten
  std::size_t length = 0;
};

ScaleSuffix scale_suffix_at(std::string_view text, std::size_t position) {
  if (position >= text.size()) return {};
  if (starts_with_ignoring_case(text, position, "meg")) return {6, 1.0, 3};
  if (starts_with_ignoring_case(text, position, "mil")) return {0, 25.4e-6, 3};
  switch (lower(text[position])) {
    case 't': return {12, 1.0, 1};
    case 'g': return {9, 1.0, 1};
    case 'k': return {3, 1.0, 1};
    case 'm': return {-3, 1.0, 1};
    case 'u': return {-6, 1.0, 1};
    case 'n': return {-9, 1.0, 1};
    case 'p': return {-12, 1.0, 1};
    case 'f': return {-15, 1.0, 1};
    default: return {};
  }
}

// `<integer>.<fraction>` times 10^exponent, correctly rounded, when that takes one exact
// operation: at most 15 significant digits (an exact integer in a double) scaled by a power of ten
// up to 1e22 (also exact), multiplied or divided once (IEEE operations round correctly). Most
// netlist values (`100`, `0.176`, `1k`) are such; false for the others.
bool exact_small_decimal(std::string_view integer, std::string_view fraction, long long exponent, double& value) {
  constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                     1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  std::uint64_t mantissa = 0;
  int digits = 0;
  for (std::string_view part : {integer, fraction})
    for (char c : part) {
      if (digits == 0 && c == '0') continue;  // leading zeros do not count
      if (++digits > 15) return false;
      mantissa = mantissa * 10 + static_cast<std::uint64_t>(c - '0');
    }
  const long long scale = exponent - static_cast<long long>(fraction.size());
  if (scale < -22 || scale > 22) return false;
  const double exact = static_cast<double>(mantissa);
  value = scale >= 0 ? exact * kPowersOfTen[scale] : exact / kPowersOfTen[-scale];
  return true;
}

// Same for any decimal: "<integer>.<fraction>e<exponent>" through one correctly rounded
// std::from_chars.
double decimal_value(std::string_view integer, std::string_view fraction, long long exponent) {
  std::string decimal(integer);
  decimal.push_back('.');
  decimal.append(fraction);
  decimal.push_back('e');
  decimal.append(std::to_string(exponent));
  double value = 0.0;
  const auto result = std::from_chars(decimal.data(), decimal.data() + decimal.size(), value);
  if (result.ec == std::errc::result_out_of_range) {
    // from_chars leaves value untouched on range errors: decide between overflow and underflow.
    value = exponent > 0 ? HUGE_VAL : 0.0;
  }
  return value;
}

}  // namespace

std::optional<double> parse_spice_number_prefix(std::string_view text, std::size_t& consumed) {
  consumed = 0;
  std::size_t position = 0;
  bool negative = false;
  if (position < text.size() && (text[position] == '+' || text[position] == '-')) {
    negative = text[position] == '-';
    ++position;
  }

  // Mantissa: digits, optional '.', digits; at least one digit in all.
  const std::size_t integer_begin = position;
  while (position < text.size() && is_digit(text[position])) ++position;
  const std::size_t integer_end = position;
  std::size_t fraction_begin = position;
  if (position < text.size() && text[position] == '.') {
    fraction_begin = ++position;
    while (position < text.size() && is_digit(text[position])) ++position;
  }
  const std::size_t fraction_end = position;
  if (integer_end == integer_begin && fraction_end == fraction_begin) return std::nullopt;

  // Exponent: 'e', optional sign, digits (possibly none, as in ngspice).
  long long exponent = 0;
  if (position < text.size() && (text[position] == 'e' || text[position] == 'E')) {
    ++position;
    bool exponent_negative = false;
    if (position < text.size() && (text[position] == '+' || text[position] == '-')) {
      exponent_negative = text[position] == '-';
      ++position;
    }
    while (position < text.size() && is_digit(text[position])) {
      // Saturate: anything beyond +-100000 over- or underflows a double anyway.
      exponent = std::min<long long>(exponent * 10 + (text[position] - '0'), 100000);
      ++position;
    }
    if (exponent_negative) exponent = -exponent;
  }

  const ScaleSuffix suffix = scale_suffix_at(text, position);
  position += suffix.length;
  while (position < text.size() && is_letter(text[position])) ++position;  // unit letters

  double value = 0.0;
  if (!exact_small_decimal(text.substr(integer_begin, integer_end - integer_begin),
                           text.substr(fraction_begin, fraction_end - fraction_begin), exponent + suffix.power_of_ten, value))
    value = decimal_value(text.substr(integer_begin, integer_end - integer_begin),
                          text.substr(fraction_begin, fraction_end - fraction_begin), exponent + suffix.power_of_ten);
  value *= suffix.multiplier;
  consumed = position;
  return negative ? -value : value;
}

std::optional<double> parse_spice_number(std::string_view token) {
  // Most values of a generated netlist are plain decimals ("100", "45016.1"): digits with at most
  // one dot, short enough for exact_small_decimal's single exact operation, done here in one pass.
  if (!token.empty() && token.size() <= 16) {
    std::uint64_t mantissa = 0;
    std::size_t dot = token.size(), digits = 0;
    bool plain = true;
    for (std::size_t i = 0; i < token.size() && plain; ++i) {
      const char c = token[i];
      if (is_digit(c)) {
        mantissa = mantissa * 10 + static_cast<std::uint64_t>(c - '0');
        ++digits;
      } else {
        plain = c == '.' && dot == token.size();
        dot = i;
      }
    }
    // At most 15 digits in all (16 characters with the dot): the mantissa is exact in a double.
    if (plain && digits > 0 && digits <= 15) {
      constexpr double kPowersOfTen[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
      const std::size_t fraction_digits = dot == token.size() ? 0 : token.size() - dot - 1;
      return static_cast<double>(mantissa) / kPowersOfTen[fraction_digits];
    }
  }
  std::size_t consumed = 0;
  const std::optional<double> value = parse_spice_number_prefix(token, consumed);
  if (!value || consumed != token.size()) return std::nullopt;
  return value;
}

}  // namespace xbarsim
