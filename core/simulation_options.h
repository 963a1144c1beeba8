// SimulationOptions: the `.options` a run uses, with ngspice's names and defaults.
//
// Names are ngspice's (reltol, abstol, vntol, chgtol, trtol, gmin, itl1, itl2, itl4, method,
// temp, tnom). Unknown names are warned about by the netlist elaborator, never fatal.
#pragma once

#include <string_view>

namespace xbarsim {

enum class IntegrationMethod { trapezoidal, gear };

struct SimulationOptions {
  double reltol = 1e-3;   // relative tolerance of voltages, currents and residuals
  double abstol = 1e-12;  // absolute current tolerance (A)
  double vntol = 1e-6;    // absolute voltage tolerance (V)
  double chgtol = 1e-14;  // absolute charge tolerance (C), transient truncation error
  double trtol = 7.0;     // truncation-error overestimation factor, transient
  double gmin = 1e-12;    // conductance in parallel with every junction (S)
  int itl1 = 100;         // Newton iteration limit, DC operating point
  int itl2 = 50;          // Newton iteration limit per DC sweep point
  int itl4 = 10;          // Newton iteration limit per transient time point
  int gmin_steps = 10;    // ngspice `gminsteps`: number of gmin-stepping decades
  int source_steps = 10;  // ngspice `srcsteps`
  double temperature = 27.0;          // circuit temperature (deg C), `.temp` or `.options temp`
  double nominal_temperature = 27.0;  // model parameter temperature (deg C), `tnom`
  IntegrationMethod method = IntegrationMethod::trapezoidal;
  int max_order = 2;
  bool interpolate = false;  // ngspice `interp`: resample transient output onto the tstep grid

  // Sets an option by (lower-case) name; returns false when the name is unknown.
  bool set(std::string_view name, double value);
  bool set_word(std::string_view name, std::string_view value);  // e.g. method=gear
  static bool is_flag(std::string_view name);                    // options given without a value
};

}  // namespace xbarsim
