// Independent sources: `Vname n+ n- [DC v] [AC mag [phase]] [PULSE(...)|SIN(...)|EXP(...)|PWL(...)]`
// and the same for `Iname`. A voltage source adds its branch current `i(vname)` (positive when
// current flows into n+, through the source, out of n-); a current source drives its current
// from n+ through the source to n-. Both are SweepableSources for `.dc` and scale with the
// source-stepping factor during operating-point homotopy.
#pragma once

#include <string>
#include <vector>

#include "core/circuit.h"
#include "core/element_card.h"
#include "models/source_waveform.h"

namespace xbarsim {

struct SourceSpecification {
  double dc_value = 0.0;
  bool has_dc_value = false;
  SourceWaveform waveform;
};

// Parses the value part of a source card, starting at token `first`.
SourceSpecification parse_source_specification(ElementCard& card, std::size_t first);

class IndependentSourceGroup : public DeviceGroup, public SweepableSource {
 public:
  std::vector<int> positive, negative;
  std::vector<double> dc;  // value used by .op and .dc
  std::vector<SourceWaveform> waveforms;
  std::vector<int> devices;  // device ids (Circuit::device_name)

  std::size_t size() const override { return positive.size(); }
  double dc_value(std::size_t index) const override { return dc[index]; }
  void set_dc_value(std::size_t index, double value) override { dc[index] = value; }
  // Value at the present analysis point (DC value in DC modes, waveform in transient).
  double present_value(std::size_t index, const LoadContext& context) const {
    switch (context.mode) {
      case AnalysisMode::transient: return waveforms[index].value(context.time);
      case AnalysisMode::transient_operating_point: return waveforms[index].value(0.0) * context.source_factor;
      default: return dc[index] * context.source_factor;
    }
  }
  void prepare_transient(double step, double stop, std::vector<double>& breakpoints) override {
    for (SourceWaveform& waveform : waveforms) {
      waveform.set_transient_timing(step, stop);
      waveform.breakpoints(stop, breakpoints);
    }
  }
};

class VoltageSourceGroup : public IndependentSourceGroup {
 public:
  std::vector<int> branch;
  std::string_view kind() const override { return "voltage source"; }
  Quantity source_quantity() const override { return Quantity::voltage; }
  void declare(MatrixStructure& structure) const override;
  void bind(const MatrixStructure& structure) override;
  void load(LoadContext& context) override;
  void dc_connections(DcConnectionSink& connections) const override;

 private:
  struct Slots {
    int positive_branch, negative_branch, branch_positive, branch_negative, rhs_branch;
  };
  std::vector<Slots> slots_;
};

class CurrentSourceGroup : public IndependentSourceGroup {
 public:
  std::string_view kind() const override { return "current source"; }
  Quantity source_quantity() const override { return Quantity::current; }
  void declare(MatrixStructure& structure) const override { (void)structure; }
  void bind(const MatrixStructure& structure) override;
  void load(LoadContext& context) override;

 private:
  std::vector<int> rhs_positive_, rhs_negative_;
};

}  // namespace xbarsim
