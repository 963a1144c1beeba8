// Unit tests of transient analysis: integration coefficients, truncation-error step control,
// breakpoints, B-source Jacobians, and whole analyses against closed-form answers.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/integration.h"
#include "core/simulator.h"
#include "core/transient_analysis.h"
#include "netlist_test_support.h"
#include "plot_test_support.h"
#include "solvers/mna_system.h"

using namespace xbarsim;
using xbarsim::testing::parse_netlist;
using xbarsim::testing::values_of;

TEST_CASE("integration coefficients reproduce the derivative of polynomials exactly") {
  // Backward Euler is exact for linear q; Gear-2 for quadratic q, with unequal steps.
  const double h0 = 0.3, h1 = 0.7;
  const double steps[] = {h0, h1, 0.0};
  auto q = [](double t) { return 2.0 + 3.0 * t - 1.5 * t * t; };
  auto dq = [](double t) { return 3.0 - 3.0 * t; };
  const double t = 2.0;
  IntegrationCoefficients gear = integration_coefficients(IntegrationMethod::gear, 2, steps);
  CHECK(gear.a0 * q(t) + gear.a1 * q(t - h0) + gear.a2 * q(t - h0 - h1) == doctest::Approx(dq(t)).epsilon(1e-12));
  IntegrationCoefficients euler = integration_coefficients(IntegrationMethod::trapezoidal, 1, steps);
  auto linear = [](double time) { return 1.0 + 4.0 * time; };
  CHECK(euler.a0 * linear(t) + euler.a1 * linear(t - h0) == doctest::Approx(4.0));
  // Trapezoidal: dq/dt_n = 2/h (q_n - q_{n-1}) - dq/dt_{n-1}, exact for quadratic q.
  IntegrationCoefficients trapezoidal = integration_coefficients(IntegrationMethod::trapezoidal, 2, steps);
  CHECK(trapezoidal.a0 == doctest::Approx(2.0 / h0));
  CHECK(trapezoidal.a0 * q(t) + trapezoidal.a1 * q(t - h0) + trapezoidal.b1 * dq(t - h0) == doctest::Approx(dq(t)).epsilon(1e-12));
}

TEST_CASE("truncation-error step: grows with tolerance, shrinks with curvature, order 2 takes the square root") {
  SimulationOptions options;
  options.reltol = 1e-3;
  options.abstol = 1e-12;
  options.trtol = 7;
  // q(t) = c t^2 sampled at t = 3h, 2h, h, 0: second divided difference = c.
  const double h = 1e-6, c = 1e3;
  const double charges[] = {c * 9 * h * h, c * 4 * h * h, c * h * h, 0.0};
  const double steps[] = {h, h, h};
  const double derivative = 2 * c * 3 * h;  // 6e-3
  const double tolerance = options.abstol + options.reltol * derivative;
  const double expected = options.trtol * tolerance / (0.5 * c);
  CHECK(truncation_timestep(IntegrationMethod::trapezoidal, 1, charges, steps, derivative, 2 * c * 2 * h, options) ==
        doctest::Approx(expected).epsilon(1e-6));
  // A cubic has a non-zero third divided difference (d); order 2 gives sqrt(trtol * tol / (k d)).
  const double cubic[] = {27 * h * h * h, 8 * h * h * h, h * h * h, 0.0};
  const double cubic_derivative = 3 * 9 * h * h;
  const double cubic_tolerance = std::max(options.abstol + options.reltol * cubic_derivative, options.reltol * options.chgtol / h);
  CHECK(truncation_timestep(IntegrationMethod::trapezoidal, 2, cubic, steps, cubic_derivative, 3 * 4 * h * h, options) ==
        doctest::Approx(std::sqrt(options.trtol * cubic_tolerance / std::max(options.abstol, 0.08333333333 * 1.0))).epsilon(1e-6));
}

TEST_CASE("breakpoints are sorted, merged within the minimum spacing, and found strictly after a time") {
  BreakpointTable table({3.0, 1.0, 2.0, 1.0 + 1e-15, 5.0}, 1e-12);
  CHECK(table.times() == std::vector<double>{1.0, 2.0, 3.0, 5.0});
  CHECK(table.next_after(0.0) == 1.0);
  CHECK(table.next_after(1.0) == 2.0);
  CHECK(table.next_after(2.5) == 3.0);
  CHECK(std::isinf(table.next_after(5.0)));
}

TEST_CASE("the predicted solution is exact for ramps and for step-to-step sign changes, also of changing amplitude") {
  // Three accepted points at t = 0, 1, 3 (steps 1 and 2), the next step 1.5 (t = 4.5).
  const double steps[3] = {1.5, 2.0, 1.0};
  auto ramp = [](double t) { return 0.25 - 0.5 * t; };
  const std::vector<double> now{ramp(3.0)}, previous{ramp(1.0)}, older{ramp(0.0)};
  const double* const accepted[3] = {now.data(), previous.data(), older.data()};
  double predicted = 0.0;
  predict_solution(accepted, 3, steps, 1, &predicted);
  CHECK(predicted == doctest::Approx(ramp(4.5)).epsilon(1e-14));
  predict_solution(accepted, 2, steps, 1, &predicted);
  CHECK(predicted == doctest::Approx(ramp(4.5)).epsilon(1e-14));
  predict_solution(accepted, 1, steps, 1, &predicted);
  CHECK(predicted == now[0]);

  // On equal steps: a ramp plus a component alternating in sign (trapezoidal ringing). Three
  // points continue both; two points (linear extrapolation) get the alternation wrong by 4 times
  // its amplitude.
  const double equal[3] = {0.5, 0.5, 0.5};
  auto ringing = [&](int k) { return ramp(0.5 * k) + 0.125 * (k % 2 == 0 ? 1.0 : -1.0); };
  const std::vector<double> x3{ringing(3)}, x2{ringing(2)}, x1{ringing(1)};
  const double* const alternating[3] = {x3.data(), x2.data(), x1.data()};
  predict_solution(alternating, 3, equal, 1, &predicted);
  CHECK(predicted == doctest::Approx(ringing(4)).epsilon(1e-14));
  predict_solution(alternating, 2, equal, 1, &predicted);
  CHECK(std::abs(predicted - ringing(4)) == doctest::Approx(4 * 0.125));

  // On unequal steps (points at t = 0, 1, 3, 4, the next at 5.5): a ramp plus an alternating
  // component whose amplitude changes linearly in time. Four points continue it; three (constant
  // amplitude) do not.
  const double unequal[4] = {1.5, 1.0, 2.0, 1.0};
  const double times[5] = {0.0, 1.0, 3.0, 4.0, 5.5};
  auto decaying = [&](int k) { return ramp(times[k]) + (k % 2 == 0 ? 1.0 : -1.0) * (0.125 - 0.02 * times[k]); };
  const std::vector<double> d3{decaying(3)}, d2{decaying(2)}, d1{decaying(1)}, d0{decaying(0)};
  const double* const decaying_points[4] = {d3.data(), d2.data(), d1.data(), d0.data()};
  predict_solution(decaying_points, 4, unequal, 1, &predicted);
  CHECK(predicted == doctest::Approx(decaying(4)).epsilon(1e-13));
  predict_solution(decaying_points, 3, unequal, 1, &predicted);
  CHECK(std::abs(predicted - decaying(4)) > 1e-3);
  // On equal steps the four-point form is 2 x_{n-1} - x_{n-3}.
  const double equal4[4] = {0.5, 0.5, 0.5, 0.5};
  const std::vector<double> e3{7.0}, e2{-2.0}, e1{5.0}, e0{1.0};
  const double* const equal_points[4] = {e3.data(), e2.data(), e1.data(), e0.data()};
  predict_solution(equal_points, 4, equal4, 1, &predicted);
  CHECK(predicted == doctest::Approx(2 * -2.0 - 1.0).epsilon(1e-14));
}

TEST_CASE("a linear circuit's time steps solve at a looser iterative tolerance, restored afterwards") {
  for (const bool linear : {true, false}) {
    auto parsed = parse_netlist(linear ? "t\nV1 in 0 PULSE(0 1 1u 1u 1u 5u)\nR1 in out 1k\nC1 out 0 1n\n.tran 1u 20u\n"
                                       : "t\nV1 in 0 PULSE(0 1 1u 1u 1u 5u)\nR1 in out 1k\nD1 out 0 dm\nC1 out 0 1n\n.model dm D\n.tran 1u 20u\n");
    MnaSystem system(parsed.circuit, make_linear_solver("klu"));
    CHECK(system.is_linear() == linear);
    TransientAnalysis analysis(system, std::get<TransientRequest>(parsed.circuit.analyses[0]));
    OperatingPointStatistics statistics;
    std::vector<double> tolerances;
    analysis.run(statistics, [&](double, const std::vector<double>&) { tolerances.push_back(system.solver().relative_tolerance()); });
    REQUIRE(tolerances.size() > 2);
    CHECK(tolerances.front() == LinearSolver::kDefaultRelativeTolerance);  // the operating point
    CHECK(tolerances.back() == (linear ? 1e-11 : LinearSolver::kDefaultRelativeTolerance));
    CHECK(system.solver().relative_tolerance() == LinearSolver::kDefaultRelativeTolerance);
  }
}

TEST_CASE("capacitors' rhs-only load equals the rhs of their full load, whichever terminal is grounded") {
  auto parsed = parse_netlist("t\nV1 in 0 1\nR1 in a 1k\nC1 0 a 1n\nR2 a b 1k\nC2 a b 2n\nC3 b 0 3n\nC4 b 0 4n\n.tran 1u 10u\n");
  MnaSystem system(parsed.circuit, make_linear_solver("klu"));
  REQUIRE(system.charge_count() == 4);
  std::vector<double> solution(static_cast<std::size_t>(system.size()) + 1, 0.0);
  for (std::size_t k = 0; k + 1 < solution.size(); ++k) solution[k] = 0.3 + 0.2 * static_cast<double>(k);
  const std::vector<double> history{1e-3, -2e-3, 5e-4, 7e-4};
  std::vector<double> charges(4, 0.0);
  LoadContext context;
  context.solution = solution.data();
  context.options = &parsed.circuit.options;
  context.mode = AnalysisMode::transient;
  context.integration_a0 = 1e6;
  context.charge_history = history.data();
  context.charges = charges.data();
  system.load(context);
  const std::vector<double> full = system.rhs();
  system.load_reusing_matrix(context);
  const std::vector<double>& rhs_only = system.rhs();
  for (int row = 0; row < system.size(); ++row) {
    CAPTURE(row);
    CHECK(rhs_only[row] == doctest::Approx(full[row]).epsilon(1e-12));
  }
  // A capacitor adds -h at n+ and +h at n-. Node a: +h1 (n- of C1) - h2 (n+ of C2); node b:
  // +h2 - h3 - h4.
  const int a = *parsed.circuit.find_node("a"), b = *parsed.circuit.find_node("b");
  CHECK(rhs_only[a] == doctest::Approx(history[0] - history[1]));
  CHECK(rhs_only[b] == doctest::Approx(history[1] - history[2] - history[3]));
}

TEST_CASE("B-source Jacobian equals a finite difference of its residual") {
  auto parsed = parse_netlist(
      "t\nV1 a 0 0.4\nR1 a b 1k\nB1 b 0 I={1e-3*sinh(V(b)/0.1)*V(a)^2 + I(V1)*2}\nB2 c 0 V={V(a,b)*exp(V(b))}\nR2 c 0 1k\n.op\n");
  Circuit& circuit = parsed.circuit;
  MnaSystem system(circuit, make_linear_solver("klu"));
  const int n = system.size();
  std::vector<double> x(static_cast<std::size_t>(n) + 1, 0.0);
  for (int i = 0; i < n; ++i) x[i] = 0.1 * (i + 1);
  auto residual_at = [&](const std::vector<double>& point) {
    LoadContext context;
    context.solution = point.data();
    context.options = &circuit.options;
    system.load(context);
    std::vector<double> residual, scale;
    system.residual(point.data(), residual, scale);
    return residual;
  };
  // The residual r(x) = A(x) x - b(x) is the circuit's KCL/branch residual; its Jacobian is A(x).
  residual_at(x);
  std::vector<double> values = system.matrix_values();
  const auto& starts = system.structure().column_starts();
  const auto& rows = system.structure().row_indices();
  for (int column = 0; column < n; ++column) {
    std::vector<double> plus = x, minus = x;
    const double step = 1e-6;
    plus[column] += step;
    minus[column] -= step;
    std::vector<double> r_plus = residual_at(plus), r_minus = residual_at(minus);
    for (int row = 0; row < n; ++row) {
      double analytic = 0.0;
      for (int k = starts[column]; k < starts[column + 1]; ++k)
        if (rows[k] == row) analytic = values[k];
      CHECK((r_plus[row] - r_minus[row]) / (2 * step) == doctest::Approx(analytic).epsilon(1e-6).scale(1e-3));
    }
  }
}

TEST_CASE("B-source derivatives follow the variables the compiled expression reads, in any order") {
  // The untaken branch names V(f) first; the compiled expression reads V(d) first.
  auto parsed = parse_netlist(
      "t\n.param hold=0\nVd d 0 0.5\nBf 0 f I={hold > 0.5 ? 1 - V(f) : 2*V(d)*(1-V(f)) - V(f)/0.1}\nCf f 0 1\n.op\n");
  Simulator simulator(parsed.circuit);
  Plot plot = simulator.operating_point();
  // 0 = 2*0.5*(1-f) - 10 f  =>  f = 1/11
  CHECK(values_of(plot, "v(f)")[0] == doctest::Approx(1.0 / 11.0).epsilon(1e-9));
}

TEST_CASE("RC charging follows the exponential, and accepted/rejected steps are counted") {
  auto parsed = parse_netlist("t\n.options reltol=1e-6\nV1 in 0 1\nR1 in out 1k\nC1 out 0 1u ic=0\n.tran 10u 5m uic\n");
  Simulator simulator(parsed.circuit);
  Plot plot = simulator.transient(std::get<TransientRequest>(parsed.circuit.analyses[0]));
  const std::vector<double> time = plot.values(0);
  const std::vector<double> out = values_of(plot, "v(out)");
  double worst = 0.0;
  for (std::size_t k = 0; k < time.size(); ++k) worst = std::max(worst, std::abs(out[k] - (1 - std::exp(-time[k] / 1e-3))));
  CHECK(worst < 1e-4);
  CHECK(time.back() == doctest::Approx(5e-3));
  CHECK(simulator.statistics().transient.accepted_steps == static_cast<long>(time.size()));
  // uic: no point at t = 0, as ngspice.
  CHECK(time.front() > 0.0);
}

TEST_CASE("pulse corners are hit exactly") {
  auto parsed = parse_netlist("t\nV1 in 0 PULSE(0 1 1u 0.2u 0.3u 2u 10u)\nR1 in out 1k\nC1 out 0 1n\n.tran 50n 12u\n");
  Simulator simulator(parsed.circuit);
  Plot plot = simulator.transient(std::get<TransientRequest>(parsed.circuit.analyses[0]));
  const std::vector<double> time = plot.values(0);
  for (double corner : {1e-6, 1.2e-6, 3.2e-6, 3.5e-6, 11e-6, 11.2e-6}) {
    bool hit = std::any_of(time.begin(), time.end(), [&](double t) { return std::abs(t - corner) < 1e-18; });
    CHECK_MESSAGE(hit, "corner at ", corner);
  }
}

TEST_CASE("a circuit that cannot be integrated past a point reports the time and the nodes") {
  // The B source has no real value once V(a) passes 0.5: Newton fails there at every step size.
  auto parsed = parse_netlist("t\nV1 in 0 PULSE(0 1 0 1u 1u 1 2)\nR1 in a 1k\nB1 a 0 I={1e-3*sqrt(0.5 - V(a))}\nC1 a 0 1p\n.tran 1n 2u\n");
  Simulator simulator(parsed.circuit);
  try {
    simulator.run();
    FAIL("expected a timestep-too-small error");
  } catch (const SimulationError& error) {
    std::string message = error.what();
    CHECK(message.find("timestep too small at t=") != std::string::npos);
    CHECK(message.find("node 'a'") != std::string::npos);
  }
}

TEST_CASE(".options interp resamples the accepted points onto the tstep grid") {
  auto parsed = parse_netlist("t\n.options interp reltol=1e-6\nV1 in 0 1\nR1 in out 1k\nC1 out 0 1u\n.ic v(out)=0\n.tran 0.5m 5m 1m uic\n");
  Simulator simulator(parsed.circuit);
  Plot plot = simulator.transient(std::get<TransientRequest>(parsed.circuit.analyses[0]));
  const std::vector<double> time = plot.values(0);
  const std::vector<double> out = values_of(plot, "v(out)");
  REQUIRE(time.size() == 9);  // 1m, 1.5m, ..., 5m
  for (std::size_t k = 0; k < time.size(); ++k) {
    CHECK(time[k] == doctest::Approx(1e-3 + 0.5e-3 * static_cast<double>(k)));
    CHECK(out[k] == doctest::Approx(1 - std::exp(-time[k] / 1e-3)).epsilon(1e-4));
  }
}
