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

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/source_location.h"

namespace xbarsim {

class Circuit;

struct NativeSubcircuitInstance {
  std::string path;                          // hierarchical instance path, lower case: `x1`, `x2.x1`
  std::vector<int> nodes;                    // node unknown of each pin, in `.subckt` pin order
  std::map<std::string, double> parameters;  // every `.subckt` parameter, defaults applied
  SourceLocation where;                      // the X line
  Circuit* circuit = nullptr;
  int device = 0;                            // the X instance's device id (messages)
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
