#include "core/sweep_results.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/gnuplot.h"
#include "core/table_output.h"

namespace xbarsim {
namespace {

std::string number_text(double value) { return fmt::format("{}", value); }

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c == '\n' ? ' ' : c);
  }
  return quoted + "\"";
}

std::string csv_header(const SweepDescription& description) {
  std::string header = "point";
  for (const auto* names : {&description.parameter_names, &description.measurement_names})
    for (const std::string& name : *names) header.append(",").append(csv_field(name));
  return header + ",status,error,seconds\n";
}

std::string csv_line(const PointResult& result) {
  std::string line = std::to_string(result.index);
  for (double value : result.parameters) line.append(",").append(number_text(value));
  for (const auto& value : result.measurements) line.append(",").append(value ? number_text(*value) : std::string());
  line += result.ok ? ",ok," : ",error," + csv_field(result.error);
  return line + fmt::format(",{:.6f}\n", result.seconds);
}

std::string description_json(const SweepDescription& description) {
  nlohmann::ordered_json json;
  json["netlist"] = description.netlist;
  json["parameters"] = description.parameter_names;
  json["measurements"] = description.measurement_names;
  json["points"] = description.point_count;
  json["monte_carlo_runs"] = description.monte_carlo_runs;
  json["seed"] = std::to_string(description.seed);
  return json.dump(2) + "\n";
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::stringstream buffer;
  buffer << stream.rdbuf();
  return buffer.str();
}

void write_text_atomically(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    std::ofstream stream(temporary, std::ios::binary | std::ios::trunc);
    stream << text;
    if (!stream.flush()) throw std::runtime_error(fmt::format("cannot write '{}'", temporary.string()));
  }
  std::filesystem::rename(temporary, path);
}

void write_all(int descriptor, const std::string& text, const std::filesystem::path& path) {
  // One write() per record: the kernel appends it whole (O_APPEND); loop only on short writes.
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t count = ::write(descriptor, text.data() + written, text.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) throw std::runtime_error(fmt::format("cannot append to '{}': {}", path.string(), std::strerror(errno)));
    written += static_cast<std::size_t>(count);
  }
}

}  // namespace

std::string point_json_line(const PointResult& result, const SweepDescription& description) {
  // Written by hand (not nlohmann's dump) to control the number format.
  std::string line = fmt::format("{{\"point\":{},\"seed\":\"{}\",\"parameters\":{{", result.index, result.seed);
  for (std::size_t k = 0; k < result.parameters.size(); ++k)
    line += fmt::format("{}{}:{}", k ? "," : "", json_string(description.parameter_names[k]), number_text(result.parameters[k]));
  line += "},\"measurements\":{";
  for (std::size_t k = 0; k < result.measurements.size(); ++k)
    line += fmt::format("{}{}:{}", k ? "," : "", json_string(description.measurement_names[k]),
                        result.measurements[k] ? number_text(*result.measurements[k]) : "null");
  line += "},\"failures\":{";
  bool first = true;
  for (const auto& [name, reason] : result.failures) {
    line += fmt::format("{}{}:{}", first ? "" : ",", json_string(name), json_string(reason));
    first = false;
  }
  line += fmt::format("}},\"status\":\"{}\",\"error\":{},\"seconds\":{:.6f}}}\n", result.ok ? "ok" : "error", json_string(result.error),
                      result.seconds);
  return line;
}

PointResult parse_point_json_line(const std::string& line, const SweepDescription& description) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& error) {
    throw std::invalid_argument(fmt::format("not a point record: {}", error.what()));
  }
  try {
    PointResult result;
    result.index = json.at("point").get<long>();
    result.seed = std::stoull(json.at("seed").get<std::string>());
    for (const std::string& name : description.parameter_names) result.parameters.push_back(json.at("parameters").at(name).get<double>());
    for (const std::string& name : description.measurement_names) {
      const auto& value = json.at("measurements").at(name);
      result.measurements.push_back(value.is_null() ? std::nullopt : std::optional<double>(value.get<double>()));
    }
    for (const auto& [name, reason] : json.at("failures").items()) result.failures[name] = reason.get<std::string>();
    result.ok = json.at("status").get<std::string>() == "ok";
    result.error = json.at("error").get<std::string>();
    result.seconds = json.at("seconds").get<double>();
    if (result.index < 0 || result.index >= description.point_count) throw std::invalid_argument("point number out of range");
    return result;
  } catch (const nlohmann::json::exception& error) {
    throw std::invalid_argument(fmt::format("incomplete point record: {}", error.what()));
  }
}

SweepResultFiles::SweepResultFiles(std::filesystem::path directory, SweepDescription description, bool resume)
    : directory_(std::move(directory)), description_(std::move(description)) {
  std::filesystem::create_directories(directory_);
  const std::filesystem::path manifest = directory_ / "sweep.json";
  const std::string expected = description_json(description_);
  if (resume && std::filesystem::exists(manifest)) {
    if (read_text(manifest) != expected)
      throw std::runtime_error(fmt::format("'{}' describes a different sweep (netlist, parameters, measurements, points or seed); "
                                           "resume with the same command line, or use another --out",
                                           manifest.string()));
    std::ifstream stream(directory_ / "points.jsonl");
    std::string line;
    while (std::getline(stream, line)) {
      if (stream.eof()) break;  // no newline: a torn last line
      try {
        PointResult result = parse_point_json_line(line, description_);
        if (finished_.insert(result.index).second) results_.emplace(result.index, std::move(result));
      } catch (const std::invalid_argument&) {
        // A torn or foreign line: that point runs again.
      }
    }
  }
  write_text_atomically(manifest, expected);
  write_sorted();
  open_for_append();
}

SweepResultFiles::~SweepResultFiles() { close_files(); }

void SweepResultFiles::open_for_append() {
  auto open = [&](const char* name) {
    const std::filesystem::path path = directory_ / name;
    const int descriptor = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (descriptor < 0) throw std::runtime_error(fmt::format("cannot open '{}': {}", path.string(), std::strerror(errno)));
    return descriptor;
  };
  jsonl_descriptor_ = open("points.jsonl");
  csv_descriptor_ = open("results.csv");
}

void SweepResultFiles::close_files() {
  if (jsonl_descriptor_ >= 0) ::close(jsonl_descriptor_);
  if (csv_descriptor_ >= 0) ::close(csv_descriptor_);
  jsonl_descriptor_ = csv_descriptor_ = -1;
}

void SweepResultFiles::append(const PointResult& result) {
  if (!finished_.insert(result.index).second) return;
  write_all(jsonl_descriptor_, point_json_line(result, description_), directory_ / "points.jsonl");
  write_all(csv_descriptor_, csv_line(result), directory_ / "results.csv");
  results_.emplace(result.index, result);
}

void SweepResultFiles::write_sorted() {
  const bool was_open = jsonl_descriptor_ >= 0;
  close_files();
  std::string jsonl, csv = csv_header(description_);
  for (const auto& [index, result] : results_) {
    jsonl += point_json_line(result, description_);
    csv += csv_line(result);
  }
  write_text_atomically(directory_ / "points.jsonl", jsonl);
  write_text_atomically(directory_ / "results.csv", csv);
  if (was_open) open_for_append();
}

std::vector<PointResult> SweepResultFiles::results() const {
  std::vector<PointResult> all;
  for (const auto& [index, result] : results_) all.push_back(result);
  return all;
}

std::vector<std::filesystem::path> write_sweep_plots(const std::filesystem::path& directory, const SweepPlan& plan,
                                                     const SweepDescription& description, const std::vector<PointResult>& results) {
  std::filesystem::create_directories(directory);
  const bool draw = gnuplot_available();
  std::vector<std::filesystem::path> drawn;
  const auto& parameters = description.parameter_names;
  for (std::size_t m = 0; m < description.measurement_names.size(); ++m) {
    const std::string& measurement = description.measurement_names[m];
    for (std::size_t p = 0; p < parameters.size(); ++p) {
      const std::size_t colour = p == 0 ? 1 : 0;  // the first other parameter colours the points
      const bool coloured = parameters.size() > 1;
      const std::string stem = file_name_slug(measurement) + "_vs_" + file_name_slug(parameters[p]);
      std::string data = fmt::format("# {} against {}{}\n", measurement, parameters[p], coloured ? ", coloured by " + parameters[colour] : "");
      for (const PointResult& result : results) {
        if (!result.ok || !result.measurements[m]) continue;
        data += fmt::format("{} {}", number_text(result.parameters[p]), number_text(*result.measurements[m]));
        data += coloured ? fmt::format(" {}\n", number_text(result.parameters[colour])) : "\n";
      }
      write_text_atomically(directory / (stem + ".dat"), data);
      const bool logarithmic = p < plan.grid.size() && plan.grid[p].logarithmic;
      const bool colour_logarithmic = coloured && colour < plan.grid.size() && plan.grid[colour].logarithmic;
      std::string script = fmt::format(
          "# {} against swept parameter {}: run `gnuplot {}.gp` in this directory.\n"
          "set terminal svg size 800,560 dynamic background rgb 'white'\n"
          "set output '{}.svg'\n"
          "set title {}\n"
          "set xlabel {}\nset ylabel {}\nset grid\nset format x '%.4g'\nset format y '%.4g'\nset offsets graph 0.02, graph 0.02, graph 0.02, graph 0.02\n{}",
          measurement, parameters[p], stem, stem, gnuplot_string(fmt::format("{}: {} against {}", description.netlist, measurement, parameters[p])),
          gnuplot_string(parameters[p]), gnuplot_string(measurement), logarithmic ? "set logscale x\n" : "");
      if (coloured)
        script += fmt::format("set cblabel {}\nset format cb '%.4g'\n{}set palette rgb 33,13,10\nplot '{}.dat' using 1:2:3 with points pt 7 ps 0.6 lc palette notitle\n",
                              gnuplot_string(parameters[colour]), colour_logarithmic ? "set logscale cb\n" : "", stem);
      else
        script += fmt::format("plot '{}.dat' using 1:2 with linespoints pt 7 ps 0.6 notitle\n", stem);
      write_text_atomically(directory / (stem + ".gp"), script);
      if (draw) {
        run_gnuplot_script(directory / (stem + ".gp"));
        drawn.push_back(directory / (stem + ".svg"));
      }
    }
  }
  return drawn;
}

}  // namespace xbarsim
