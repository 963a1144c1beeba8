#include "core/netlist_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
  // Most lines have no comment at all: two vectorised searches settle that.
  if (!std::memchr(line.data(), ';', line.size()) && !std::memchr(line.data(), '$', line.size())) return line;
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

// The first '\n' in [begin, end), or null. Inline, 16 bytes at a time: a netlist's lines are
// a few dozen bytes, where a memchr call costs more than the search.
const char* find_newline(const char* begin, const char* end) {
#ifdef __SSE2__
  const __m128i newline = _mm_set1_epi8('\n');
  for (; end - begin >= 16; begin += 16) {
    const int found = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(begin)), newline));
    if (found != 0) return begin + __builtin_ctz(static_cast<unsigned>(found));
  }
#endif
  for (; begin < end; ++begin)
    if (*begin == '\n') return begin;
  return nullptr;
}

struct PhysicalLine {
  std::string_view text;  // without the line break
  int number = 0;
  std::size_t begin = static_cast<std::size_t>(-1), next = 0;  // offsets of the line and of the line after it in the content
};

// Walks the physical lines of a byte range of a file's content.
class PhysicalLines {
 public:
  PhysicalLines(std::string_view content, std::size_t begin, std::size_t end, int first_line, const PhysicalLine& unread = {})
      : content_(content.substr(0, end)), position_(begin), number_(first_line), unread_(unread) {}

  bool next(PhysicalLine& line) {
    if (position_ >= content_.size()) return false;
    std::size_t stop = content_.size(), after = stop;
    if (position_ == unread_.begin) {  // the line read last, again: its end is known
      stop = unread_.begin + unread_.text.size();
      after = unread_.next;
    } else if (const char* newline = find_newline(content_.data() + position_, content_.data() + content_.size())) {
      stop = static_cast<std::size_t>(newline - content_.data());
      after = stop + 1;
    }
    line.text = content_.substr(position_, stop - position_);
    if (position_ != unread_.begin && !line.text.empty() && line.text.back() == '\r') line.text.remove_suffix(1);
    line.number = number_++;
    line.begin = position_;
    line.next = after;
    position_ = line.next;
    return true;
  }
  // Steps back to `line` (which next() returned last) so that next() returns it again.
  void unread(const PhysicalLine& line) {
    position_ = line.begin;
    number_ = line.number;
    unread_ = line;
  }
  const PhysicalLine& unread_line() const { return unread_; }
  std::size_t position() const { return position_; }
  int line_number() const { return number_; }

 private:
  std::string_view content_;
  std::size_t position_;
  int number_;
  PhysicalLine unread_;  // the line unread() stepped back to, if any
};

// What a physical line is: blank or comment only, the start of a logical line, or a `+`
// continuation of the one before. `first` is the offset of its first non-space character.
enum class LineKind { blank, start, continuation };

LineKind classify(std::string_view text, std::size_t& first) {
  first = 0;
  while (first < text.size() && is_space(text[first])) ++first;
  if (first == text.size()) return LineKind::blank;
  const char lead = text[first];
  if (lead == '*' || lead == ';') return LineKind::blank;
  if (lead == '$' && (first + 1 == text.size() || is_space(text[first + 1]))) return LineKind::blank;
  return lead == '+' ? LineKind::continuation : LineKind::start;
}

void start_card(Card& card, const PhysicalLine& line, std::size_t first, const FileName& file) {
  card.where = {file, line.number, static_cast<int>(first + 1)};
  card.text.assign(strip_inline_comment(line.text));
  card.segments.clear();
  card.segments.push_back({0, {file, line.number, 1}});
}

void continue_card(Card& card, const PhysicalLine& line, std::size_t first, const FileName& file) {
  const std::string_view body = strip_inline_comment(line.text);
  card.text += ' ';
  card.segments.push_back({card.text.size(), {file, line.number, static_cast<int>(first + 2)}});
  if (body.size() > first + 1) card.text.append(body.substr(first + 1));
}

class Reader {
 public:
  explicit Reader(const DiagnosticSink& sink) : sink_(sink) {}

  NetlistText read_top(std::shared_ptr<const SourceText> content, const std::string& name, const std::filesystem::path& directory) {
    NetlistText netlist;
    PhysicalLines lines(content->text(), 0, content->text().size(), 1);
    PhysicalLine title;
    std::size_t begin = 0;
    if (lines.next(title)) {
      netlist.title = std::string(title.text);
      while (!netlist.title.empty() && is_space(netlist.title.back())) netlist.title.pop_back();
      netlist.title_location = {name, 1, 1};
      begin = title.next;
    }
    stack_.push_back(name);
    read_lines(content, begin, 2, name, directory, std::nullopt, netlist, /*top_level=*/true);
    stack_.pop_back();
    return netlist;
  }

 private:
  const DiagnosticSink& sink_;
  std::vector<std::string> stack_;  // files being read, for include-cycle detection
  int subcircuit_depth_ = 0;        // open `.subckt` definitions: their element lines become cards

  // State of one file (or library section) being read.
  struct FileState {
    const FileName& file;
    const std::filesystem::path& directory;
    const std::optional<std::string>& section;
    NetlistText& netlist;
    bool top_level;
    bool in_wanted_section;
    std::optional<SourceLocation> skipped_section;  // inside a `.lib name` block we do not read
    std::optional<SourceLocation> control_block;
  };

  // Reads the lines of `content` from `begin` into `netlist`. When `section` is set, only the
  // `.lib section` ... `.endl` block of that name is read (library file mode).
  void read_lines(const std::shared_ptr<const SourceText>& content, std::size_t begin, int first_line, const FileName& file,
                  const std::filesystem::path& directory, const std::optional<std::string>& section, NetlistText& netlist,
                  bool top_level) {
    FileState state{file, directory, section, netlist, top_level, !section.has_value(), std::nullopt, std::nullopt};
    enum class Current { none, card, element, skipped } current = Current::none;
    Card card;
    constexpr std::size_t kNoRun = static_cast<std::size_t>(-1);
    std::size_t run = kNoRun;  // index of the open ElementLines run in netlist.element_lines
    PhysicalLines lines(content->text(), begin, content->text().size(), first_line);
    PhysicalLine line;
    std::size_t first = 0;
    bool finished = false;
    while (!finished && lines.next(line)) {
      const LineKind kind = classify(line.text, first);
      if (kind == LineKind::blank) continue;
      if (kind == LineKind::continuation) {
        if (current == Current::none)
          throw NetlistError({file, line.number, static_cast<int>(first + 1)}, "continuation line '+' with no line before it to continue");
        if (current == Current::card) continue_card(card, line, first, file);
        if (current == Current::element) netlist.element_lines[run].end = line.next;
        continue;
      }
      if (current == Current::card) {
        finished = process(card, state);
        if (finished) {
          lines.unread(line);
          break;
        }
      }
      const bool directive = line.text[first] == '.';
      const bool skipping = state.skipped_section || !state.in_wanted_section;
      if (directive || (!state.control_block && !skipping && subcircuit_depth_ > 0)) {
        start_card(card, line, first, file);
        current = Current::card;
        run = kNoRun;
      } else if (state.control_block || skipping) {
        current = Current::skipped;
        run = kNoRun;
      } else {
        if (run != kNoRun) {
          netlist.element_lines[run].end = line.next;
        } else {
          run = netlist.element_lines.size();
          netlist.element_lines.push_back({content, file, line.begin, line.next, line.number, 0});
        }
        ElementLines& lines = netlist.element_lines[run];
        ++lines.count;
        const unsigned letter = static_cast<unsigned>((line.text[first] | 0x20) - 'a');  // ASCII lower case
        if (letter < lines.by_letter.size()) ++lines.by_letter[letter];
        current = Current::element;
      }
    }
    if (!finished && current == Current::card) finished = process(card, state);
    if (finished) {
      if (state.top_level) note_ignored_lines(lines, file);
      return;
    }
    if (state.control_block) throw NetlistError(*state.control_block, "'.control' block has no '.endc'");
    if (state.skipped_section) throw NetlistError(*state.skipped_section, "'.lib' section has no '.endl'");
    if (section && !state.in_wanted_section)
      throw NetlistError({file, 0, 0}, fmt::format("library section '{}' not found in '{}'", *section, file.str()));
    if (section) throw NetlistError({file, 0, 0}, fmt::format("library section '{}' has no '.endl'", *section));
  }

  void note_ignored_lines(PhysicalLines& lines, const FileName& file) {
    PhysicalLine line;
    std::size_t first = 0;
    while (lines.next(line)) {
      if (classify(line.text, first) == LineKind::blank) continue;
      sink_({Severity::note, {file, line.number, static_cast<int>(first + 1)}, "lines after '.end' are ignored"});
      return;
    }
  }

  // Handles one non-element logical line; true when the file (or library section) ends here.
  bool process(Card& card, FileState& state) {
    card.tokens = tokenize(card);
    if (card.tokens.empty()) return false;
    const Token& head = card.tokens.front();
    if (state.control_block) {
      if (head.is(".endc")) state.control_block.reset();
      return false;
    }
    if (head.is(".control")) {
      state.control_block = card.where;
      sink_({Severity::note, card.where, ".control block ignored: xbarsim runs the analyses given as dot-commands"});
      return false;
    }
    if (head.is(".endc")) throw NetlistError(head.where, "'.endc' without a '.control' before it");
    if (head.is(".lib") && card.tokens.size() == 2) {  // `.lib name`: start of a section definition
      if (state.section && card.tokens[1].text == *state.section) {
        state.in_wanted_section = true;
      } else {
        state.skipped_section = card.where;
      }
      return false;
    }
    if (head.is(".endl")) {
      if (state.skipped_section) {
        state.skipped_section.reset();
      } else if (state.section && state.in_wanted_section) {
        return true;
      } else {
        throw NetlistError(head.where, "'.endl' without a '.lib name' before it");
      }
      return false;
    }
    if (state.skipped_section || !state.in_wanted_section) return false;
    if (head.is(".end")) return true;
    if (head.is(".title")) {
      const std::size_t start = card.text.find_first_not_of(" \t", head.offset + 6);
      state.netlist.title = start == std::string::npos ? std::string() : card.text.substr(start);
      return false;
    }
    if (head.is(".include") || head.is(".inc")) {
      if (card.tokens.size() != 2) throw NetlistError(head.where, "'.include' takes one file name");
      include(resolve(state.directory, card.tokens[1]), card.tokens[1].where, std::nullopt, state.netlist);
      return false;
    }
    if (head.is(".lib")) {
      if (card.tokens.size() != 3) throw NetlistError(head.where, "'.lib' takes a file name and a section name");
      include(resolve(state.directory, card.tokens[1]), card.tokens[1].where, card.tokens[2].text, state.netlist);
      return false;
    }
    if (head.is(".subckt")) ++subcircuit_depth_;
    if (head.is(".ends") && subcircuit_depth_ > 0) --subcircuit_depth_;
    state.netlist.cards.push_back(std::move(card));
    card = Card();
    return false;
  }

  std::filesystem::path resolve(const std::filesystem::path& directory, const Token& token) {
    std::filesystem::path path(token.original);
    if (path.is_relative()) path = directory / path;
    return path.lexically_normal();
  }

  void include(const std::filesystem::path& path, const SourceLocation& where, const std::optional<std::string>& section,
               NetlistText& netlist) {
    std::string name = path.string();
    if (std::find(stack_.begin(), stack_.end(), name) != stack_.end() && !section)
      throw NetlistError(where, fmt::format("'{}' includes itself", name));
    if (stack_.size() > 64) throw NetlistError(where, "includes nested more than 64 deep");
    auto content = SourceText::from_file(path);
    if (!content) throw NetlistError(where, fmt::format("cannot open {} '{}'", section ? "library" : "include file", name));
    stack_.push_back(name);
    read_lines(content, 0, 1, name, path.parent_path(), section, netlist, false);
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
  tokenize(card, tokens);
  return tokens;
}

void tokenize(const Card& card, std::vector<Token>& tokens) {
  std::size_t count = 0;
  const std::string& text = card.text;
  std::size_t i = 0;
  auto push = [&](TokenKind kind, std::size_t start, std::string_view original, std::size_t offset) {
    Token& token = count < tokens.size() ? tokens[count] : tokens.emplace_back();
    ++count;
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
        tokens[count - 1].offset = start + 1;
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
  tokens.resize(count);
}

ElementLineReader::ElementLineReader(const ElementLines& lines)
    : lines_(lines), position_(lines.begin), line_(lines.first_line) {}

namespace {

// What each character is to a plain line (ElementLine): part of a word, a separator, or something
// only the tokenizer handles (other white space, punctuation, quotes, braces, comments).
enum class PlainClass : unsigned char { word, separator, other };

constexpr std::array<PlainClass, 256> plain_classes() {
  std::array<PlainClass, 256> classes{};
  for (const char c : std::string_view("\r\f\v=(),{}'\";$")) classes[static_cast<unsigned char>(c)] = PlainClass::other;
  classes[static_cast<unsigned char>(' ')] = classes[static_cast<unsigned char>('\t')] = PlainClass::separator;
  return classes;
}
constexpr std::array<PlainClass, 256> kPlainClasses = plain_classes();

// Where a line's separators, other characters (kPlainClasses) and capitals are: bit i for
// text[i]. Only for lines of at most 64 characters.
struct CharacterMasks {
  std::uint64_t separators = 0, others = 0, capitals = 0;
};

CharacterMasks character_masks(std::string_view text, const char* readable_end) {
  CharacterMasks masks;
  const std::size_t size = text.size();
#ifdef __SSE2__
  // 16 characters at a time where the blocks stay inside the content (bytes past the line are
  // masked off).
  if (text.data() + (size + 15) / 16 * 16 <= readable_end) {
    const auto equal = [](__m128i block, char c) { return _mm_cmpeq_epi8(block, _mm_set1_epi8(c)); };
    for (std::size_t i = 0; i < size; i += 16) {
      const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
      const __m128i separators = _mm_or_si128(equal(block, ' '), equal(block, '\t'));
      __m128i others = _mm_setzero_si128();
      for (const char c : std::string_view("\r\f\v=(),{}'\";$")) others = _mm_or_si128(others, equal(block, c));
      const __m128i capitals = _mm_and_si128(_mm_cmpgt_epi8(block, _mm_set1_epi8('A' - 1)), _mm_cmplt_epi8(block, _mm_set1_epi8('Z' + 1)));
      masks.separators |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(separators))) << i;
      masks.others |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(others))) << i;
      masks.capitals |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(capitals))) << i;
    }
    const std::uint64_t inside = size == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << size) - 1;
    masks.separators &= inside;
    masks.others &= inside;
    masks.capitals &= inside;
    return masks;
  }
#endif
  for (std::size_t i = 0; i < size; ++i) {
    const char c = text[i];
    const PlainClass kind = kPlainClasses[static_cast<unsigned char>(c)];
    masks.separators |= static_cast<std::uint64_t>(kind == PlainClass::separator) << i;
    masks.others |= static_cast<std::uint64_t>(kind == PlainClass::other) << i;
    masks.capitals |= static_cast<std::uint64_t>(c >= 'A' && c <= 'Z') << i;
  }
  return masks;
}

// Splits `text` into `words` when it is four plain words separated by spaces or tabs (see
// ElementLine) of at most 64 characters; false otherwise. A word with capitals is lower-cased into
// `lowered`; the others are views of `text`. `readable_end` is the end of the content around text.
bool split_plain_words(std::string_view text, const char* readable_end, std::string& lowered, std::array<std::string_view, 4>& words) {
  if (text.size() > 64) return false;
  const CharacterMasks masks = character_masks(text, readable_end);
  if (masks.others != 0) return false;
  const std::uint64_t inside = text.size() == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << text.size()) - 1;
  const std::uint64_t in_words = ~masks.separators & inside;
  std::uint64_t starts = in_words & ~(in_words << 1);
  std::uint64_t ends = in_words & ~(in_words >> 1);  // the last character of each word
  lowered.clear();
  if (lowered.capacity() < text.size()) lowered.reserve(text.size());  // views into it stay valid while it grows
  for (std::string_view& word : words) {
    if (starts == 0) return false;  // fewer than four words
    const int first = __builtin_ctzll(starts), last = __builtin_ctzll(ends);
    starts &= starts - 1;
    ends &= ends - 1;
    word = text.substr(static_cast<std::size_t>(first), static_cast<std::size_t>(last - first + 1));
    const std::uint64_t span = (last == 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (last + 1)) - 1) & ~((std::uint64_t{1} << first) - 1);
    std::uint64_t capitals = masks.capitals & span;
    if (capitals == 0) continue;
    const std::size_t offset = lowered.size();
    lowered.append(word);
    for (; capitals != 0; capitals &= capitals - 1) lowered[offset + static_cast<std::size_t>(__builtin_ctzll(capitals) - first)] += 'a' - 'A';
    word = std::string_view(lowered).substr(offset);
  }
  return starts == 0;  // not more than four words
}

}  // namespace

bool ElementLineReader::next(ElementLine& element) {
  if (next_single_line(element)) return true;
  PhysicalLines lines(lines_.content->text(), position_, lines_.end, line_, {look_ahead_.text, line_, look_ahead_.begin, look_ahead_.next});
  PhysicalLine line, start;
  std::size_t first = 0, start_first = 0;
  bool started = false, continued = false;
  while (lines.next(line)) {
    const LineKind kind = classify(line.text, first);
    if (kind == LineKind::blank) continue;
    if (kind == LineKind::start) {
      if (started) {
        lines.unread(line);
        break;
      }
      start = line;
      start_first = first;
      started = true;
    } else if (started) {  // a run always begins with a start line (NetlistReader)
      if (!continued) start_card(element.card, start, start_first, lines_.file);
      continue_card(element.card, line, first, lines_.file);
      continued = true;
    }
  }
  position_ = lines.position();
  line_ = lines.line_number();
  look_ahead_ = {lines.unread_line().text, lines.unread_line().begin, lines.unread_line().next};
  if (!started) return false;
  element.text = start.text;
  element.line_number = start.number;
  element.plain = !continued && start_first == 0 && split_plain_words(start.text, content_end(), element.lowered, element.words);
  if (element.plain) return true;
  if (!continued) start_card(element.card, start, start_first, lines_.file);
  tokenize(element.card, element.card.tokens);
  return true;
}

bool ElementLineReader::next_single_line(ElementLine& element) {
  // The line ahead was found by the last read. It is a whole logical line when it starts with a
  // letter (not blank, a comment or a continuation) and so does the line after it (no `+`
  // continuation follows), or the run ends after it; most lines of a generated netlist are.
  const std::string_view content = lines_.content->text();
  const std::size_t after = look_ahead_.next;
  if (position_ != look_ahead_.begin || position_ >= lines_.end || look_ahead_.text.empty()) return false;
  const auto is_letter = [](char c) { return static_cast<unsigned>((c | 0x20) - 'a') < 26u; };
  if (!is_letter(look_ahead_.text.front())) return false;
  if (after < lines_.end && !is_letter(content[after])) return false;
  const std::string_view text = look_ahead_.text;
  const int number = line_;
  // The new line ahead.
  look_ahead_ = {};
  PhysicalLines lines(content, after, lines_.end, number + 1);
  PhysicalLine ahead;
  if (lines.next(ahead)) look_ahead_ = {ahead.text, ahead.begin, ahead.next};
  position_ = after;
  line_ = number + 1;
  element.text = text;
  element.line_number = number;
  element.plain = split_plain_words(text, content_end(), element.lowered, element.words);
  if (!element.plain) {
    start_card(element.card, PhysicalLine{text, number, 0, 0}, 0, lines_.file);
    tokenize(element.card, element.card.tokens);
  }
  return true;
}

bool ElementLineReader::next(Card& card) {
  ElementLine element;
  element.card = std::move(card);
  const bool have = next(element);
  if (have && element.plain) make_card(element);
  card = std::move(element.card);
  return have;
}

void ElementLineReader::make_card(ElementLine& element) const {
  element.plain = false;
  start_card(element.card, PhysicalLine{element.text, element.line_number, 0, 0}, 0, lines_.file);
  tokenize(element.card, element.card.tokens);
}

std::vector<Card> element_cards(const NetlistText& netlist) {
  std::vector<Card> cards;
  for (const ElementLines& lines : netlist.element_lines) {
    ElementLineReader reader(lines);
    Card card;
    while (reader.next(card)) cards.push_back(card);
  }
  return cards;
}

NetlistText read_netlist_string(std::string_view text, const std::string& name,
                                const std::filesystem::path& base_directory, const DiagnosticSink& sink) {
  Reader reader(sink);
  return reader.read_top(SourceText::from_string(text), name, base_directory);
}

NetlistText read_netlist_file(const std::filesystem::path& path, const DiagnosticSink& sink) {
  auto content = SourceText::from_file(path);
  if (!content) throw NetlistError({path.string(), 0, 0}, "cannot open netlist file");
  std::filesystem::path directory = path.parent_path();
  Reader reader(sink);
  return reader.read_top(content, path.string(), directory.empty() ? "." : directory);
}

}  // namespace xbarsim
