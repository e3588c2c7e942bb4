// `pantry eval`: scores both models against a generated dataset's truth
// (docs/models.md, "pantry eval"). The parts: load the dataset's training
// groups into the home, train the CF model on the clicks before the
// held-out period and measure full-catalog retrieval recall@10/100 on the
// held-out purchases, train the ranker with and without the click feature
// and measure AUC on the held-out clicks, and assemble the report next to
// the dataset's oracle and popularity baselines.
#ifndef PANTRY_WORKSHOP_EVALUATION_H_
#define PANTRY_WORKSHOP_EVALUATION_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "pantry/common/clock.h"
#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/datagen/ground_truth.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/models/cf_model.h"
#include "pantry/models/rank_model.h"
#include "pantry/workshop/feature_groups.h"
#include "pantry/workshop/rank_context.h"
#include "pantry/workshop/retrieval_evaluation.h"
#include "pantry/workshop/training.h"

namespace pantry::workshop {

// What truth/summary.json says about the dataset and the reference models;
// a key the summary lacks is absent.
struct DatasetSummary {
  std::optional<int64_t> customers;
  std::optional<int64_t> products;
  std::optional<int64_t> click_rows;
  std::optional<double> oracle_recall_at_10;
  std::optional<double> oracle_recall_at_100;
  std::optional<double> popularity_recall_at_10;
  std::optional<double> popularity_recall_at_100;
  std::optional<double> oracle_auc;
  std::optional<double> oracle_auc_without_activity;
};
DatasetSummary SummarizeTruth(const datagen::GroundTruth& truth);

struct RetrievalEvaluation {
  double recall_at_10 = 0;
  double recall_at_100 = 0;
  double train_seconds = 0;
  double retrieval_ms_per_customer = 0;
  models::CfTrainingMetrics training;
};

struct RankerEvaluation {
  size_t heldout_rows = 0;
  double auc = 0;
  double auc_without_click_features = 0;
  // Two-stage evaluation (a RankContext given): the ranker trained on the
  // clicks from `train_from` on, its features from the evidence before it;
  // and, for comparison, the default (single-stage) view trained on every
  // click before the held-out time.
  bool two_stage = false;
  std::string train_from;
  std::optional<double> auc_single_stage;
  double train_seconds_both = 0;
  models::RankTrainingMetrics training;
  models::RankTrainingMetrics training_without_click_features;
};

struct EvalReport {
  std::filesystem::path dataset;
  DatasetSummary truth;
  size_t eval_customers = 0;
  RetrievalEvaluation cf;     // the workshop's factorization machine
  BlendEvaluation retrieval;  // pantry's retrieval (blend) and its sources
  RankerEvaluation rank;
};

struct EvalRequest {
  std::filesystem::path data;  // a `pantry generate` folder (with truth/)
  // Training settings; their click ranges are replaced by the dataset's
  // split (before click_heldout_from).
  CfTrainingRequest cf;
  RankTrainingRequest rank;
  // The blended retrieval, trained on the dataset's purchase evidence.
  models::RetrievalTrainOptions retrieval;
  // The two-stage ranker's context (blend + category affinity) is trained
  // on the evidence before time_start + fraction × (held-out − time_start);
  // the ranker on the clicks from there to the held-out time. 0: the
  // single-stage ranker only.
  double rank_context_fraction = 0.8;
  // Optional: after each group loaded into the home.
  std::function<void(const GroupLoad&)> on_group_loaded;
  // Not owned; may be null (the embedded stores): the feature store's
  // backends, which the dataset is loaded into and trained from.
  const featurestore::FeatureStoreOptions* backends = nullptr;
};

// Trains the CF model on the clicks before `heldout_from` and measures
// mean recall@10 and @100 over truth.eval_customers with full-catalog
// retrieval (datagen's MeanRecallAtK, as for the baselines).
StatusOr<RetrievalEvaluation> EvaluateRetrieval(const featurestore::FeatureStore& store,
                                                const datagen::GroundTruth& truth,
                                                const std::string& heldout_from,
                                                CfTrainingRequest request);

// Trains the ranker on the clicks before `heldout_from` (its own 70/20/10
// split) with and without the click feature, and measures AUC on the
// clicks from `heldout_from` on.
// With `context` (not owned), the two-stage ranker instead, trained on the
// clicks in [train_from, heldout_from) (train_from: where the context's
// evidence ends), the held-out rows scored with the same context, as the
// server would; the single-stage AUC is then auc_single_stage.
StatusOr<RankerEvaluation> EvaluateRanker(const featurestore::FeatureStore& store,
                                          const std::string& heldout_from,
                                          RankTrainingRequest request,
                                          const RankContext* context = nullptr,
                                          const std::string& train_from = "");

// The whole evaluation: loads the training groups the home lacks from
// request.data (read-write), then evaluates on a read-only store: the FM,
// the blended retrieval (EvaluateBlend, from request.data's CSVs on the
// same split) and the ranker.
// FailedPrecondition for a folder without truth/.
StatusOr<EvalReport> RunEval(const std::filesystem::path& home, Clock* clock,
                             const EvalRequest& request);

// The JSON report (`pantry eval --report`): dataset sizes, "cf" (FM),
// "retrieval" (blend, its sources, cold start) and "rank" sections with pantry's numbers, the
// baselines and the training metrics.
OrderedJson EvalReportJson(const EvalReport& report);
Status WriteEvalReport(const std::filesystem::path& path, const EvalReport& report);

}  // namespace pantry::workshop

#endif  // PANTRY_WORKSHOP_EVALUATION_H_
