// SourceLocation: where a piece of netlist text came from (file, 1-based line and column).
// Every token, card and diagnostic carries one so errors read `file:line:col: error: ...`.
// File names are interned (FileName), so copying a location costs a pointer and two ints:
// a large netlist has millions of tokens.
#pragma once

#include <string>
#include <string_view>

namespace xbarsim {

// An interned file name: equal names share one string that lives as long as the process.
class FileName {
 public:
  FileName() = default;
  FileName(std::string_view name);  // NOLINT(google-explicit-constructor): locations are built from strings
  FileName(const std::string& name) : FileName(std::string_view(name)) {}
  FileName(const char* name) : FileName(std::string_view(name)) {}

  const std::string& str() const;
  bool empty() const { return str().empty(); }

 private:
  const std::string* name_ = nullptr;
};

struct SourceLocation {
  FileName file;     // path as the user wrote it (or as resolved relative to the including file)
  int line = 0;      // 1-based; 0 means "no location"
  int column = 0;    // 1-based

  std::string to_string() const;  // "file:line:col" (or "file" when line is 0)
};

}  // namespace xbarsim
