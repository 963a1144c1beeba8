// The element builders of xbarsim's built-in models, one per netlist element letter.
//
// Each model file defines its DeviceGroup and a builder that parses an element card into it;
// builtin_element_kinds() (builtin_models.cpp) lists them by letter, native_subcircuit_models()
// lists the library subcircuits with a native implementation. Adding a device adds a file and
// one line there; the core never changes.
#pragma once

#include "core/element_card.h"
#include "core/native_subcircuit.h"

namespace xbarsim {

void build_resistor(ElementCard& card);
void build_capacitor(ElementCard& card);
void build_inductor(ElementCard& card);
void build_voltage_source(ElementCard& card);
void build_current_source(ElementCard& card);
void build_voltage_controlled_voltage_source(ElementCard& card);  // E
void build_current_controlled_current_source(ElementCard& card);  // F
void build_voltage_controlled_current_source(ElementCard& card);  // G
void build_current_controlled_voltage_source(ElementCard& card);  // H
void build_diode(ElementCard& card);
void build_behavioural_source(ElementCard& card);  // B

// Native models of library subcircuits (native_subcircuit_models()).
void build_native_nlem(NativeSubcircuitInstance& instance);        // NLEM from models/nlem.lib
void build_native_photodiode(NativeSubcircuitInstance& instance);  // PHOTODIODE from models/photodiode.lib

}  // namespace xbarsim
