#include "core/waveforms.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <utility>

namespace xbarsim {

std::string_view quantity_name(Quantity quantity) {
  switch (quantity) {
    case Quantity::voltage: return "voltage";
    case Quantity::current: return "current";
    case Quantity::time: return "time";
    case Quantity::other: break;
  }
  return "notype";
}

Plot::Plot(std::string title, std::string name, bool has_scale, const std::vector<PlotColumn>& columns)
    : title(std::move(title)), name(std::move(name)), has_scale(has_scale) {
  for (const PlotColumn& column : columns) add_vector(column.name, column.quantity);
  if (!columns.empty()) resize_points(columns.front().values.size());
  for (std::size_t vector = 0; vector < columns.size(); ++vector) set_values(vector, columns[vector].values);
}

std::size_t Plot::add_vector(std::string_view vector_name, Quantity quantity) {
  if (!values_.empty())
    throw std::logic_error(fmt::format("plot '{}': vector '{}' added after the first point", name, vector_name));
  names_.append(vector_name);
  quantities_.push_back(quantity);
  return quantities_.size() - 1;
}

void Plot::reserve_vectors(std::size_t count) {
  names_.reserve(count);
  quantities_.reserve(count);
}

std::optional<std::size_t> Plot::find(std::string_view wanted) const {
  auto same = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
  };
  for (std::size_t vector = 0; vector < vector_count(); ++vector)
    if (same(vector_name(vector), wanted)) return vector;
  return std::nullopt;
}

std::span<double> Plot::append_point() {
  values_.resize(values_.size() + vector_count());
  return std::span<double>(values_).last(vector_count());
}

std::vector<double> Plot::values(std::size_t vector) const {
  std::vector<double> result(point_count());
  for (std::size_t point = 0; point < result.size(); ++point) result[point] = value(vector, point);
  return result;
}

void Plot::set_values(std::size_t vector, std::span<const double> values) {
  if (values.size() != point_count())
    throw std::invalid_argument(fmt::format("plot '{}': vector '{}' has {} values, the plot {} points", name,
                                            vector_name(vector), values.size(), point_count()));
  for (std::size_t point = 0; point < values.size(); ++point) value(vector, point) = values[point];
}

}  // namespace xbarsim
