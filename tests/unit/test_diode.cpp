// Junction diode: the companion stamp at known bias points against hand-computed currents and
// conductances (forward, reverse, breakdown with the IBV-adjusted BV, series resistance, area,
// temperature), pnjlim voltage limiting and junction initialisation, a solved operating point,
// and the netlist errors of the diode card and its model.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "core/circuit.h"
#include "core/diagnostics.h"
#include "core/elaborator.h"
#include "core/netlist_reader.h"
#include "core/operating_point.h"
#include "solvers/mna_system.h"

using namespace xbarsim;

namespace {

// ngspice const.h
constexpr double kBoltzmann = 1.38064852e-23;
constexpr double kCharge = 1.6021766208e-19;
constexpr double kGmin = 1e-12;

double thermal_voltage(double celsius) { return kBoltzmann / kCharge * (celsius + 273.15); }

Circuit circuit_from(const std::string& text) {
  return elaborate(read_netlist_string(text, "test.cir", ".", [](const Diagnostic&) {}), [](const Diagnostic&) {});
}

// A circuit with one diode `D1 a 0 <model>` driven by `V1 a 0`; loads it at v(a) = `voltages[k]`
// one after another (so limiting sees the previous load) and reports the last stamp.
struct DiodeBench {
  Circuit circuit;
  MnaSystem system;
  int anode;
  int limited = 0;

  explicit DiodeBench(const std::string& model_line, const std::string& instance_tail = "", const std::string& extra = "")
      : circuit(circuit_from("diode bench\nV1 a 0 0\nD1 a 0 dm " + instance_tail + "\n" + model_line + "\n" + extra + ".op\n.end\n")),
        system(circuit, make_linear_solver("klu")),
        anode(*circuit.find_node("a")) {}

  void load(const std::vector<double>& unknowns, bool initialize = false) {
    std::vector<double> solution = unknowns;
    solution.resize(static_cast<std::size_t>(system.size()) + 1, 0.0);
    LoadContext context;
    context.solution = solution.data();
    context.options = &circuit.options;
    context.junction_gmin = circuit.options.gmin;
    context.initialize_junctions = initialize;
    system.load(context);
    limited = context.limited_devices;
  }
  void load_at(double anode_voltage, bool initialize = false) {
    std::vector<double> unknowns(static_cast<std::size_t>(system.size()), 0.0);
    unknowns[static_cast<std::size_t>(anode)] = anode_voltage;
    load(unknowns, initialize);
  }
  double entry(int row, int column) { return system.matrix_values()[static_cast<std::size_t>(system.structure().slot(row, column))]; }
  // The junction's conductance and current at the voltage it was linearised at: the stamp is
  // G at (a,a) and -(I - G vd) in row a.
  double conductance() { return entry(anode, anode); }
  double current_at(double vd) { return -system.rhs()[static_cast<std::size_t>(anode)] + conductance() * vd; }
};

struct Junction {
  double current, conductance;
};

// The three regions of DIOload plus gmin, at 27 C.
Junction junction(double vd, double is, double n = 1.0, double bv = INFINITY, double nbv = 1.0, double celsius = 27.0) {
  const double vte = n * thermal_voltage(celsius);
  const double vtb = nbv * thermal_voltage(celsius);
  Junction j{};
  if (vd >= -3 * vte) {
    j = {is * std::expm1(vd / vte), is * std::exp(vd / vte) / vte};
  } else if (vd >= -bv) {
    const double cube = std::pow(3 * vte / (vd * std::numbers::e), 3);
    j = {-is * (1 + cube), 3 * is * cube / vd};
  } else {
    const double growth = std::exp(-(bv + vd) / vtb);
    j = {-is * growth, is * growth / vtb};
  }
  return {j.current + kGmin * vd, j.conductance + kGmin};
}

// Relative agreement (doctest's Approx would add an absolute 1 * epsilon, useless for pA).
void check_close(double actual, double expected, double relative = 1e-12) {
  INFO("actual ", actual, ", expected ", expected);
  CHECK(std::abs(actual - expected) <= relative * std::abs(expected));
}

}  // namespace

TEST_CASE("diode stamp in the forward region") {
  DiodeBench bench(".model dm D (is=1e-14)");
  bench.load_at(0.6);  // below Vcrit (about 0.73 V): not limited
  CHECK(bench.limited == 0);
  const Junction expected = junction(0.6, 1e-14);
  check_close(bench.conductance(), expected.conductance);
  check_close(bench.current_at(0.6), expected.current);
  // about 0.12 mA at 0.6 V for IS = 10 fA
  check_close(expected.current, 1.2e-4, 0.05);
}

TEST_CASE("diode stamp in the reverse region, emission coefficient and area") {
  DiodeBench bench(".model dm D (is=2e-14 n=1.5)", "3");
  bench.load_at(-0.5);  // within one volt of the previous junction voltage 0: not limited
  CHECK(bench.limited == 0);
  const Junction expected = junction(-0.5, 3 * 2e-14, 1.5);
  check_close(bench.conductance(), expected.conductance);
  check_close(bench.current_at(-0.5), expected.current);
  CHECK(expected.current < -6e-14);  // saturated: just beyond -IS*area
}

TEST_CASE("diode breakdown: BV is adjusted so that the current at BV is IBV") {
  DiodeBench bench(".model dm D (is=1e-14 bv=5.1 ibv=1m)", "", ".options reltol=1e-12\n");
  bench.load_at(-5.1);  // -(vd + BV) = 0: not beyond Vcrit, not negative: not limited
  CHECK(bench.limited == 0);
  // DIOtemp matched Is (exp((BV - xbv)/vt) - 1 + xbv/vt) = IBV, and in breakdown
  // I(-BV) = -Is exp((BV - xbv)/vt), so I(-BV) = -(IBV + Is - Is xbv/vt) - gmin BV.
  const double vt = thermal_voltage(27);
  const double xbv = 5.1 - vt * std::log(1e-3 / 1e-14 + 1 - 4.45 / vt);  // close to the fixed point
  const double junction_current = bench.current_at(-5.1) + kGmin * 5.1;
  check_close(junction_current, -(1e-3 + 1e-14 - 1e-14 * xbv / vt), 1e-9);
  check_close(bench.conductance(), -junction_current / vt + kGmin, 1e-12);
}

TEST_CASE("diode breakdown with IBV below IS*BV/vt keeps BV as given") {
  DiodeBench bench(".model dm D (is=1e-9 bv=8 ibv=1e-12 nbv=2)");
  bench.load_at(-8.02);  // shifted limiter: -(vd + BV) = 0.02, unlimited
  CHECK(bench.limited == 0);
  const Junction expected = junction(-8.02, 1e-9, 1.0, 8.0, 2.0);
  check_close(bench.conductance(), expected.conductance);
  check_close(bench.current_at(-8.02), expected.current);
}

TEST_CASE("diode temperature update of IS and the series resistance") {
  DiodeBench bench(".model dm D (is=1e-14 n=1.1 eg=1.11 xti=3 tnom=25 rs=10 trs1=5m)", "2", ".temp 85\n");
  const double temperature = 85 + 273.15, nominal = 25 + 273.15;
  const double vte = 1.1 * thermal_voltage(85);
  const double is = 1e-14 * 2 * std::exp((temperature / nominal - 1) * 1.11 / vte + 3 / 1.1 * std::log(temperature / nominal));
  const int internal = bench.system.size() - 1;  // created after the anode and V1's branch
  std::vector<double> unknowns(static_cast<std::size_t>(bench.system.size()), 0.0);
  unknowns[static_cast<std::size_t>(internal)] = 0.3;
  bench.load(unknowns);
  CHECK(bench.limited == 0);
  const double series_conductance = 2 / (10 * (1 + 5e-3 * 60));
  check_close(bench.entry(bench.anode, bench.anode), series_conductance);
  check_close(bench.entry(bench.anode, internal), -series_conductance);
  const double gd = is * std::exp(0.3 / vte) / vte + kGmin;
  check_close(bench.entry(internal, internal), series_conductance + gd);
  const double id = is * std::expm1(0.3 / vte) + kGmin * 0.3;
  check_close(-bench.system.rhs()[static_cast<std::size_t>(internal)], id - gd * 0.3);
  CHECK(is / 2e-14 > 10);  // IS grows by more than a decade from 25 C to 85 C
}

TEST_CASE("diode junction initialisation starts at Vcrit, or at 0 when off") {
  const double vt = thermal_voltage(27);
  const double critical = vt * std::log(vt / (std::numbers::sqrt2 * 1e-14));
  DiodeBench on(".model dm D (is=1e-14)");
  on.load_at(5.0, true);
  CHECK(on.limited == 1);  // the first iteration never counts as converged
  check_close(on.conductance(), junction(critical, 1e-14).conductance);
  DiodeBench off(".model dm D (is=1e-14)", "off");
  off.load_at(5.0, true);
  check_close(off.conductance(), junction(0.0, 1e-14).conductance);
}

TEST_CASE("diode pnjlim limits forward steps logarithmically and reverse steps linearly") {
  const double vt = thermal_voltage(27);
  DiodeBench bench(".model dm D (is=1e-14)");
  // From vold = 0 a step to 2 V beyond Vcrit becomes vt ln(2/vt).
  bench.load_at(2.0);
  CHECK(bench.limited == 1);
  const double first = vt * std::log(2.0 / vt);
  check_close(bench.conductance(), junction(first, 1e-14).conductance);
  // From vold > 0 a step up to 1.5 V becomes vold + vt (2 + ln((1.5 - vold)/vt - 2)).
  bench.load_at(1.5);
  CHECK(bench.limited == 1);
  const double second = first + vt * (2 + std::log((1.5 - first) / vt - 2));
  check_close(bench.conductance(), junction(second, 1e-14).conductance);
  // A small step near the previous voltage is taken as is.
  bench.load_at(second + vt);
  CHECK(bench.limited == 0);
  check_close(bench.conductance(), junction(second + vt, 1e-14).conductance);
  // From vold > 0 a reverse step is bounded by -vold - 1, then from vold < 0 by 2 vold - 1.
  const double third = second + vt;
  bench.load_at(-10.0);
  CHECK(bench.limited == 1);
  check_close(bench.current_at(-third - 1), junction(-third - 1, 1e-14).current);
  bench.load_at(-10.0);
  CHECK(bench.limited == 1);
  const double fourth = 2 * (-third - 1) - 1;
  check_close(bench.conductance(), junction(fourth, 1e-14).conductance);
}

TEST_CASE("diode pnjlim in breakdown limits -(vd + BV) against the previous voltage") {
  const double vt = thermal_voltage(27);
  DiodeBench bench(".model dm D (is=1e-14 bv=5 ibv=1e-13)");  // IBV < IS BV / vt: BV stays 5
  bench.load_at(-4.5);  // above -BV + 10 vt, the ordinary limiter: from 0 bounded by -1
  CHECK(bench.limited == 1);
  bench.load_at(-4.5);  // from -1: bound 2*(-1) - 1 = -3
  CHECK(bench.limited == 1);
  bench.load_at(-4.5);  // from -3: bound -7, not limited
  CHECK(bench.limited == 0);
  bench.load_at(-6.0);  // breakdown branch: -(vd + BV) = 1 from -0.5, beyond Vcrit: vt ln(1/vt)
  CHECK(bench.limited == 1);
  const double limited = -(vt * std::log(1.0 / vt) + 5.0);
  check_close(bench.conductance(), junction(limited, 1e-14, 1.0, 5.0).conductance);
}

TEST_CASE("diode operating point satisfies Kirchhoff's current law") {
  Circuit circuit = circuit_from("kcl\nV1 in 0 5\nR1 in a 1k\nD1 a 0 dm\n.model dm D (is=1e-14 rs=2)\n.options reltol=1e-9\n.op\n.end\n");
  MnaSystem system(circuit, make_linear_solver("klu"));
  std::vector<double> solution;
  OperatingPointStatistics statistics;
  solve_operating_point(system, solution, AnalysisMode::operating_point, true, 100, statistics);
  const double va = solution[static_cast<std::size_t>(*circuit.find_node("a"))];
  const double resistor_current = (5 - va) / 1e3;
  const double vd = va - 2 * resistor_current;
  check_close(resistor_current, junction(vd, 1e-14).current, 1e-9);
  CHECK(va > 0.65);
  CHECK(va < 0.75);
}

TEST_CASE("diode netlist errors") {
  auto error_of = [](const std::string& card_lines) -> std::string {
    try {
      circuit_from("errors\nV1 a 0 1\n" + card_lines + ".op\n.end\n");
    } catch (const NetlistError& error) {
      return error.where().to_string() + " " + error.what();
    }
    return "no error";
  };
  CHECK(error_of("D1 a 0 dm\n.model dm D (is=1e-14 bogus=3)\n").find("test.cir:4:23") != std::string::npos);
  CHECK(error_of("D1 a 0 dm\n.model dm D (is=1e-14 bogus=3)\n").find("unknown diode model parameter 'bogus'") != std::string::npos);
  CHECK(error_of("D1 a 0 dm\n.model dm D (ikf=1)\n").find("'ikf' is not supported yet") != std::string::npos);
  CHECK(error_of("D1 a 0 dm\n.model dm NPN (is=1e-14)\n").find("test.cir:3:8") != std::string::npos);
  CHECK(error_of("D1 a 0 dm\n.model dm NPN (is=1e-14)\n").find("not a diode") != std::string::npos);
  CHECK(error_of("D1 a 0 nothere\n").find("undefined model 'nothere'") != std::string::npos);
  CHECK(error_of("D1 a 0 dm m=2\n.model dm D\n").find("'m' is not supported yet") != std::string::npos);
  CHECK(error_of("D1 a 0 dm 1 2\n.model dm D\n").find("unexpected '2'") != std::string::npos);
  // Accepted and ignored: noise, sidewall and capacitance temperature parameters.
  CHECK(error_of("D1 a 0 dm\n.model dm D (kf=1e-16 af=1 cjsw=1p tm1=1m cta=1m)\n") == "no error");
}
