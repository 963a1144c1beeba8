// Junction diode (placeholder until the SPICE diode model lands).
#include "models/builtin_models.h"

namespace xbarsim {
void build_diode(ElementCard& card) { card.fail(card.token(0), "diodes are not implemented yet"); }
}  // namespace xbarsim
