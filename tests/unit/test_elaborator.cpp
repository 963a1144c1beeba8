// Unit tests of elaboration: parameters, subcircuit expansion and naming, directives, and every
// bad-input class with its message and location.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "core/circuit.h"
#include "netlist_test_support.h"

using namespace xbarsim;
using xbarsim::testing::netlist_error;
using xbarsim::testing::parse_netlist;

TEST_CASE("subcircuits expand with ngspice's hierarchical names") {
  auto parsed = parse_netlist(
      "t\n"
      ".subckt inner p q\nRi p q 1k\nVi p m 0\nRm m q 1k\n.ends\n"
      ".subckt outer p q\nX2 p mid inner\nRo mid q 1k\n.ends\n"
      "V1 a 0 1\nX1 a 0 outer\n.op\n");
  const Circuit& circuit = parsed.circuit;
  CHECK(circuit.find_node("x1.mid"));
  CHECK(circuit.find_node("x1.x2.m"));
  CHECK_FALSE(circuit.find_node("mid"));
  CHECK(circuit.branch_of("v.x1.x2.vi"));
  CHECK(circuit.branch_of("v1"));
  CHECK(circuit.device_count() == 7);  // V1, X1, X1.X2, Ri, Vi, Rm, Ro
}

TEST_CASE("parameters: globals, subcircuit defaults, instance overrides, unbraced .param expressions") {
  auto parsed = parse_netlist(
      "t\n.param base=2 derived={base*3} plain = base + 1\n"
      ".subckt s a params: r={derived*1k}\nR1 a 0 {r}\n.ends\n"
      "V1 n 0 1\nX1 n s\nX2 n s r={plain}\n.dc V1 0 {derived} {base/2}\n");
  const auto& sweep = std::get<DcSweepRequest>(parsed.circuit.analyses.at(0)).sweeps.at(0);
  CHECK(sweep.stop == doctest::Approx(6.0));
  CHECK(sweep.step == doctest::Approx(1.0));
}

TEST_CASE("directives: options, temperature, .ic, .nodeset, .save") {
  auto parsed = parse_netlist(
      "t\nV1 a 0 1\nR1 a b 1k\nR2 b 0 1k\n.options reltol=1e-5 method=gear interp bogus=3\n.temp 50\n"
      ".ic v(b)=0.25\n.nodeset v(a)=0.9\n.save v(b) i(v1) v(nothere)\n.op\n");
  const Circuit& circuit = parsed.circuit;
  CHECK(circuit.options.reltol == doctest::Approx(1e-5));
  CHECK(circuit.options.method == IntegrationMethod::gear);
  CHECK(circuit.options.interpolate);
  CHECK(circuit.options.temperature == doctest::Approx(50));
  REQUIRE(circuit.initial_conditions.size() == 1);
  CHECK(circuit.initial_conditions[0].value == doctest::Approx(0.25));
  REQUIRE(circuit.nodesets.size() == 1);
  CHECK(circuit.saved_vectors == std::vector<std::string>{"v(b)", "i(v1)", "v(nothere)"});
  // Unknown option and unknown .save vector: warnings with locations, never errors.
  REQUIRE(parsed.diagnostics.size() == 2);
  CHECK(parsed.diagnostics[0].to_string() == "test.cir:5:41: warning: unknown or unsupported option 'bogus' ignored");
  CHECK(parsed.diagnostics[1].where.line == 9);
}

TEST_CASE("bad input: each class gets file:line:col and a message") {
  CHECK(netlist_error("t\nQ1 a b c npn\n") == "test.cir:2:1: error: unknown element type 'Q' in 'Q1'");
  CHECK(netlist_error("t\n.frob\n") == "test.cir:2:1: error: unknown directive '.frob'");
  CHECK(netlist_error("t\nR1 a 0 1x2\n") == "test.cir:2:8: error: malformed number '1x2'");
  CHECK(netlist_error("t\nR1 a\n") == "test.cir:2:5: error: 'r1' needs more fields (field 4 is missing)");
  CHECK(netlist_error("t\nE1 a 0 b\n") == "test.cir:2:9: error: too few fields for 'e1'; usage: Ename n+ n- nc+ nc- gain");
  CHECK(netlist_error("t\nR1 a 0 1k 2k\n") == "test.cir:2:11: error: expected 'name=value', got '2k'");
  CHECK(netlist_error("t\n.subckt s a b\nR1 a b 1\n.ends\nX1 a s\n") ==
        "test.cir:5:1: error: 'X1' connects 1 nodes but subcircuit 's' has 2 pins");
  CHECK(netlist_error("t\nR1 a 0 {rx}\n") == "test.cir:2:9: error: undefined parameter 'rx'");
  CHECK(netlist_error("t\nX1 a 0 nothere\n") == "test.cir:2:8: error: undefined subcircuit 'nothere'");
  CHECK(netlist_error("t\n.subckt s a\nX1 a s\n.ends\nX1 n s\n") ==
        "test.cir:3:6: error: subcircuit 's' instantiates itself (recursive subcircuit)");
  CHECK(netlist_error("t\nR1 a 0 1\nR1 b 0 1\n") == "test.cir:3:1: error: duplicate element name 'R1'");
  CHECK(netlist_error("t\n.subckt s a\nR1 a 0 1\n") == "test.cir:2:1: error: subcircuit 's' has no '.ends'");
  CHECK(netlist_error("t\n.ends\n") == "test.cir:2:1: error: '.ends' without a '.subckt' before it");
  CHECK(netlist_error("t\nR1 a 0 0\n") == "test.cir:2:8: error: resistor 'r1' has zero resistance");
  CHECK(netlist_error("t\nF1 a 0 vnone 2\nR1 a 0 1\n") ==
        "test.cir:2:8: error: controlling device 'vnone' is not a voltage source or inductor in this circuit");
  CHECK(netlist_error("t\nX1 a s r=1\n.subckt s a params: q=1\n.ends\n") == "test.cir:2:8: error: subcircuit 's' has no parameter 'r'");
  CHECK(netlist_error("t\nV1 a 0 PULSE(0 1 2\n") == "test.cir:2:19: error: missing ')' after pulse values");
  CHECK(netlist_error("t\n.ic v(zz)=1\n") == "test.cir:2:7: error: unknown node 'zz'");
  CHECK(netlist_error("t\nV1 a 0 1\n.dc V1 0 1 0\n") == "test.cir:3:12: error: '.dc' step must be non-zero and point from start to stop");
}

TEST_CASE("a large netlist's device names are checked on a second thread, with the same errors") {
  // 150 000 resistors: past Circuit::reserve's threshold, so a NameCollector gathers the names.
  auto ladder = [](int count, int repeated_line) {
    std::string text = "large ladder\nV1 n0 0 1\n";
    for (int k = 0; k < count; ++k) {
      const int name = k == repeated_line ? 7 : k;
      text += fmt::format("R{} n{} n{} 1\n", name, k, k + 1);
    }
    return text + fmt::format("R_end n{} 0 1\n.op\n.end\n", count);
  };
  Circuit circuit = parse_netlist(ladder(150000, -1)).circuit;
  CHECK(circuit.device_count() == 150002);
  CHECK(!circuit.duplicate_device());
  CHECK(circuit.device_name(0) == "v1");
  CHECK(circuit.device_name(1) == "r0");
  CHECK(circuit.device_name(150000) == "r149999");
  CHECK(circuit.device_name(150001) == "r_end");
  // R7 again as resistor 123456, on line 123459 (after the title, V1 and resistors 0 to 123455).
  CHECK(netlist_error(ladder(150000, 123456)) == "test.cir:123459:1: error: duplicate element name 'R7'");
}
