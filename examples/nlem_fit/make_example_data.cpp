// Writes examples/nlem_fit/pulse_data.csv, the bundled input of `xbarsim fit nlem`: a synthetic
// measurement of an N-LEM with known parameters (printed, and listed in the README), made by the
// model itself (simulate_nlem_response) with 1 % Gaussian noise from seed 2024.
//
// Protocol: 50 write pulses (5 V, 30 ms, 30 ms apart; sampled every 5 ms), 8 reads of 1 V, 20 ms,
// one every 2.5 s (relaxation), 50 more write pulses, then 700 W/m^2 UV for 1.5 s under 1 V reads
// every 0.25 s, and two reads after the UV is off. Trains of 50 pulses drive the weight far enough
// into saturation to tell aw from kw (with 10 pulses only their product is well determined).
//
// usage: nlem_make_example_data [OUTPUT.csv]   (default examples/nlem_fit/pulse_data.csv)
#include <cstdio>
#include <filesystem>

#include "models/nlem_fit.h"

int main(int argc, char** argv) {
  using xbarsim::NlemParameters;
  const std::filesystem::path output = argc > 1 ? argv[1] : std::filesystem::path(XBARSIM_SOURCE_DIR) / "examples/nlem_fit/pulse_data.csv";
  auto reads = [](int count, double period, double irradiance) {
    return xbarsim::NlemPulseTrain{.voltage = 1.0, .width = 0.02, .gap = period - 0.02, .count = count, .irradiance = irradiance,
                                   .sample_interval = 0.005, .gap_sample_interval = (period - 0.025) / 4};
  };
  xbarsim::NlemStimulus stimulus;
  stimulus.append_hold(0, 0, 0.01, 0.002);
  const xbarsim::NlemPulseTrain writes{.count = 50, .sample_interval = 0.005, .gap_sample_interval = 0.005};
  stimulus.append_pulses(writes);
  stimulus.append_pulses(reads(8, 2.5, 0));
  stimulus.append_pulses(writes);
  stimulus.append_pulses(reads(6, 0.25, 700));
  stimulus.append_pulses(reads(2, 0.25, 0));

  NlemParameters truth;
  truth.g0 = 3e-6;
  truth.aw = 5.0;
  truth.kw = 0.25;
  truth.tauw = 50.0;
  truth.eta = 0.025;
  truth.cw = 1.8;
  truth.kuv = 4e-3;
  const std::uint64_t seed = 2024;
  xbarsim::write_nlem_measurement_csv(output, xbarsim::synthetic_nlem_measurement(truth, stimulus, true, true, 0.01, seed));
  std::printf("wrote %s (%zu samples, 1 %% noise, seed %llu) with\n", output.c_str(), stimulus.time.size(),
              static_cast<unsigned long long>(seed));
  for (const NlemParameters::Field& field : NlemParameters::fields())
    if (truth.*field.member != NlemParameters{}.*field.member)
      std::printf("  %.*s = %g %.*s\n", static_cast<int>(field.name.size()), field.name.data(), truth.*field.member,
                  static_cast<int>(field.unit.size()), field.unit.data());
  return 0;
}
