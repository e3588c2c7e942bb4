// The collaborative-filtering model of the workshop: a factorization
// machine over one-hot customer_id, is_married, state (customer side),
// one-hot product_id and the TF-IDF of product_name (product side), with
// the encoders it was trained with. Rows come from the caller (pantry's
// workshop module runs the feature store query); models/ does not know where
// they came from.
//
// Feature layout: [customer one-hot | product_id one-hot | TF-IDF terms],
// so the customer/product split needed by FmCatalogIndex is a column range.
// Saved as <dir>/cf.fm (FmModel format) and <dir>/encoders.json.
#ifndef PANTRY_MODELS_CF_MODEL_H_
#define PANTRY_MODELS_CF_MODEL_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/models/fm_model.h"
#include "pantry/models/fm_retrieval.h"
#include "pantry/models/fm_trainer.h"
#include "pantry/models/one_hot_encoder.h"
#include "pantry/models/tfidf_vectorizer.h"

namespace pantry::models {

// One training row of the workshop's CF query (bought = 1 rows).
struct CfExample {
  std::string customer_id;
  std::string is_married;
  std::string state;
  std::string product_id;
  std::string product_name;
  float rating = 0;
};

// What the FM learns from the CF rows (`pantry train cf --target`).
enum class CfTarget {
  kRating,    // regressor on the rating of purchased rows (the workshop)
  kBought,    // binary classifier of `bought` over all click rows
  kImplicit,  // purchased rows (1) against products sampled from the catalog (0)
};

// "rating", "bought" or "implicit"; InvalidArgument otherwise.
StatusOr<CfTarget> ParseCfTarget(std::string_view name);
std::string_view CfTargetName(CfTarget target);
// kRating: regressor; kBought and kImplicit: binary classifier.
PredictorType CfTargetPredictor(CfTarget target);

// pantry's defaults for training the CF model, used by `pantry train cf`,
// `pantry eval`, the demo and any code that trains through CfModel::Train
// with a default-constructed CfTrainOptions (docs/models.md):
//   target rating, Adam, all learning rates 0.01, bias_wd 0, linear_wd and
//   factors_wd 1e-4, factors_init_sigma 0.01, 64 factors, 20 epochs,
//   mini-batches of 1000, seed 42, 4 sampled negatives per purchase for the
//   implicit target.
// They differ from SageMaker's documented defaults, which a default
// FmHyperparameters keeps (for SageMaker hyperparameter maps): with
// SageMaker's 1e-4 factor learning rate 20 epochs do not converge.
inline constexpr CfTarget kDefaultCfTarget = CfTarget::kRating;
inline constexpr int kDefaultCfNegatives = 4;
inline constexpr uint64_t kDefaultCfSeed = 42;
FmHyperparameters DefaultCfHyperparameters();

struct CfTrainOptions {
  // Regressor on rating (the workshop) or binary_classifier on bought;
  // pantry's defaults unless the caller changes them.
  FmHyperparameters hyperparameters = DefaultCfHyperparameters();
  double test_fraction = 0.2;
  uint64_t split_seed = kDefaultCfSeed;
  FmTrainOptions fm;  // callbacks; the validation set is the test split
  // Implicit feedback: when > 0, every example is a positive (target 1) and
  // this many negatives (target 0) per positive are sampled uniformly from
  // the catalog below, for the same customer; use with a binary_classifier.
  int negatives_per_positive = 0;
  std::span<const std::string> catalog_ids;
  std::span<const std::string> catalog_names;
};

// What CfModel::Train measured (written as metrics.json next to a saved
// model by the workshop module).
struct CfTrainingMetrics {
  size_t rows = 0;  // training rows, sampled negatives included
  size_t train_rows = 0;
  size_t test_rows = 0;
  size_t features = 0;           // FM input width
  size_t customer_features = 0;  // the customer-side columns come first
  size_t vocabulary = 0;         // TF-IDF terms
  PredictorType predictor_type = PredictorType::kRegressor;
  // RMSE (regressor) or log-loss (binary classifier) of the final model.
  double train_metric = 0;
  std::optional<double> test_metric;  // none without a test split
  int best_epoch = 0;
  bool stopped_early = false;
  // Per epoch; validation_metric is the test split's (NaN without one).
  std::vector<FmEpochReport> epochs;
  FmHyperparameters hyperparameters;

  // "rmse" or "logloss".
  std::string_view metric_name() const;
};

class CfModel {
 public:
  // Fits the encoders (TF-IDF with min_df = 2 on the distinct product names)
  // and the FM on a shuffled (1 - test_fraction) split; the rest is the test
  // set, reported per epoch. `metrics` (may be null) gets train/test metric,
  // sizes and the per-epoch reports.
  // Errors: no examples, and those of TrainFm (NaN ratings, ...).
  static StatusOr<CfModel> Train(std::span<const CfExample> examples, const CfTrainOptions& options,
                                 CfTrainingMetrics* metrics = nullptr);

  static StatusOr<CfModel> Load(const std::filesystem::path& dir);
  Status Save(const std::filesystem::path& dir) const;

  const FmModel& fm() const { return fm_; }
  const OneHotEncoder& customer_encoder() const { return customer_encoder_; }
  const OneHotEncoder& product_encoder() const { return product_encoder_; }
  const TfidfVectorizer& tfidf() const { return tfidf_; }

  // Customer-side features (unknown values are ignored).
  void EncodeCustomer(const std::string& customer_id, const std::string& is_married,
                      const std::string& state, std::vector<uint32_t>* indices,
                      std::vector<float>* values) const;
  // Product-side features (an unknown product id still gets its name terms).
  void EncodeProduct(const std::string& product_id, const std::string& product_name,
                     std::vector<uint32_t>* indices, std::vector<float>* values) const;
  // Full rows for the examples (customer then product features).
  CsrMatrix Encode(std::span<const CfExample> examples) const;

  // Precomputes the retrieval index over a catalog (ids and names in the
  // same order; the index's product numbers are positions in these).
  StatusOr<FmCatalogIndex> BuildCatalogIndex(std::span<const std::string> product_ids,
                                             std::span<const std::string> product_names) const;

 private:
  uint32_t product_offset() const { return static_cast<uint32_t>(customer_encoder_.output_dim()); }
  uint32_t tfidf_offset() const {
    return product_offset() + static_cast<uint32_t>(product_encoder_.output_dim());
  }

  OneHotEncoder customer_encoder_;
  OneHotEncoder product_encoder_;
  TfidfVectorizer tfidf_;
  FmModel fm_;
};

}  // namespace pantry::models

#endif  // PANTRY_MODELS_CF_MODEL_H_
