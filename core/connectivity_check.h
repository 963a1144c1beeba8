// Connectivity check: finds, before any factorisation, the two structural causes of a singular
// DC matrix and names them: nodes with no DC path to ground (only capacitors or current sources
// attach them), and loops made only of voltage sources, inductors and E/H outputs.
#pragma once

#include "core/circuit.h"

namespace xbarsim {

// Throws SimulationError naming the floating nodes or the devices of a voltage loop.
void check_dc_connectivity(const Circuit& circuit);

}  // namespace xbarsim
