// Gnuplot: how xbarsim draws its figures. Reports write a data file and a gnuplot script beside
// each figure (so the figure can be redrawn or restyled by hand), then run gnuplot (Debian package
// gnuplot-nox) on the script to produce the SVG or PNG.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace xbarsim {

// True when a `gnuplot` executable is on the PATH.
bool gnuplot_available();

// Runs `gnuplot SCRIPT` in the script's directory. Throws std::runtime_error when gnuplot cannot
// be started or fails.
void run_gnuplot_script(const std::filesystem::path& script);

// A string literal for a gnuplot script, in double quotes with `"` and `\` escaped.
std::string gnuplot_string(std::string_view text);

}  // namespace xbarsim
