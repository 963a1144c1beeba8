// SourceWaveform: the time function of an independent source, with ngspice's semantics.
//
// `DC v`, `PULSE(v1 v2 td tr tf pw per [np])`, `SIN(vo va freq td theta phase)`,
// `EXP(v1 v2 td1 tau1 td2 tau2)`, `PWL(t1 v1 t2 v2 ... [r=t])`. Omitted fields take ngspice's
// defaults, some of which depend on the transient analysis' tstep and tstop (PULSE rise/fall
// default to tstep, width and period to tstop). The DC value used by .op and .dc is the `DC`
// field when given, else the waveform at t = 0 (as ngspice does).
#pragma once

#include <string_view>
#include <vector>

namespace xbarsim {

class SourceWaveform {
 public:
  enum class Shape { constant, pulse, sine, exponential, piecewise_linear };

  SourceWaveform() = default;
  SourceWaveform(Shape shape, std::vector<double> parameters);
  static SourceWaveform constant(double value) { return SourceWaveform(Shape::constant, {value}); }

  Shape shape() const { return shape_; }
  const std::vector<double>& parameters() const { return parameters_; }
  bool is_constant() const { return shape_ == Shape::constant; }

  // Fills defaults that depend on the transient analysis (call once per analysis).
  void set_transient_timing(double step, double stop);
  double value(double time) const;
  // Corners in (after, stop]: the simulator hits these exactly.
  void breakpoints(double stop, std::vector<double>& out) const;

  // PWL `r=time`: after the last point, repeat the part of the waveform after `time`.
  void set_repeat(double time) { repeat_from_ = time; }

  // Checks the parameter count and values; returns an error message or empty when valid.
  static std::string_view check(Shape shape, const std::vector<double>& parameters);

 private:
  Shape shape_ = Shape::constant;
  std::vector<double> parameters_{0.0};
  double step_ = 0.0, stop_ = 0.0;
  double repeat_from_ = -1.0;  // PWL `r=` time, or -1
};

}  // namespace xbarsim
