// Measure: ngspice's `.meas` (`.measure`) statements, parsed from the netlist and evaluated on an
// analysis' results (a Plot), the way ngspice 39 does in batch mode.
//
//   .meas tran|dc NAME FIND SIGNAL AT=X                    value at a scale point (interpolated)
//   .meas tran|dc NAME FIND SIGNAL WHEN CONDITION           value where the condition holds
//   .meas tran|dc NAME WHEN CONDITION                       scale value (time) where it holds
//   .meas tran|dc NAME TRIG CONDITION TARG CONDITION        target scale value minus trigger's
//   .meas tran|dc NAME MAX|MIN|AVG|RMS|PP|INTEG SIGNAL [FROM=X] [TO=X]
//   .meas tran|dc|op NAME PARAM='expression'                 of earlier measurements and .params
//   .meas op NAME FIND SIGNAL                               an operating-point value
// SIGNAL is `v(node)`, `v(node1,node2)` or `i(vsource)`. CONDITION is `SIGNAL=value`,
// `SIGNAL=SIGNAL`, or for TRIG/TARG `SIGNAL VAL=value`, followed by optional `RISE=n`, `FALL=n`,
// `CROSS=n` (n may be LAST) and `TD=delay` (crossings before TD are ignored); without them the first
// crossing in either direction counts. `TRIG AT=X` starts at a fixed scale value.
// Values between samples are interpolated linearly; AVG, RMS and INTEG integrate with the
// trapezoidal rule over the window, its ends interpolated (AVG and RMS divide by its width); MAX,
// MIN and PP (MAX - MIN) look at the samples inside the window only, as ngspice does.
// `.meas op` is an xbarsim extension: ngspice 39 reports "unrecognized analysis type 'op'" and
// skips the line (the rest of the netlist runs), so such a netlist stays valid ngspice input.
// A measurement that cannot be computed (no crossing, window outside the data) fails with a
// reason, as ngspice prints "failed"; PARAM measurements of failed ones fail too.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/netlist_reader.h"
#include "core/source_location.h"
#include "core/waveforms.h"

namespace xbarsim {

enum class MeasureAnalysis { operating_point, dc, transient };
enum class MeasureFunction { find_at, find_when, when, trigger_target, max, min, avg, rms, pp, integ, param, find_operating_point };

// `v(a)`, `v(a,b)` (positive - negative) or `i(v1)`: names of result vectors.
struct MeasureSignal {
  std::string positive;  // e.g. "v(a)" or "i(v1)"
  std::string negative;  // "v(b)" for v(a,b); empty otherwise
  std::string text;      // as written, for messages
};

enum class CrossingDirection { either, rise, fall };

// Where a signal crosses a level (WHEN, TRIG, TARG), or a fixed scale value (TRIG AT=).
struct MeasureCondition {
  MeasureSignal signal;
  std::optional<double> level;              // SIGNAL=value / VAL=value
  std::optional<MeasureSignal> other;       // SIGNAL=SIGNAL
  std::optional<double> at;                 // TRIG/TARG AT=X
  CrossingDirection direction = CrossingDirection::either;
  long count = 1;      // the n-th crossing
  bool last = false;   // RISE=LAST etc.
  double delay = 0.0;  // TD
};

struct MeasureRequest {
  std::string name;  // lower case
  MeasureAnalysis analysis = MeasureAnalysis::transient;
  MeasureFunction function = MeasureFunction::find_at;
  SourceLocation where;
  MeasureSignal signal;                // FIND, MAX, ...
  std::optional<double> at, from, to;  // FIND AT=; window
  MeasureCondition when, trigger, target;
  std::string expression;  // PARAM, lower case
};

struct MeasureResult {
  std::string name;
  std::optional<double> value;  // nullopt: failed
  std::string failure;          // why, when it failed
};

// Parses a `.meas`/`.measure` card. Throws NetlistError at the offending token.
MeasureRequest parse_measure_card(const Card& card);

// The result vectors a measurement reads (to be kept in the output selection).
std::vector<std::string> measured_vectors(const MeasureRequest& request);

// Evaluates the measurements in order on the first plot of each one's analysis type; PARAM
// expressions see earlier results and the netlist's top-level parameters.
std::vector<MeasureResult> evaluate_measurements(const std::vector<MeasureRequest>& requests, const Waveforms& waveforms,
                                                 const std::map<std::string, double>& parameters);

// Evaluates one measurement on one plot (not PARAM). Returns the value or throws
// std::runtime_error with the reason it failed.
double evaluate_measurement(const MeasureRequest& request, const Plot& plot);

}  // namespace xbarsim
