// Retrieval lists are ordered by score, higher first, ties by lower product
// index. Packing (score, product) into one integer whose ascending order is
// that order lets sorts, selections and heaps compare with one instruction
// and move 8 bytes, instead of calling a two-field comparator.
#ifndef PANTRY_MODELS_RANK_KEY_H_
#define PANTRY_MODELS_RANK_KEY_H_

#include <bit>
#include <cstdint>

namespace pantry::models {

// Smaller key = better: a.score > b.score, or equal scores (−0 == +0) and
// a.product < b.product. Scores must not be NaN.
inline uint64_t RankKey(float score, uint32_t product) {
  const uint32_t bits = std::bit_cast<uint32_t>(score == 0.0f ? 0.0f : score);
  // Unsigned order of `ordered` is the float order of `score`.
  const uint32_t ordered = (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
  return (uint64_t{~ordered} << 32) | product;
}

inline uint32_t RankKeyProduct(uint64_t key) { return static_cast<uint32_t>(key); }

// The key's score (+0 for either zero).
inline float RankKeyScore(uint64_t key) {
  const uint32_t ordered = ~static_cast<uint32_t>(key >> 32);
  return std::bit_cast<float>((ordered & 0x80000000u) != 0 ? ordered & 0x7fffffffu : ~ordered);
}

}  // namespace pantry::models

#endif  // PANTRY_MODELS_RANK_KEY_H_
