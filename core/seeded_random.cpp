#include "core/seeded_random.h"

#include <cmath>
#include <numbers>

namespace xbarsim {

double SeededRandom::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = uniform();
  while (u1 <= 0.0) u1 = uniform();
  const double u2 = uniform();
  const double radius = std::sqrt(-2.0 * std::log(u1));
  spare_ = radius * std::sin(2 * std::numbers::pi * u2);
  has_spare_ = true;
  return radius * std::cos(2 * std::numbers::pi * u2);
}

}  // namespace xbarsim
