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
//   customer_category_affinity        log of the customer's smoothed share of
//                                     purchases in the candidate's category
//                                     over its overall share (CategoryAffinity)
//   retrieval_score_<source>          the candidate's score from the blended
//                                     retrieval's source (als, item_knn,
//                                     popularity); 0 when it cannot score it
#ifndef PANTRY_MODELS_RANK_FEATURES_H_
#define PANTRY_MODELS_RANK_FEATURES_H_

#include <array>
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
  kCategoryAffinity,
  kRetrievalAls,
  kRetrievalItemKnn,
  kRetrievalPopularity,
};

// The retrieval sources whose scores are ranking features, in RankInputs'
// retrieval_scores order (their CandidateSource::kind()).
inline constexpr std::array<std::string_view, 3> kRankRetrievalSources = {"als", "item_knn",
                                                                          "popularity"};

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
  float customer_category_affinity = 0;
  // Per kRankRetrievalSources; 0 where the source cannot score.
  std::array<float, 3> retrieval_scores{};
};

// The default view of `pantry train rank`, without the category columns:
// the live features healthy_activity_last_2m and live_health_alignment
// (unless `use_click_features` is false, the baseline that shows what they
// add), then the profile features. W and ā alone are defined for models
// that want them; on generated data they added no AUC over these two and
// let the trees reorder unhealthy products after an unhealthy browse.
std::vector<std::string> DefaultRankFeatureNames(bool use_click_features);

// The two-stage view (`pantry eval`, `pantry train rank --two-stage`): the
// default view plus W and ā, the customer's category affinity and the
// retrieval sources' scores, the signals of the generator's purchase model
// (docs/models.md, "Ranking features").
std::vector<std::string> TwoStageRankFeatureNames(bool use_click_features);

// Whether any column needs a retrieval score or the affinity table.
bool UsesRetrievalScores(std::span<const RankColumn> columns);
bool UsesCategoryAffinity(std::span<const RankColumn> columns);

// Feature names -> columns. FailedPrecondition naming the first name that
// no feature computes.
StatusOr<std::vector<RankColumn>> ResolveRankColumns(std::span<const std::string> names);
std::string RankColumnName(const RankColumn& column);

// Category name -> its column among `columns`.
std::unordered_map<std::string, int32_t> CategoryColumns(std::span<const RankColumn> columns);

class BlendedRetriever;
struct RetrievalQuery;

// The scores `blend`'s sources give `products` for `query`, per product in
// kRankRetrievalSources order; 0 where the blend lacks that source or the
// source cannot score (a customer it never saw). Training (workshop's
// AddRankContext) and serving both call this. Thread-safe.
using RankRetrievalScores = std::array<float, kRankRetrievalSources.size()>;
void ScoreForRanking(const BlendedRetriever& blend, const RetrievalQuery& query,
                     std::span<const uint32_t> products, std::span<RankRetrievalScores> out);

// Writes columns.size() floats to `row`. Thread-safe (pure).
void EncodeRankRow(std::span<const RankColumn> columns, const RankInputs& inputs, float* row);
// The columns that are not category one-hots, for the overload below.
std::vector<uint32_t> ComputedRankColumns(std::span<const RankColumn> columns);
// The same row, with `computed` = ComputedRankColumns(columns) found once for
// many rows, so that the one-hot columns are not visited one by one.
void EncodeRankRow(std::span<const RankColumn> columns, std::span<const uint32_t> computed,
                   const RankInputs& inputs, float* row);

}  // namespace pantry::models

#endif  // PANTRY_MODELS_RANK_FEATURES_H_
