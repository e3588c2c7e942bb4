// Hyperparameters of the factorization machine, named and defaulted like
// SageMaker's Factorization Machines algorithm (see docs/models.md for the
// table and where pantry differs), plus pantry's own: optimizer, threads,
// seed and early stopping.
#ifndef PANTRY_MODELS_FM_HYPERPARAMETERS_H_
#define PANTRY_MODELS_FM_HYPERPARAMETERS_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "pantry/common/status.h"

namespace pantry::models {

enum class PredictorType { kRegressor, kBinaryClassifier };
enum class FmOptimizer { kSgd, kAdagrad, kAdam };

std::string_view PredictorTypeName(PredictorType type);
std::string_view FmOptimizerName(FmOptimizer optimizer);

struct FmHyperparameters {
  PredictorType predictor_type = PredictorType::kRegressor;
  int num_factors = 64;
  int epochs = 1;
  int mini_batch_size = 1000;
  // Per-term learning rates, weight decays (L2, applied to the parameters a
  // mini-batch touches) and normal-init standard deviations; SageMaker's
  // documented defaults.
  double bias_lr = 0.1;
  double linear_lr = 0.001;
  double factors_lr = 0.0001;
  double bias_wd = 0.01;
  double linear_wd = 0.001;
  double factors_wd = 0.00001;
  double bias_init_sigma = 0.01;
  double linear_init_sigma = 0.01;
  double factors_init_sigma = 0.001;
  // Clip each gradient component to [-clip_gradient, clip_gradient]; 0 = off.
  double clip_gradient = 0;
  double eps = 1e-8;     // adagrad/adam denominator
  double beta1 = 0.9;    // adam
  double beta2 = 0.999;  // adam
  FmOptimizer optimizer = FmOptimizer::kAdam;
  int num_threads = 0;  // 0 = all hardware threads
  uint64_t seed = 0;
  // Early stopping on the validation set given to TrainFm: stop when the
  // validation loss has not improved by more than early_stopping_tolerance
  // (relative) for early_stopping_patience epochs, and keep the best epoch's
  // parameters. 0 = off.
  int early_stopping_patience = 0;
  double early_stopping_tolerance = 0.0;

  // Sets one hyperparameter from its text form, as given on a command line
  // or in a SageMaker hyperparameter map. Errors name the parameter: an
  // unknown name (with the list of known ones), a malformed or out-of-range
  // value.
  Status Set(std::string_view name, std::string_view value);
  static StatusOr<FmHyperparameters> FromMap(const std::map<std::string, std::string>& values);

  // Checks ranges (e.g. num_factors >= 1, learning rates >= 0).
  Status Validate() const;
  // The JSON form stored with a model is internal (models/model_json.h).
};

}  // namespace pantry::models

#endif  // PANTRY_MODELS_FM_HYPERPARAMETERS_H_
