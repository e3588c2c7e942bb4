// The blended retrieval (models/blend.h) in `pantry eval`: its evidence read
// from a generated dataset's CSVs (orders plus bought clicks before the
// held-out time, datagen/purchase_evidence.h), and its recall next to its
// own sources, scored with datagen's truth on the same customers as the
// oracle and popularity baselines.
#ifndef PANTRY_WORKSHOP_RETRIEVAL_EVALUATION_H_
#define PANTRY_WORKSHOP_RETRIEVAL_EVALUATION_H_

#include <cstdint>
#include <filesystem>
#include <vector>

#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/datagen/ground_truth.h"
#include "pantry/models/blend.h"
#include "pantry/models/interactions.h"
#include "pantry/models/profile_segment.h"

namespace pantry::workshop {

// What the retrieval models train on.
struct RetrievalEvidence {
  models::IdDictionary customers, products, categories;
  std::vector<uint32_t> product_category;  // per product
  std::vector<uint32_t> customer_segment;  // per customer
  models::InteractionMatrix matrix;
};

// Reads products.csv, customers.csv and the purchase evidence of a
// `pantry generate` folder; clicks at or after `clicks_before_micros` are
// left out. InvalidArgument for evidence naming an unknown id; the CSV
// reader's errors for missing files or columns.
StatusOr<RetrievalEvidence> LoadDatasetEvidence(const std::filesystem::path& dir,
                                                int64_t clicks_before_micros);

struct RecallAtK {
  double at_10 = 0;
  double at_100 = 0;
};

struct BlendEvaluation {
  RecallAtK blend;
  RecallAtK als;       // the blend's ALS source alone
  RecallAtK item_knn;  // the blend's item-kNN source alone (the baseline)
  // Eval customers with no evidence before the held-out time.
  size_t cold_customers = 0;
  RecallAtK blend_cold;  // over the cold customers only (0 when none; the CLI prints "-")
  RecallAtK blend_warm;  // over the others
  // Every eval customer queried by profile segment only, as if new: the
  // cold-start figure when (as in generated data) no eval customer is cold.
  RecallAtK blend_profile_only;
  size_t evidence_pairs = 0;
  double train_seconds = 0;
};

// Trains TrainBlendedRetriever on `dir`'s evidence before
// truth.click_heldout_from_micros and measures mean recall@10/@100 over
// truth.eval_customers (datagen::MeanRecallAtK, full catalog).
StatusOr<BlendEvaluation> EvaluateBlend(const std::filesystem::path& dir,
                                        const datagen::GroundTruth& truth,
                                        const models::RetrievalTrainOptions& options);

OrderedJson BlendEvaluationJson(const BlendEvaluation& evaluation);

}  // namespace pantry::workshop

#endif  // PANTRY_WORKSHOP_RETRIEVAL_EVALUATION_H_
