#include "models/source_waveform.h"

#include <cmath>
#include <numbers>

namespace xbarsim {
namespace {

double field(const std::vector<double>& p, std::size_t index, double fallback) {
  return index < p.size() ? p[index] : fallback;
}

}  // namespace

SourceWaveform::SourceWaveform(Shape shape, std::vector<double> parameters)
    : shape_(shape), parameters_(std::move(parameters)) {}

std::string_view SourceWaveform::check(Shape shape, const std::vector<double>& p) {
  switch (shape) {
    case Shape::constant: return p.size() == 1 ? "" : "expected one value";
    case Shape::pulse: return p.size() >= 2 && p.size() <= 8 ? "" : "PULSE takes v1 v2 [td tr tf pw per [np]]";
    case Shape::sine: return p.size() >= 3 && p.size() <= 6 ? "" : "SIN takes vo va freq [td theta phase]";
    case Shape::exponential: return p.size() >= 2 && p.size() <= 6 ? "" : "EXP takes v1 v2 [td1 tau1 td2 tau2]";
    case Shape::piecewise_linear:
      if (p.size() < 2 || p.size() % 2 != 0) return "PWL takes pairs of time and value";
      for (std::size_t i = 2; i < p.size(); i += 2)
        if (p[i] < p[i - 2]) return "PWL times must not decrease";
      return "";
  }
  return "";
}

void SourceWaveform::set_transient_timing(double step, double stop) {
  step_ = step;
  stop_ = stop;
}

double SourceWaveform::value(double time) const {
  const std::vector<double>& p = parameters_;
  switch (shape_) {
    case Shape::constant: return p[0];
    case Shape::pulse: {
      double v1 = p[0], v2 = p[1];
      double delay = field(p, 2, 0.0);
      double rise = field(p, 3, 0.0), fall = field(p, 4, 0.0);
      if (rise <= 0) rise = step_ > 0 ? step_ : 1e-12;
      if (fall <= 0) fall = step_ > 0 ? step_ : 1e-12;
      double width = field(p, 5, 0.0), period = field(p, 6, 0.0);
      if (width <= 0) width = stop_ > 0 ? stop_ : 1e30;
      if (period <= 0) period = stop_ > 0 ? stop_ : 1e30;
      double t = time - delay;
      if (t <= 0) return v1;
      double pulses = field(p, 7, 0.0);
      double cycle = std::floor(t / period);
      if (pulses > 0 && cycle >= pulses) return v1;
      t -= cycle * period;
      if (t < rise) return v1 + (v2 - v1) * t / rise;
      if (t <= rise + width) return v2;
      if (t < rise + width + fall) return v2 + (v1 - v2) * (t - rise - width) / fall;
      return v1;
    }
    case Shape::sine: {
      double offset = p[0], amplitude = p[1], frequency = p[2];
      double delay = field(p, 3, 0.0), damping = field(p, 4, 0.0), phase = field(p, 5, 0.0);
      double phase_radians = phase * std::numbers::pi / 180.0;
      if (time <= delay) return offset + amplitude * std::sin(phase_radians);
      double t = time - delay;
      return offset + amplitude * std::exp(-t * damping) * std::sin(2 * std::numbers::pi * frequency * t + phase_radians);
    }
    case Shape::exponential: {
      double v1 = p[0], v2 = p[1];
      double delay_rise = field(p, 2, 0.0);
      double tau_rise = field(p, 3, step_ > 0 ? step_ : 1.0);
      double delay_fall = field(p, 4, delay_rise + (step_ > 0 ? step_ : 0.0));
      double tau_fall = field(p, 5, step_ > 0 ? step_ : 1.0);
      double value = v1;
      if (time > delay_rise) value += (v2 - v1) * (1 - std::exp(-(time - delay_rise) / tau_rise));
      if (time > delay_fall) value += (v1 - v2) * (1 - std::exp(-(time - delay_fall) / tau_fall));
      return value;
    }
    case Shape::piecewise_linear: {
      double t = time;
      double last = p[p.size() - 2];
      if (repeat_from_ >= 0 && t > last && last > repeat_from_) t = repeat_from_ + std::fmod(t - repeat_from_, last - repeat_from_);
      if (t <= p[0]) return p[1];
      for (std::size_t i = 2; i < p.size(); i += 2) {
        if (t <= p[i]) {
          double t0 = p[i - 2], t1 = p[i];
          if (t1 == t0) return p[i + 1];
          return p[i - 1] + (p[i + 1] - p[i - 1]) * (t - t0) / (t1 - t0);
        }
      }
      return p.back();
    }
  }
  return 0.0;
}

void SourceWaveform::breakpoints(double stop, std::vector<double>& out) const {
  const std::vector<double>& p = parameters_;
  switch (shape_) {
    case Shape::constant: return;
    case Shape::sine:
      if (field(p, 3, 0.0) > 0) out.push_back(field(p, 3, 0.0));  // the sine starts after its delay
      return;
    case Shape::exponential:
      out.push_back(field(p, 2, 0.0));
      out.push_back(field(p, 4, field(p, 2, 0.0) + step_));
      return;
    case Shape::pulse: {
      double delay = field(p, 2, 0.0);
      double rise = field(p, 3, 0.0), fall = field(p, 4, 0.0);
      if (rise <= 0) rise = step_ > 0 ? step_ : 1e-12;
      if (fall <= 0) fall = step_ > 0 ? step_ : 1e-12;
      double width = field(p, 5, 0.0), period = field(p, 6, 0.0);
      if (width <= 0) width = stop_ > 0 ? stop_ : 1e30;
      if (period <= 0) period = stop_ > 0 ? stop_ : 1e30;
      double pulses = field(p, 7, 0.0);
      for (int cycle = 0;; ++cycle) {
        if (pulses > 0 && cycle >= pulses) break;
        double base = delay + cycle * period;
        if (base > stop) break;
        for (double corner : {base, base + rise, base + rise + width, base + rise + width + fall})
          if (corner <= stop) out.push_back(corner);
        if (period >= 1e29) break;
      }
      return;
    }
    case Shape::piecewise_linear: {
      double offset = 0.0;
      double last = p[p.size() - 2];
      for (int repeat = 0; repeat < 100000; ++repeat) {
        for (std::size_t i = 0; i < p.size(); i += 2) {
          if (repeat > 0 && p[i] <= repeat_from_) continue;
          double corner = p[i] + offset;
          if (corner > stop) return;
          out.push_back(corner);
        }
        if (repeat_from_ < 0 || last <= repeat_from_) return;
        offset += last - repeat_from_;
      }
      return;
    }
  }
}

}  // namespace xbarsim
