#include "core/waveforms.h"

#include <algorithm>
#include <cctype>

namespace xbarsim {

std::string_view quantity_name(Quantity quantity) {
  switch (quantity) {
    case Quantity::voltage: return "voltage";
    case Quantity::current: return "current";
    case Quantity::time: return "time";
    case Quantity::other: break;
  }
  return "notype";
}

const Vector* Plot::find(std::string_view wanted) const {
  auto same = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
  };
  for (const Vector& vector : vectors)
    if (same(vector.name, wanted)) return &vector;
  return nullptr;
}

}  // namespace xbarsim
