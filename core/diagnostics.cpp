#include "core/diagnostics.h"

#include <fmt/format.h>

#include <cstdio>

namespace xbarsim {

std::string SourceLocation::to_string() const {
  if (line <= 0) return file.empty() ? std::string("<input>") : file;
  return fmt::format("{}:{}:{}", file.empty() ? "<input>" : file, line, column);
}

NetlistError::NetlistError(SourceLocation where, const std::string& message)
    : std::runtime_error(fmt::format("{}: error: {}", where.to_string(), message)),
      where_(std::move(where)),
      message_(message) {}

std::string Diagnostic::to_string() const {
  return fmt::format("{}: {}: {}", where.to_string(), severity == Severity::note ? "note" : "warning",
                     message);
}

DiagnosticSink stderr_diagnostic_sink() {
  return [](const Diagnostic& diagnostic) { std::fprintf(stderr, "%s\n", diagnostic.to_string().c_str()); };
}

}  // namespace xbarsim
