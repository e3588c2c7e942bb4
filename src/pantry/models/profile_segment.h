// The profile segment of a customer: the key under which category
// popularity is kept and by which a customer with no purchase history is
// served (cold start). Training (workshop/retrieval_training) and serving
// (recommend/) must compute it the same way, so it lives with the models.
#ifndef PANTRY_MODELS_PROFILE_SEGMENT_H_
#define PANTRY_MODELS_PROFILE_SEGMENT_H_

#include <cstdint>

namespace pantry::models {

// Health band (5 bands of customer_health_index over [0, 1]) × age band
// (18-21, 22-40, 41-60, 61+): the customer attributes that move category
// preferences most in the generator's model. Values outside [0, 1] are
// clamped; the result is in [0, kProfileSegments).
inline constexpr uint32_t kProfileSegments = 20;
uint32_t ProfileSegment(double health_index, int age);

}  // namespace pantry::models

#endif  // PANTRY_MODELS_PROFILE_SEGMENT_H_
