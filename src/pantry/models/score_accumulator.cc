#include "pantry/models/score_accumulator.h"

#include <algorithm>
#include <array>

#include "pantry/models/rank_key.h"

namespace pantry::models {

ScoreAccumulator& ScoreAccumulator::ForThisThread(Slot slot, uint32_t num_products) {
  thread_local std::array<ScoreAccumulator, 2> scratch;
  ScoreAccumulator& a = scratch[static_cast<size_t>(slot)];
  a.Reset(num_products);
  return a;
}

void ScoreAccumulator::Reset(uint32_t num_products) {
  if (sum_.size() != num_products) {
    touched_.clear();
    sum_.assign(num_products, 0.0f);
    stamp_.assign(num_products, 0);
    generation_ = 1;
    return;
  }
  Clear();
}

std::vector<Candidate> ScoreAccumulator::Take() {
  std::vector<Candidate> out(touched_.size());
  for (size_t i = 0; i < touched_.size(); ++i) out[i] = {touched_[i], sum_[touched_[i]]};
  Clear();
  return out;
}

std::vector<Candidate> ScoreAccumulator::TakeBest(size_t k) {
  thread_local std::vector<uint64_t> keys;
  keys.resize(touched_.size());
  for (size_t i = 0; i < touched_.size(); ++i) keys[i] = RankKey(sum_[touched_[i]], touched_[i]);
  if (keys.size() > k) {
    std::nth_element(keys.begin(), keys.begin() + static_cast<ptrdiff_t>(k), keys.end());
    keys.resize(k);
  }
  std::sort(keys.begin(), keys.end());
  std::vector<Candidate> out(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    const uint32_t product = RankKeyProduct(keys[i]);
    out[i] = {product, sum_[product]};
  }
  Clear();
  return out;
}

void ScoreAccumulator::Clear() {
  touched_.clear();
  if (++generation_ == 0) {  // wrapped: stamps of 2^32 requests ago look current
    std::fill(stamp_.begin(), stamp_.end(), 0);
    generation_ = 1;
  }
}

}  // namespace pantry::models
