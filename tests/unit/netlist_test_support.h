// Helpers for unit tests that build circuits from netlist text held in memory.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "core/elaborator.h"
#include "core/netlist_reader.h"

namespace xbarsim::testing {

// Elaborates netlist text (first line is the title); warnings and notes are collected.
struct ParsedNetlist {
  Circuit circuit;
  std::vector<Diagnostic> diagnostics;
};

inline ParsedNetlist parse_netlist(std::string_view text) {
  ParsedNetlist parsed;
  DiagnosticSink sink = [&](const Diagnostic& diagnostic) { parsed.diagnostics.push_back(diagnostic); };
  parsed.circuit = elaborate(read_netlist_string(text, "test.cir", ".", sink), sink);
  return parsed;
}

// The full `file:line:col: error: message` text of the NetlistError that parsing throws, or "".
inline std::string netlist_error(std::string_view text) {
  try {
    parse_netlist(text);
  } catch (const NetlistError& error) {
    return error.what();
  }
  return "";
}

}  // namespace xbarsim::testing
