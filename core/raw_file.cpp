#include "core/raw_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <ostream>
#include <sstream>

namespace xbarsim {

namespace {

// ---------------------------------------------------------------------------------------------
// Writing

void check_writable(const Plot& plot) {
  if (plot.vector_count() == 0)
    throw std::invalid_argument(fmt::format("raw file: plot '{}' has no vectors", plot.name));
}

// Where the bytes of a raw file go, a chunk at a time.
using ChunkWriter = std::function<void(std::string_view)>;

// The raw file goes out in chunks of about this size: a million-vector plot's text would
// otherwise be held whole in memory.
constexpr std::size_t kChunkBytes = 1 << 20;

void flush_if_full(fmt::memory_buffer& buffer, const ChunkWriter& out) {
  if (buffer.size() < kChunkBytes) return;
  out(std::string_view(buffer.data(), buffer.size()));
  buffer.clear();
}

void append_header(fmt::memory_buffer& out, const Plot& plot, std::string_view date, const ChunkWriter& stream) {
  auto inserter = std::back_inserter(out);
  fmt::format_to(inserter, "Title: {}\nDate: {}\nPlotname: {}\nFlags: real\n", plot.title, date, plot.name);
  fmt::format_to(inserter, "No. Variables: {}\nNo. Points: {:<8}\nVariables:\n", plot.vector_count(), plot.point_count());
  for (std::size_t index = 0; index < plot.vector_count(); ++index) {  // a line per vector: millions, so no format strings
    const auto number = fmt::format_int(index);
    const std::string_view name = plot.vector_name(index), type = quantity_name(plot.quantity(index));
    out.push_back('\t');
    out.append(number.data(), number.data() + number.size());
    out.push_back('\t');
    out.append(name.data(), name.data() + name.size());
    out.push_back('\t');
    out.append(type.data(), type.data() + type.size());
    out.push_back('\n');
    flush_if_full(out, stream);
  }
}

void append_little_endian(fmt::memory_buffer& out, double value) {
  auto bits = std::bit_cast<std::uint64_t>(value);
  char bytes[8];
  for (char& byte : bytes) {
    byte = static_cast<char>(bits & 0xffu);
    bits >>= 8;
  }
  out.append(bytes, bytes + 8);
}

void append_binary_values(fmt::memory_buffer& out, const Plot& plot, const ChunkWriter& stream) {
  fmt::format_to(std::back_inserter(out), "Binary:\n");
  for (std::size_t point = 0; point < plot.point_count(); ++point)
    for (const double value : plot.point(point)) {
      append_little_endian(out, value);
      flush_if_full(out, stream);
    }
}

void append_ascii_values(fmt::memory_buffer& out, const Plot& plot, const ChunkWriter& stream) {
  auto inserter = std::back_inserter(out);
  fmt::format_to(inserter, "Values:\n");
  for (std::size_t point = 0; point < plot.point_count(); ++point)
    for (std::size_t index = 0; index < plot.vector_count(); ++index) {
      const double value = plot.value(index, point);
      if (index == 0)
        fmt::format_to(inserter, "{}\t\t{:.16e}\n", point, value);
      else
        fmt::format_to(inserter, "\t{:.16e}\n", value);
      flush_if_full(out, stream);
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

Quantity quantity_from_type(std::string_view type) {
  if (type == "voltage") return Quantity::voltage;
  if (type == "current") return Quantity::current;
  if (type == "time") return Quantity::time;
  return Quantity::other;
}

bool is_scale_name(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "time" || lower == "frequency" || lower.ends_with("-sweep") || lower.ends_with("-sweep)");
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Walks the bytes of a raw file, keeping the line number for error messages.
class RawParser {
 public:
  RawParser(std::string_view bytes, std::string_view source_name) : bytes_(bytes), source_(source_name) {}

  Waveforms parse() {
    Waveforms waveforms;
    while (skip_blank_lines(), position_ < bytes_.size()) waveforms.plots.push_back(parse_plot());
    if (waveforms.plots.empty()) fail(here(), "no plot in raw file (empty file)");
    return waveforms;
  }

 private:
  // A place in the file, for error messages: line numbers count from 1, bytes from 0.
  struct Place {
    std::size_t line;
    std::size_t byte;
  };

  Place here() const { return {line_, position_}; }

  [[noreturn]] void fail(Place where, const std::string& message) const {
    throw RawFileError(fmt::format("{}: line {} (byte {}): {}", source_, where.line, where.byte, message));
  }

  void skip_blank_lines() {
    while (position_ < bytes_.size() && (bytes_[position_] == '\n' || bytes_[position_] == '\r')) {
      if (bytes_[position_] == '\n') ++line_;
      ++position_;
    }
  }

  // The next header line without its line ending; advances past it.
  std::string_view next_line() {
    const std::size_t end = bytes_.find('\n', position_);
    const std::size_t stop = end == std::string_view::npos ? bytes_.size() : end;
    std::string_view line = bytes_.substr(position_, stop - position_);
    if (line.ends_with('\r')) line.remove_suffix(1);
    position_ = end == std::string_view::npos ? bytes_.size() : end + 1;
    ++line_;
    return line;
  }

  std::size_t parse_count(std::string_view text, Place where, std::string_view what) const {
    std::size_t count = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
    if (error != std::errc{} || end != text.data() + text.size())
      fail(where, fmt::format("{} is not a non-negative integer: '{}'", what, text));
    return count;
  }

  Plot parse_plot() {
    Plot plot;
    std::optional<std::size_t> variable_count, point_count;
    bool have_plot_name = false, have_variables = false;
    while (true) {
      if (position_ >= bytes_.size())
        fail(here(), fmt::format("file ends inside the header of plot '{}' (no 'Binary:' or 'Values:' line)", plot.name));
      const Place line_start = here();
      const std::string_view line = next_line();
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos)
        fail(line_start, fmt::format("expected a 'Keyword: value' header line, found '{}'", line.substr(0, 60)));
      const std::string_view keyword = line.substr(0, colon);
      const std::string_view value = trim(line.substr(colon + 1));
      if (keyword == "Title") {
        plot.title = std::string(value);
      } else if (keyword == "Plotname") {
        plot.name = std::string(value);
        have_plot_name = true;
      } else if (keyword == "Flags") {
        if (value.find("complex") != std::string_view::npos)
          fail(line_start, fmt::format("plot '{}' holds complex data, which is not supported", plot.name));
      } else if (keyword == "No. Variables") {
        variable_count = parse_count(value, line_start, "No. Variables");
      } else if (keyword == "No. Points") {
        point_count = parse_count(value, line_start, "No. Points");
      } else if (keyword == "Variables") {
        if (!variable_count) fail(line_start, "'Variables:' comes before 'No. Variables:'");
        parse_variables(plot, *variable_count);
        have_variables = true;
      } else if (keyword == "Binary" || keyword == "Values") {
        if (!have_plot_name) fail(line_start, "plot has no 'Plotname:' line");
        if (!point_count) fail(line_start, fmt::format("plot '{}' has no 'No. Points:' line", plot.name));
        if (!have_variables) fail(line_start, fmt::format("plot '{}' has no 'Variables:' section", plot.name));
        if (plot.vector_count() == 0) fail(line_start, fmt::format("plot '{}' has no variables", plot.name));
        if (keyword == "Binary")
          parse_binary_values(plot, *point_count);
        else
          parse_ascii_values(plot, *point_count);
        plot.has_scale = is_scale_name(plot.vector_name(0));
        return plot;
      }
      // Date, Command, Option, Dimensions and other informational lines do not affect the data.
    }
  }

  void parse_variables(Plot& plot, std::size_t count) {
    for (std::size_t index = 0; index < count; ++index) {
      if (position_ >= bytes_.size()) fail(here(), fmt::format("file ends after {} of {} variables", index, count));
      const Place line_start = here();
      std::istringstream fields{std::string(next_line())};
      std::string number, name, type;
      if (!(fields >> number >> name >> type))
        fail(line_start, fmt::format("variable {} of plot '{}': expected '<index> <name> <type>'", index, plot.name));
      if (number != std::to_string(index))
        fail(line_start, fmt::format("variable {} of plot '{}' is numbered '{}'", index, plot.name, number));
      plot.add_vector(name, quantity_from_type(type));
    }
  }

  void parse_binary_values(Plot& plot, std::size_t points) {
    const std::size_t variables = plot.vector_count();
    const std::size_t available = bytes_.size() - position_;
    if (points > available / 8 / variables)
      fail(here(), fmt::format("binary data of plot '{}' needs {} points x {} variables x 8 bytes, but only {} bytes remain",
                                  plot.name, points, variables, available));
    const std::size_t data_start = position_;
    plot.resize_points(points);
    for (std::size_t point = 0; point < points; ++point)
      for (std::size_t vector = 0; vector < variables; ++vector) {
        std::uint64_t bits = 0;
        for (int byte = 7; byte >= 0; --byte)
          bits = (bits << 8) | static_cast<unsigned char>(bytes_[position_ + static_cast<std::size_t>(byte)]);
        plot.value(vector, point) = std::bit_cast<double>(bits);
        position_ += 8;
      }
    // Count the newline bytes inside the data so that later line numbers match a text view of the file.
    line_ += static_cast<std::size_t>(std::count(bytes_.begin() + static_cast<std::ptrdiff_t>(data_start),
                                                 bytes_.begin() + static_cast<std::ptrdiff_t>(position_), '\n'));
  }

  // The next whitespace-separated token of the ASCII values section, with its starting byte.
  std::string_view next_token(Place& token_start) {
    while (position_ < bytes_.size() && is_space(bytes_[position_])) {
      if (bytes_[position_] == '\n') ++line_;
      ++position_;
    }
    token_start = here();
    while (position_ < bytes_.size() && !is_space(bytes_[position_])) ++position_;
    return bytes_.substr(token_start.byte, position_ - token_start.byte);
  }

  void parse_ascii_values(Plot& plot, std::size_t points) {
    plot.resize_points(points);
    for (std::size_t point = 0; point < points; ++point) {
      Place token_start{};
      const std::string_view index = next_token(token_start);
      if (index.empty()) fail(token_start, fmt::format("values of plot '{}' end after {} of {} points", plot.name, point, points));
      if (index != std::to_string(point))
        fail(token_start, fmt::format("plot '{}': expected point index {}, found '{}'", plot.name, point, index.substr(0, 40)));
      for (std::size_t vector = 0; vector < plot.vector_count(); ++vector) {
        std::string_view token = next_token(token_start);
        if (token.empty())
          fail(token_start, fmt::format("values of plot '{}' end inside point {}", plot.name, point));
        if (token.starts_with('+')) token.remove_prefix(1);
        double value = 0;
        const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
        if (error != std::errc{} || end != token.data() + token.size())
          fail(token_start, fmt::format("plot '{}', point {}, vector '{}': not a real number: '{}'", plot.name, point,
                                        plot.vector_name(vector), token.substr(0, 40)));
        plot.value(vector, point) = value;
      }
    }
  }

  std::string_view bytes_;
  std::string_view source_;
  std::size_t position_ = 0;
  std::size_t line_ = 1;
};

}  // namespace

std::string raw_file_date_now() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[64];
  const std::size_t length = std::strftime(text, sizeof text, "%a %b %e %H:%M:%S  %Y", &local);
  return std::string(text, length);
}

namespace {

void write_plots(const Waveforms& waveforms, const RawFileOptions& options, const ChunkWriter& out) {
  const std::string date = options.date.empty() ? raw_file_date_now() : options.date;
  for (const Plot& plot : waveforms.plots) check_writable(plot);
  fmt::memory_buffer buffer;
  buffer.reserve(kChunkBytes + (kChunkBytes >> 4));  // a chunk and the line that fills it, without regrowing
  for (const Plot& plot : waveforms.plots) {
    buffer.clear();
    append_header(buffer, plot, date, out);
    if (options.format == RawFormat::binary)
      append_binary_values(buffer, plot, out);
    else
      append_ascii_values(buffer, plot, out);
    out(std::string_view(buffer.data(), buffer.size()));
  }
}

[[noreturn]] void throw_write_error(const std::filesystem::path& path, bool opening) {
  const char* what = opening ? "cannot open '{}' for writing: {}" : "error while writing '{}': {}";
  throw std::runtime_error(fmt::format(fmt::runtime(what), path.string(), std::strerror(errno)));
}

}  // namespace

void write_raw(std::ostream& out, const Waveforms& waveforms, const RawFileOptions& options) {
  write_plots(waveforms, options, [&](std::string_view bytes) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
}

void write_raw_file(const std::filesystem::path& path, const Waveforms& waveforms, const RawFileOptions& options) {
  // Plain system calls, not a std::ofstream, whose first use sets up the C++ locales (0.2 ms).
  // An existing file is overwritten in place and then cut to length, not emptied first: ext4
  // writes a file that was truncated to zero out to disk as soon as it is closed (its guard for
  // files replaced that way), which cost 1-3 ms of a 15 ms run.
  const int descriptor = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
  if (descriptor < 0) throw_write_error(path, true);
  struct stat status {};
  const bool regular = ::fstat(descriptor, &status) == 0 && S_ISREG(status.st_mode);
  off_t written = 0;
  try {
    write_plots(waveforms, options, [&](std::string_view bytes) {
      while (!bytes.empty()) {
        const ssize_t count = ::write(descriptor, bytes.data(), bytes.size());
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0) throw_write_error(path, false);
        bytes.remove_prefix(static_cast<std::size_t>(count));
        written += count;
      }
    });
    if (regular && status.st_size > written && ::ftruncate(descriptor, written) != 0) throw_write_error(path, false);
  } catch (...) {
    ::close(descriptor);
    throw;
  }
  if (::close(descriptor) != 0) throw_write_error(path, false);
}

Waveforms read_raw_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RawFileError(fmt::format("{}: cannot open raw file", path.string()));
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw RawFileError(fmt::format("{}: error while reading", path.string()));
  return parse_raw(bytes, path.string());
}

Waveforms parse_raw(std::string_view bytes, std::string_view source_name) {
  return RawParser(bytes, source_name).parse();
}

}  // namespace xbarsim
