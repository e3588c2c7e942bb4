// Per-request sums of scores by product, for the retrieval sources that add
// up votes (item kNN, the blend's fusion): a dense array indexed by product
// plus the list of products touched, so that adding a vote is O(1) and the
// result is read in O(products touched), with no hash map and no sort over
// every vote. Each serving thread keeps its own scratch and reuses it across
// requests, so a warm request allocates only its result.
#ifndef PANTRY_MODELS_SCORE_ACCUMULATOR_H_
#define PANTRY_MODELS_SCORE_ACCUMULATOR_H_

#include <cstdint>
#include <vector>

#include "pantry/models/retrieval.h"

namespace pantry::models {

class ScoreAccumulator {
 public:
  // Independent scratches of one thread, for code that accumulates while a
  // callee accumulates too (the blend fuses the item kNN's list).
  enum class Slot { kItemKnn = 0, kBlend = 1 };

  // The calling thread's accumulator for `slot`, empty and sized for
  // `num_products`. Valid until the thread ends; not shareable.
  static ScoreAccumulator& ForThisThread(Slot slot, uint32_t num_products);

  // `product` < the num_products given to ForThisThread.
  void Add(uint32_t product, float score) {
    if (stamp_[product] != generation_) {
      stamp_[product] = generation_;
      sum_[product] = score;
      touched_.push_back(product);
    } else {
      sum_[product] += score;
    }
  }

  // The sum added for `product` so far, 0 if none.
  float Sum(uint32_t product) const {
    return stamp_[product] == generation_ ? sum_[product] : 0.0f;
  }

  // Every product added, with its sum (votes added in order), in the order
  // first added; the accumulator is empty afterwards.
  std::vector<Candidate> Take();

  // The k products with the highest sums, best first (ties: lower product
  // first), as Take() sorted and cut to k; the accumulator is empty
  // afterwards. Sums must not be NaN.
  std::vector<Candidate> TakeBest(size_t k);

  // Empties the accumulator.
  void Clear();

 private:
  void Reset(uint32_t num_products);

  std::vector<float> sum_;
  std::vector<uint32_t> stamp_;  // == generation_: touched in this request
  std::vector<uint32_t> touched_;
  uint32_t generation_ = 1;
};

}  // namespace pantry::models

#endif  // PANTRY_MODELS_SCORE_ACCUMULATOR_H_
