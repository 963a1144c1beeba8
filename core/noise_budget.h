// Noise budget: the analytic noise densities of a receiver (thermal noise of resistors and TIA
// feedback, shot noise of photocurrent and dark current) and their seeded transient twins.
//
// Analytic (one-sided power spectral densities, white):
//   thermal  S_i = 4 k T / R            [A^2/Hz]   (Johnson-Nyquist)
//   shot     S_i = 2 q |I|              [A^2/Hz]   (Schottky)
// A single-pole receiver of 3 dB bandwidth f integrates S over the noise bandwidth (pi/2) f, so
// the output rms is gain * sqrt(S * pi/2 * f).
// Transient: a seeded sequence of independent normal samples every dt, linearly interpolated (a
// SPICE PWL source), has the low-frequency one-sided density 2 sigma^2 dt; sigma = sqrt(S/(2 dt))
// reproduces S up to about 1/(4 dt). Every draw comes from SeededRandom with a recorded seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace xbarsim {

inline constexpr double kBoltzmann = 1.380649e-23;       // J/K
inline constexpr double kElementaryCharge = 1.602176634e-19;  // C

double thermal_current_density(double resistance, double temperature = 300.15);  // A^2/Hz
double shot_current_density(double current);                                      // A^2/Hz
double single_pole_noise_bandwidth(double corner_frequency);                       // Hz, (pi/2) f
// rms of white density `density` (per Hz) over `noise_bandwidth`.
double integrated_rms(double density, double noise_bandwidth);

// Sample standard deviation of a PWL noise source with time step dt that has one-sided density S.
double white_noise_sample_sigma(double density, double time_step);

// `{I|V}<name> plus minus PWL(0 n0 dt n1 ...)` up to `stop`, normal samples of standard deviation
// sigma drawn from `seed` (newline-terminated). kind is 'I' or 'V'.
std::string seeded_noise_source(char kind, const std::string& name, const std::string& plus, const std::string& minus,
                                double sigma, double time_step, double stop, std::uint64_t seed);

// Piecewise-constant seeded values: one normal draw per period, held for the whole period (noise
// of a sampled quantity, e.g. ADC input-referred noise per conversion). `edge` is the step time.
std::string seeded_per_period_source(char kind, const std::string& name, const std::string& plus,
                                     const std::string& minus, double sigma, double period, int periods,
                                     double edge, std::uint64_t seed);

}  // namespace xbarsim
