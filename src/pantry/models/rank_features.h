// The ranking feature view (docs/models.md, "Ranking features"): every
// feature a ranker may use, declared once by name, and the one function that
// turns a (customer, candidate product, live activity) triple into a row of
// them. Training (RankModel over RankExamples read from the offline store)
// and serving (the recommender over online records) both encode through
// EncodeRankRow, so a feature cannot be computed two ways; a model whose
// feature names do not resolve here is refused at load.
//
//   sum_activity_weight_last_2m       W: summed weight of the live clicks
//   avg_product_health_index_last_2m  ā: their weighted mean product health
//   healthy_activity_last_2m          W·ā (the workshop's click feature)
//   live_health_alignment             W·(ā − ½)·(h_p − ½): positive when the
//                                     candidate's health is on the same side
//                                     of the middle as what is browsed now
//   product_health_index              h_p
//   customer_health_index             h_c
//   product_category_<name>           1 for candidates of that category
#ifndef PANTRY_MODELS_RANK_FEATURES_H_
#define PANTRY_MODELS_RANK_FEATURES_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pantry/common/status.h"

namespace pantry::models {

enum class RankFeature : uint8_t {
  kSumActivity,
  kAvgProductHealth,
  kHealthyActivity,
  kLiveHealthAlignment,
  kProductHealth,
  kCustomerHealth,
  kCategory,  // one column per category
};

struct RankColumn {
  RankFeature feature = RankFeature::kProductHealth;
  std::string category;  // kCategory only
};

// What one row is computed from.
struct RankInputs {
  float sum_activity_weight_last_2m = 0;
  float avg_product_health_index_last_2m = 0;
  float product_health_index = 0;
  float customer_health_index = 0;
  // The candidate's category column (see CategoryColumns), or -1.
  int32_t category_column = -1;
};

// The default view of `pantry train rank`, without the category columns:
// the live features healthy_activity_last_2m and live_health_alignment
// (unless `use_click_features` is false, the baseline that shows what they
// add), then the profile features. W and ā alone are defined for models
// that want them; on generated data they added no AUC over these two and
// let the trees reorder unhealthy products after an unhealthy browse.
std::vector<std::string> DefaultRankFeatureNames(bool use_click_features);

// Feature names -> columns. FailedPrecondition naming the first name that
// no feature computes.
StatusOr<std::vector<RankColumn>> ResolveRankColumns(std::span<const std::string> names);
std::string RankColumnName(const RankColumn& column);

// Category name -> its column among `columns`.
std::unordered_map<std::string, int32_t> CategoryColumns(std::span<const RankColumn> columns);

// Writes columns.size() floats to `row`. Thread-safe (pure).
void EncodeRankRow(std::span<const RankColumn> columns, const RankInputs& inputs, float* row);

}  // namespace pantry::models

#endif  // PANTRY_MODELS_RANK_FEATURES_H_
