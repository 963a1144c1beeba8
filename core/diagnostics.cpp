#include "core/diagnostics.h"

#include <fmt/format.h>

#include <cstdio>
#include <mutex>
#include <unordered_set>

namespace xbarsim {

FileName::FileName(std::string_view name) {
  // Interned for the life of the process: a run reads a handful of files, and locations that
  // point at them are copied millions of times.
  static std::mutex mutex;
  static std::unordered_set<std::string> names;
  std::lock_guard lock(mutex);
  name_ = &*names.emplace(name).first;
}

const std::string& FileName::str() const {
  static const std::string empty;
  return name_ ? *name_ : empty;
}

std::string SourceLocation::to_string() const {
  const std::string& name = file.empty() ? std::string("<input>") : file.str();
  if (line <= 0) return name;
  return fmt::format("{}:{}:{}", name, line, column);
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
