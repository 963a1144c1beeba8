// N-LEM response to a sampled waveform: the current and emitted optical power of one device driven
// by a measured (or designed) voltage and UV-irradiance record, computed by integrating the
// model's state equations directly (models/nlem_model.h). Used by `xbarsim fit nlem`, which needs
// hundreds of such runs, and by the tests that make synthetic measurements.
//
// The record is the stimulus a SPICE PWL source would apply: samples (t_i, V_i, E_i), linear in
// between. Where V and E are constant over an interval the closed-form step is exact; where they
// change, the interval is split into sub-steps of at most 10 mV and 10 W/m^2 each, and each sub-step
// takes the closed-form step with the inputs at its midpoint (second order in the step). The
// sub-step count depends on the record only, never on the parameters, so the response is a smooth
// function of the parameters (which Levenberg-Marquardt's finite differences need). Before the
// first sample the device rests at its steady state for (V_0, E_0), as after a SPICE operating
// point. Agreement with a transient simulation of the same PWL record through the engine is a
// unit test (tests/unit/test_nlem_fit.cpp).
#pragma once

#include <vector>

#include "models/nlem_model.h"

namespace xbarsim {

// A train of rectangular pulses from 0 V, sampled for a stimulus record. Pulses and the first
// `sample_interval` of each gap (so each edge takes one sample interval) are sampled every
// `sample_interval`, the rest of the gap every `gap_sample_interval`.
struct NlemPulseTrain {
  double voltage = 5.0;               // V
  double width = 0.03, gap = 0.03;    // s, each pulse then the 0 V gap after it
  int count = 1;
  double irradiance = 0.0;            // W/m^2, throughout
  double sample_interval = 0.002;     // s
  double gap_sample_interval = 0.002; // s, should divide gap - sample_interval
};

// Applied waveform: sample times (s, strictly increasing), voltage (V, anode - cathode) and UV
// irradiance (W/m^2), all of one length.
struct NlemStimulus {
  std::vector<double> time, voltage, irradiance;

  // Appends samples every `sample_interval` over `duration` seconds at constant voltage and
  // irradiance (the first at the current end + sample_interval; the first sample of all at 0).
  // Steps between segments then rise over one sample interval, as in a sampled record. Times are
  // rounded to 1 ps, so sums of decimal intervals stay decimal (28.01, not 28.010000000000108).
  void append_hold(double hold_voltage, double hold_irradiance, double duration, double sample_interval);
  void append_pulses(const NlemPulseTrain& train);
};

struct NlemResponse {
  std::vector<double> current;        // A, anode -> cathode, at each sample time
  std::vector<double> optical_power;  // W
};

// Throws std::invalid_argument when the stimulus vectors differ in length, are empty, or the
// times do not increase.
NlemResponse simulate_nlem_response(const NlemParameters& parameters, const NlemStimulus& stimulus);

}  // namespace xbarsim
