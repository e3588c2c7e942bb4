// The ranking model: gradient-boosted trees (the workshop's SageMaker
// XGBoost) over a few dense features per (customer, product) candidate.
// The implementation wraps XGBoost's C API (xgboost_ranker.cc is the only
// file that includes it).
#ifndef PANTRY_MODELS_RANKER_H_
#define PANTRY_MODELS_RANKER_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"

namespace pantry::models {

// Row-major dense matrix of float features.
struct DenseMatrix {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<float> values;  // rows * cols
  std::span<const float> row(size_t r) const { return {values.data() + r * cols, cols}; }
  // Returns the rows listed in `row_ids`, in that order.
  DenseMatrix SelectRows(std::span<const size_t> row_ids) const;
};

// Rows handed to training a batch at a time, so that the caller need not
// hold them all as floats: XGBoost keeps only their histogram bins (about a
// byte per value) once it has read them (twice: sketch, then bins).
struct RankerRows {
  size_t rows = 0;
  size_t cols = 0;
  // Rows per call of `batch`; 0 = all rows in one call.
  size_t batch_rows = 0;
  // Rows [begin, end) as (end - begin) * cols row-major floats, either
  // written to `buffer` (resized as needed; kept between calls) or the
  // source's own, valid until the next call; their labels are written to
  // `labels` (resized to end - begin). Called in row order (more than one
  // pass), from one thread at a time.
  std::function<const float*(size_t begin, size_t end, std::vector<float>& buffer,
                             std::vector<float>& labels)>
      batch;
};

// XGBoost training parameters; defaults are the workshop's.
struct RankerParams {
  int max_depth = 5;
  double eta = 0.2;
  double gamma = 4;
  double min_child_weight = 6;
  double subsample = 0.7;
  std::string objective = "binary:logistic";
  int num_round = 50;
  std::string tree_method = "hist";
  int nthread = 0;  // training threads; 0 = all cores
  uint64_t seed = 0;

  // Sets a parameter by name from text. Errors: unknown name (listing the
  // known ones) or a malformed value.
  Status Set(std::string_view name, std::string_view value);
};

struct RankerTrainOptions {
  // Optional validation set: evaluated (auc, logloss) after every round.
  const DenseMatrix* validation_x = nullptr;
  std::span<const float> validation_y;
  // Or the validation rows a batch at a time (used when validation_x is
  // null). Under tree_method hist the validation set is binned with the
  // training set's cuts, which predicts exactly as the float rows would.
  const RankerRows* validation_rows = nullptr;
  // Called after each boosting round with XGBoost's evaluation line (e.g.
  // "[3]\tvalidation-auc:0.81\tvalidation-logloss:0.52"), or "" without a
  // validation set.
  std::function<void(int round, const std::string& evaluation)> on_round;
  // Per feature: +1 (the prediction may only rise with it), -1, or 0
  // (XGBoost's monotone_constraints); empty, or the number of features.
  std::vector<int> monotone_constraints;
};

// Thread-safety: Predict() may be called concurrently from many threads
// (XGBoost's in-place prediction is lock-free and thread-safe for tree
// boosters; each call runs on the calling thread, nthread = 1).
// PredictContributions() is serialised internally. Save/Serialize are const
// and safe to call concurrently with Predict.
class Ranker {
 public:
  virtual ~Ranker() = default;

  // Trains on `x` (one row per candidate) with 0/1 labels `y`;
  // `feature_names` (one per column, unique) are stored with the model.
  // Errors: empty training set, size mismatches, NaN/inf features or
  // labels, labels not 0/1 for binary:logistic, and any XGBoost error
  // (message from XGBGetLastError()).
  static StatusOr<std::unique_ptr<Ranker>> Train(const DenseMatrix& x, std::span<const float> y,
                                                 std::vector<std::string> feature_names,
                                                 const RankerParams& params,
                                                 const RankerTrainOptions& options = {});
  // The same, releasing `x`'s memory (left empty) once XGBoost has copied
  // the rows, so that the caller's copy is not held during boosting.
  static StatusOr<std::unique_ptr<Ranker>> Train(DenseMatrix&& x, std::span<const float> y,
                                                 std::vector<std::string> feature_names,
                                                 const RankerParams& params,
                                                 const RankerTrainOptions& options = {});

  // The same from rows produced a batch at a time (RankerRows). Under
  // tree_method hist no batch is kept; other methods gather every row first.
  // Batches sketch the quantile cuts in parts, so the cuts (and the model)
  // may differ slightly from one batch of the same rows. Errors as above.
  static StatusOr<std::unique_ptr<Ranker>> Train(const RankerRows& x,
                                                 std::vector<std::string> feature_names,
                                                 const RankerParams& params,
                                                 const RankerTrainOptions& options = {});

  // Loads a model saved by Save()/SerializeJson() (XGBoost's JSON format).
  static StatusOr<std::unique_ptr<Ranker>> Load(const std::filesystem::path& path);
  static StatusOr<std::unique_ptr<Ranker>> FromJson(std::string_view json, std::string_view what);

  virtual const std::vector<std::string>& feature_names() const = 0;
  virtual size_t num_features() const = 0;
  virtual int num_rounds() const = 0;

  // Scores (probabilities for binary:logistic) of `x`, whose columns must be
  // feature_names() in order. Errors: wrong column count, NaN/inf values.
  // Served from the trees in a flat form (tree_ensemble.h) when the model
  // allows it, else by XGBoost; both give the same scores.
  virtual StatusOr<std::vector<float>> Predict(const DenseMatrix& x) const = 0;
  // The same scores written to `out` (at least x.rows entries), so that a
  // caller that keeps `out` across requests does not allocate. Errors as
  // Predict().
  virtual Status PredictInto(const DenseMatrix& x, std::span<float> out) const;
  // The same scores computed by XGBoost itself: the reference for tests and
  // benchmarks of the flat form.
  virtual StatusOr<std::vector<float>> PredictWithLibrary(const DenseMatrix& x) const = 0;

  // SHAP contributions (XGBoost pred_contribs): rows x (num_features() + 1)
  // row-major margins; the last column is the bias. Each row sums to the
  // raw margin (logit) of Predict().
  virtual StatusOr<std::vector<float>> PredictContributions(const DenseMatrix& x) const = 0;

  // XGBoost's JSON model document (includes the feature names).
  virtual StatusOr<std::string> SerializeJson() const = 0;
  // Atomic write of SerializeJson().
  virtual Status Save(const std::filesystem::path& path) const = 0;
};

}  // namespace pantry::models

#endif  // PANTRY_MODELS_RANKER_H_
