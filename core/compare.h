// Waveform comparison: decides whether our results agree with a reference (usually ngspice's
// output for the same netlist). Used by `xbarsim check`, the unit and end-to-end tests, and the
// validation of native models against their behavioural twins.
//
// Plots are paired in order by name (case-insensitive): the k-th "Transient Analysis" of ours with
// the k-th of the reference, so analyses run in a different order still pair up. A plot present on
// one side only is a problem (the comparison fails). Within a pair, vectors are matched by name
// (case-insensitive); a vector present on one side only is listed, not an error.
//
// Alignment. Plots without a scale (operating point) are compared point by point. For plots with a
// scale (dc sweep, transient): when both scales hold the same values (within
// `scale_match_tolerance` times the scale's largest magnitude) the points are compared one to one;
// otherwise both sides are linearly interpolated onto a common grid, the union of both scales
// restricted to their overlap. That needs monotonic scales (a nested dc sweep with different grids
// cannot be aligned and is reported as a problem), and the two scales must start and end at the
// same values within that tolerance, so a run that stopped early is not hidden by the overlap.
//
// Tolerance. A point passes when
//     |ours - reference| <= absolute + relative * peak,   peak = max |reference| over the whole vector,
// i.e. the relative part is taken relative to the vector's peak, not to the local value, so a
// waveform crossing zero is not held to an impossible tolerance near the crossing. `absolute` is
// chosen by the vector's quantity (voltage, current, other). NaN equals NaN; NaN against a number fails.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/waveforms.h"

namespace xbarsim {

struct ComparisonTolerances {
  double relative = 1e-6;           // times the reference vector's peak magnitude
  double voltage_absolute = 1e-9;   // V
  double current_absolute = 1e-12;  // A
  double other_absolute = 1e-12;    // time and untyped vectors, in their own unit
  double scale_match_tolerance = 1e-9;  // relative to the scale's largest magnitude

  double absolute_for(Quantity quantity) const;
};

struct VectorComparison {
  std::string name;
  Quantity quantity = Quantity::other;
  double reference_peak = 0;       // max |reference| over the compared points
  double allowed_error = 0;        // absolute + relative * reference_peak
  double max_absolute_error = 0;   // max |ours - reference|; infinity when NaN meets a number
  double max_relative_error = 0;   // max_absolute_error / reference_peak (infinity if peak is 0 and error is not)
  std::size_t worst_point = 0;     // index of the worst point in the compared points
  double worst_scale_value = 0;    // scale value at the worst point (plots with a scale only)
  bool passed = true;

  // max_absolute_error / allowed_error: above 1 means failed; used to rank the worst vectors.
  double error_to_tolerance_ratio() const;
};

struct PlotComparison {
  std::string name;                  // plot name, e.g. "Transient Analysis"
  std::size_t our_plot = 0;          // index of the plot in ours
  std::size_t reference_plot = 0;    // index of its counterpart in the reference
  std::string scale_name;            // empty for plots without a scale
  bool interpolated = false;         // true when the scales differed and a common grid was used
  std::size_t compared_points = 0;
  std::vector<VectorComparison> vectors;  // matched vectors (the scale itself excluded), in our order
  std::vector<std::string> only_in_ours;
  std::vector<std::string> only_in_reference;
  std::vector<std::string> problems;  // reasons the plot could not be compared (these fail it)
  bool passed = true;                 // no problems and every matched vector passed
};

struct WaveformComparison {
  std::vector<PlotComparison> plots;  // paired plots, in our order
  std::vector<std::string> problems;  // plots present on one side only
  bool passed = true;
};

WaveformComparison compare_waveforms(const Waveforms& ours, const Waveforms& reference,
                                     const ComparisonTolerances& tolerances = {});

// A fixed-width table of the `count` vectors with the largest error relative to their tolerance,
// worst first: plot, vector, max abs error, max rel error, where (scale value or point index), verdict;
// followed by the plot problems and one-sided vectors, and an overall PASS/FAIL line.
std::string format_worst_vectors(const WaveformComparison& comparison, std::size_t count = 10);

}  // namespace xbarsim
