#include "core/table_output.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <iterator>
#include <ostream>
#include <span>
#include <stdexcept>

namespace xbarsim {

std::string file_name_slug(std::string_view name) {
  std::string result;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte))
      result.push_back(static_cast<char>(std::tolower(byte)));
    else if (!result.empty() && result.back() != '-')
      result.push_back('-');
  }
  while (!result.empty() && result.back() == '-') result.pop_back();
  return result.empty() ? "plot" : result;
}

namespace {

// A CSV field, quoted when it holds a separator, a quote or a line break (RFC 4180).
std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

void append_json_string(fmt::memory_buffer& out, std::string_view text) {
  auto inserter = std::back_inserter(out);
  out.push_back('"');
  for (const char c : text) {
    switch (c) {
      case '"': fmt::format_to(inserter, "\\\""); break;
      case '\\': fmt::format_to(inserter, "\\\\"); break;
      case '\n': fmt::format_to(inserter, "\\n"); break;
      case '\r': fmt::format_to(inserter, "\\r"); break;
      case '\t': fmt::format_to(inserter, "\\t"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          fmt::format_to(inserter, "\\u{:04x}", static_cast<unsigned>(c));
        else
          out.push_back(c);
    }
  }
  out.push_back('"');
}

// CSV text goes out in chunks of about this size.
constexpr std::size_t kChunkBytes = 1 << 20;

void write_buffer(std::ostream& out, const fmt::memory_buffer& buffer) {
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
}

std::ofstream open_for_writing(const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error(fmt::format("cannot open '{}' for writing", path.string()));
  return out;
}

void finish_writing(std::ofstream& out, const std::filesystem::path& path) {
  out.close();
  if (!out) throw std::runtime_error(fmt::format("error while writing '{}'", path.string()));
}

}  // namespace

std::string csv_file_name(std::size_t plot_index, const Plot& plot) {
  return fmt::format("{:02}_{}.csv", plot_index + 1, file_name_slug(plot.name));
}

void write_csv(std::ostream& out, const Plot& plot) {
  fmt::memory_buffer buffer;
  auto inserter = std::back_inserter(buffer);
  for (std::size_t index = 0; index < plot.vector_count(); ++index)
    fmt::format_to(inserter, "{}{}", index == 0 ? "" : ",", csv_field(plot.vector_name(index)));
  buffer.push_back('\n');
  for (std::size_t point = 0; point < plot.point_count(); ++point) {
    const std::span<const double> values = plot.point(point);
    for (std::size_t index = 0; index < values.size(); ++index)
      fmt::format_to(inserter, "{}{}", index == 0 ? "" : ",", values[index]);
    buffer.push_back('\n');
    if (buffer.size() >= kChunkBytes) {  // a long transient's table need not be held whole in memory
      write_buffer(out, buffer);
      buffer.clear();
    }
  }
  write_buffer(out, buffer);
}

std::vector<std::filesystem::path> write_csv_directory(const std::filesystem::path& directory, const Waveforms& waveforms) {
  std::filesystem::create_directories(directory);
  std::vector<std::filesystem::path> written;
  for (std::size_t index = 0; index < waveforms.plots.size(); ++index) {
    const std::filesystem::path path = directory / csv_file_name(index, waveforms.plots[index]);
    std::ofstream out = open_for_writing(path);
    write_csv(out, waveforms.plots[index]);
    finish_writing(out, path);
    written.push_back(path);
  }
  return written;
}

void write_json(std::ostream& out, const Waveforms& waveforms) {
  fmt::memory_buffer buffer;
  auto inserter = std::back_inserter(buffer);
  fmt::format_to(inserter, "{{\"plots\": [");
  for (std::size_t plot_index = 0; plot_index < waveforms.plots.size(); ++plot_index) {
    const Plot& plot = waveforms.plots[plot_index];
    fmt::format_to(inserter, "{}\n  {{\"name\": ", plot_index == 0 ? "" : ",");
    append_json_string(buffer, plot.name);
    fmt::format_to(inserter, ", \"title\": ");
    append_json_string(buffer, plot.title);
    fmt::format_to(inserter, ", \"scale\": ");
    if (plot.has_scale && plot.vector_count() > 0)
      append_json_string(buffer, plot.vector_name(0));
    else
      fmt::format_to(inserter, "null");
    fmt::format_to(inserter, ",\n   \"vectors\": [");
    for (std::size_t vector_index = 0; vector_index < plot.vector_count(); ++vector_index) {
      fmt::format_to(inserter, "{}\n    {{\"name\": ", vector_index == 0 ? "" : ",");
      append_json_string(buffer, plot.vector_name(vector_index));
      fmt::format_to(inserter, ", \"type\": ");
      append_json_string(buffer, quantity_name(plot.quantity(vector_index)));
      fmt::format_to(inserter, ", \"values\": [");
      for (std::size_t point = 0; point < plot.point_count(); ++point) {
        const double value = plot.value(vector_index, point);
        if (std::isfinite(value))
          fmt::format_to(inserter, "{}{}", point == 0 ? "" : ", ", value);
        else
          fmt::format_to(inserter, "{}null", point == 0 ? "" : ", ");
      }
      fmt::format_to(inserter, "]}}");
      write_buffer(out, buffer);  // one vector at a time keeps memory bounded for large results
      buffer.clear();
    }
    fmt::format_to(inserter, "]}}");
  }
  fmt::format_to(inserter, "]}}\n");
  write_buffer(out, buffer);
}

std::string json_string(std::string_view text) {
  fmt::memory_buffer buffer;
  append_json_string(buffer, text);
  return fmt::to_string(buffer);
}

void write_json_file(const std::filesystem::path& path, const Waveforms& waveforms) {
  std::ofstream out = open_for_writing(path);
  write_json(out, waveforms);
  finish_writing(out, path);
}

void write_text_file(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", path.string()));
}

}  // namespace xbarsim
