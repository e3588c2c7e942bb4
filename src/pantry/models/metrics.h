// Evaluation metrics. All functions return a Status error for empty or
// mismatched inputs rather than NaN, so that a report never shows a silent
// NaN.
#ifndef PANTRY_MODELS_METRICS_H_
#define PANTRY_MODELS_METRICS_H_

#include <cstdint>
#include <span>
#include <unordered_set>

#include "pantry/common/status.h"

namespace pantry::models {

// Root mean squared error.
StatusOr<double> Rmse(std::span<const float> predictions, std::span<const float> targets);

// Area under the ROC curve for 0/1 labels; tied scores count one half
// (Mann-Whitney U with average ranks, equal to sklearn's roc_auc_score).
// Error: no positive or no negative label.
StatusOr<double> Auc(std::span<const float> scores, std::span<const float> labels);

// Mean binary cross-entropy; probabilities clipped to [1e-15, 1 - 1e-15].
StatusOr<double> LogLoss(std::span<const float> probabilities, std::span<const float> labels);

// Fraction of `relevant` found in the first min(k, ranked.size()) entries
// of `ranked` (duplicates in `ranked` count once). Error: `relevant` empty.
StatusOr<double> RecallAtK(std::span<const uint32_t> ranked,
                           const std::unordered_set<uint32_t>& relevant, size_t k);

}  // namespace pantry::models

#endif  // PANTRY_MODELS_METRICS_H_
