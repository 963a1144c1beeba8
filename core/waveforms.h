// Waveforms: simulation results as named vectors, grouped in plots the way ngspice groups them.
//
// A Plot is one analysis' output ("Operating Point", "DC transfer characteristic", "Transient
// Analysis"). Its first vector is the scale (sweep variable or time) for swept analyses; for an
// operating point every vector has one value. Vector names follow ngspice: `v(node)`, `i(vsource)`,
// `v(v-sweep)`, `time`. Writers (raw, CSV, JSON) and the ngspice comparison consume this type.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace xbarsim {

enum class Quantity { voltage, current, time, other };

std::string_view quantity_name(Quantity quantity);  // "voltage", "current", "time", "notype"

struct Vector {
  std::string name;
  Quantity quantity = Quantity::other;
  std::vector<double> values;
};

struct Plot {
  std::string title;  // the netlist's title line
  std::string name;   // ngspice plot name, e.g. "Operating Point"
  bool has_scale = false;  // true when vectors[0] is a sweep scale (dc, tran)
  std::vector<Vector> vectors;

  std::size_t point_count() const { return vectors.empty() ? 0 : vectors.front().values.size(); }
  const Vector* find(std::string_view name) const;  // case-insensitive lookup, nullptr if absent
};

struct Waveforms {
  std::vector<Plot> plots;
};

}  // namespace xbarsim
