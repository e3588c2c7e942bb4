// The two-stage ranker's context (docs/models.md, "Ranking features"): the
// blended retrieval whose source scores are ranking features and the
// customer × category affinity table, both from the same purchase evidence,
// and the step that adds those features to ranking examples. Training
// (`pantry eval`) and the recommender compute the features through the same
// models/ functions (ScoreForRanking, CategoryAffinity::Value).
//
// Leakage: the context must come from evidence strictly before the first
// click the ranker trains on (a later period), so a bought click never
// feeds the features of its own row.
#ifndef PANTRY_WORKSHOP_RANK_CONTEXT_H_
#define PANTRY_WORKSHOP_RANK_CONTEXT_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "pantry/common/clock.h"

#include "pantry/common/status.h"
#include "pantry/models/blend.h"
#include "pantry/models/category_affinity.h"
#include "pantry/models/rank_model.h"
#include "pantry/workshop/retrieval_evaluation.h"

namespace pantry::workshop {

struct RankContext {
  std::shared_ptr<const models::BlendedRetriever> blend;
  models::IdDictionary customers;          // the blend's customer indexes
  models::IdDictionary products;           // the blend's product indexes
  std::vector<uint32_t> customer_segment;  // per customer index
  std::shared_ptr<const models::CategoryAffinity> affinity;
};

// Purchases per customer and category in `evidence` (interaction counts).
StatusOr<models::CategoryAffinity> CategoryAffinityFromEvidence(const RetrievalEvidence& evidence);

// Trains the blend on `evidence` and builds the affinity table from it.
StatusOr<RankContext> BuildRankContext(RetrievalEvidence evidence,
                                       const models::RetrievalTrainOptions& options);

// Sets customer_category_affinity and retrieval_scores of every example
// (which must carry customer_id and product_id) as the recommender would
// for that customer and candidate. Examples are scored a customer at a time.
void AddTwoStageFeatures(const RankContext& context, std::span<models::RankExample> examples);

// The same for a table that kept its ids (LoadRankExampleTable with_ids):
// sets its two-stage columns for every row, then drops the ids.
void AddTwoStageFeatures(const RankContext& context, models::RankExampleTable& examples);

struct RankTrainingRequest;  // training.h

// `pantry train rank --two-stage --split T`: builds the context from the
// home store's purchase evidence before `split` (orders group if loaded,
// bought clicks), trains the two-stage ranker on the click rows from
// `split` on (and before request.clicks.before, if set), then publishes the
// context's blend as a new models/retrieval version (so the server serves
// the blend the ranker's features came from) and the ranker as a new
// models/rank version, whose directory it returns. InvalidArgument without
// a split; FailedPrecondition without evidence before it.
StatusOr<std::filesystem::path> TrainAndPublishTwoStageRank(
    const std::filesystem::path& home, Clock* clock, RankTrainingRequest request,
    const std::string& split, const models::RetrievalTrainOptions& retrieval,
    models::RankTrainingMetrics* metrics);

}  // namespace pantry::workshop

#endif  // PANTRY_WORKSHOP_RANK_CONTEXT_H_
