// Converters: the ADC and DAC of the all-electrical cross-layer path (TIA -> S/H -> ADC -> memory
// -> DAC -> driver), in C++ beside their plain-SPICE subcircuits (models/adc.lib, models/dac.lib).
//
// The subcircuits are what the study simulates (both engines run them); this file holds their
// parameters with the same defaults, the static transfer functions the .lib files implement (for
// tests and for ideal references), the seeded INL profile, the clocking of a conversion, the
// energy models, and the instance lines a netlist generator writes.
//
// Energy models (per conversion / per update):
//   ADC:  E = FoM_W * 2^bits            Walden figure of merit, ENOB taken as the nominal bits.
//         Default FoM_W = 10 fJ/conversion-step: a typical medium-speed SAR ADC in B. Murmann,
//         "ADC Performance Survey 1997-2024" (github.com/bmurmann/ADC-survey; the best SAR designs
//         reach ~1 fJ/step, most published 8-10 bit SARs lie between 1 and 50 fJ/step).
//   DAC:  E = (2^bits * c_unit + cload) * (vhigh - vlow)^2
//         a binary-weighted capacitive DAC whose 2^bits unit capacitors and the driver's load are
//         recharged over the full range from the reference (upper bound: every update swings full
//         scale); default c_unit = 1 fF (a small MOM unit capacitor).
//   memory: E = bits * 2 * e_bit        one SRAM write and one read per value; default
//         e_bit = 0.16 pJ/bit (M. Horowitz, "Computing's energy problem", ISSCC 2014: 10 pJ per
//         64-bit read of an 8 kB SRAM at 45 nm).
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace xbarsim {

// Seeded INL profile in LSB: inl(u) = sum_k a_k sin(k pi u), u in [0, 1], k = 1..4. Zero at both
// ends of the range (endpoint-fitted INL). From a seed and a peak value: the four amplitudes are
// drawn uniformly in [-1, 1] with amplitude falling as 1/k, then scaled so max_u |inl(u)| equals
// `peak_lsb` (found on a 1025-point grid).
struct InlProfile {
  std::array<double, 4> coefficients{};  // LSB
  double operator()(double normalised) const;
  static InlProfile from_seed(std::uint64_t seed, double peak_lsb);
};

struct AdcParameters {
  int bits = 8;
  double vlow = 0.0, vhigh = 1.0;  // V input range
  double offset = 0.0;             // V, added to the held input
  double gain_error = 0.0;         // fraction: the held input is scaled by (1 + gain_error)
  InlProfile inl;                  // LSB
  double ron = 1e3;                // Ohm, sampling switch
  double chold = 1e-12;            // F, hold capacitor
  double noise_rms = 0.0;          // V, input-referred noise per conversion (a seeded source)
  double conversion_time = 80e-9;  // s, sample edge to register loaded (SAR: bits clock periods)
  double walden_fom = 10e-15;      // J per conversion step

  double lsb() const;
  // The .lib quantiser on a held input voltage: integer code 0 .. 2^bits - 1.
  int code(double held_voltage) const;
  double energy_per_conversion() const;  // J
  // `X<name> in code sample latch ADC bits=... ` (no newline).
  std::string instance(const std::string& name, const std::string& in, const std::string& code,
                       const std::string& sample, const std::string& latch) const;
};

struct DacParameters {
  int bits = 8;
  double vlow = 0.0, vhigh = 1.0;  // V output range
  InlProfile inl;                  // LSB
  double rout = 1e3;               // Ohm, driver output resistance
  double cload = 1e-12;            // F, load inside the subcircuit
  double noise_rms = 0.0;          // V, output noise per update (a seeded source)
  double unit_capacitance = 1e-15;  // F, capacitive-DAC unit for the energy model

  double lsb() const;
  double output(int code) const;  // V, settled, without the driver's RC
  // Time for the RC output to settle within 1/2 LSB of a full-scale step: rout*C*ln(2^(bits+1)),
  // C = cload + external_capacitance.
  double settling_time(double external_capacitance) const;
  double energy_per_update() const;  // J
  std::string instance(const std::string& name, const std::string& code, const std::string& out) const;
};

double memory_energy_per_value(int bits, double energy_per_bit_access);  // write + read, J

// Clock of one conversion inside a period that starts at `start`: `sample` is high from `start`
// until `sample_end` (track), the register's `latch` pulse ends conversion_time after that.
// Returns PULSE sources repeating every `period` (two lines, newline-terminated).
std::string converter_clock_sources(const std::string& sample_node, const std::string& latch_node, double start,
                                    double sample_end, double conversion_time, double period);

}  // namespace xbarsim
