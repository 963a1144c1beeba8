#include "models/nlem_response.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace xbarsim {
namespace {

constexpr double kLargestVoltageSubstep = 0.01;     // V
constexpr double kLargestIrradianceSubstep = 10.0;  // W/m^2
constexpr double kTimeTicksPerSecond = 1e12;        // built records' times are rounded to 1 ps

void require_valid(const NlemStimulus& stimulus) {
  const std::size_t count = stimulus.time.size();
  if (count == 0) throw std::invalid_argument("the N-LEM stimulus has no samples");
  if (stimulus.voltage.size() != count || stimulus.irradiance.size() != count)
    throw std::invalid_argument("the N-LEM stimulus has time, voltage and irradiance vectors of different lengths");
  for (std::size_t i = 1; i < count; ++i)
    if (!(stimulus.time[i] > stimulus.time[i - 1]))
      throw std::invalid_argument(fmt::format("N-LEM stimulus: time {} at sample {} does not increase", stimulus.time[i], i + 1));
}

}  // namespace

void NlemStimulus::append_hold(double hold_voltage, double hold_irradiance, double duration, double sample_interval) {
  if (time.empty()) {
    time.push_back(0.0);
    voltage.push_back(hold_voltage);
    irradiance.push_back(hold_irradiance);
  }
  const double start = time.back();
  const auto samples = static_cast<long>(std::llround(duration / sample_interval));
  for (long k = 1; k <= samples; ++k) {
    time.push_back(std::round((start + static_cast<double>(k) * sample_interval) * kTimeTicksPerSecond) / kTimeTicksPerSecond);
    voltage.push_back(hold_voltage);
    irradiance.push_back(hold_irradiance);
  }
}

void NlemStimulus::append_pulses(const NlemPulseTrain& train) {
  for (int k = 0; k < train.count; ++k) {
    append_hold(train.voltage, train.irradiance, train.width, train.sample_interval);
    append_hold(0.0, train.irradiance, train.sample_interval, train.sample_interval);
    append_hold(0.0, train.irradiance, train.gap - train.sample_interval, train.gap_sample_interval);
  }
}

NlemResponse simulate_nlem_response(const NlemParameters& parameters, const NlemStimulus& stimulus) {
  require_valid(stimulus);
  const std::size_t count = stimulus.time.size();
  NlemResponse response;
  response.current.reserve(count);
  response.optical_power.reserve(count);
  NlemState state = advance_nlem_state(parameters, {}, stimulus.voltage[0], stimulus.irradiance[0],
                                       std::numeric_limits<double>::infinity());
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) {
      const double start_voltage = stimulus.voltage[i - 1], voltage_change = stimulus.voltage[i] - start_voltage;
      const double start_irradiance = stimulus.irradiance[i - 1], irradiance_change = stimulus.irradiance[i] - start_irradiance;
      const int substeps = static_cast<int>(std::max({1.0, std::ceil(std::abs(voltage_change) / kLargestVoltageSubstep),
                                                      std::ceil(std::abs(irradiance_change) / kLargestIrradianceSubstep)}));
      const double substep = (stimulus.time[i] - stimulus.time[i - 1]) / substeps;
      for (int k = 0; k < substeps; ++k) {
        const double midpoint = (k + 0.5) / substeps;
        state = advance_nlem_state(parameters, state, start_voltage + midpoint * voltage_change,
                                   start_irradiance + midpoint * irradiance_change, substep);
      }
    }
    const NlemEvaluation output = evaluate_nlem(parameters, stimulus.voltage[i], state.weight, state.facilitation, stimulus.irradiance[i]);
    response.current.push_back(output.current);
    response.optical_power.push_back(output.optical_power);
  }
  return response;
}

}  // namespace xbarsim
