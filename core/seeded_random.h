// SeededRandom: the one source of random draws in xbarsim (device variation, faults, random
// weights and inputs, Monte Carlo). Deterministic for a given seed on every platform: the
// engine is std::mt19937_64 (fully specified by the standard) and the distributions are written
// here rather than taken from the standard library, whose distributions are implementation-defined.
#pragma once

#include <cstdint>
#include <random>

namespace xbarsim {

class SeededRandom {
 public:
  explicit SeededRandom(std::uint64_t seed) : engine_(seed) {}

  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  double normal();  // standard normal, Box–Muller

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace xbarsim
