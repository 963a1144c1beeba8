// Unit tests for SPICE number parsing (core/spice_number.h). Expected values for suffixes, units
// and edge cases were checked against ngspice 39 (`ngspice -b`, resistor values and B sources).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <random>
#include <string>

#include "core/spice_number.h"

using xbarsim::parse_spice_number;
using xbarsim::parse_spice_number_prefix;

namespace {

double number(std::string_view token) {
  const std::optional<double> value = parse_spice_number(token);
  REQUIRE_MESSAGE(value.has_value(), "not a number: ", token);
  return *value;
}

}  // namespace

TEST_CASE("spice number: mantissa forms and sign") {
  CHECK(number("1") == 1.0);
  CHECK(number("1.5") == 1.5);
  CHECK(number(".5") == 0.5);
  CHECK(number("1.") == 1.0);
  CHECK(number("-2") == -2.0);
  CHECK(number("+3") == 3.0);
  CHECK(number("007") == 7.0);
}

TEST_CASE("spice number: exponent") {
  CHECK(number("1e-3") == 1e-3);
  CHECK(number("1E+3") == 1e3);
  CHECK(number("2.5e2") == 250.0);
  CHECK(number(".5e1") == 5.0);
  CHECK(number("1.e3") == 1000.0);
  // ngspice 39: an exponent marker without digits means exponent 0.
  CHECK(number("1e") == 1.0);
  CHECK(number("1e+") == 1.0);
  CHECK(std::isinf(number("1e400")));
  CHECK(number("1e-400") == 0.0);
}

TEST_CASE("spice number: scale suffixes, case-insensitive") {
  CHECK(number("1t") == 1e12);
  CHECK(number("1T") == 1e12);
  CHECK(number("1g") == 1e9);
  CHECK(number("2meg") == 2e6);
  CHECK(number("2MEG") == 2e6);
  CHECK(number("2Meg") == 2e6);
  CHECK(number("1.5k") == 1500.0);
  CHECK(number("1K") == 1e3);
  CHECK(number("3mil") == doctest::Approx(76.2e-6).epsilon(1e-14));
  CHECK(number("1m") == 1e-3);
  CHECK(number("1M") == 1e-3);  // M is milli, not mega
  CHECK(number("1u") == 1e-6);
  CHECK(number("1n") == 1e-9);
  CHECK(number("1p") == 1e-12);
  CHECK(number("1f") == 1e-15);
  CHECK(number("1e3k") == 1e6);
  CHECK(number("1.0e-3m") == 1e-6);
}

TEST_CASE("spice number: values are correctly rounded") {
  CHECK(number("0.1u") == 1e-7);
  CHECK(number("4.7k") == 4700.0);
  CHECK(number("2.2n") == 2.2e-9);
  CHECK(number("0.3") == 0.3);
}

TEST_CASE("spice number: short decimals (exact arithmetic) round exactly like from_chars") {
  // Short mantissas take an exact multiplication or division instead of std::from_chars; the two
  // must agree to the bit. Random decimals of 1 to 17 digits, any point position, with exponents
  // and suffixes around the 1e22 limit of exact powers of ten.
  std::mt19937_64 random(7);
  const char* suffixes[] = {"", "k", "meg", "g", "t", "m", "u", "n", "p", "f"};
  const int suffix_powers[] = {0, 3, 6, 9, 12, -3, -6, -9, -12, -15};
  int mismatches = 0;
  for (int trial = 0; trial < 200000; ++trial) {
    const int digits = 1 + static_cast<int>(random() % 17);
    std::string mantissa;
    for (int d = 0; d < digits; ++d) mantissa.push_back(static_cast<char>('0' + random() % 10));
    const std::size_t point = random() % (mantissa.size() + 1);
    const int exponent = static_cast<int>(random() % 41) - 20;
    const std::size_t suffix = random() % 10;
    const std::string decimal = fmt::format("{}.{}e", mantissa.substr(0, point), mantissa.substr(point));
    const std::string text = fmt::format("{}{}{}", decimal, exponent, suffixes[suffix]);
    const std::string reference_text = fmt::format("{}{}", decimal, exponent + suffix_powers[suffix]);
    double reference = 0.0;
    std::from_chars(reference_text.data(), reference_text.data() + reference_text.size(), reference);
    if (number(text) != reference) ++mismatches;
  }
  CHECK(mismatches == 0);
  CHECK(number("0.176") == 0.176);
  CHECK(number("123456789012345e7") == 123456789012345e7);
  CHECK(number("1e22") == 1e22);
  CHECK(number("1e-22") == 1e-22);
  CHECK(number("9007199254740993") == 9007199254740993.0);  // 17 digits: from_chars rounds it
}

TEST_CASE("spice number: plain decimals (one pass) round exactly like from_chars") {
  // Digits with at most one point and nothing else take a shorter path up to 15 digits.
  std::mt19937_64 random(11);
  int mismatches = 0;
  for (int trial = 0; trial < 200000; ++trial) {
    const int digits = 1 + static_cast<int>(random() % 17);
    std::string text;
    for (int d = 0; d < digits; ++d) text.push_back(static_cast<char>('0' + random() % 10));
    if (random() % 4 != 0) text.insert(random() % (text.size() + 1), 1, '.');
    double reference = 0.0;
    std::from_chars(text.data(), text.data() + text.size(), reference);
    if (number(text) != reference) ++mismatches;
  }
  CHECK(mismatches == 0);
  CHECK(number("45016.1") == 45016.1);
  CHECK(number("000000000000001.5") == 1.5);       // 16 digits, 15 of them leading zeros
  CHECK(number("1234567890123456") == 1234567890123456.0);
  CHECK_FALSE(parse_spice_number("1.2.3").has_value());
  CHECK_FALSE(parse_spice_number(".").has_value());
}

TEST_CASE("spice number: trailing letters are units") {
  CHECK(number("10kOhm") == 1e4);
  CHECK(number("5pF") == 5e-12);
  CHECK(number("1V") == 1.0);
  CHECK(number("1megohm") == 1e6);
  CHECK(number("1Mohm") == 1e-3);
  CHECK(number("3milli") == doctest::Approx(76.2e-6).epsilon(1e-14));  // mil wins over m
  CHECK(number("5x") == 5.0);
  // ngspice 39 has no atto suffix: 1a and 1atto are 1.
  CHECK(number("1a") == 1.0);
  CHECK(number("1atto") == 1.0);
}

TEST_CASE("spice number: invalid tokens") {
  CHECK_FALSE(parse_spice_number("").has_value());
  CHECK_FALSE(parse_spice_number("abc").has_value());
  CHECK_FALSE(parse_spice_number("k1").has_value());
  CHECK_FALSE(parse_spice_number("e3").has_value());
  CHECK_FALSE(parse_spice_number(".").has_value());
  CHECK_FALSE(parse_spice_number("-").has_value());
  CHECK_FALSE(parse_spice_number("1.2.3").has_value());
  CHECK_FALSE(parse_spice_number("1k2").has_value());
  CHECK_FALSE(parse_spice_number("1u5").has_value());
  CHECK_FALSE(parse_spice_number("1_5").has_value());
  CHECK_FALSE(parse_spice_number("1%").has_value());
  CHECK_FALSE(parse_spice_number("1 ").has_value());
  CHECK_FALSE(parse_spice_number("--1").has_value());
}

TEST_CASE("spice number prefix: longest number at the start") {
  std::size_t consumed = 99;
  CHECK(parse_spice_number_prefix("2k*x", consumed) == 2000.0);
  CHECK(consumed == 2);
  CHECK(parse_spice_number_prefix("1.5meg)", consumed) == 1.5e6);
  CHECK(consumed == 6);
  CHECK(parse_spice_number_prefix("10kOhm+1", consumed) == 1e4);
  CHECK(consumed == 6);
  CHECK(parse_spice_number_prefix("1e-3*2", consumed) == 1e-3);
  CHECK(consumed == 4);
  CHECK(parse_spice_number_prefix("3", consumed) == 3.0);
  CHECK(consumed == 1);
  CHECK(parse_spice_number_prefix("1k2", consumed) == 1000.0);
  CHECK(consumed == 2);
  CHECK(parse_spice_number_prefix(".25 ", consumed) == 0.25);
  CHECK(consumed == 3);
  CHECK_FALSE(parse_spice_number_prefix("x1", consumed).has_value());
  CHECK(consumed == 0);
}
