// Primitive devices added from C++ rather than from a netlist card: native models of library
// subcircuits (models/photodiode_device.cpp) are assembled from them, and library users build
// whole circuits from them (benchmarks/library_api.cpp), so they share the groups, equations and
// evaluation loops of the R, V, D and G elements. Names follow ngspice's hierarchical
// style (`r.x1.rs`) and are registered like netlist devices.
#pragma once

#include <string>
#include <vector>

#include "core/circuit.h"

namespace xbarsim {

void add_resistor(Circuit& circuit, const std::string& name, int a, int b, double resistance);
// Same, for a device already registered (Circuit::add_device); the first resistor reserves room
// for `expected_count` of them.
void add_resistor_device(Circuit& circuit, int device, int a, int b, double resistance, std::size_t expected_count = 0);

// Resistors in bulk: resistor k from node a[k] to node b[k] of resistance[k] ohms, named by
// `name(k)` when a name is asked for (Circuit::add_devices), appended in order. The arrays are
// taken over (moved in without a copy when they are the first resistors). Throws
// std::invalid_argument when the sizes differ or a resistance is zero.
void add_resistors(Circuit& circuit, std::vector<int> a, std::vector<int> b, std::vector<double> resistance, IndexedName name);

// A DC voltage source `dc_value` from `positive` to `negative` with its branch current `i(name)`,
// sweepable by .dc like a netlist V element.
void add_voltage_source(Circuit& circuit, const std::string& name, int positive, int negative, double dc_value);

// V(n+, n-)-controlled current `transconductance * V(nc+, nc-)` from n+ through the source to n-.
void add_voltage_controlled_current_source(Circuit& circuit, const std::string& name, int positive, int negative,
                                           int control_positive, int control_negative, double transconductance);

// A SPICE level-1 junction diode (no series resistance, no breakdown, TNOM = circuit tnom) with
// saturation current `saturation_current`, emission coefficient `emission_coefficient` and
// zero-bias junction capacitance `junction_capacitance` (VJ = 1 V, M = 0.5, FC = 0.5, TT = 0: the
// SPICE defaults); `starts_off` as the `off` flag.
void add_junction_diode(Circuit& circuit, const std::string& name, int anode, int cathode, double saturation_current,
                        double emission_coefficient, double junction_capacitance, bool starts_off);

}  // namespace xbarsim
