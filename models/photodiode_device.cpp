// Native PHOTODIODE (models/photodiode.lib): the receiver that turns an optical net into current.
//
// Built from the native primitives with exactly the twin's circuit, so both give the same numbers
// and the same output vectors (including the internal node `<instance>.junction`):
//   rs      anode - junction                 series resistance
//   D       junction - cathode, IS = is, N = n, CJO = cj, `off` (Newton starts at 0 V)
//   rsh     junction - cathode               shunt resistance
//   Iph     resp * V(opt) from cathode to junction (a VCCS: the photocurrent)
// What the native version saves over expanding the twin is the per-instance B-source
// expression: an array has one photodiode per cell.
#include <fmt/format.h>

#include "core/circuit.h"
#include "core/diagnostics.h"
#include "core/native_subcircuit.h"
#include "models/builtin_models.h"
#include "models/primitive_devices.h"

namespace xbarsim {

void build_native_photodiode(NativeSubcircuitInstance& instance) {
  Circuit& circuit = *instance.circuit;
  auto parameter = [&](const char* name) {
    const std::optional<double> value = instance.parameter(name);
    if (!value) throw NetlistError(instance.where, fmt::format("PHOTODIODE parameter '{}' is missing", name));
    return *value;
  };
  const double series = parameter("rs"), shunt = parameter("rsh");
  if (!(series > 0) || !(shunt > 0))
    throw NetlistError(instance.where, fmt::format("PHOTODIODE '{}' needs rs > 0 and rsh > 0", instance.path));
  const int anode = instance.nodes.at(0), cathode = instance.nodes.at(1), optical = instance.nodes.at(2);
  const int junction = circuit.node(fmt::format("{}.junction", instance.path));
  add_resistor(circuit, fmt::format("r.{}.rs", instance.path), anode, junction, series);
  add_junction_diode(circuit, fmt::format("d.{}.djunction", instance.path), junction, cathode, parameter("is"), parameter("n"),
                     parameter("cj"), /*starts_off=*/true);
  add_resistor(circuit, fmt::format("r.{}.rshunt", instance.path), junction, cathode, shunt);
  add_voltage_controlled_current_source(circuit, fmt::format("g.{}.photocurrent", instance.path), cathode, junction, optical, kGround,
                                        parameter("resp"));
}

}  // namespace xbarsim
