// Waveforms: simulation results as named vectors, grouped in plots the way ngspice groups them.
//
// A Plot is one analysis' output ("Operating Point", "DC transfer characteristic", "Transient
// Analysis"): vectors with a name and a quantity, each holding one value per point. Its first
// vector is the scale (sweep variable or time) for swept analyses; for an operating point every
// vector has one value. Vector names follow ngspice: `v(node)`, `i(vsource)`, `v(v-sweep)`,
// `time`. Writers (raw, CSV, JSON) and the ngspice comparison consume this type.
//
// Storage is a few arrays, not an object per vector, because the operating point of a large array
// has millions of vectors of one value: the names live in one character arena (NameList), the
// quantities in one array, the values in one array, point-major (a point is one row of
// vector_count() values, as ngspice's raw file stores them). A vector costs its name's
// characters, 9 bytes and 8 bytes per point, with no allocation of its own. All vectors have
// point_count() values by construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/name_table.h"

namespace xbarsim {

enum class Quantity : std::uint8_t { voltage, current, time, other };

std::string_view quantity_name(Quantity quantity);  // "voltage", "current", "time", "notype"

// One vector given whole: builds a small plot column by column (ngspice's results, tests).
struct PlotColumn {
  std::string name;
  Quantity quantity = Quantity::other;
  std::vector<double> values;
};

class Plot {
 public:
  std::string title;  // the netlist's title line
  std::string name;   // ngspice plot name, e.g. "Operating Point"
  bool has_scale = false;  // true when vector 0 is a sweep scale (dc, tran)

  Plot() = default;
  // A plot of `columns`, which must hold equally many values (std::invalid_argument otherwise).
  Plot(std::string title, std::string name, bool has_scale, const std::vector<PlotColumn>& columns = {});

  // Vectors are added before the first point (std::logic_error afterwards); returns the index.
  std::size_t add_vector(std::string_view vector_name, Quantity quantity);
  void reserve_vectors(std::size_t count);
  std::size_t vector_count() const { return quantities_.size(); }
  std::string_view vector_name(std::size_t vector) const { return names_[static_cast<int>(vector)]; }
  Quantity quantity(std::size_t vector) const { return quantities_[vector]; }
  // The index of the vector called `wanted`, compared case-insensitively; nullopt if absent.
  std::optional<std::size_t> find(std::string_view wanted) const;

  std::size_t point_count() const { return vector_count() == 0 ? 0 : values_.size() / vector_count(); }
  // Appends a point of zeros and returns it for the caller to fill (one value per vector, in order).
  std::span<double> append_point();
  // Sets the number of points; new points are zeros.
  void resize_points(std::size_t count) { values_.resize(count * vector_count()); }
  // The values of every vector at one point.
  std::span<const double> point(std::size_t point) const {
    return std::span<const double>(values_).subspan(point * vector_count(), vector_count());
  }
  double value(std::size_t vector, std::size_t point) const { return values_[point * vector_count() + vector]; }
  double& value(std::size_t vector, std::size_t point) { return values_[point * vector_count() + vector]; }
  // One vector's values over all points (a copy: the values of a vector are not contiguous).
  std::vector<double> values(std::size_t vector) const;
  // Overwrites one vector's values; std::invalid_argument unless there are point_count() of them.
  void set_values(std::size_t vector, std::span<const double> values);

 private:
  NameList names_;
  std::vector<Quantity> quantities_;
  std::vector<double> values_;  // point p's values at [p * vector_count(), (p + 1) * vector_count())
};

struct Waveforms {
  std::vector<Plot> plots;
};

}  // namespace xbarsim
