// Table output: simulation results as CSV files and a JSON document, for spreadsheets, notebooks
// and report scripts that do not read ngspice raw files.
//
// CSV: one file per plot in a directory, named `NN_<plot-name-slug>.csv` with NN counting plots
// from 01 (`01_operating-point.csv`, `02_transient-analysis.csv`). The first row holds the vector
// names, each further row one point. JSON: one file,
//
//   {"plots": [{"name": "Transient Analysis", "title": "...", "scale": "time",
//               "vectors": [{"name": "time", "type": "time", "values": [0, 1e-09, ...]}, ...]}]}
//
// where "scale" names the scale vector (null for an operating point) and "type" is the ngspice
// vector type ("voltage", "current", "time", "notype"). Numbers are written in the shortest form
// that reads back as the identical double. CSV writes non-finite values as `nan`, `inf`, `-inf`;
// JSON, which has no such numbers, writes them as null.
#pragma once

#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "core/waveforms.h"

namespace xbarsim {

// `NN_<slug>.csv` for plot number `plot_index` (counted from 0; the name counts from 01).
std::string csv_file_name(std::size_t plot_index, const Plot& plot);

// Writes one CSV file per plot into `directory` (created if missing) and returns their paths in
// plot order. Throws std::runtime_error when a file cannot be written.
std::vector<std::filesystem::path> write_csv_directory(const std::filesystem::path& directory, const Waveforms& waveforms);
void write_csv(std::ostream& out, const Plot& plot);

// Writes all plots as one JSON document. Throws std::runtime_error when the file cannot be written.
void write_json_file(const std::filesystem::path& path, const Waveforms& waveforms);
void write_json(std::ostream& out, const Waveforms& waveforms);

// Writes `text` to `path` as it is (replacing the file). Throws std::runtime_error when it cannot.
void write_text_file(const std::filesystem::path& path, std::string_view text);

// `text` as a quoted JSON string, with quotes, backslashes and control characters escaped.
std::string json_string(std::string_view text);
// A lower-case slug for file names: letters and digits kept, every other run of characters one '-'.
std::string file_name_slug(std::string_view name);

}  // namespace xbarsim
