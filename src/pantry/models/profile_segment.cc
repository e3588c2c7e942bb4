#include "pantry/models/profile_segment.h"

#include <algorithm>
#include <cmath>

namespace pantry::models {

uint32_t ProfileSegment(double health_index, int age) {
  const double h = std::isfinite(health_index) ? std::clamp(health_index, 0.0, 1.0) : 0.0;
  const uint32_t health_band = std::min(4u, static_cast<uint32_t>(h * 5));
  const uint32_t age_band = age < 22 ? 0 : (age <= 40 ? 1 : (age <= 60 ? 2 : 3));
  return health_band * 4 + age_band;
}

}  // namespace pantry::models
