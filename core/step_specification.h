// StepSpecification: the values one swept parameter takes, from a netlist `.step` line or from a
// `xbarsim sweep --param NAME=SPEC` option.
//
// Netlist (LTspice/Xyce style; xbarsim extension, ngspice 39 rejects `.step`):
//   .step param NAME LIST v1 v2 ...            the listed values
//   .step param NAME start stop increment      start, start+increment, ... up to stop
//   .step param NAME LIN start stop increment  the same
//   .step param NAME DEC start stop points     `points` per decade, logarithmic, start..stop
//   .step param NAME OCT start stop points     `points` per octave
// The DEC/OCT/LIN/LIST keyword may also come before `param` (`.step dec param r 1k 1meg 5`).
// Command line: `list:1,2,5`, `lin:START,STOP,COUNT` (COUNT evenly spaced points, both ends
// included), `step:START,STOP,INCREMENT`, `dec:START,STOP,PER_DECADE`, `oct:START,STOP,PER_OCTAVE`.
// Values take SPICE suffixes (`1k`, `2.2meg`). Several parameters form a grid; the first one
// listed varies slowest.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/netlist_reader.h"
#include "core/source_location.h"

namespace xbarsim {

struct SteppedParameter {
  std::string name;  // lower case
  std::vector<double> values;
  bool logarithmic = false;  // DEC/OCT: plots use a log axis
  SourceLocation where;      // the `.step` line; no location for command-line parameters
};

// start, start+increment, ... while not past stop (stop included within rounding).
std::vector<double> incremented_values(double start, double stop, double increment);
// `count` evenly spaced values from start to stop inclusive.
std::vector<double> evenly_spaced_values(double start, double stop, long count);
// `per_interval` points per factor `ratio` (10 for decades, 2 for octaves) from start up to stop.
std::vector<double> logarithmic_values(double start, double stop, long per_interval, double ratio);

// Parses a `.step` card. Throws NetlistError at the offending token.
SteppedParameter parse_step_card(const Card& card);
// Parses `NAME=SPEC` from the command line. Throws std::invalid_argument naming the problem.
SteppedParameter parse_step_option(std::string_view name_and_specification);

}  // namespace xbarsim
