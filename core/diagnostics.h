// Diagnostics: the errors and warnings xbarsim reports to users.
//
// NetlistError is thrown for bad input and always carries a SourceLocation; its what() is the
// full `file:line:col: error: message` line. SimulationError is thrown when a well-formed circuit
// cannot be solved (singular matrix, non-convergence); its message names nodes. Warnings and notes
// (unknown option, ignored .control block) go to a DiagnosticSink so library users can capture them.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include "core/source_location.h"

namespace xbarsim {

class NetlistError : public std::runtime_error {
 public:
  NetlistError(SourceLocation where, const std::string& message);
  const SourceLocation& where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  SourceLocation where_;
  std::string message_;
};

class SimulationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Severity { note, warning };

struct Diagnostic {
  Severity severity;
  SourceLocation where;
  std::string message;
  std::string to_string() const;  // "file:line:col: warning: message"
};

// Receives warnings and notes. The default sink prints them to stderr.
using DiagnosticSink = std::function<void(const Diagnostic&)>;
DiagnosticSink stderr_diagnostic_sink();

}  // namespace xbarsim
