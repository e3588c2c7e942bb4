// The ranking model: XGBoost over the ranking feature view
// (rank_features.h: the live click features, product and customer health,
// a one-hot of product_category), predicting `bought`. The workshop's model
// used healthy_activity_last_2m alone for the live activity; pantry's
// default view adds the summed weight, the mean browsed health and their
// alignment with the candidate's health. Saved as <dir>/ranker.json
// (XGBoost JSON, feature names inside), <dir>/encoders.json and, for a
// two-stage model, <dir>/category_affinity.tsv.
#ifndef PANTRY_MODELS_RANK_MODEL_H_
#define PANTRY_MODELS_RANK_MODEL_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/models/category_affinity.h"
#include "pantry/models/interactions.h"
#include "pantry/models/one_hot_encoder.h"
#include "pantry/models/rank_features.h"
#include "pantry/models/ranker.h"

namespace pantry::models {

// One labelled row: what EncodeRankRow needs, with the category by name.
struct RankExample {
  float sum_activity_weight_last_2m = 0;
  float avg_product_health_index_last_2m = 0;
  float product_health_index = 0;
  float customer_health_index = 0;
  std::string product_category;
  float bought = 0;
  // The two-stage features (rank_features.h); the ids say whose they are.
  std::string customer_id;
  std::string product_id;
  float customer_category_affinity = 0;
  RankRetrievalScores retrieval_scores{};
};

// RankExamples column by column, the strings interned: 24 bytes a row (40
// with the two-stage features) where a RankExample takes ~140 bytes plus its
// strings' heap, so that millions of training rows stay small
// (docs/benchmarks.md, "training memory"). Not thread-safe for Add().
struct RankExampleTable {
  std::vector<float> bought;
  std::vector<float> sum_activity_weight_last_2m;
  std::vector<float> avg_product_health_index_last_2m;
  std::vector<float> product_health_index;
  std::vector<float> customer_health_index;
  std::vector<uint32_t> category;  // index into `categories`
  IdDictionary categories;
  // Whose rows they are (indexes into the dictionaries): kept only when
  // added with ids, for the two-stage features, and dropped once those are
  // set (workshop's AddTwoStageFeatures).
  std::vector<uint32_t> customer;
  std::vector<uint32_t> product;
  IdDictionary customer_ids;
  IdDictionary product_ids;
  // The two-stage features; empty when not set (0 for every row).
  std::vector<float> customer_category_affinity;
  std::vector<RankRetrievalScores> retrieval_scores;

  size_t size() const { return bought.size(); }
  // Appends `e`; with `with_ids`, its customer_id and product_id too.
  void Add(const RankExample& e, bool with_ids = false);
  // Row `row` as a RankExample (its ids empty unless kept).
  RankExample Get(size_t row) const;
  // Frees the ids (customer, product and their dictionaries).
  void DropIds();
};

// pantry's seed for the ranker's split and subsampling (`pantry train rank
// --seed`); the other ranker defaults are RankerParams' (the workshop's).
inline constexpr uint64_t kDefaultRankSeed = 42;

struct RankTrainOptions {
  RankerParams params;
  // 70/20/10 train/validation/test split by default.
  double validation_fraction = 0.2;
  double test_fraction = 0.1;
  uint64_t split_seed = kDefaultRankSeed;
  // false: train without the live click features, as a baseline that shows
  // what the real-time features add.
  bool use_click_features = true;
  // true: TwoStageRankFeatureNames, whose customer_category_affinity is
  // looked up in `affinity` (required then, saved with the model); the
  // examples carry their retrieval scores and affinities already.
  bool two_stage = false;
  std::shared_ptr<const CategoryAffinity> affinity;
  RankerTrainOptions ranker;  // on_round callback; validation set is set here
};

// AUC and log-loss of the trained ranker on one split; a metric is absent
// when it cannot be computed (e.g. AUC of a split with one class).
struct RankSplitMetrics {
  size_t rows = 0;
  std::optional<double> auc;
  std::optional<double> logloss;
};

// What RankModel::Train measured (written as metrics.json next to a saved
// model by the workshop module).
struct RankTrainingMetrics {
  size_t rows = 0;
  size_t train_rows = 0;
  std::vector<std::string> features;  // the ranker's column names, in order
  // None when the split is empty (or prediction failed).
  std::optional<RankSplitMetrics> validation;
  std::optional<RankSplitMetrics> test;
  RankerParams params;
};

class RankModel {
 public:
  // `metrics` (may be null) gets validation and test AUC and log-loss and
  // the split sizes.
  static StatusOr<RankModel> Train(std::span<const RankExample> examples,
                                   const RankTrainOptions& options,
                                   RankTrainingMetrics* metrics = nullptr);
  // The same, freeing `examples` (left empty) once they are copied into a
  // RankExampleTable, before boosting.
  static StatusOr<RankModel> TrainConsuming(std::vector<RankExample>&& examples,
                                            const RankTrainOptions& options,
                                            RankTrainingMetrics* metrics = nullptr);
  // The same from a table, which is only read. No split is encoded whole:
  // XGBoost reads the rows in batches of 64k and keeps their histogram bins
  // (the validation split's binned with the training cuts), and the metrics
  // are predicted batch by batch. Splitting the cuts' sketch over batches
  // may move the model slightly from one trained on a single batch (under
  // 64k rows there is one batch).
  static StatusOr<RankModel> TrainFromTable(const RankExampleTable& examples,
                                            const RankTrainOptions& options,
                                            RankTrainingMetrics* metrics = nullptr);
  static StatusOr<RankModel> Load(const std::filesystem::path& dir);
  Status Save(const std::filesystem::path& dir) const;

  bool uses_click_features() const { return use_click_features_; }
  // The table customer_category_affinity is looked up in; null when the
  // model does not use it.
  const CategoryAffinity* affinity() const { return affinity_.get(); }
  bool uses_retrieval_scores() const { return UsesRetrievalScores(columns_); }
  const Ranker& ranker() const { return *ranker_; }
  // The ranker's columns, in order (resolved from its feature names).
  const std::vector<RankColumn>& columns() const { return columns_; }
  // ComputedRankColumns(columns()), for EncodeRankRow.
  const std::vector<uint32_t>& computed_columns() const { return computed_columns_; }
  // Dense feature rows in the ranker's column order (EncodeRankRow).
  DenseMatrix Encode(std::span<const RankExample> examples) const;
  // Probabilities of `bought`. Thread-safe.
  StatusOr<std::vector<float>> Predict(std::span<const RankExample> examples) const;

 private:
  // Trains the ranker on `examples`' split: the fields Train fills.
  Status TrainSplits(const RankExampleTable& examples, const RankTrainOptions& options,
                     RankTrainingMetrics* metrics);
  Status ResolveColumns();

  bool use_click_features_ = true;
  OneHotEncoder category_encoder_;
  std::shared_ptr<Ranker> ranker_;
  std::vector<RankColumn> columns_;
  std::vector<uint32_t> computed_columns_;
  std::shared_ptr<const CategoryAffinity> affinity_;
  std::unordered_map<std::string, int32_t> category_columns_;
};

}  // namespace pantry::models

#endif  // PANTRY_MODELS_RANK_MODEL_H_
