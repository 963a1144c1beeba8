// Signal metrics of a transferred analog value: how far a path's delivered values are from the
// ideal ones, as a converter engineer states it.
//
//   error e_k = measured_k - ideal_k over a set of values, full scale FS (the value range)
//   RMS error, worst |e|, both also in % of FS, mean error (bias)
//   SNDR = 10 log10((FS^2/8) / mean(e^2))     dB, against a full-scale sine (amplitude FS/2)
//   SNR  = the same with the noise-only error (noisy run minus noiseless run)
//   ENOB = (SNDR - 1.76) / 6.02               so an ideal N-bit quantiser (e^2 = LSB^2/12) has N
// Settling: the time after a step at which a waveform last leaves the band final +- tolerance
// (1/2 LSB of the study's reference resolution), interpolated between samples.
#pragma once

#include <optional>
#include <vector>

namespace xbarsim {

struct ErrorStatistics {
  double rms = 0, worst = 0, mean = 0;
  double full_scale = 1;
  double rms_percent() const { return 100.0 * rms / full_scale; }
  double worst_percent() const { return 100.0 * worst / full_scale; }
  double sndr_db() const;  // full-scale-sine SNDR from the rms error
  double enob() const;
};

ErrorStatistics error_statistics(const std::vector<double>& measured, const std::vector<double>& ideal,
                                 double full_scale);

// SNR in dB of a full-scale sine against noise of rms `noise_rms`.
double snr_db(double noise_rms, double full_scale);
double enob_from_sndr(double sndr_db);

// Time from `step_time` until `values` (sampled at `times`) stays within +-tolerance of
// `final_value` up to `window_end`; nullopt when it is still outside at window_end.
std::optional<double> settling_time(const std::vector<double>& times, const std::vector<double>& values,
                                    double step_time, double window_end, double final_value, double tolerance);

// Linear interpolation of a waveform at time t (clamped to its ends).
double value_at(const std::vector<double>& times, const std::vector<double>& values, double t);

}  // namespace xbarsim
