// Scoring against a generated dataset's truth/ folder: loading the held-out
// purchases and the evaluation sample, and the metrics (recall@K, AUC) that
// `pantry generate` reports for the oracle and the popularity baseline, so
// that `pantry eval` scores models in exactly the same way. File formats are
// documented in docs/datagen.md.
#ifndef PANTRY_DATAGEN_GROUND_TRUTH_H_
#define PANTRY_DATAGEN_GROUND_TRUTH_H_

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "pantry/common/json.h"
#include "pantry/common/status.h"

namespace pantry::datagen {

// Recall@K for one customer: |top-k of `ranked` ∩ relevant| / |relevant|,
// where `relevant` is a set of distinct items. `ranked` should not repeat
// items (a repeat is counted once). 0 when `relevant` is empty.
template <typename T, typename Set>
double RecallAtK(std::span<const T> ranked, const Set& relevant, int k) {
  if (relevant.empty()) return 0;
  const size_t n = std::min(ranked.size(), static_cast<size_t>(std::max(k, 0)));
  std::unordered_set<T> seen;
  size_t hits = 0;
  for (size_t i = 0; i < n; ++i) {
    if (relevant.count(ranked[i]) && seen.insert(ranked[i]).second) ++hits;
  }
  return static_cast<double>(hits) / static_cast<double>(relevant.size());
}

// Area under the ROC curve of `scores` for binary `labels` (non-zero =
// positive), exact: the probability that a random positive scores above a
// random negative, ties counting one half. InvalidArgument if the sizes
// differ or there are no positives or no negatives.
StatusOr<double> Auc(std::span<const double> scores, std::span<const uint8_t> labels);

// AUC over a stream of (score, label) pairs in constant memory: scores are
// bucketed into `bins` equal bins over [lo, hi] (values outside are
// clamped), pairs in one bin count as ties. With the defaults (logits, 6000
// bins of width 0.005) the error is far below the third decimal.
class AucHistogram {
 public:
  explicit AucHistogram(double lo = -15, double hi = 15, int bins = 6000);
  void Add(double score, bool positive);
  void Merge(const AucHistogram& other);  // same lo, hi and bins
  int64_t positives() const { return positives_; }
  int64_t negatives() const { return negatives_; }
  // NaN when there are no positives or no negatives.
  double Auc() const;

 private:
  double lo_, hi_;
  std::vector<int64_t> pos_, neg_;
  int64_t positives_ = 0, negatives_ = 0;
};

// A dataset's truth, as `pantry eval` needs it.
struct GroundTruth {
  // truth/summary.json, as written by `pantry generate`.
  Json summary;
  // Customers to score recall on, in file order (truth/eval_customers.csv).
  std::vector<std::string> eval_customers;
  // Distinct held-out products per customer (truth/heldout_orders.csv): for
  // the eval sample only, or for every customer with held-out purchases when
  // loaded with HeldoutScope::kAllCustomers.
  std::unordered_map<std::string, std::unordered_set<std::string>> heldout;
  // Rows of click_stream_historical.csv with event_time >= this are the
  // click held-out part (microseconds since the epoch).
  int64_t click_heldout_from_micros = 0;
};

enum class HeldoutScope {
  kEvalSample,    // keep held-out purchases of eval_customers only (bounded memory)
  kAllCustomers,  // keep them for everyone (about 2 per customer at the defaults)
};

// Loads DIR/truth/. FailedPrecondition if DIR/truth/summary.json is missing
// (an incomplete or foreign folder); errors name the file and line.
StatusOr<GroundTruth> LoadGroundTruth(const std::filesystem::path& dataset_dir,
                                      HeldoutScope scope = HeldoutScope::kEvalSample);

// Mean recall@k over `truth.eval_customers`: `rank(customer_id)` returns the
// ranked product ids for one customer (at least k of them where possible).
template <typename RankFn>
double MeanRecallAtK(const GroundTruth& truth, int k, RankFn rank) {
  if (truth.eval_customers.empty()) return 0;
  double sum = 0;
  for (const std::string& customer : truth.eval_customers) {
    auto it = truth.heldout.find(customer);
    if (it == truth.heldout.end()) continue;
    const std::vector<std::string> ranked = rank(customer);
    sum += RecallAtK<std::string>(ranked, it->second, k);
  }
  return sum / static_cast<double>(truth.eval_customers.size());
}

}  // namespace pantry::datagen

#endif  // PANTRY_DATAGEN_GROUND_TRUTH_H_
