#include "pantry/models/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

namespace pantry::models {
namespace {

Status CheckSizes(size_t a, size_t b, const char* what) {
  if (a != b) {
    return InvalidArgumentError(std::string(what) + ": " + std::to_string(a) + " predictions but " +
                                std::to_string(b) + " targets");
  }
  if (a == 0) return InvalidArgumentError(std::string(what) + ": no examples");
  return Status::Ok();
}

}  // namespace

StatusOr<double> Rmse(std::span<const float> predictions, std::span<const float> targets) {
  RETURN_IF_ERROR(CheckSizes(predictions.size(), targets.size(), "RMSE"));
  double sum = 0;
  for (size_t i = 0; i < predictions.size(); ++i) {
    double d = static_cast<double>(predictions[i]) - targets[i];
    sum += d * d;
  }
  return std::sqrt(sum / static_cast<double>(predictions.size()));
}

StatusOr<double> Auc(std::span<const float> scores, std::span<const float> labels) {
  RETURN_IF_ERROR(CheckSizes(scores.size(), labels.size(), "AUC"));
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double positives = 0, rank_sum = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    double average_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (size_t t = i; t < j; ++t) {
      if (labels[order[t]] > 0.5f) {
        positives += 1;
        rank_sum += average_rank;
      }
    }
    i = j;
  }
  double negatives = static_cast<double>(scores.size()) - positives;
  if (positives == 0 || negatives == 0) {
    return InvalidArgumentError("AUC is undefined: the labels contain only one class");
  }
  return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives);
}

StatusOr<double> LogLoss(std::span<const float> probabilities, std::span<const float> labels) {
  RETURN_IF_ERROR(CheckSizes(probabilities.size(), labels.size(), "log-loss"));
  constexpr double kEps = 1e-15;
  double sum = 0;
  for (size_t i = 0; i < probabilities.size(); ++i) {
    double p = std::clamp(static_cast<double>(probabilities[i]), kEps, 1 - kEps);
    sum -= labels[i] > 0.5f ? std::log(p) : std::log(1 - p);
  }
  return sum / static_cast<double>(probabilities.size());
}

StatusOr<double> RecallAtK(std::span<const uint32_t> ranked,
                           const std::unordered_set<uint32_t>& relevant, size_t k) {
  if (relevant.empty()) return InvalidArgumentError("recall@k: no relevant items");
  std::unordered_set<uint32_t> hits;
  for (size_t i = 0; i < std::min(k, ranked.size()); ++i) {
    if (relevant.count(ranked[i]) > 0) hits.insert(ranked[i]);
  }
  return static_cast<double>(hits.size()) / static_cast<double>(relevant.size());
}

}  // namespace pantry::models
