#include "core/simulation_options.h"

#include <array>
#include <cmath>

namespace xbarsim {
namespace {

// Options ngspice accepts that do not change xbarsim's results; accepted silently.
constexpr std::array<std::string_view, 16> kAcceptedWithoutEffect = {
    "noacct", "nomod", "nopage", "acct", "list", "node", "opts", "filetype", "klu", "sparse",
    "keepopinfo", "savecurrents", "numdgt", "warn", "noinit", "norefvalue"};

}  // namespace

bool SimulationOptions::set(std::string_view name, double value) {
  if (name == "reltol") reltol = value;
  else if (name == "abstol") abstol = value;
  else if (name == "vntol") vntol = value;
  else if (name == "chgtol") chgtol = value;
  else if (name == "trtol") trtol = value;
  else if (name == "gmin") gmin = value;
  else if (name == "itl1") itl1 = static_cast<int>(value);
  else if (name == "itl2") itl2 = static_cast<int>(value);
  else if (name == "itl4") itl4 = static_cast<int>(value);
  else if (name == "gminsteps") gmin_steps = static_cast<int>(value);
  else if (name == "srcsteps") source_steps = static_cast<int>(value);
  else if (name == "temp") temperature = value;
  else if (name == "tnom") nominal_temperature = value;
  else if (name == "maxord") max_order = static_cast<int>(value);
  else if (name == "interp") interpolate = value != 0.0;
  else {
    for (std::string_view accepted : kAcceptedWithoutEffect)
      if (name == accepted) return true;
    return false;
  }
  return true;
}

bool SimulationOptions::set_word(std::string_view name, std::string_view value) {
  if (name == "method") {
    if (value == "gear") method = IntegrationMethod::gear;
    else if (value == "trap" || value == "trapezoidal") method = IntegrationMethod::trapezoidal;
    else return false;
    return true;
  }
  if (name == "filetype") return value == "ascii" || value == "binary";
  return false;
}

bool SimulationOptions::is_flag(std::string_view name) {
  return name == "interp" || name == "noacct" || name == "nomod" || name == "nopage" || name == "acct" ||
         name == "list" || name == "node" || name == "opts" || name == "klu" || name == "sparse" ||
         name == "keepopinfo" || name == "savecurrents" || name == "noinit" || name == "norefvalue";
}

}  // namespace xbarsim
