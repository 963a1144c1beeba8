// NativeSubcircuitModel: a library subcircuit that xbarsim also implements natively.
//
// A device ngspice lacks (N-LEM, photodiode receiver) ships twice: as a `.subckt` made of B/E/G
// sources and capacitors in its library file (models/*.lib, the "behavioural twin" ngspice runs)
// and as a native C++ DeviceGroup. When a netlist instantiates such a subcircuit and the
// definition comes from its library file (same subcircuit name, same file name, e.g. `NLEM` from
// `nlem.lib`), the elaborator hands the instance to the native builder instead of expanding the
// body; ElaborationOptions::native_models = false (`xbarsim run --no-native-models`) expands the
// twin literally. The pins' node names are the same either way; the twin's internal nodes
// (`x1.w`) exist only when it is expanded. The core knows this interface, never the physics: the
// list lives with the models (models/builtin_models.cpp).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/source_location.h"

namespace xbarsim {

class Circuit;

struct NativeSubcircuitInstance {
  std::string path;                                  // hierarchical instance path, lower case: `x1`, `x2.x1`
  std::vector<int> nodes;                            // node unknown of each pin, in `.subckt` pin order
  std::span<const std::string_view> parameter_names;  // every `.subckt` parameter, in definition order
  std::vector<double> parameter_values;              // their values, defaults applied
  SourceLocation where;                              // the X line
  Circuit* circuit = nullptr;
  int device = 0;                                    // the X instance's device id (messages)
  std::size_t expected_count = 0;                    // X lines at the top level (a builder may reserve for them)

  // The value of parameter `name` (lower case), or nullopt when the subcircuit has none. `position`
  // is where the caller expects it in the definition (a model reading its fields in the library's
  // order pays one comparison each).
  std::optional<double> parameter(std::string_view name, std::size_t position = 0) const {
    if (position < parameter_names.size() && parameter_names[position] == name) return parameter_values[position];
    for (std::size_t i = 0; i < parameter_names.size(); ++i)
      if (parameter_names[i] == name) return parameter_values[i];
    return std::nullopt;
  }
};

// Adds the instance to its model's DeviceGroup; throws NetlistError (at `where`) on bad values.
using NativeSubcircuitBuilder = void (*)(NativeSubcircuitInstance& instance);

struct NativeSubcircuitModel {
  std::string_view subcircuit;    // `.subckt` name, lower case, e.g. "nlem"
  std::string_view library_file;  // file name the definition must come from, e.g. "nlem.lib"
  NativeSubcircuitBuilder build;
};

const std::vector<NativeSubcircuitModel>& native_subcircuit_models();

}  // namespace xbarsim
