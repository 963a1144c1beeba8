#include "core/netlist_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>

namespace xbarsim {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// Characters that end a word token: white space and punctuation.
bool ends_word(char c) {
  switch (c) {
    case ' ': case '\t': case '\r': case '\f': case '\v':
    case '=': case '(': case ')': case ',': case '{': case '}': case '\'': case '"':
      return true;
    default:
      return false;
  }
}

// The line without its `;` comment or `$ ` comment (a `$` at the start or after white space,
// followed by white space or the end of the line), outside of braces and quotes.
std::string_view strip_inline_comment(std::string_view line) {
  int brace_depth = 0;
  bool in_quote = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\'' && brace_depth == 0) in_quote = !in_quote;
    if (in_quote) continue;
    if (c == '{') ++brace_depth;
    if (c == '}' && brace_depth > 0) --brace_depth;
    if (brace_depth > 0) continue;
    if (c == ';') return line.substr(0, i);
    if (c == '$' && (i == 0 || is_space(line[i - 1])) && (i + 1 == line.size() || is_space(line[i + 1])))
      return line.substr(0, i);
  }
  return line;
}

struct PhysicalLine {
  std::string_view text;  // into the file's content, which outlives the lines
  int number;
};

std::vector<PhysicalLine> split_lines(std::string_view content) {
  std::vector<PhysicalLine> lines;
  int number = 1;
  std::size_t start = 0;
  while (start <= content.size()) {
    std::size_t end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back({line, number++});
    if (end == content.size()) break;
    start = end + 1;
  }
  return lines;
}

class Reader {
 public:
  explicit Reader(const DiagnosticSink& sink) : sink_(sink) {}

  NetlistText read_top(std::string_view content, const std::string& name, const std::filesystem::path& directory) {
    NetlistText netlist;
    std::vector<PhysicalLine> lines = split_lines(content);
    if (!lines.empty()) {
      netlist.title = std::string(lines.front().text);
      while (!netlist.title.empty() && is_space(netlist.title.back())) netlist.title.pop_back();
      netlist.title_location = {name, 1, 1};
      lines.erase(lines.begin());
    }
    stack_.push_back(name);
    read_cards(lines, name, directory, std::nullopt, netlist, /*top_level=*/true);
    stack_.pop_back();
    return netlist;
  }

 private:
  const DiagnosticSink& sink_;
  std::vector<std::string> stack_;  // files being read, for include-cycle detection

  std::vector<Card> logical_cards(const std::vector<PhysicalLine>& lines, const FileName& file) {
    std::vector<Card> cards;
    for (const PhysicalLine& line : lines) {
      std::size_t first = 0;
      while (first < line.text.size() && is_space(line.text[first])) ++first;
      if (first == line.text.size()) continue;
      char lead = line.text[first];
      if (lead == '*') continue;
      std::string_view body = strip_inline_comment(line.text);
      std::size_t body_first = first;
      if (lead == '+') {
        if (cards.empty())
          throw NetlistError({file, line.number, static_cast<int>(first + 1)},
                             "continuation line '+' with no line before it to continue");
        Card& card = cards.back();
        card.text += ' ';
        std::size_t offset = card.text.size();
        card.segments.push_back({offset, {file, line.number, static_cast<int>(first + 2)}});
        card.text += body.substr(first + 1);
        continue;
      }
      std::string_view trimmed = body;
      while (!trimmed.empty() && is_space(trimmed.back())) trimmed.remove_suffix(1);
      if (trimmed.size() <= body_first) continue;  // the line held only a comment
      Card card;
      card.where = {file, line.number, static_cast<int>(first + 1)};
      card.text = body;
      card.segments.push_back({0, {file, line.number, 1}});
      cards.push_back(std::move(card));
    }
    for (Card& card : cards) card.tokens = tokenize(card);
    std::erase_if(cards, [](const Card& card) { return card.tokens.empty(); });
    return cards;
  }

  std::filesystem::path resolve(const std::filesystem::path& directory, const Token& token) {
    std::filesystem::path path(token.original);
    if (path.is_relative()) path = directory / path;
    return path.lexically_normal();
  }

  std::string load_file(const std::filesystem::path& path, const SourceLocation& where, std::string_view what) {
    std::ifstream stream(path, std::ios::binary);
    if (!stream) throw NetlistError(where, fmt::format("cannot open {} '{}'", what, path.string()));
    std::ostringstream content;
    content << stream.rdbuf();
    return content.str();
  }

  // Reads cards from `lines` into `netlist`. When `section` is set, only the `.lib section` ...
  // `.endl` block of that name is read (library file mode).
  void read_cards(const std::vector<PhysicalLine>& lines, const FileName& file,
                  const std::filesystem::path& directory, const std::optional<std::string>& section,
                  NetlistText& netlist, bool top_level) {
    std::vector<Card> cards = logical_cards(lines, file);
    bool in_wanted_section = !section.has_value();
    std::optional<SourceLocation> skipped_section;  // inside a `.lib name` block we do not read
    std::optional<SourceLocation> control_block;
    for (std::size_t index = 0; index < cards.size(); ++index) {
      Card& card = cards[index];
      const Token& head = card.tokens.front();
      if (control_block) {
        if (head.is(".endc")) control_block.reset();
        continue;
      }
      if (head.is(".control")) {
        control_block = card.where;
        sink_({Severity::note, card.where, ".control block ignored: xbarsim runs the analyses given as dot-commands"});
        continue;
      }
      if (head.is(".endc")) throw NetlistError(head.where, "'.endc' without a '.control' before it");
      if (head.is(".lib") && card.tokens.size() == 2) {  // `.lib name`: start of a section definition
        if (section && card.tokens[1].text == *section) {
          in_wanted_section = true;
        } else {
          skipped_section = card.where;
        }
        continue;
      }
      if (head.is(".endl")) {
        if (skipped_section) {
          skipped_section.reset();
        } else if (section && in_wanted_section) {
          return;
        } else {
          throw NetlistError(head.where, "'.endl' without a '.lib name' before it");
        }
        continue;
      }
      if (skipped_section || !in_wanted_section) continue;
      if (head.is(".end")) {
        if (top_level) {
          for (std::size_t rest = index + 1; rest < cards.size(); ++rest) {
            sink_({Severity::note, cards[rest].where, "lines after '.end' are ignored"});
            break;
          }
        }
        return;
      }
      if (head.is(".title")) {
        netlist.title = card.text.substr(card.text.find_first_not_of(" \t", head.offset + 6) == std::string::npos
                                             ? card.text.size()
                                             : card.text.find_first_not_of(" \t", head.offset + 6));
        continue;
      }
      if (head.is(".include") || head.is(".inc")) {
        if (card.tokens.size() != 2) throw NetlistError(head.where, "'.include' takes one file name");
        include(resolve(directory, card.tokens[1]), card.tokens[1].where, std::nullopt, netlist);
        continue;
      }
      if (head.is(".lib")) {
        if (card.tokens.size() != 3) throw NetlistError(head.where, "'.lib' takes a file name and a section name");
        include(resolve(directory, card.tokens[1]), card.tokens[1].where, card.tokens[2].text, netlist);
        continue;
      }
      netlist.cards.push_back(std::move(card));
    }
    if (control_block) throw NetlistError(*control_block, "'.control' block has no '.endc'");
    if (skipped_section) throw NetlistError(*skipped_section, "'.lib' section has no '.endl'");
    if (section && !in_wanted_section)
      throw NetlistError({file, 0, 0}, fmt::format("library section '{}' not found in '{}'", *section, file.str()));
    if (section) throw NetlistError({file, 0, 0}, fmt::format("library section '{}' has no '.endl'", *section));
  }

  void include(const std::filesystem::path& path, const SourceLocation& where, const std::optional<std::string>& section,
               NetlistText& netlist) {
    std::string name = path.string();
    if (std::find(stack_.begin(), stack_.end(), name) != stack_.end() && !section)
      throw NetlistError(where, fmt::format("'{}' includes itself", name));
    if (stack_.size() > 64) throw NetlistError(where, "includes nested more than 64 deep");
    std::string content = load_file(path, where, section ? "library" : "include file");
    stack_.push_back(name);
    read_cards(split_lines(content), name, path.parent_path(), section, netlist, false);
    stack_.pop_back();
  }
};

}  // namespace

SourceLocation Card::location_at(std::size_t offset) const {
  const Segment* segment = &segments.front();
  for (std::size_t k = 1; k < segments.size(); ++k)
    if (segments[k].offset <= offset) segment = &segments[k];
  SourceLocation location = segment->where;
  location.column += static_cast<int>(offset - std::min(offset, segment->offset));
  return location;
}

std::vector<Token> tokenize(const Card& card) {
  std::vector<Token> tokens;
  tokens.reserve(8);
  const std::string& text = card.text;
  std::size_t i = 0;
  auto push = [&](TokenKind kind, std::size_t start, std::string_view original, std::size_t offset) {
    Token& token = tokens.emplace_back();
    token.kind = kind;
    token.original.assign(original);
    token.text.assign(original);
    for (char& c : token.text)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');  // netlists are ASCII; no locale lookups
    token.offset = offset;
    token.where = card.location_at(start);
  };
  while (i < text.size()) {
    char c = text[i];
    if (is_space(c)) {
      ++i;
      continue;
    }
    std::size_t start = i;
    switch (c) {
      case '=': push(TokenKind::equals, start, "=", start); ++i; continue;
      case '(': push(TokenKind::open_paren, start, "(", start); ++i; continue;
      case ')': push(TokenKind::close_paren, start, ")", start); ++i; continue;
      case ',': push(TokenKind::comma, start, ",", start); ++i; continue;
      case '}': throw NetlistError(card.location_at(start), "'}' without a matching '{'");
      case '{': {
        int depth = 0;
        std::size_t j = i;
        for (; j < text.size(); ++j) {
          if (text[j] == '{') ++depth;
          if (text[j] == '}' && --depth == 0) break;
        }
        if (j == text.size()) throw NetlistError(card.location_at(start), "'{' without a matching '}'");
        push(TokenKind::expression, start, std::string_view(text).substr(i + 1, j - i - 1), start);
        tokens.back().offset = start + 1;
        i = j + 1;
        continue;
      }
      case '\'':
      case '"': {
        std::size_t j = text.find(c, i + 1);
        if (j == std::string::npos)
          throw NetlistError(card.location_at(start), fmt::format("unterminated {} quote", c == '"' ? "double" : "single"));
        push(c == '\'' ? TokenKind::expression : TokenKind::word, start, std::string_view(text).substr(i + 1, j - i - 1),
             start + 1);
        i = j + 1;
        continue;
      }
      default: break;
    }
    std::size_t j = i;
    while (j < text.size() && !ends_word(text[j])) ++j;
    push(TokenKind::word, start, std::string_view(text).substr(i, j - i), start);
    i = j;
  }
  return tokens;
}

NetlistText read_netlist_string(std::string_view text, const std::string& name,
                                const std::filesystem::path& base_directory, const DiagnosticSink& sink) {
  Reader reader(sink);
  return reader.read_top(text, name, base_directory);
}

NetlistText read_netlist_file(const std::filesystem::path& path, const DiagnosticSink& sink) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw NetlistError({path.string(), 0, 0}, "cannot open netlist file");
  std::ostringstream content;
  content << stream.rdbuf();
  std::filesystem::path directory = path.parent_path();
  return read_netlist_string(content.str(), path.string(), directory.empty() ? "." : directory, sink);
}

}  // namespace xbarsim
