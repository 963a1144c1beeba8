// Unit tests of sweeps: step specifications (netlist and command line), Monte Carlo points and
// their seeds, measurement functions against hand-computed values, PARAM expressions, result-file
// records and resume, and reuse of the symbolic analysis between points.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>

#include "core/measure.h"
#include "core/simulator.h"
#include "core/step_specification.h"
#include "core/sweep.h"
#include "core/sweep_plan.h"
#include "core/sweep_results.h"
#include "netlist_test_support.h"
#include "temporary_directory.h"

using namespace xbarsim;
using xbarsim::testing::netlist_error;
using xbarsim::testing::parse_netlist;

namespace {

Card card_of(const std::string& line) {
  NetlistText text = read_netlist_string("title\n" + line + "\n", "test.cir", ".", [](const Diagnostic&) {});
  return text.cards.front();
}

// A plot with scale x = 0, 1, 2, 3, 4 and v(a) = 0, 2, 4, 2, 0 (a triangle), v(b) = 1 everywhere.
Plot triangle_plot() {
  return Plot{"", "Transient Analysis", true,
              {{"time", Quantity::time, {0, 1, 2, 3, 4}}, {"v(a)", Quantity::voltage, {0, 2, 4, 2, 0}}, {"v(b)", Quantity::voltage, {1, 1, 1, 1, 1}}}};
}

double measure(const std::string& line) { return evaluate_measurement(parse_measure_card(card_of(line)), triangle_plot()); }

}  // namespace

TEST_CASE("step specifications from the netlist") {
  CHECK(parse_step_card(card_of(".step param r list 1k 2k 5k")).values == std::vector<double>{1e3, 2e3, 5e3});
  CHECK(parse_step_card(card_of(".step param r 1 2 0.25")).values == std::vector<double>{1, 1.25, 1.5, 1.75, 2});
  CHECK(parse_step_card(card_of(".step param r lin 0 0.3 0.1")).values == std::vector<double>{0, 0.1, 0.2, 0.3});
  const SteppedParameter decade = parse_step_card(card_of(".step param r dec 1k 100k 2"));
  REQUIRE(decade.values.size() == 5);
  CHECK(decade.logarithmic);
  CHECK(decade.values[1] == doctest::Approx(1e3 * std::sqrt(10.0)));
  CHECK(decade.values[4] == doctest::Approx(1e5));
  CHECK(parse_step_card(card_of(".step oct param c 1n 8n 1")).values == std::vector<double>{1e-9, 2e-9, 4e-9, 8e-9});
  CHECK(parse_step_card(card_of(".step param c oct 1n 8n 1")).name == "c");
  CHECK_THROWS_AS(parse_step_card(card_of(".step r 1 2 1")), NetlistError);
  CHECK_THROWS_AS(parse_step_card(card_of(".step param r 1 2 -1")), NetlistError);
  CHECK_THROWS_AS(parse_step_card(card_of(".step param r dec 1 10")), NetlistError);
}

TEST_CASE("step specifications from the command line") {
  CHECK(parse_step_option("R=list:1,2,5").values == std::vector<double>{1, 2, 5});
  CHECK(parse_step_option("R=list:1,2,5").name == "r");
  CHECK(parse_step_option("x=lin:0,10,11").values.size() == 11);
  CHECK(parse_step_option("x=lin:0,1,5").values == std::vector<double>{0, 0.25, 0.5, 0.75, 1});
  CHECK(parse_step_option("x=step:0,1,0.5").values == std::vector<double>{0, 0.5, 1});
  const SteppedParameter decade = parse_step_option("f=dec:1k,1meg,5");
  CHECK(decade.values.size() == 16);
  CHECK(decade.values.back() == doctest::Approx(1e6));
  CHECK(parse_step_option("f=oct:1,4,2").values.size() == 5);
  CHECK_THROWS_AS(parse_step_option("x=lin:0,10"), std::invalid_argument);
  CHECK_THROWS_AS(parse_step_option("x=foo:1,2"), std::invalid_argument);
  CHECK_THROWS_AS(parse_step_option("x=list:1,abc"), std::invalid_argument);
  CHECK_THROWS_AS(parse_step_option("list:1,2"), std::invalid_argument);
}

TEST_CASE("sweep plans: grid order, Monte Carlo draws from per-point seeds") {
  SweepPlan plan;
  plan.grid = {parse_step_option("a=list:1,2"), parse_step_option("b=list:10,20,30")};
  CHECK(plan.point_count() == 6);
  CHECK(plan.point(0).values == std::vector<double>{1, 10});
  CHECK(plan.point(1).values == std::vector<double>{1, 20});  // the last parameter varies fastest
  CHECK(plan.point(5).values == std::vector<double>{2, 30});

  plan.variations = {parse_variation_option("g=gauss:5,0.1"), parse_variation_option("u=uniform:-1,1")};
  plan.monte_carlo_runs = 100;
  plan.seed = 42;
  plan.validate();
  CHECK(plan.point_count() == 600);
  CHECK(plan.parameter_names() == std::vector<std::string>{"a", "b", "g", "u"});
  CHECK(plan.point(250).values[0] == 1);  // grid combination 2 = (1, 30)
  CHECK(plan.point(250).values[1] == 30);
  // A point's draws depend on the seed and its number only.
  CHECK(plan.point(123).values == plan.point(123).values);
  CHECK(plan.point(123).values != plan.point(124).values);
  double sum = 0, low = 1, high = -1;
  for (long index = 0; index < plan.point_count(); ++index) {
    const SweepPoint point = plan.point(index);
    sum += point.values[2];
    low = std::min(low, point.values[3]);
    high = std::max(high, point.values[3]);
  }
  CHECK(sum / 600 == doctest::Approx(5).epsilon(0.01));
  CHECK(low >= -1);
  CHECK(high < 1);
  SweepPlan other = plan;
  other.seed = 43;
  CHECK(other.point(0).values != plan.point(0).values);

  SweepPlan twice;
  twice.grid = {parse_step_option("a=list:1")};
  twice.variations = {parse_variation_option("a=gauss:1,1")};
  twice.monte_carlo_runs = 2;
  CHECK_THROWS_AS(twice.validate(), std::invalid_argument);
  CHECK_THROWS_AS(parse_variation_option("a=gauss:1,-1"), std::invalid_argument);
  CHECK_THROWS_AS(parse_variation_option("a=poisson:1,1"), std::invalid_argument);
}

TEST_CASE("measurements against hand-computed values") {
  CHECK(measure(".meas tran m find v(a) at=0.5") == doctest::Approx(1));
  CHECK(measure(".meas tran m find v(a,b) at=2") == doctest::Approx(3));
  CHECK(measure(".meas tran m when v(a)=3") == doctest::Approx(1.5));
  CHECK(measure(".meas tran m when v(a)=3 fall=1") == doctest::Approx(2.5));
  CHECK(measure(".meas tran m when v(a)=3 cross=2") == doctest::Approx(2.5));
  CHECK(measure(".meas tran m when v(a)=3 cross=last") == doctest::Approx(2.5));
  CHECK(measure(".meas tran m when v(a)=1 td=2") == doctest::Approx(3.5));
  CHECK(measure(".meas tran m when v(a)=v(b)") == doctest::Approx(0.5));
  CHECK(measure(".meas tran m find v(a) when v(b)=v(a) fall=1") == doctest::Approx(1));
  CHECK(measure(".meas tran m trig v(a) val=1 rise=1 targ v(a) val=1 fall=1") == doctest::Approx(3.5 - 0.5));
  CHECK(measure(".meas tran m trig at=1 targ v(a) val=3 fall=1") == doctest::Approx(1.5));
  CHECK(measure(".meas tran m max v(a)") == 4);
  CHECK(measure(".meas tran m min v(a) from=1 to=3") == 2);
  CHECK(measure(".meas tran m pp v(a) from=0.5 to=2") == doctest::Approx(2));  // samples at 1 and 2 only, as ngspice
  CHECK_THROWS_AS(measure(".meas tran m max v(a) from=1.2 to=1.8"), std::runtime_error);
  CHECK(measure(".meas tran m integ v(a)") == doctest::Approx(8));             // triangle area
  CHECK(measure(".meas tran m avg v(a)") == doctest::Approx(2));
  CHECK(measure(".meas tran m avg v(a) from=1 to=3") == doctest::Approx(3));
  CHECK(measure(".meas tran m rms v(a) from=0 to=1") == doctest::Approx(std::sqrt(2.0)));  // trapezoid of 0, 4
  CHECK_THROWS_AS(measure(".meas tran m when v(a)=5"), std::runtime_error);
  CHECK_THROWS_AS(measure(".meas tran m find v(a) at=7"), std::runtime_error);
  CHECK_THROWS_AS(measure(".meas tran m find v(c) at=1"), std::runtime_error);
}

TEST_CASE("measurement syntax errors name the token") {
  CHECK_THROWS_AS(parse_measure_card(card_of(".meas ac m max v(a)")), NetlistError);
  CHECK_THROWS_AS(parse_measure_card(card_of(".meas tran m deriv v(a) at=1")), NetlistError);
  CHECK_THROWS_AS(parse_measure_card(card_of(".meas tran m find v(a)")), NetlistError);
  CHECK_THROWS_AS(parse_measure_card(card_of(".meas tran m max v(a) from 1")), NetlistError);
  CHECK_THROWS_AS(parse_measure_card(card_of(".meas op m max v(a)")), NetlistError);
  CHECK(netlist_error("t\nv1 a 0 1\nr1 a 0 1k\n.op\n.meas op m find v(zz)\n").find("does not have") != std::string::npos);
}

TEST_CASE("PARAM measurements combine earlier results and parameters; failures propagate") {
  auto parsed = parse_netlist(
      "t\n.param scale=2\nv1 a 0 1\nr1 a b 1k\nr2 b 0 1k\n.op\n"
      ".meas op vb find v(b)\n.meas op ia find i(v1)\n.meas op twice param='vb*scale'\n"
      ".meas op power param='-vb*ia*2'\n.meas op broken param='nothing+1'\n.meas op after param='broken*2'\n");
  Circuit& circuit = parsed.circuit;
  Simulator simulator(circuit);
  const std::vector<MeasureResult> results = evaluate_measurements(circuit.measurements, simulator.run(), circuit.parameters);
  REQUIRE(results.size() == 6);
  CHECK(*results[0].value == doctest::Approx(0.5));
  CHECK(*results[1].value == doctest::Approx(-0.5e-3));
  CHECK(*results[2].value == doctest::Approx(1.0));
  CHECK(*results[3].value == doctest::Approx(0.5e-3));
  CHECK_FALSE(results[4].value);
  CHECK_FALSE(results[5].value);
  CHECK(results[5].failure.find("broken") != std::string::npos);
}

TEST_CASE("parameter overrides replace top-level .param values and what depends on them") {
  const NetlistText text =
      read_netlist_string("t\n.param r=1k half={r/2}\nv1 a 0 1\nr1 a 0 {half}\n.op\n.step param r list 1 2\n", "t.cir", ".", [](const Diagnostic&) {});
  ElaborationOptions options;
  options.parameter_overrides["r"] = 4e3;
  const Circuit circuit = elaborate(text, [](const Diagnostic&) {}, options);
  CHECK(circuit.parameters.at("r") == 4e3);
  CHECK(circuit.parameters.at("half") == 2e3);
  REQUIRE(circuit.steps.size() == 1);
  CHECK(circuit.steps[0].values == std::vector<double>{1, 2});
}

TEST_CASE("points reuse the symbolic analysis when only values change, and give the same results") {
  const NetlistText text = read_netlist_string(
      "t\n.param r=1k\nv1 a 0 1\nr1 a b {r}\nr2 b 0 1k\nd1 b 0 dmod\n.model dmod d is=1e-14\n.op\n.meas op vb find v(b)\n", "t.cir", ".",
      [](const Diagnostic&) {});
  SweepPlan plan;
  plan.grid = {parse_step_option("r=list:100,1k,10k,1k")};
  SweepSettings settings;
  PointEvaluator evaluator(text, plan, settings, {"vb"});
  std::vector<double> reused;
  for (long index = 0; index < 4; ++index) reused.push_back(*evaluator.evaluate(index).measurements.at(0));
  CHECK(evaluator.statistics().reused_analyses == 3);
  CHECK(reused[1] == reused[3]);  // bit-identical whatever ran before
  settings.reuse_analysis = false;
  PointEvaluator fresh(text, plan, settings, {"vb"});
  for (long index = 0; index < 4; ++index) CHECK(*fresh.evaluate(index).measurements.at(0) == reused[static_cast<std::size_t>(index)]);
  CHECK(fresh.statistics().reused_analyses == 0);
}

TEST_CASE("a point that fails records its error and the next point runs") {
  const NetlistText text =
      read_netlist_string("t\n.param r=1k\nv1 a 0 1\nr1 a b {r}\nr2 b 0 1k\n.op\n.meas op vb find v(b)\n", "t.cir", ".", [](const Diagnostic&) {});
  SweepPlan plan;
  plan.grid = {parse_step_option("r=list:0,1k")};  // a zero resistance is an error
  SweepSettings settings;
  PointEvaluator evaluator(text, plan, settings, {"vb"});
  const PointResult failed = evaluator.evaluate(0);
  const PointResult ran = evaluator.evaluate(1);
  CHECK_FALSE(failed.ok);
  CHECK_FALSE(failed.error.empty());
  CHECK(ran.ok);
  CHECK(*ran.measurements.at(0) == doctest::Approx(0.5));
}

TEST_CASE("result records round-trip; resume drops torn lines and duplicates") {
  xbarsim::testing::TemporaryDirectory directory("sweep-results");
  SweepDescription description{"x.cir", {"a"}, {"m", "n"}, 5, 99, 0};
  PointResult result;
  result.index = 3;
  result.seed = 18446744073709551615ULL;
  result.parameters = {0.1};
  result.measurements = {1.0 / 3.0, std::nullopt};
  result.failures["n"] = "no \"crossing\"";
  result.seconds = 0.5;
  const std::string line = point_json_line(result, description);
  const PointResult back = parse_point_json_line(line.substr(0, line.size() - 1), description);
  CHECK(back.seed == result.seed);
  CHECK(back.parameters == result.parameters);
  CHECK(back.measurements == result.measurements);
  CHECK(back.failures == result.failures);
  CHECK(point_json_line(back, description) == line);

  {
    SweepResultFiles files(directory.path(), description, false);
    files.append(result);
    result.index = 1;
    files.append(result);
  }
  {
    std::ofstream jsonl(directory / "points.jsonl", std::ios::app);
    jsonl << line;                            // a duplicate of point 3
    jsonl << line.substr(0, line.size() / 2);  // a torn line from a killed run
  }
  SweepResultFiles resumed(directory.path(), description, true);
  CHECK(resumed.finished() == std::set<long>{1, 3});
  const auto results = resumed.results();
  REQUIRE(results.size() == 2);
  CHECK(results[0].index == 1);
  SweepDescription different = description;
  different.seed = 100;
  CHECK_THROWS_AS(SweepResultFiles(directory.path(), different, true), std::runtime_error);
}
