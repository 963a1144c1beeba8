#include "core/comparison_report.h"

#include "core/gnuplot.h"


#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <ostream>
#include <stdexcept>

#include "core/table_output.h"


namespace xbarsim {

namespace {

std::string json_number(double value) { return std::isfinite(value) ? fmt::format("{}", value) : "null"; }

std::string json_string_list(const std::vector<std::string>& items) {
  std::string list = "[";
  for (std::size_t index = 0; index < items.size(); ++index) list += (index == 0 ? "" : ", ") + json_string(items[index]);
  return list + "]";
}


std::string_view unit_of(Quantity quantity) {
  switch (quantity) {
    case Quantity::voltage: return " [V]";
    case Quantity::current: return " [A]";
    case Quantity::time: return " [s]";
    case Quantity::other: break;
  }
  return "";
}

// One data block: x (the scale, or the point index without one) and the vector's value.
void append_block(fmt::memory_buffer& out, const Plot& plot, std::size_t vector) {
  auto inserter = std::back_inserter(out);
  for (std::size_t point = 0; point < plot.point_count(); ++point) {
    const double x = plot.has_scale ? plot.value(0, point) : static_cast<double>(point);
    fmt::format_to(inserter, "{} {}\n", x, plot.value(vector, point));
  }
}

}  // namespace

void write_comparison_json(std::ostream& out, std::string_view subject, const WaveformComparison& comparison,
                           const ComparisonTolerances& tolerances) {
  fmt::memory_buffer buffer;
  auto inserter = std::back_inserter(buffer);
  fmt::format_to(inserter, "{{\"subject\": {}, \"verdict\": \"{}\",\n", json_string(subject),
                 comparison.passed ? "pass" : "mismatch");
  fmt::format_to(inserter,
                 " \"tolerances\": {{\"reltol\": {}, \"vabstol\": {}, \"iabstol\": {}, \"other_abstol\": {}, "
                 "\"scale_match_tolerance\": {}}},\n",
                 tolerances.relative, tolerances.voltage_absolute, tolerances.current_absolute, tolerances.other_absolute,
                 tolerances.scale_match_tolerance);
  fmt::format_to(inserter, " \"problems\": {},\n \"plots\": [", json_string_list(comparison.problems));
  for (std::size_t plot_index = 0; plot_index < comparison.plots.size(); ++plot_index) {
    const PlotComparison& plot = comparison.plots[plot_index];
    fmt::format_to(inserter,
                   "{}\n  {{\"name\": {}, \"scale\": {}, \"interpolated\": {}, \"compared_points\": {}, \"passed\": {},\n"
                   "   \"problems\": {}, \"only_in_ours\": {}, \"only_in_reference\": {},\n   \"vectors\": [",
                   plot_index == 0 ? "" : ",", json_string(plot.name),
                   plot.scale_name.empty() ? "null" : json_string(plot.scale_name), plot.interpolated, plot.compared_points,
                   plot.passed, json_string_list(plot.problems), json_string_list(plot.only_in_ours),
                   json_string_list(plot.only_in_reference));
    for (std::size_t vector_index = 0; vector_index < plot.vectors.size(); ++vector_index) {
      const VectorComparison& vector = plot.vectors[vector_index];
      fmt::format_to(inserter,
                     "{}\n    {{\"name\": {}, \"type\": {}, \"reference_peak\": {}, \"allowed_error\": {}, "
                     "\"max_absolute_error\": {}, \"max_relative_error\": {}, \"worst_point\": {}, "
                     "\"worst_scale_value\": {}, \"passed\": {}}}",
                     vector_index == 0 ? "" : ",", json_string(vector.name), json_string(quantity_name(vector.quantity)),
                     json_number(vector.reference_peak), json_number(vector.allowed_error),
                     json_number(vector.max_absolute_error), json_number(vector.max_relative_error), vector.worst_point,
                     plot.scale_name.empty() ? "null" : json_number(vector.worst_scale_value), vector.passed);
    }
    fmt::format_to(inserter, "]}}");
  }
  fmt::format_to(inserter, "]}}\n");
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
}

void write_comparison_json_file(const std::filesystem::path& path, std::string_view subject,
                                const WaveformComparison& comparison, const ComparisonTolerances& tolerances) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error(fmt::format("cannot open '{}' for writing", path.string()));
  write_comparison_json(out, subject, comparison, tolerances);
  out.close();
  if (!out) throw std::runtime_error(fmt::format("error while writing '{}'", path.string()));
}

std::vector<OverlayPlot> write_overlay_plots(const std::filesystem::path& directory, const Waveforms& ours,
                                             const Waveforms& reference, const WaveformComparison& comparison,
                                             std::size_t count, const OverlayLabels& labels) {
  struct Candidate {
    const PlotComparison* plot;
    const VectorComparison* vector;
  };
  std::vector<Candidate> candidates;
  for (const PlotComparison& plot : comparison.plots)
    for (const VectorComparison& vector : plot.vectors) candidates.push_back({&plot, &vector});
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.vector->error_to_tolerance_ratio() > b.vector->error_to_tolerance_ratio();
  });
  candidates.resize(std::min(candidates.size(), count));

  std::filesystem::create_directories(directory);
  std::vector<OverlayPlot> written;
  for (const Candidate& candidate : candidates) {
    const Plot& our_plot = ours.plots.at(candidate.plot->our_plot);
    const Plot& reference_plot = reference.plots.at(candidate.plot->reference_plot);
    const std::optional<std::size_t> our_vector = our_plot.find(candidate.vector->name);
    const std::optional<std::size_t> reference_vector = reference_plot.find(candidate.vector->name);
    if (!our_vector || !reference_vector)
      throw std::logic_error(fmt::format("compared vector '{}' is missing from its plot", candidate.vector->name));

    const std::string stem = fmt::format("{:02}_{}_{}", written.size() + 1, file_name_slug(candidate.plot->name),
                                         file_name_slug(candidate.vector->name));
    OverlayPlot overlay{candidate.plot->name, candidate.vector->name, directory / (stem + ".dat"),
                        directory / (stem + ".gp"), directory / (stem + ".svg")};

    fmt::memory_buffer data;
    const std::string x_name = our_plot.has_scale ? std::string(our_plot.vector_name(0)) : "point";
    fmt::format_to(std::back_inserter(data), "# {}: {}\n# block 0: {}, block 1: {}; columns: {} value\n",
                   candidate.plot->name, candidate.vector->name, labels.ours, labels.reference, x_name);
    append_block(data, our_plot, *our_vector);
    fmt::format_to(std::back_inserter(data), "\n\n");
    append_block(data, reference_plot, *reference_vector);
    write_text_file(overlay.data, fmt::to_string(data));

    const std::string where = candidate.plot->scale_name.empty()
                                  ? fmt::format("point {}", candidate.vector->worst_point)
                                  : fmt::format("{} = {:.6g}", candidate.plot->scale_name, candidate.vector->worst_scale_value);
    const std::string style = our_plot.point_count() <= 50 ? "linespoints" : "lines";
    const std::string script = fmt::format(
        "# Overlay of {0} ({1}) vs {2}: run `gnuplot {3}` in this directory.\n"
        "set terminal svg size 900,560 dynamic background rgb 'white'\n"
        "set output {4}\n"
        "set title {5} noenhanced\n"
        "set xlabel {6} noenhanced\n"
        "set ylabel {7} noenhanced\n"
        "set grid\n"
        "set format y '%.6g'\n"
        "set key noenhanced\n"
        "{12}"
        "plot {8} index 0 using 1:2 with {9} lw 2 title {10}, \\\n"
        "     {8} index 1 using 1:2 with {9} lw 2 dt 2 title {11}\n",
        candidate.vector->name, labels.ours, labels.reference, overlay.script.filename().string(),
        gnuplot_string(overlay.image.filename().string()),
        gnuplot_string(fmt::format("{}: {}   max abs err {:.3e} at {} ({})", candidate.plot->name, candidate.vector->name,
                                   candidate.vector->max_absolute_error, where, candidate.vector->passed ? "ok" : "FAIL")),
        gnuplot_string(x_name), gnuplot_string(candidate.vector->name + std::string(unit_of(candidate.vector->quantity))),
        gnuplot_string(overlay.data.filename().string()), style, gnuplot_string(labels.ours),
        gnuplot_string(labels.reference), our_plot.has_scale ? "" : "set xrange [-1:1]\n");
    write_text_file(overlay.script, script);
    written.push_back(std::move(overlay));
  }
  return written;
}

void render_overlay_plots(const std::vector<OverlayPlot>& plots) {
  for (const OverlayPlot& plot : plots) run_gnuplot_script(plot.script);
}

}  // namespace xbarsim
