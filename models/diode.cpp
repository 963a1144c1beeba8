// Junction diode `Dname anode cathode model [area] [off] [area=a] [ic=vd] [temp=t] [dtemp=dt]`
// with `.model name D (is n rs bv ibv nbv eg xti tnom trs1 trs2 tcv area cjo vj m fc tt ...)`.
//
// DC behaviour reproduces ngspice 39 (DIOsetup, DIOtemp, DIOload, DEVpnjlim; SPICE3 level 1).
// Constants are ngspice's const.h: k = CONSTboltz = 1.38064852e-23 J/K, q = CHARGE =
// 1.6021766208e-19 C, CONSTCtoK = 273.15, so vt = (k/q) T.
//
// Temperature (DIOtemp), T = instance temp, or circuit temp + dtemp, Tnom = model tnom or option
// tnom, both in kelvin; dt = T - Tnom; vte = N vt(T):
//   Is(T)  = max(IS, 1e-28) * area * exp((T/Tnom - 1) EG / vte + XTI/N ln(T/Tnom))
//   Vcrit  = vte ln(vte / (sqrt(2) Is(T)))
//   Gs     = area / (RS (1 + TRS1 dt + TRS2 dt^2))         series conductance, RS != 0 only
//   BV(T)  = BV - TCV dt; with vtb = NBV vt (NBV defaults to N) and the breakdown current IBV
//            (not scaled by area at level 1), the breakdown voltage is shifted so that the
//            reverse current at BV(T) is IBV: if IBV < Is BV(T) / vt it stays BV(T), otherwise
//              xbv = BV(T) - vtb ln(1 + IBV/Is), then up to 25 times
//              xbv = BV(T) - vtb ln(IBV/Is + 1 - xbv/vt),
//            until Is (exp((BV(T) - xbv)/vtb) - 1 + xbv/vt) is within reltol * IBV of IBV.
//
// Junction current at vd = v(internal) - v(cathode) (DIOload):
//   vd >= -3 vte                      Id = Is (exp(vd/vte) - 1)            gd = Is exp(vd/vte) / vte
//   vd >= -BV' (or no BV given)       a = (3 vte / (e vd))^3; Id = -Is (1 + a)   gd = 3 Is a / vd
//   vd <  -BV'                        Id = -Is exp(-(BV' + vd)/vtb)       gd = Is exp(-(BV' + vd)/vtb) / vtb
//   plus gmin (options gmin, ngspice CKTgmin) in parallel: Id += gmin vd, gd += gmin.
// The junction stamps its companion model Id - gd vd into the right-hand side; RS sits between
// the anode and an internal node (not written to output), as in ngspice.
//
// Voltage limiting (DEVpnjlim, with the junction voltage used at the previous iteration as vold):
// when vd > Vcrit and |vd - vold| > 2 vte, a forward step is compressed logarithmically
// (vold > 0: vold +- vte (2 + ln(|vd - vold|/vte - 2)); vold <= 0: vte ln(vd/vte)); a reverse step
// is bounded below by 2 vold - 1 (vold <= 0) or -vold - 1 (vold > 0). With BV given and
// vd < min(0, -BV' + 10 vtb), the same limiter runs on -(vd + BV') with vtb instead. The first
// iteration of an operating point starts every junction at Vcrit (0 when `off`; unlike ngspice's
// MODEINITFIX, `off` does not hold the junction at 0 beyond that first iteration).
//
// Junction charge in transient (DIOload, SPICE level 1), with Cj0 = CJO * area, FC*VJ = Vd_fc:
//   vd <  FC VJ   Qd = VJ Cj0 (1 - (1 - vd/VJ)^(1-M)) / (1 - M)        Cd = Cj0 (1 - vd/VJ)^-M
//   vd >= FC VJ   Qd = Cj0 F1 + Cj0/F2 (F3 (vd - Vd_fc) + M/(2 VJ) (vd^2 - Vd_fc^2))
//                 Cd = Cj0/F2 (F3 + M vd / VJ)
//   F1 = VJ (1 - (1 - FC)^(1-M)) / (1 - M), F2 = (1 - FC)^(1+M), F3 = 1 - FC (1 + M)
//   plus the diffusion charge TT * Id (capacitance TT * gd, both without gmin).
// The charge's current dq/dt = a0 Q + history (core/integration.h) adds to the junction current.
// With `uic`, the instance's ic= gives the junction voltage the initial charge is taken at.
// CJO and VJ are not temperature-scaled yet (exact when the circuit runs at TNOM).
//
// Parameters that change nothing in DC are accepted; see kIgnoredModelParameters.
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <set>

#include "core/circuit.h"
#include "core/diagnostics.h"
#include "models/builtin_models.h"
#include "models/primitive_devices.h"
#include "solvers/matrix_structure.h"

namespace xbarsim {
namespace {

// ngspice const.h (CODATA 2014 values) and DIOsetup's lower bound on IS (CKTepsmin).
constexpr double kBoltzmann = 1.38064852e-23;           // J/K, CONSTboltz
constexpr double kElementaryCharge = 1.6021766208e-19;  // C, CHARGE
constexpr double kCelsiusToKelvin = 273.15;             // CONSTCtoK
constexpr double kBoltzmannOverCharge = kBoltzmann / kElementaryCharge;
constexpr double kMinimumSaturationCurrent = 1e-28;     // A
constexpr int kBreakdownIterations = 25;

// ngspice model parameters accepted but ignored, because they cannot change a DC solution here:
//   kf af                             flicker noise
//   cjp cjsw php mjsw fcs             sidewall capacitance: zero since the perimeter pj is 0
//   tm1 tm2 ttt1 ttt2 cta ctc ctp tpb tvj tphp tlevc
//                                     temperature coefficients of the charge model (transient)
//   fv_max bv_max id_max te_max pd_max  safe-operating-area warning limits
//   rth0 cth0                         self-heating, which needs the instance flag `thermal`
//   lm lp wm wp xom xoi xm xp         level 3 parasitic capacitances (level 3 is not supported)
const std::set<std::string, std::less<>> kIgnoredModelParameters = {
    "kf",   "af",   "cjp",  "cjsw", "php",    "mjsw",   "fcs",    "tm1",    "tm2",    "ttt1", "ttt2", "cta",
    "ctc",  "ctp",  "tpb",  "tvj",  "tphp",   "tlevc",  "fv_max", "bv_max", "id_max", "te_max", "pd_max",
    "rth0", "cth0", "lm",   "lp",   "wm",     "wp",     "xom",    "xoi",    "xm",     "xp"};

// ngspice model parameters that change the DC solution and are not implemented yet.
const std::set<std::string, std::less<>> kUnsupportedModelParameters = {
    "jsw", "ns", "ikf", "ik", "ikr", "isr", "nr", "jtun", "jtunsw", "ntun", "xtitun", "keg", "tlev", "pj"};

struct DiodeModel {
  double saturation_current = 1e-14;            // IS (A)
  double emission_coefficient = 1.0;            // N
  double series_resistance = 0.0;               // RS (ohm)
  double resistance_tc1 = 0.0;                  // TRS1 (1/K)
  double resistance_tc2 = 0.0;                  // TRS2 (1/K^2)
  bool has_breakdown = false;                   // BV given
  double breakdown_voltage = 0.0;               // BV (V)
  double breakdown_current = 1e-3;              // IBV (A)
  double breakdown_emission_coefficient = 1.0;  // NBV, defaults to N
  double breakdown_voltage_tc = 0.0;            // TCV (V/K)
  double activation_energy = 1.11;              // EG (eV)
  double saturation_current_exponent = 3.0;     // XTI
  std::optional<double> nominal_temperature;    // TNOM (deg C); options tnom when absent
  double area = 1.0;                            // default instance area
  // Charge model (transient, not used by the DC load yet).
  double junction_capacitance = 0.0;               // CJO (F)
  double junction_potential = 1.0;                 // VJ (V)
  double grading_coefficient = 0.5;                // M
  double depletion_capacitance_coefficient = 0.5;  // FC
  double transit_time = 0.0;                       // TT (s)
};

DiodeModel read_diode_model(const ElementCard& card, const Token& model_token) {
  const ModelCard& card_model = card.model(model_token);
  if (card_model.type != "d")
    card.fail(model_token, fmt::format("model '{}' is a '{}' model, not a diode ('d') model", card_model.name, card_model.type));
  DiodeModel model;
  bool breakdown_emission_given = false;
  for (const auto& [name, value] : card_model.parameters) {
    const SourceLocation& where = card_model.parameter_locations.at(name);
    if (name == "is" || name == "js") model.saturation_current = value;
    else if (name == "n") model.emission_coefficient = value;
    else if (name == "rs") model.series_resistance = value;
    else if (name == "trs" || name == "trs1") model.resistance_tc1 = value;
    else if (name == "trs2") model.resistance_tc2 = value;
    else if (name == "bv") {
      model.has_breakdown = true;
      model.breakdown_voltage = value;
    }
    else if (name == "ibv" || name == "ib") model.breakdown_current = value;
    else if (name == "nbv") {
      breakdown_emission_given = true;
      model.breakdown_emission_coefficient = value;
    }
    else if (name == "tcv") model.breakdown_voltage_tc = value;
    else if (name == "eg") model.activation_energy = value;
    else if (name == "xti") model.saturation_current_exponent = value;
    else if (name == "tnom" || name == "tref") model.nominal_temperature = value;
    else if (name == "area") model.area = value;
    else if (name == "cjo" || name == "cj0" || name == "cj") model.junction_capacitance = value;
    else if (name == "vj" || name == "pb") model.junction_potential = value;
    else if (name == "m" || name == "mj") model.grading_coefficient = value;
    else if (name == "fc") model.depletion_capacitance_coefficient = value;
    else if (name == "tt") model.transit_time = value;
    else if (name == "level") {
      if (value != 1.0) throw NetlistError(where, fmt::format("diode level {} is not supported yet (only level 1)", value));
    } else if (kUnsupportedModelParameters.contains(name)) {
      throw NetlistError(where, fmt::format("diode model parameter '{}' is not supported yet", name));
    } else if (!kIgnoredModelParameters.contains(name)) {
      throw NetlistError(where, fmt::format("unknown diode model parameter '{}'", name));
    }
  }
  if (!breakdown_emission_given) model.breakdown_emission_coefficient = model.emission_coefficient;
  model.saturation_current = std::max(model.saturation_current, kMinimumSaturationCurrent);
  return model;
}

// DEVpnjlim: limits the new junction voltage `proposed` against `previous`; sets `limited`.
double limit_junction_voltage(double proposed, double previous, double thermal_voltage, double critical_voltage, bool& limited) {
  limited = false;
  if (proposed > critical_voltage && std::abs(proposed - previous) > 2 * thermal_voltage) {
    limited = true;
    if (previous > 0) {
      const double steps = (proposed - previous) / thermal_voltage;
      if (steps > 0) return previous + thermal_voltage * (2 + std::log(steps - 2));
      return previous - thermal_voltage * (2 + std::log(2 - steps));
    }
    return thermal_voltage * std::log(proposed / thermal_voltage);
  }
  if (proposed < 0) {
    const double lowest = previous > 0 ? -previous - 1 : 2 * previous - 1;
    if (proposed < lowest) {
      limited = true;
      return lowest;
    }
  }
  return proposed;
}

class DiodeGroup : public DeviceGroup {
 public:
  std::vector<int> anode, cathode, internal;  // internal == anode when RS = 0 (no resistor)
  std::vector<DiodeModel> models;
  std::vector<double> area;
  std::vector<bool> starts_off;
  std::vector<double> initial_voltage;        // ic= (V), NaN when absent; for transient `uic`
  std::vector<std::optional<double>> instance_temperature;  // temp= (deg C)
  std::vector<double> temperature_offset;     // dtemp= (K)
  std::vector<int> devices;  // device ids (Circuit::device_name)

  std::string_view kind() const override { return "diode"; }
  std::size_t size() const override { return anode.size(); }
  bool is_nonlinear() const override { return true; }
  int charge_count() const override { return static_cast<int>(size()); }

  // DIOtemp: temperature-adjusted values at the circuit's temperature.
  void resolve(const Circuit& circuit) override {
    const SimulationOptions& options = circuit.options;
    const std::size_t n = size();
    emission_voltage_.resize(n);
    breakdown_emission_voltage_.resize(n);
    saturation_current_.resize(n);
    critical_voltage_.resize(n);
    breakdown_voltage_.resize(n);
    series_conductance_.resize(n);
    junction_voltage_.assign(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      const DiodeModel& model = models[i];
      const double temperature =
          kCelsiusToKelvin + (instance_temperature[i] ? *instance_temperature[i] : options.temperature + temperature_offset[i]);
      const double nominal = kCelsiusToKelvin + model.nominal_temperature.value_or(options.nominal_temperature);
      const double delta = temperature - nominal;
      const double vt = kBoltzmannOverCharge * temperature;
      const double vte = model.emission_coefficient * vt;
      const double vtb = model.breakdown_emission_coefficient * vt;
      const double ratio = temperature / nominal;
      const double is = model.saturation_current * area[i] *
                        std::exp((ratio - 1) * model.activation_energy / vte +
                                 model.saturation_current_exponent / model.emission_coefficient * std::log(ratio));
      emission_voltage_[i] = vte;
      breakdown_emission_voltage_[i] = vtb;
      saturation_current_[i] = is;
      critical_voltage_[i] = vte * std::log(vte / (std::numbers::sqrt2 * is));
      breakdown_voltage_[i] = model.has_breakdown ? adjusted_breakdown_voltage(model.breakdown_voltage - model.breakdown_voltage_tc * delta,
                                                                               model.breakdown_current, is, vt, vtb, options.reltol)
                                                  : std::numeric_limits<double>::infinity();
      series_conductance_[i] =
          model.series_resistance != 0
              ? 1 / model.series_resistance * area[i] / (1 + model.resistance_tc1 * delta + model.resistance_tc2 * delta * delta)
              : 0.0;
    }
  }

  void declare(MatrixStructure& structure) const override {
    for (std::size_t i = 0; i < size(); ++i) {
      structure.add(internal[i], internal[i]);
      structure.add(internal[i], cathode[i]);
      structure.add(cathode[i], internal[i]);
      structure.add(cathode[i], cathode[i]);
      if (internal[i] != anode[i]) {
        structure.add(anode[i], anode[i]);
        structure.add(anode[i], internal[i]);
        structure.add(internal[i], anode[i]);
      }
    }
  }

  void bind(const MatrixStructure& structure) override {
    slots_.resize(size());
    for (std::size_t i = 0; i < size(); ++i) {
      Slots& s = slots_[i];
      s.internal_internal = structure.slot(internal[i], internal[i]);
      s.internal_cathode = structure.slot(internal[i], cathode[i]);
      s.cathode_internal = structure.slot(cathode[i], internal[i]);
      s.cathode_cathode = structure.slot(cathode[i], cathode[i]);
      const bool has_resistor = internal[i] != anode[i];
      // Without RS the resistor stamp (zero conductance) goes to the trash slot.
      s.anode_anode = has_resistor ? structure.slot(anode[i], anode[i]) : structure.trash_slot();
      s.anode_internal = has_resistor ? structure.slot(anode[i], internal[i]) : structure.trash_slot();
      s.internal_anode = has_resistor ? structure.slot(internal[i], anode[i]) : structure.trash_slot();
      s.internal_row = structure.rhs_index(internal[i]);
      s.cathode_row = structure.rhs_index(cathode[i]);
    }
  }

  void load(LoadContext& context) override {
    const double* x = context.solution;
    double* matrix = context.matrix;
    double* rhs = context.rhs;
    const double gmin = context.junction_gmin;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      const Slots& s = slots_[i];
      const double vte = emission_voltage_[i];
      const double vtb = breakdown_emission_voltage_[i];
      const double bv = breakdown_voltage_[i];
      double vd;
      if (context.initialize_junctions) {
        vd = starts_off[i] ? 0.0 : critical_voltage_[i];
        ++context.limited_devices;  // as ngspice: the first iteration never counts as converged
      } else {
        vd = x[s.internal_row] - x[s.cathode_row];
        const double previous = junction_voltage_[i];
        bool limited = false;
        if (std::isfinite(bv) && vd < std::min(0.0, -bv + 10 * vtb))
          vd = -(limit_junction_voltage(-(vd + bv), -(previous + bv), vtb, critical_voltage_[i], limited) + bv);
        else
          vd = limit_junction_voltage(vd, previous, vte, critical_voltage_[i], limited);
        if (limited) ++context.limited_devices;
      }
      junction_voltage_[i] = vd;

      const double is = saturation_current_[i];
      double current, conductance;
      if (vd >= -3 * vte) {
        const double growth = std::exp(vd / vte);
        current = is * (growth - 1);
        conductance = is * growth / vte;
      } else if (vd >= -bv) {
        const double ratio = 3 * vte / (vd * std::numbers::e);
        const double cube = ratio * ratio * ratio;
        current = -is * (1 + cube);
        conductance = is * 3 * cube / vd;
      } else {
        const double growth = std::exp(-(bv + vd) / vtb);
        current = -is * growth;
        conductance = is * growth / vtb;
      }
      if (context.mode == AnalysisMode::transient) {
        const double charge_voltage =
            context.use_initial_conditions && !std::isnan(initial_voltage[i]) ? initial_voltage[i] : vd;
        const auto [charge, capacitance] = junction_charge(i, charge_voltage, current, conductance);
        context.charges[charge_base() + i] = charge;
        current += context.integration_a0 * charge + context.charge_history[charge_base() + i];
        conductance += context.integration_a0 * capacitance;
      }
      current += gmin * vd;
      conductance += gmin;

      const double equivalent_current = current - conductance * vd;
      rhs[s.cathode_row] += equivalent_current;
      rhs[s.internal_row] -= equivalent_current;
      const double gs = series_conductance_[i];
      matrix[s.anode_anode] += gs;
      matrix[s.anode_internal] -= gs;
      matrix[s.internal_anode] -= gs;
      matrix[s.internal_internal] += gs + conductance;
      matrix[s.internal_cathode] -= conductance;
      matrix[s.cathode_internal] -= conductance;
      matrix[s.cathode_cathode] += conductance;
    }
  }

  void dc_connections(DcConnectionSink& connections) const override {
    for (std::size_t i = 0; i < size(); ++i) {
      connections.add({internal[i], cathode[i], false, devices[i]});
      if (internal[i] != anode[i]) connections.add({anode[i], internal[i], false, devices[i]});
    }
  }

 private:
  // DIOtemp's breakdown voltage shift, so that the breakdown current at BV(T) is IBV.
  static double adjusted_breakdown_voltage(double bv, double ibv, double is, double vt, double vtb, double reltol) {
    if (ibv < is * bv / vt) return bv;
    const double tolerance = reltol * ibv;
    double xbv = bv - vtb * std::log(1 + ibv / is);
    for (int iteration = 0; iteration < kBreakdownIterations; ++iteration) {
      xbv = bv - vtb * std::log(ibv / is + 1 - xbv / vt);
      const double reached = is * (std::exp((bv - xbv) / vtb) - 1 + xbv / vt);
      if (std::abs(reached - ibv) <= tolerance) break;
    }
    return xbv;
  }

  // Depletion plus diffusion charge at junction voltage vd, and its derivative.
  std::pair<double, double> junction_charge(std::size_t i, double vd, double junction_current, double junction_conductance) const {
    const DiodeModel& model = models[i];
    const double zero_bias = model.junction_capacitance * area[i];
    const double vj = model.junction_potential;
    const double m = model.grading_coefficient;
    const double fc = model.depletion_capacitance_coefficient;
    double charge = model.transit_time * junction_current;
    double capacitance = model.transit_time * junction_conductance;
    if (zero_bias == 0.0) return {charge, capacitance};
    const double threshold = fc * vj;
    if (vd < threshold) {
      const double remaining = 1 - vd / vj;
      const double power = std::exp(-m * std::log(remaining));
      charge += vj * zero_bias * (1 - remaining * power) / (1 - m);
      capacitance += zero_bias * power;
    } else {
      const double f1 = vj * (1 - std::exp((1 - m) * std::log(1 - fc))) / (1 - m);
      const double f2 = std::exp((1 + m) * std::log(1 - fc));
      const double f3 = 1 - fc * (1 + m);
      charge += zero_bias * f1 + zero_bias / f2 * (f3 * (vd - threshold) + m / (2 * vj) * (vd * vd - threshold * threshold));
      capacitance += zero_bias / f2 * (f3 + m * vd / vj);
    }
    return {charge, capacitance};
  }

  struct Slots {
    int anode_anode, anode_internal, internal_anode, internal_internal;
    int internal_cathode, cathode_internal, cathode_cathode;
    int internal_row, cathode_row;
  };
  std::vector<Slots> slots_;
  std::vector<double> emission_voltage_;            // N kT/q (V)
  std::vector<double> breakdown_emission_voltage_;  // NBV kT/q (V)
  std::vector<double> saturation_current_;          // Is(T) * area (A)
  std::vector<double> critical_voltage_;            // Vcrit (V)
  std::vector<double> breakdown_voltage_;           // adjusted BV (V); +inf without BV
  std::vector<double> series_conductance_;          // area / RS(T) (S); 0 without RS
  // vd of the last load (V). Kept across solves (no reset_iteration_state), as ngspice keeps it in
  // its state vector: a sweep point or a gmin step limits against where the previous solve ended.
  std::vector<double> junction_voltage_;
};

// One diode instance as the group stores it.
struct DiodeInstance {
  int device;
  int anode, cathode, internal;  // internal == anode without series resistance
  DiodeModel model;
  double area;
  bool starts_off;
  double initial_voltage;  // NaN when absent
  std::optional<double> temperature;
  double temperature_offset;
};

void append_diode(Circuit& circuit, const DiodeInstance& instance) {
  auto& group = circuit.group<DiodeGroup>();
  group.anode.push_back(instance.anode);
  group.cathode.push_back(instance.cathode);
  group.internal.push_back(instance.internal);
  group.models.push_back(instance.model);
  group.area.push_back(instance.area);
  group.starts_off.push_back(instance.starts_off);
  group.initial_voltage.push_back(instance.initial_voltage);
  group.instance_temperature.push_back(instance.temperature);
  group.temperature_offset.push_back(instance.temperature_offset);
  group.devices.push_back(instance.device);
}

}  // namespace

void build_diode(ElementCard& card) {
  const char* usage = "Dname anode cathode model [area] [off] [area=a] [ic=vd] [temp=t] [dtemp=dt]";
  const Token& model_token = card.token(3);
  DiodeModel model = read_diode_model(card, model_token);
  double area = model.area;
  bool off = false;
  double initial_voltage = std::numeric_limits<double>::quiet_NaN();
  std::optional<double> temperature;
  double temperature_offset = 0.0;
  const auto& tokens = card.tokens();
  for (std::size_t i = 4; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    if (token.is("off")) {
      off = true;
    } else if (i + 2 < tokens.size() && tokens[i + 1].kind == TokenKind::equals) {
      const Token& value = tokens[i + 2];
      if (token.is("area")) area = card.value(value);
      else if (token.is("ic")) initial_voltage = card.value(value);
      else if (token.is("temp")) temperature = card.value(value);
      else if (token.is("dtemp")) temperature_offset = card.value(value);
      else if (token.is("m") || token.is("pj") || token.is("w") || token.is("l") || token.is("lm") || token.is("lp") ||
               token.is("wm") || token.is("wp"))
        card.fail(token, fmt::format("diode parameter '{}' is not supported yet", token.text));
      else
        card.fail(token, fmt::format("unknown diode parameter '{}'; usage: {}", token.text, usage));
      i += 2;
    } else if (i == 4 && (token.kind == TokenKind::word || token.kind == TokenKind::expression)) {
      area = card.value(token);  // positional area
    } else if (token.is("thermal")) {
      card.fail(token, "diode self-heating ('thermal') is not supported yet");
    } else {
      card.fail(token, fmt::format("unexpected '{}'; usage: {}", token.original, usage));
    }
  }
  if (!(area > 0)) card.fail(model_token, fmt::format("diode '{}' needs a positive area, got {}", card.name(), area));

  const int anode = card.node(1);
  const int cathode = card.node(2);
  const int internal =
      model.series_resistance != 0 ? card.circuit().add_internal_node(fmt::format("{}#internal", card.name())) : anode;
  append_diode(card.circuit(), {card.device_id(), anode, cathode, internal, model, area, off, initial_voltage, temperature,
                                temperature_offset});
}

void add_junction_diode(Circuit& circuit, const std::string& name, int anode, int cathode, double saturation_current,
                        double emission_coefficient, double junction_capacitance, bool starts_off) {
  const int device = circuit.add_device(name);
  DiodeModel model;
  model.saturation_current = saturation_current;
  model.emission_coefficient = emission_coefficient;
  model.breakdown_emission_coefficient = emission_coefficient;
  model.junction_capacitance = junction_capacitance;
  append_diode(circuit, {device, anode, cathode, anode, model, 1.0, starts_off, std::numeric_limits<double>::quiet_NaN(),
                         std::nullopt, 0.0});
}

}  // namespace xbarsim
