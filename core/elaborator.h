// Elaborator: turns netlist text into a flat Circuit.
//
// The pipeline, step by step:
//   1. read_netlist_file() gives the cards (includes and libraries expanded, comments gone);
//   2. the cards are split into the top level and `.subckt` definitions (nested definitions are
//      local to the subcircuit that holds them);
//   3. each level evaluates its `.param` lines in order, then its `.model` cards, then its
//      elements: an `X` line instantiates a definition (pins mapped, parameters overridden,
//      names prefixed `x1.`), every other letter goes to the builder its model registered
//      (builtin_element_kinds()), which adds the instance to its DeviceGroup; an `X` line whose
//      definition is a library subcircuit with a native model (core/native_subcircuit.h) goes to
//      that model's builder instead, unless ElaborationOptions::native_models is false;
//   4. top-level directives fill in the analyses, options, .ic/.nodeset and .save lists, the
//      `.meas` requests (core/measure.h) and the `.step` parameters (core/step_specification.h,
//      run by `xbarsim sweep`);
//   5. every group resolves its references to other devices (F/H controlling sources).
// Unknown elements or directives, bad numbers, missing nodes, wrong pin counts, undefined
// parameters or subcircuits, recursion and duplicate names are NetlistErrors at their token.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "core/circuit.h"
#include "core/diagnostics.h"
#include "core/netlist_reader.h"

namespace xbarsim {

struct ElaborationOptions {
  // Use the native C++ model for library subcircuits that have one (N-LEM, photodiode); false
  // expands their behavioural twins literally, as ngspice does.
  bool native_models = true;
  // Top-level parameter values that replace the netlist's `.param` assignments of the same names
  // (a sweep point). Parameters defined from them see the new values.
  std::map<std::string, double> parameter_overrides;
  // Seed of the Monte Carlo functions agauss, gauss, aunif and unif: every call in a .param line
  // or an element value is one draw, in netlist order, so a seed reproduces the whole circuit.
  std::uint64_t random_seed = 1;
};

Circuit elaborate(const NetlistText& netlist, const DiagnosticSink& sink, const ElaborationOptions& options = {});

// read_netlist_file() followed by elaborate().
Circuit load_circuit(const std::filesystem::path& netlist_path, const DiagnosticSink& sink,
                     const ElaborationOptions& options = {});

}  // namespace xbarsim
