// Unit tests of the netlist reader: logical lines, comments, continuations, tokens, locations.
#include <doctest/doctest.h>

#include "core/netlist_reader.h"

using namespace xbarsim;

namespace {

NetlistText read(std::string_view text, std::vector<Diagnostic>* notes = nullptr) {
  DiagnosticSink sink = [&](const Diagnostic& diagnostic) {
    if (notes) notes->push_back(diagnostic);
  };
  return read_netlist_string(text, "t.cir", ".", sink);
}

}  // namespace

TEST_CASE("the first line is the title, even when it looks like a card") {
  NetlistText netlist = read("R1 a b 1k\nV1 a 0 1\n");
  CHECK(netlist.title == "R1 a b 1k");
  const std::vector<Card> cards = element_cards(netlist);
  REQUIRE(cards.size() == 1);
  CHECK(cards[0].tokens[0].text == "v1");
}

TEST_CASE("comments, inline comments and continuation lines") {
  NetlistText netlist = read("title\n* comment\nR1 A\n* between\n+ B 1K ; inline\nV1 a 0 $ dollar comment\n+ 5\n");
  const std::vector<Card> cards = element_cards(netlist);
  REQUIRE(cards.size() == 2);
  const Card& resistor = cards[0];
  REQUIRE(resistor.tokens.size() == 4);
  CHECK(resistor.tokens[1].text == "a");
  CHECK(resistor.tokens[2].text == "b");
  CHECK(resistor.tokens[2].original == "B");
  CHECK(resistor.tokens[3].text == "1k");
  // Locations map back across the continuation line.
  CHECK(resistor.tokens[2].where.line == 5);
  CHECK(resistor.tokens[2].where.column == 3);
  CHECK(cards[1].tokens.size() == 4);
  CHECK(cards[1].tokens[3].text == "5");
}

TEST_CASE("tokens: punctuation, braces and quotes") {
  const std::vector<Card> cards = element_cards(read("t\nV1 a 0 PULSE(0 {vdd*2} 1n, 2n) r='x + 1'\n"));
  const auto& tokens = cards[0].tokens;
  REQUIRE(tokens.size() == 14);
  CHECK(tokens[4].kind == TokenKind::open_paren);
  CHECK(tokens[6].kind == TokenKind::expression);
  CHECK(tokens[6].text == "vdd*2");
  CHECK(tokens[6].where.column == 16);
  CHECK(tokens[8].kind == TokenKind::comma);
  CHECK(tokens[10].kind == TokenKind::close_paren);
  CHECK(tokens[11].text == "r");
  CHECK(tokens[12].kind == TokenKind::equals);
  CHECK(tokens[13].kind == TokenKind::expression);
  CHECK(tokens[13].text == "x + 1");
}

TEST_CASE(".control blocks and lines after .end are skipped with a note") {
  std::vector<Diagnostic> notes;
  NetlistText netlist = read("t\nR1 a 0 1\n.control\nrun\n.endc\n.end\nR2 b 0 1\n", &notes);
  CHECK(netlist.cards.empty());
  CHECK(element_cards(netlist).size() == 1);
  REQUIRE(notes.size() == 2);
  CHECK(notes[0].message.find(".control") != std::string::npos);
  CHECK(notes[1].where.line == 7);
}

TEST_CASE("reader errors carry locations") {
  auto error_of = [](std::string_view text) -> std::string {
    try {
      element_cards(read(text));  // element lines are tokenised when they are elaborated
    } catch (const NetlistError& error) {
      return error.what();
    }
    return "";
  };
  CHECK(error_of("t\n+ R1 a b 1\n") == "t.cir:2:1: error: continuation line '+' with no line before it to continue");
  CHECK(error_of("t\nR1 a b {1+2\n") == "t.cir:2:8: error: '{' without a matching '}'");
  CHECK(error_of("t\n.include missing.inc\n").starts_with("t.cir:2:10: error: cannot open include file"));
  CHECK(error_of("t\n.control\nrun\n") == "t.cir:2:1: error: '.control' block has no '.endc'");
}

TEST_CASE("top-level element lines stay text; subcircuit bodies and directives are cards") {
  NetlistText netlist = read("t\nR1 a b 1\n.subckt cell p n\nRc p n 1\n.ends\nR2 b 0\n+ 2\n.op\nR3 b c 3\n");
  REQUIRE(netlist.cards.size() == 4);  // .subckt, Rc, .ends, .op
  CHECK(netlist.cards[1].tokens[0].text == "rc");
  REQUIRE(netlist.element_lines.size() == 3);  // each card ends a run: R1 | R2 with its continuation | R3
  const std::vector<Card> cards = element_cards(netlist);
  REQUIRE(cards.size() == 3);
  CHECK(cards[1].tokens.size() == 4);
  CHECK(cards[1].tokens[3].where.line == 7);
  CHECK(cards[2].where.line == 9);

  // Each run counts its element lines by letter (either case), continuations not counted.
  NetlistText counted = read("t\nR1 a b 1\nr2 b c 2\n+ 3\nV1 a 0 1\n* note\nC1 c 0 1p\nR3 c 0 1\n");
  REQUIRE(counted.element_lines.size() == 1);
  const ElementLines& lines = counted.element_lines.front();
  CHECK(lines.count == 5);
  CHECK(lines.by_letter['r' - 'a'] == 3);
  CHECK(lines.by_letter['v' - 'a'] == 1);
  CHECK(lines.by_letter['c' - 'a'] == 1);
  CHECK(lines.by_letter['d' - 'a'] == 0);
}

TEST_CASE("plain element lines: four words of at most 64 characters, lower-cased") {
  const std::string fill_64 = "R4 a " + std::string(57, 'x') + " 1";  // 64 characters
  const std::string fill_65 = "R5 a " + std::string(58, 'x') + " 1";
  const std::string text = "t\nRcell\tNodeA  nodeB 1K\r\nRX Ab cD 2MEG\nR2 a b c d\nR3 a b r=1\n" + fill_64 + "\n" + fill_65 +
                           "\nR6 a b 1\n+ 2\n R7 a b 3\nR8 A B 4";  // the last line ends the content
  NetlistText netlist = read(text);
  REQUIRE(netlist.element_lines.size() == 1);
  ElementLineReader reader(netlist.element_lines.front());
  ElementLine line;
  auto words = [&line] { return std::vector<std::string>(line.words.begin(), line.words.end()); };
  using Words = std::vector<std::string>;

  REQUIRE(reader.next(line));  // tabs, runs of spaces, a carriage return; capitals in three words
  REQUIRE(line.plain);
  CHECK(words() == Words{"rcell", "nodea", "nodeb", "1k"});
  CHECK(line.line_number == 2);
  REQUIRE(reader.next(line));
  REQUIRE(line.plain);
  CHECK(words() == Words{"rx", "ab", "cd", "2meg"});
  REQUIRE(reader.next(line));  // five words
  CHECK_FALSE(line.plain);
  CHECK(line.card.tokens.size() == 5);
  REQUIRE(reader.next(line));  // punctuation
  CHECK_FALSE(line.plain);
  CHECK(line.card.tokens.size() == 6);
  REQUIRE(reader.next(line));
  REQUIRE(line.plain);
  CHECK(words() == Words{"r4", "a", std::string(57, 'x'), "1"});
  REQUIRE(reader.next(line));  // too long for the plain path: a card, with the same words
  CHECK_FALSE(line.plain);
  REQUIRE(line.card.tokens.size() == 4);
  CHECK(line.card.tokens[2].text == std::string(58, 'x'));
  REQUIRE(reader.next(line));  // continued
  CHECK_FALSE(line.plain);
  CHECK(line.card.tokens.size() == 5);
  REQUIRE(reader.next(line));  // indented
  CHECK_FALSE(line.plain);
  CHECK(line.card.tokens.size() == 4);
  REQUIRE(reader.next(line));
  REQUIRE(line.plain);
  CHECK(words() == Words{"r8", "a", "b", "4"});
  CHECK_FALSE(reader.next(line));
}
