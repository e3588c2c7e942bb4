// The ranking model of the workshop: XGBoost on healthy_activity_last_2m
// (the click feature), product_health_index, customer_health_index and a
// one-hot of product_category, predicting `bought`. Saved as
// <dir>/ranker.json (XGBoost JSON, feature names inside) and
// <dir>/encoders.json.
#ifndef PANTRY_MODELS_RANK_MODEL_H_
#define PANTRY_MODELS_RANK_MODEL_H_

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/models/one_hot_encoder.h"
#include "pantry/models/ranker.h"

namespace pantry::models {

struct RankExample {
  float healthy_activity_last_2m = 0;
  float product_health_index = 0;
  float customer_health_index = 0;
  std::string product_category;
  float bought = 0;
};

struct RankTrainOptions {
  RankerParams params;
  // 70/20/10 train/validation/test split by default.
  double validation_fraction = 0.2;
  double test_fraction = 0.1;
  uint64_t split_seed = 42;
  // false: train without healthy_activity_last_2m (the click feature), as a
  // baseline that shows what the real-time feature adds.
  bool use_click_features = true;
  RankerTrainOptions ranker;  // on_round callback; validation set is set here
};

class RankModel {
 public:
  // `metrics` gets validation and test AUC and log-loss and the split sizes.
  static StatusOr<RankModel> Train(std::span<const RankExample> examples,
                                   const RankTrainOptions& options, Json* metrics);
  static StatusOr<RankModel> Load(const std::filesystem::path& dir);
  Status Save(const std::filesystem::path& dir) const;

  bool uses_click_features() const { return use_click_features_; }
  const Ranker& ranker() const { return *ranker_; }
  // Dense feature rows in the ranker's column order.
  DenseMatrix Encode(std::span<const RankExample> examples) const;
  // Probabilities of `bought`. Thread-safe.
  StatusOr<std::vector<float>> Predict(std::span<const RankExample> examples) const;

 private:
  bool use_click_features_ = true;
  OneHotEncoder category_encoder_;
  std::shared_ptr<Ranker> ranker_;
};

}  // namespace pantry::models

#endif  // PANTRY_MODELS_RANK_MODEL_H_
