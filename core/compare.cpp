#include "core/compare.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iterator>
#include <limits>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace xbarsim {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// A vector's value at one compared point, from the points `first` and `second` of its plot:
// value(first) + weight * (value(second) - value(first)).
struct Sample {
  std::size_t first = 0;
  std::size_t second = 0;
  double weight = 0;

  double of(const Plot& plot, std::size_t vector) const {
    const double at_first = plot.value(vector, first);
    if (weight == 0) return at_first;
    return at_first + weight * (plot.value(vector, second) - at_first);
  }
};

// How the points of both sides line up: one Sample per compared point and side.
struct Alignment {
  std::vector<double> scale_values;  // per compared point; empty for plots without a scale
  std::vector<Sample> ours;
  std::vector<Sample> reference;
  bool interpolated = false;
};

Alignment point_by_point(std::size_t points, const std::vector<double>* scale) {
  Alignment alignment;
  for (std::size_t point = 0; point < points; ++point) {
    alignment.ours.push_back({point, point, 0});
    alignment.reference.push_back({point, point, 0});
  }
  if (scale) alignment.scale_values = *scale;
  return alignment;
}

double largest_magnitude(const Plot& plot, std::size_t vector) {
  double largest = 0;
  for (std::size_t point = 0; point < plot.point_count(); ++point)
    if (const double value = plot.value(vector, point); std::isfinite(value)) largest = std::max(largest, std::abs(value));
  return largest;
}

bool same_values(const std::vector<double>& a, const std::vector<double>& b, double tolerance) {
  if (a.size() != b.size()) return false;
  for (std::size_t index = 0; index < a.size(); ++index)
    if (!(std::abs(a[index] - b[index]) <= tolerance)) return false;
  return true;
}

// Indices of `scale` in increasing scale order, or empty when the scale is not monotonic.
std::vector<std::size_t> increasing_order(const std::vector<double>& scale) {
  std::vector<std::size_t> order(scale.size());
  for (std::size_t index = 0; index < scale.size(); ++index) order[index] = index;
  if (std::is_sorted(scale.begin(), scale.end())) return order;
  if (std::is_sorted(scale.rbegin(), scale.rend())) {
    std::reverse(order.begin(), order.end());
    return order;
  }
  return {};
}

// Samples of a side whose scale, taken in `order`, is increasing, at the increasing points `grid`.
std::vector<Sample> linear_samples(const std::vector<double>& scale, const std::vector<std::size_t>& order,
                                   const std::vector<double>& grid) {
  std::vector<Sample> samples;
  samples.reserve(grid.size());
  std::size_t next = 0;  // first position in `order` whose scale value exceeds the grid point
  for (const double x : grid) {
    while (next < order.size() && scale[order[next]] <= x) ++next;
    if (next == 0) {
      samples.push_back({order.front(), order.front(), 0});
    } else if (next == order.size()) {
      samples.push_back({order.back(), order.back(), 0});
    } else {
      const double x0 = scale[order[next - 1]], x1 = scale[order[next]];
      samples.push_back({order[next - 1], order[next], (x - x0) / (x1 - x0)});
    }
  }
  return samples;
}

// Aligns the points of two plots with a scale (vector 0); on failure adds the reason to `problems`
// and returns false.
bool align_scales(const Plot& our_plot, const Plot& reference_plot, const ComparisonTolerances& tolerances,
                  Alignment& alignment, std::vector<std::string>& problems) {
  const std::vector<double> ours = our_plot.values(0);
  const std::vector<double> reference = reference_plot.values(0);
  const std::string_view scale_name = our_plot.vector_name(0);
  if (ours.empty() || reference.empty()) {
    problems.push_back(fmt::format("scale '{}' is empty in {}", scale_name, ours.empty() ? "ours" : "the reference"));
    return false;
  }
  const double tolerance = tolerances.scale_match_tolerance *
                           std::max(largest_magnitude(our_plot, 0), largest_magnitude(reference_plot, 0));
  if (same_values(ours, reference, tolerance)) {
    alignment = point_by_point(ours.size(), &ours);
    return true;
  }
  const std::vector<std::size_t> our_order = increasing_order(ours);
  const std::vector<std::size_t> reference_order = increasing_order(reference);
  if (our_order.empty() || reference_order.empty()) {
    problems.push_back(fmt::format("scales '{}' differ ({} vs {} points) and {} not monotonic, so they cannot be aligned",
                                   scale_name, ours.size(), reference.size(),
                                   our_order.empty() && reference_order.empty() ? "both are"
                                   : our_order.empty()                          ? "ours is"
                                                                                : "the reference's is"));
    return false;
  }
  const double our_first = ours[our_order.front()], our_last = ours[our_order.back()];
  const double reference_first = reference[reference_order.front()], reference_last = reference[reference_order.back()];
  // The ends must agree (a run that stopped early is a failure). The starts may differ by up to
  // one step: a transient with tstart > 0 begins at the first accepted point after tstart, which
  // depends on each engine's step sequence.
  auto first_step = [](const std::vector<double>& values, const std::vector<std::size_t>& order) {
    return order.size() > 1 ? values[order[1]] - values[order[0]] : 0.0;
  };
  const double start_allowance = std::max({tolerance, first_step(ours, our_order), first_step(reference, reference_order)});
  if (!(std::abs(our_first - reference_first) <= start_allowance && std::abs(our_last - reference_last) <= tolerance)) {
    problems.push_back(fmt::format("scale '{}' covers [{:.6g}, {:.6g}] in ours but [{:.6g}, {:.6g}] in the reference",
                                   scale_name, our_first, our_last, reference_first, reference_last));
    return false;
  }
  const double low = std::max(our_first, reference_first), high = std::min(our_last, reference_last);
  std::vector<double> grid;
  grid.reserve(ours.size() + reference.size());
  for (const double x : ours)
    if (x >= low && x <= high) grid.push_back(x);
  for (const double x : reference)
    if (x >= low && x <= high) grid.push_back(x);
  std::sort(grid.begin(), grid.end());
  grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
  alignment.ours = linear_samples(ours, our_order, grid);
  alignment.reference = linear_samples(reference, reference_order, grid);
  alignment.scale_values = std::move(grid);
  alignment.interpolated = true;
  return true;
}

VectorComparison compare_vector(const Plot& ours, std::size_t our_vector, const Plot& reference, std::size_t reference_vector,
                                 const Alignment& alignment, const ComparisonTolerances& tolerances) {
  VectorComparison result;
  result.name = ours.vector_name(our_vector);
  result.quantity = ours.quantity(our_vector);
  result.reference_peak = largest_magnitude(reference, reference_vector);
  result.allowed_error = tolerances.absolute_for(result.quantity) + tolerances.relative * result.reference_peak;
  for (std::size_t point = 0; point < alignment.ours.size(); ++point) {
    const double our_value = alignment.ours[point].of(ours, our_vector);
    const double reference_value = alignment.reference[point].of(reference, reference_vector);
    double error = 0;
    if (our_value != reference_value && !(std::isnan(our_value) && std::isnan(reference_value))) {
      error = std::abs(our_value - reference_value);
      if (std::isnan(error)) error = infinity;  // NaN against a number, or opposite infinities
    }
    if (error > result.max_absolute_error) {
      result.max_absolute_error = error;
      result.worst_point = point;
    }
  }
  if (!alignment.scale_values.empty() && !alignment.ours.empty())
    result.worst_scale_value = alignment.scale_values[result.worst_point];
  if (result.reference_peak > 0)
    result.max_relative_error = result.max_absolute_error / result.reference_peak;
  else
    result.max_relative_error = result.max_absolute_error > 0 ? infinity : 0;
  result.passed = result.max_absolute_error <= result.allowed_error;
  return result;
}

PlotComparison compare_plot(const Plot& ours, const Plot& reference, const ComparisonTolerances& tolerances) {
  PlotComparison result;
  result.name = ours.name;
  Alignment alignment;
  bool aligned = false;
  if (ours.has_scale != reference.has_scale) {
    result.problems.push_back(fmt::format("{} has a scale but {} has none", ours.has_scale ? "ours" : "the reference",
                                          ours.has_scale ? "the reference" : "ours"));
  } else if (ours.has_scale && (ours.vector_count() == 0 || reference.vector_count() == 0)) {
    result.problems.push_back("a plot with a scale has no vectors");
  } else if (ours.has_scale) {
    result.scale_name = ours.vector_name(0);
    if (!same_name(ours.vector_name(0), reference.vector_name(0)))
      result.problems.push_back(
          fmt::format("scales differ: '{}' in ours, '{}' in the reference", ours.vector_name(0), reference.vector_name(0)));
    else
      aligned = align_scales(ours, reference, tolerances, alignment, result.problems);
  } else if (ours.point_count() != reference.point_count()) {
    result.problems.push_back(
        fmt::format("{} points in ours but {} in the reference", ours.point_count(), reference.point_count()));
  } else {
    alignment = point_by_point(ours.point_count(), nullptr);
    aligned = true;
  }
  result.interpolated = alignment.interpolated;
  result.compared_points = alignment.ours.size();

  const std::size_t first_value_vector = ours.has_scale ? 1 : 0;
  std::vector<bool> reference_matched(reference.vector_count(), false);
  if (reference.has_scale && reference.vector_count() > 0) reference_matched[0] = true;
  // Reference vectors by lower-case name (a large array's plot has millions of vectors).
  auto lower = [](std::string_view name) {
    std::string text(name);
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  };
  std::unordered_map<std::string, std::vector<std::size_t>> reference_by_name;
  for (std::size_t candidate = 0; candidate < reference.vector_count(); ++candidate)
    if (!reference_matched[candidate]) reference_by_name[lower(reference.vector_name(candidate))].push_back(candidate);
  for (std::size_t index = first_value_vector; index < ours.vector_count(); ++index) {
    std::optional<std::size_t> reference_vector;
    if (auto found = reference_by_name.find(lower(ours.vector_name(index))); found != reference_by_name.end())
      for (std::size_t candidate : found->second)
        if (!reference_matched[candidate]) {
          reference_vector = candidate;
          reference_matched[candidate] = true;
          break;
        }
    if (!reference_vector)
      result.only_in_ours.emplace_back(ours.vector_name(index));
    else if (aligned)
      result.vectors.push_back(compare_vector(ours, index, reference, *reference_vector, alignment, tolerances));
  }
  for (std::size_t index = 0; index < reference.vector_count(); ++index)
    if (!reference_matched[index]) result.only_in_reference.emplace_back(reference.vector_name(index));

  result.passed = result.problems.empty() &&
                  std::all_of(result.vectors.begin(), result.vectors.end(), [](const VectorComparison& v) { return v.passed; });
  return result;
}

std::string format_error(double value) { return std::isinf(value) ? "inf" : fmt::format("{:.3e}", value); }

}  // namespace

double ComparisonTolerances::absolute_for(Quantity quantity) const {
  switch (quantity) {
    case Quantity::voltage: return voltage_absolute;
    case Quantity::current: return current_absolute;
    case Quantity::time:
    case Quantity::other: break;
  }
  return other_absolute;
}

double VectorComparison::error_to_tolerance_ratio() const {
  if (allowed_error > 0) return max_absolute_error / allowed_error;
  return max_absolute_error > 0 ? infinity : 0;
}

WaveformComparison compare_waveforms(const Waveforms& ours, const Waveforms& reference, const ComparisonTolerances& tolerances) {
  WaveformComparison result;
  std::vector<bool> reference_used(reference.plots.size(), false);
  for (std::size_t index = 0; index < ours.plots.size(); ++index) {
    const Plot& our_plot = ours.plots[index];
    bool paired = false;
    for (std::size_t candidate = 0; candidate < reference.plots.size() && !paired; ++candidate)
      if (!reference_used[candidate] && same_name(reference.plots[candidate].name, our_plot.name)) {
        reference_used[candidate] = true;
        result.plots.push_back(compare_plot(our_plot, reference.plots[candidate], tolerances));
        result.plots.back().our_plot = index;
        result.plots.back().reference_plot = candidate;
        paired = true;
      }
    if (!paired)
      result.problems.push_back(fmt::format("plot {} '{}' of ours has no counterpart in the reference", index + 1, our_plot.name));
  }
  for (std::size_t index = 0; index < reference.plots.size(); ++index)
    if (!reference_used[index])
      result.problems.push_back(
          fmt::format("plot {} '{}' of the reference has no counterpart in ours", index + 1, reference.plots[index].name));
  result.passed = result.problems.empty() &&
                  std::all_of(result.plots.begin(), result.plots.end(), [](const PlotComparison& p) { return p.passed; });
  return result;
}

namespace {

// The first names of a long list and how many more there are (a table is read, not scrolled).
std::string abbreviated_list(const std::vector<std::string>& names) {
  constexpr std::size_t kShown = 8;
  if (names.size() <= kShown) return fmt::format("{}", fmt::join(names, ", "));
  return fmt::format("{}, ... ({} more)", fmt::join(names.begin(), names.begin() + kShown, ", "), names.size() - kShown);
}

}  // namespace

std::string format_worst_vectors(const WaveformComparison& comparison, std::size_t count) {
  struct Row {
    const PlotComparison* plot;
    const VectorComparison* vector;
  };
  std::vector<Row> rows;
  std::size_t failed = 0;
  for (const PlotComparison& plot : comparison.plots)
    for (const VectorComparison& vector : plot.vectors) {
      rows.push_back({&plot, &vector});
      if (!vector.passed) ++failed;
    }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.vector->error_to_tolerance_ratio() > b.vector->error_to_tolerance_ratio();
  });
  rows.resize(std::min(rows.size(), count));

  std::vector<std::vector<std::string>> cells = {{"plot", "vector", "max abs err", "max rel err", "where", "verdict"}};
  for (const Row& row : rows) {
    const std::string where = row.plot->scale_name.empty()
                                  ? fmt::format("point {}", row.vector->worst_point)
                                  : fmt::format("{}={:.6g}", row.plot->scale_name, row.vector->worst_scale_value);
    cells.push_back({row.plot->name, row.vector->name, format_error(row.vector->max_absolute_error),
                     format_error(row.vector->max_relative_error), where, row.vector->passed ? "ok" : "FAIL"});
  }
  std::vector<std::size_t> widths(cells.front().size(), 0);
  for (const auto& line : cells)
    for (std::size_t column = 0; column < line.size(); ++column) widths[column] = std::max(widths[column], line[column].size());

  fmt::memory_buffer out;
  auto inserter = std::back_inserter(out);
  for (const auto& line : cells) {
    for (std::size_t column = 0; column < line.size(); ++column)
      fmt::format_to(inserter, "{}{:<{}}", column == 0 ? "" : "  ", line[column], column + 1 == line.size() ? 0 : widths[column]);
    fmt::format_to(inserter, "\n");
  }
  std::size_t problem_count = comparison.problems.size();
  for (const std::string& problem : comparison.problems) fmt::format_to(inserter, "problem: {}\n", problem);
  for (const PlotComparison& plot : comparison.plots) {
    problem_count += plot.problems.size();
    for (const std::string& problem : plot.problems) fmt::format_to(inserter, "problem: {}: {}\n", plot.name, problem);
    if (!plot.only_in_ours.empty())
      fmt::format_to(inserter, "only in ours ({}): {}\n", plot.name, abbreviated_list(plot.only_in_ours));
    if (!plot.only_in_reference.empty())
      fmt::format_to(inserter, "only in reference ({}): {}\n", plot.name, abbreviated_list(plot.only_in_reference));
  }
  std::size_t vector_count = 0;
  for (const PlotComparison& plot : comparison.plots) vector_count += plot.vectors.size();
  fmt::format_to(inserter, "{}: {} of {} vectors in {} plots out of tolerance, {} problems\n",
                 comparison.passed ? "PASS" : "FAIL", failed, vector_count, comparison.plots.size(), problem_count);
  return fmt::to_string(out);
}

}  // namespace xbarsim
