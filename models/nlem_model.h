// N-LEM (negative-UV-photoconductance light-emitting memristor) compact model: parameters and
// equations, shared by the native device (models/nlem_device.cpp), its ngspice twin
// (models/nlem.lib, the same equations written as B sources), the calibration and the fit.
//
// Device: ITO / PEDOT:PSS / PVK:IDTBT / PVP / CdSe-ZnS QDs / ZnO / Ag (Chen et al., Nat. Commun.
// 15, 2024). Positive pulses trap holes in the PVP layer (conductance and emission rise, volatile);
// UV light builds an opposing photo-field that removes the trapped charge (negative
// photoconductance). Two state variables, both dimensionless in [0, 1):
//   w  slow trapped-hole population (the weight), relaxes with tauw (~71.6 s in the paper)
//   f  fast facilitation (shallow traps), relaxes with tauf (~0.1 s): paired-pulse facilitation
// With V = V(anode) - V(cathode), E = V(uv) (UV irradiance, W/m^2):
//   s(V)   = softplus((V - vth)/vs) / softplus((vref - vth)/vs)    write drive, s(vref) = 1
//   dw/dt  = kw s(V) (1 - w) - w/tauw - kuv E w                    saturating, volatile, UV erase
//   df/dt  = kf s(V) (1 - f) - f/tauf - kuv E f
//   I      = g0 (1 + aw w + af f) vh sinh(V/vh)                    anode -> cathode
//   P      = eta (1 + cw w + cf f) I+,   I+ = max(I,0)^2 / (max(I,0) + ion)
// softplus(z) = max(z,0) + ln(1 + exp(-|z|)) never overflows; sinh's argument is continued
// linearly (value and slope matched) beyond |V/vh| = 40 so Newton iterates cannot overflow.
// P, the emitted optical power (W), rises faster than I because the trapped charge also raises
// the emission efficiency (better hole injection into the QDs); I+ switches light off smoothly
// (C1) for reverse current. Derivation, calibration and the comparison with the paper:
// docs/models/nlem.md.
#pragma once

#include <string_view>
#include <vector>

namespace xbarsim {

struct NlemParameters {
  double g0 = 1e-6;         // S      pristine conductance (small-signal, V -> 0)
  double vh = 1.5;          // V      voltage scale of the sinh I-V nonlinearity
  double aw = 8.0;          // 1      conductance gain at full weight (G = g0 (1 + aw) at w = 1)
  double af = 1.03516;      // 1      conductance gain at full facilitation
  double kw = 0.195573;     // 1/s    weight write rate at V = vref
  double kf = 24.115;      // 1/s    facilitation write rate at V = vref
  double tauw = 77.0143;    // s      weight relaxation time at 0 V
  double tauf = 0.100034;  // s      facilitation relaxation time
  double vth = 3.0;         // V      write threshold (centre of the softplus drive)
  double vs = 0.15;         // V      softness of the write threshold
  double vref = 5.0;        // V      voltage at which the drive is 1 (the paper's pulse height)
  double kuv = 3.1746e-3;   // m^2/J  UV erase rate per irradiance (1/0.45 s at 700 W/m^2)
  double eta = 0.02;        // W/A    emission efficiency of the pristine device (~1 % EQE at 2 eV)
  double cw = 1.27381;      // 1      emission-efficiency gain at full weight
  double cf = 0.708525;      // 1      emission-efficiency gain at full facilitation
  double ion = 1e-9;        // A      current scale of the smooth light onset
  // Read mode for arrays: with hold = 1 the states are held at w0 and f0 (their rates become
  // w0 - w and f0 - f), so an operating point or a short read sees the programmed weight instead
  // of its relaxed value. Valid for reads much shorter than tauw; hold = 0 is the physical device.
  double w0 = 0.0;          // 1      held weight state
  double f0 = 0.0;          // 1      held facilitation state
  double hold = 0.0;        // 1      1 holds the states at w0, f0; 0 lets them evolve

  // Parameter names (lower case, as in models/nlem.lib) and their members, in .lib order.
  struct Field {
    std::string_view name;
    double NlemParameters::*member;
    std::string_view unit;
    std::string_view meaning;
  };
  static const std::vector<Field>& fields();
};

// Everything the device needs at one operating point, with exact derivatives.
struct NlemEvaluation {
  double current = 0, current_dv = 0, current_dw = 0, current_df = 0;                 // I
  double weight_rate = 0, weight_rate_dv = 0, weight_rate_dw = 0, weight_rate_de = 0;  // dw/dt
  double facilitation_rate = 0, facilitation_rate_dv = 0, facilitation_rate_df = 0, facilitation_rate_de = 0;
  double optical_power = 0, optical_power_dv = 0, optical_power_dw = 0, optical_power_df = 0;  // P
};

NlemEvaluation evaluate_nlem(const NlemParameters& parameters, double voltage, double weight, double facilitation,
                             double irradiance);

// Write drive s(V) and its derivative.
struct NlemDrive {
  double value, derivative;
};
NlemDrive nlem_drive(const NlemParameters& parameters, double voltage);

// The two state variables of one device.
struct NlemState {
  double weight = 0, facilitation = 0;
};

// Exact state after `duration` seconds at constant voltage and irradiance (hold = 0). With
// constant inputs each state equation is linear, dx/dt = k s(V) (1 - x) - x/tau - kuv E x, so
//   x(t + dt) = x_eq + (x(t) - x_eq) exp(-r dt),  r = k s(V) + 1/tau + kuv E,  x_eq = k s(V)/r.
// `duration` = infinity gives the rest state x_eq (what an operating point finds).
NlemState advance_nlem_state(const NlemParameters& parameters, NlemState state, double voltage, double irradiance,
                             double duration);

}  // namespace xbarsim
