#include "models/builtin_models.h"

namespace xbarsim {

const std::vector<ElementKind>& builtin_element_kinds() {
  static const std::vector<ElementKind> kinds = {
      {'r', "resistor", build_resistor},
      {'c', "capacitor", build_capacitor},
      {'l', "inductor", build_inductor},
      {'v', "independent voltage source", build_voltage_source},
      {'i', "independent current source", build_current_source},
      {'e', "voltage-controlled voltage source", build_voltage_controlled_voltage_source},
      {'f', "current-controlled current source", build_current_controlled_current_source},
      {'g', "voltage-controlled current source", build_voltage_controlled_current_source},
      {'h', "current-controlled voltage source", build_current_controlled_voltage_source},
      {'d', "junction diode", build_diode},
      {'b', "behavioural source", build_behavioural_source},
  };
  return kinds;
}

const std::vector<NativeSubcircuitModel>& native_subcircuit_models() {
  static const std::vector<NativeSubcircuitModel> models = {
      {"nlem", "nlem.lib", build_native_nlem},
      {"photodiode", "photodiode.lib", build_native_photodiode},
  };
  return models;
}

}  // namespace xbarsim
