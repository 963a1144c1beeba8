#include "core/signal_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace xbarsim {

double snr_db(double noise_rms, double full_scale) {
  if (noise_rms <= 0.0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(full_scale * full_scale / 8.0 / (noise_rms * noise_rms));
}

double enob_from_sndr(double sndr) { return (sndr - 1.76) / 6.02; }

double ErrorStatistics::sndr_db() const { return snr_db(rms, full_scale); }
double ErrorStatistics::enob() const { return enob_from_sndr(sndr_db()); }

ErrorStatistics error_statistics(const std::vector<double>& measured, const std::vector<double>& ideal,
                                 double full_scale) {
  if (measured.size() != ideal.size() || measured.empty())
    throw std::invalid_argument("error_statistics: measured and ideal must be non-empty and of equal length");
  ErrorStatistics s;
  s.full_scale = full_scale;
  double sum_square = 0.0, sum = 0.0;
  for (std::size_t k = 0; k < measured.size(); ++k) {
    const double e = measured[k] - ideal[k];
    sum += e;
    sum_square += e * e;
    s.worst = std::max(s.worst, std::abs(e));
  }
  const double n = static_cast<double>(measured.size());
  s.mean = sum / n;
  s.rms = std::sqrt(sum_square / n);
  return s;
}

double value_at(const std::vector<double>& times, const std::vector<double>& values, double t) {
  if (t <= times.front()) return values.front();
  if (t >= times.back()) return values.back();
  const auto upper = std::upper_bound(times.begin(), times.end(), t);
  const std::size_t k = static_cast<std::size_t>(upper - times.begin());
  const double fraction = (t - times[k - 1]) / (times[k] - times[k - 1]);
  return values[k - 1] + fraction * (values[k] - values[k - 1]);
}

std::optional<double> settling_time(const std::vector<double>& times, const std::vector<double>& values,
                                    double step_time, double window_end, double final_value, double tolerance) {
  double last_outside = step_time;
  for (std::size_t k = 0; k < times.size(); ++k) {
    if (times[k] < step_time || times[k] > window_end) continue;
    if (std::abs(values[k] - final_value) > tolerance) {
      if (k + 1 < times.size() && times[k + 1] <= window_end) {
        // crossing back into the band between k and k+1
        const double a = std::abs(values[k] - final_value) - tolerance;
        const double b = std::abs(values[k + 1] - final_value) - tolerance;
        last_outside = b < 0 ? times[k] + (times[k + 1] - times[k]) * a / (a - b) : times[k + 1];
      } else {
        return std::nullopt;
      }
    }
  }
  return last_outside - step_time;
}

}  // namespace xbarsim
