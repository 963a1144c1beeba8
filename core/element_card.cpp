#include "core/element_card.h"

#include <fmt/format.h>

#include "core/diagnostics.h"

namespace xbarsim {

const Token& ElementCard::token(std::size_t index) const {
  if (index >= tokens().size()) fail_at_end(fmt::format("'{}' needs more fields (field {} is missing)", name(), index + 1));
  return tokens()[index];
}

std::vector<KeywordValue> ElementCard::keyword_values(std::size_t first) const {
  std::vector<KeywordValue> pairs;
  const auto& all = tokens();
  std::size_t i = first;
  while (i < all.size()) {
    if (all[i].kind == TokenKind::open_paren || all[i].kind == TokenKind::close_paren || all[i].kind == TokenKind::comma) {
      ++i;
      continue;
    }
    if (all[i].kind != TokenKind::word) fail(all[i], "expected a 'name=value' parameter");
    if (i + 1 >= all.size() || all[i + 1].kind != TokenKind::equals)
      fail(all[i], fmt::format("expected 'name=value', got '{}'", all[i].original));
    if (i + 2 >= all.size()) fail(all[i + 1], fmt::format("missing value after '{}='", all[i].text));
    pairs.push_back({&all[i], &all[i + 2]});
    i += 3;
  }
  return pairs;
}

void ElementCard::expect_token_count(std::size_t count, std::string_view usage) const {
  if (tokens().size() < count) fail_at_end(fmt::format("too few fields for '{}'; usage: {}", name(), usage));
  if (tokens().size() > count) fail(tokens()[count], fmt::format("unexpected '{}'; usage: {}", tokens()[count].original, usage));
}

void ElementCard::fail(const Token& token, const std::string& message) const { throw NetlistError(token.where, message); }

void ElementCard::fail_at_end(const std::string& message) const {
  const Token& last = tokens().back();
  SourceLocation where = last.where;
  where.column += static_cast<int>(last.original.size());
  throw NetlistError(where, message);
}

}  // namespace xbarsim
