// A trained second-order factorization machine:
//   y(x) = w0 + sum_i w_i x_i + sum_{i<j} <v_i, v_j> x_i x_j
// evaluated in O(k * nnz) as
//   sum_{i<j} <v_i, v_j> x_i x_j = 1/2 sum_f [(sum_i v_if x_i)^2 - sum_i v_if^2 x_i^2].
// For a binary classifier, Predict() returns sigmoid(y) (a probability).
//
// Model file format (version 1, little-endian): "PANTRYFM", uint32 format
// version, uint32 length + JSON header (predictor type, num_features,
// num_factors, hyperparameters), float32 w0, float32 w[num_features],
// float32 v[num_features * num_factors] (row-major), uint32 CRC-32 of every
// preceding byte.
#ifndef PANTRY_MODELS_FM_MODEL_H_
#define PANTRY_MODELS_FM_MODEL_H_

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/models/fm_hyperparameters.h"
#include "pantry/models/sparse.h"

namespace pantry::models {

inline constexpr uint32_t kFmFormatVersion = 1;

// Const methods are thread-safe; the parameters are only written by the
// trainer (which owns the model while training).
class FmModel {
 public:
  FmModel() = default;
  // Zero-initialised parameters.
  FmModel(PredictorType type, size_t num_features, int num_factors);

  PredictorType predictor_type() const { return predictor_type_; }
  size_t num_features() const { return linear_.size(); }
  int num_factors() const { return num_factors_; }

  float bias() const { return bias_; }
  float& mutable_bias() { return bias_; }
  std::span<const float> linear() const { return linear_; }
  std::span<float> mutable_linear() { return linear_; }
  // Factor vector v_i (num_factors floats).
  std::span<const float> factors(size_t feature) const {
    return {factors_.data() + feature * num_factors_, static_cast<size_t>(num_factors_)};
  }
  std::span<float> mutable_factors() { return factors_; }
  std::span<const float> all_factors() const { return factors_; }

  // The raw model output y(x) (no link function), in double precision.
  // Features >= num_features() are ignored (unknown at training time).
  double PredictRaw(const SparseRow& row) const;
  // y(x) for a regressor, sigmoid(y(x)) for a binary classifier.
  double Predict(const SparseRow& row) const;
  // Predict() for every row, on `num_threads` threads (0 = all cores).
  std::vector<float> PredictBatch(const CsrMatrix& rows, int num_threads = 0) const;

  // Hyperparameters the model was trained with (informational).
  const FmHyperparameters& hyperparameters() const { return hyperparameters_; }
  void set_hyperparameters(const FmHyperparameters& h) { hyperparameters_ = h; }

  std::string Serialize() const;
  // Errors (kCorruption): wrong magic, other format version, truncated
  // file, checksum mismatch, inconsistent sizes, non-finite parameters.
  static StatusOr<FmModel> Deserialize(std::string_view bytes, std::string_view what = "model");

  // Atomic write (temporary file + rename).
  Status Save(const std::filesystem::path& path) const;
  static StatusOr<FmModel> Load(const std::filesystem::path& path);

 private:
  PredictorType predictor_type_ = PredictorType::kRegressor;
  int num_factors_ = 0;
  float bias_ = 0;
  std::vector<float> linear_;
  std::vector<float> factors_;
  FmHyperparameters hyperparameters_;
};

// Loss of one example and its gradient with respect to the raw output:
// squared loss 1/2 (y - t)^2 for a regressor, logistic loss for a binary
// classifier (targets 0/1).
struct LossAndSlope {
  double loss;
  double slope;  // d loss / d raw output
};
LossAndSlope FmLoss(PredictorType type, double raw_output, double target);

}  // namespace pantry::models

#endif  // PANTRY_MODELS_FM_MODEL_H_
