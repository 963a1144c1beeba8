// NetlistReader: turns netlist files into logical lines ("cards") of tokens, ngspice style.
//
// Handles the title line, `*` comment lines, `;` and `$ ` inline comments, `+` continuation lines,
// `.include file` and `.lib file section` (paths relative to the including file), `.control`
// blocks and everything after `.end` (skipped with a note). Text is case-insensitive: every token
// is lower-cased except where the original spelling matters (file names), which is kept too.
// Tokens: words, `=`, `(`, `)`, `,`, and `{...}` / `'...'` expressions kept whole. Each token knows
// its source location, so later stages report `file:line:col: error: ...`.
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "core/source_text.h"
#include "core/source_location.h"

namespace xbarsim {

enum class TokenKind { word, equals, open_paren, close_paren, comma, expression };

struct Token {
  TokenKind kind = TokenKind::word;
  std::string text;      // lower-cased; for expressions, the text inside the braces or quotes
  std::string original;  // as written (file names keep their case)
  SourceLocation where;
  std::size_t offset = 0;  // offset of the token's first character in Card::text

  bool is(std::string_view word) const { return kind == TokenKind::word && text == word; }
};

// One logical line: a physical line plus its `+` continuations, without comments.
struct Card {
  std::vector<Token> tokens;
  std::string text;  // the joined logical line (original case), continuations separated by a space
  SourceLocation where;

  // Location of a character offset in `text` (maps back across continuation lines).
  SourceLocation location_at(std::size_t offset) const;

  struct Segment {
    std::size_t offset;    // where this physical line's text starts in `text`
    SourceLocation where;  // where that character is in the file
  };
  std::vector<Segment> segments;
};

// A run of top-level element lines: whole physical lines of one file (comment and blank lines
// and `+` continuations included), in netlist order.
struct ElementLines {
  std::shared_ptr<const SourceText> content;  // the file's text
  FileName file;
  std::size_t begin = 0, end = 0;  // byte range in `content`
  int first_line = 1;              // line number of `begin`
  std::size_t count = 0;           // logical lines (elements)
  std::array<std::size_t, 26> by_letter{};  // of them, how many start with each letter a-z (either case)
};

struct NetlistText {
  std::string title;
  SourceLocation title_location;
  // Directives, `.subckt` definitions with their bodies, in order, includes expanded in place;
  // `.end`, `.control` blocks, `.include`, `.lib` and `.title` removed.
  std::vector<Card> cards;
  std::vector<ElementLines> element_lines;  // the top level's element lines, in order
};

// One logical element line as ElementLineReader::next gives it: a card, or, for a line of exactly
// four plain words on one physical line of at most 64 characters (`R1 a b 1k`: no continuation,
// comment, quote, brace or punctuation; the bulk of a generated array), just the words, lower-cased, which costs far less
// than a card. The words stay valid until the line is read into again.
struct ElementLine {
  bool plain = false;
  std::array<std::string_view, 4> words;  // plain: the words, lower-cased
  Card card;                              // not plain: the card
  // A plain line's text and line number, from which ElementLineReader::make_card makes its card.
  std::string_view text;
  int line_number = 0;
  std::string lowered;  // storage of the words written with capitals (the others view the text)
};

// Reads the logical lines of ElementLines one at a time into a reused ElementLine (its strings and
// tokens keep their capacity from line to line).
class ElementLineReader {
 public:
  explicit ElementLineReader(const ElementLines& lines);
  bool next(ElementLine& line);  // false when there are no more lines
  bool next(Card& card);         // every line as a card
  // Turns a plain line into the card next(Card&) would have made of it.
  void make_card(ElementLine& line) const;

 private:
  const ElementLines& lines_;
  std::size_t position_;
  const char* content_end() const { return lines_.content->text().data() + lines_.content->text().size(); }
  int line_;
  // The line after the last one read, looked at to see that it starts a new logical line: where
  // the next read begins, without searching for its end again.
  struct LookAhead {
    std::string_view text;
    std::size_t begin = static_cast<std::size_t>(-1), next = 0;
  } look_ahead_;

  // next() for the common case, a logical line of one physical line found by the last read;
  // false (nothing read) otherwise.
  bool next_single_line(ElementLine& element);
};

// Every top-level element line as a card (tests and small tools; the elaborator streams them).
std::vector<Card> element_cards(const NetlistText& netlist);

// Splits one line of text into tokens (used for cards and for option strings given on the CLI).
std::vector<Token> tokenize(const Card& card);
// Same, into `tokens`, reusing its elements' storage.
void tokenize(const Card& card, std::vector<Token>& tokens);

// Reads a top-level netlist file. Throws NetlistError on unreadable files, missing includes,
// include cycles, unterminated `.control` or `.lib` sections and malformed tokens.
NetlistText read_netlist_file(const std::filesystem::path& path, const DiagnosticSink& sink);

// Same, for netlist text held in memory (`name` is used in locations; includes resolve relative
// to `base_directory`).
NetlistText read_netlist_string(std::string_view text, const std::string& name,
                                const std::filesystem::path& base_directory, const DiagnosticSink& sink);

}  // namespace xbarsim
