#include "models/nlem_model.h"

#include <algorithm>
#include <cmath>

namespace xbarsim {
namespace {

constexpr double kSinhArgumentLimit = 40.0;

struct ValueAndSlope {
  double value, slope;
};

ValueAndSlope softplus(double z) {
  const double decay = std::exp(-std::abs(z));
  return {std::max(z, 0.0) + std::log1p(decay), z >= 0 ? 1.0 / (1.0 + decay) : decay / (1.0 + decay)};
}

// sinh(x), continued linearly beyond |x| = kSinhArgumentLimit.
ValueAndSlope bounded_sinh(double x) {
  if (std::abs(x) <= kSinhArgumentLimit) return {std::sinh(x), std::cosh(x)};
  const double edge = std::copysign(kSinhArgumentLimit, x);
  return {std::sinh(edge) + std::cosh(kSinhArgumentLimit) * (x - edge), std::cosh(kSinhArgumentLimit)};
}

}  // namespace

const std::vector<NlemParameters::Field>& NlemParameters::fields() {
  static const std::vector<Field> list = {
      {"g0", &NlemParameters::g0, "S", "pristine conductance"},
      {"vh", &NlemParameters::vh, "V", "voltage scale of the sinh I-V nonlinearity"},
      {"aw", &NlemParameters::aw, "1", "conductance gain at full weight"},
      {"af", &NlemParameters::af, "1", "conductance gain at full facilitation"},
      {"kw", &NlemParameters::kw, "1/s", "weight write rate at vref"},
      {"kf", &NlemParameters::kf, "1/s", "facilitation write rate at vref"},
      {"tauw", &NlemParameters::tauw, "s", "weight relaxation time"},
      {"tauf", &NlemParameters::tauf, "s", "facilitation relaxation time"},
      {"vth", &NlemParameters::vth, "V", "write threshold"},
      {"vs", &NlemParameters::vs, "V", "softness of the write threshold"},
      {"vref", &NlemParameters::vref, "V", "voltage of unit write drive"},
      {"kuv", &NlemParameters::kuv, "m^2/J", "UV erase rate per irradiance"},
      {"eta", &NlemParameters::eta, "W/A", "pristine emission efficiency"},
      {"cw", &NlemParameters::cw, "1", "emission-efficiency gain at full weight"},
      {"cf", &NlemParameters::cf, "1", "emission-efficiency gain at full facilitation"},
      {"ion", &NlemParameters::ion, "A", "current scale of the smooth light onset"},
      {"w0", &NlemParameters::w0, "1", "held weight state (hold = 1)"},
      {"f0", &NlemParameters::f0, "1", "held facilitation state (hold = 1)"},
      {"hold", &NlemParameters::hold, "1", "1 holds the states at w0 and f0 (array reads)"},
  };
  return list;
}

NlemDrive nlem_drive(const NlemParameters& p, double voltage) {
  const ValueAndSlope drive = softplus((voltage - p.vth) / p.vs);
  const double normalisation = softplus((p.vref - p.vth) / p.vs).value;
  return {drive.value / normalisation, drive.slope / (p.vs * normalisation)};
}

NlemState advance_nlem_state(const NlemParameters& p, NlemState state, double voltage, double irradiance, double duration) {
  const double drive = nlem_drive(p, voltage).value;
  auto relax = [&](double value, double write_rate, double relaxation_time) {
    const double rate = write_rate * drive + 1 / relaxation_time + p.kuv * irradiance;
    const double target = write_rate * drive / rate;
    return target + (value - target) * std::exp(-rate * duration);
  };
  return {relax(state.weight, p.kw, p.tauw), relax(state.facilitation, p.kf, p.tauf)};
}

namespace {

// dw/dt and df/dt with their derivatives (hold = 0).
void evaluate_nlem_rates(const NlemParameters& p, double voltage, double weight, double facilitation, double irradiance, NlemEvaluation& e) {
  const NlemDrive drive = nlem_drive(p, voltage);

  e.weight_rate = p.kw * drive.value * (1 - weight) - weight / p.tauw - p.kuv * irradiance * weight;
  e.weight_rate_dv = p.kw * drive.derivative * (1 - weight);
  e.weight_rate_dw = -p.kw * drive.value - 1 / p.tauw - p.kuv * irradiance;
  e.weight_rate_de = -p.kuv * weight;

  e.facilitation_rate = p.kf * drive.value * (1 - facilitation) - facilitation / p.tauf - p.kuv * irradiance * facilitation;
  e.facilitation_rate_dv = p.kf * drive.derivative * (1 - facilitation);
  e.facilitation_rate_df = -p.kf * drive.value - 1 / p.tauf - p.kuv * irradiance;
  e.facilitation_rate_de = -p.kuv * facilitation;
}

// I and P with their derivatives.
void evaluate_nlem_outputs(const NlemParameters& p, double voltage, double weight, double facilitation, NlemEvaluation& e) {
  const double gain = 1 + p.aw * weight + p.af * facilitation;
  const ValueAndSlope shape = bounded_sinh(voltage / p.vh);
  const double conduction = p.g0 * p.vh * shape.value;  // current at gain 1
  e.current = gain * conduction;
  e.current_dv = gain * p.g0 * shape.slope;
  e.current_dw = p.aw * conduction;
  e.current_df = p.af * conduction;

  const double forward = std::max(e.current, 0.0);
  const double light_current = forward * forward / (forward + p.ion);
  const double light_current_di = forward * (forward + 2 * p.ion) / ((forward + p.ion) * (forward + p.ion));
  const double efficiency = p.eta * (1 + p.cw * weight + p.cf * facilitation);
  e.optical_power = efficiency * light_current;
  e.optical_power_dv = efficiency * light_current_di * e.current_dv;
  e.optical_power_dw = efficiency * light_current_di * e.current_dw + p.eta * p.cw * light_current;
  e.optical_power_df = efficiency * light_current_di * e.current_df + p.eta * p.cf * light_current;
}

}  // namespace

NlemEvaluation evaluate_nlem(const NlemParameters& p, double voltage, double weight, double facilitation, double irradiance) {
  NlemEvaluation e;
  if (p.hold > 0.5) {  // held states: no drive (two exp and two log1p saved per device and iteration)
    e.weight_rate = p.w0 - weight;
    e.facilitation_rate = p.f0 - facilitation;
    e.weight_rate_dw = e.facilitation_rate_df = -1.0;
  } else {
    evaluate_nlem_rates(p, voltage, weight, facilitation, irradiance, e);
  }
  evaluate_nlem_outputs(p, voltage, weight, facilitation, e);
  return e;
}

}  // namespace xbarsim
