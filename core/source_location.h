// SourceLocation: where a piece of netlist text came from (file, 1-based line and column).
// Every token, card and diagnostic carries one so errors read `file:line:col: error: ...`.
#pragma once

#include <string>

namespace xbarsim {

struct SourceLocation {
  std::string file;  // path as the user wrote it (or as resolved relative to the including file)
  int line = 0;      // 1-based; 0 means "no location"
  int column = 0;    // 1-based

  std::string to_string() const;  // "file:line:col" (or "file" when line is 0)
};

}  // namespace xbarsim
