// ngspice raw files: the result format ngspice writes with `ngspice -b -r out.raw` and reads back
// with `load`; waveform viewers and analysis scripts read it too.
//
// A raw file is one or more plots concatenated. Each plot is a text header
//
//   Title: <netlist title>
//   Date: <date>
//   Plotname: Transient Analysis
//   Flags: real
//   No. Variables: 3
//   No. Points: 62          (the count padded to 8 characters, as ngspice writes it)
//   Variables:
//   \t0\ttime\ttime
//   \t1\tv(in)\tvoltage
//   \t2\ti(v1)\tcurrent
//
// followed by either `Binary:\n` and little-endian doubles, point-major (all vectors of point 0,
// then all of point 1, ...), or `Values:\n` and, per point, `<index>\t\t<value>\n` for the first
// vector and `\t<value>\n` for each following one. The writer produces ngspice 39's layout byte for
// byte, except that ASCII values carry 17 significant digits (ngspice writes 16) so that they read
// back as the identical double. Only real data is supported: complex plots are rejected on read.
//
// `write_raw_file` is what `xbarsim run` uses for its results; `read_raw_file` loads ngspice's
// output for `xbarsim check` and the tests.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/waveforms.h"

namespace xbarsim {

enum class RawFormat { binary, ascii };

struct RawFileOptions {
  RawFormat format = RawFormat::binary;
  // The `Date:` line. Empty means the current local time in ngspice's format,
  // e.g. "Sun Nov 22 11:57:33  2026"; set it for reproducible files.
  std::string date;
};

// A raw file that cannot be read; what() names the source and the line and byte where reading failed.
class RawFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes every plot of `waveforms`, in order, as one raw file. Throws std::invalid_argument when a
// plot has no vectors, std::runtime_error when the file cannot be written.
void write_raw_file(const std::filesystem::path& path, const Waveforms& waveforms, const RawFileOptions& options = {});
void write_raw(std::ostream& out, const Waveforms& waveforms, const RawFileOptions& options = {});

// Reads every plot of a binary or ASCII raw file (the two may even be mixed, plot by plot).
// Vector types other than voltage, current and time become Quantity::other. A plot has a scale
// when its first vector is `time`, `frequency` or an ngspice sweep (`v(v-sweep)`, `temp-sweep`, ...).
Waveforms read_raw_file(const std::filesystem::path& path);
// Same, from the file's bytes; `source_name` prefixes error messages.
Waveforms parse_raw(std::string_view bytes, std::string_view source_name);

// ngspice's date format for `Date:` lines: asctime() with a doubled space before the year.
std::string raw_file_date_now();

}  // namespace xbarsim
