// Trains a factorization machine with mini-batch SGD, AdaGrad or Adam.
//
// Parallelism (Hogwild!, Niu et al. 2011): the shuffled mini-batches of an
// epoch are handed out to worker threads through an atomic counter; each
// worker computes its mini-batch's gradient into a private sparse buffer and
// applies it to the shared parameters without locks. Because FM data is
// sparse (a mini-batch touches few of the rows of the factor matrix),
// conflicting writes are rare and cost only a lost update. With
// num_threads = 1 the batches run in order and training is deterministic for
// a given seed. Optimizer state is lazy: a parameter's AdaGrad/Adam moments
// are only updated when a mini-batch touches it.
#ifndef PANTRY_MODELS_FM_TRAINER_H_
#define PANTRY_MODELS_FM_TRAINER_H_

#include <functional>
#include <span>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/models/fm_hyperparameters.h"
#include "pantry/models/fm_model.h"
#include "pantry/models/sparse.h"

namespace pantry::models {

struct FmEpochReport {
  int epoch = 0;  // 1-based
  // Mean over the epoch of each example's metric measured as it was trained
  // on: RMSE for a regressor, log-loss for a binary classifier.
  double train_metric = 0;
  // The same metric over the validation set after the epoch; NaN if none.
  double validation_metric = 0;
  double seconds = 0;
};

struct FmTrainOptions {
  // Optional validation set (per-epoch metric, early stopping).
  const CsrMatrix* validation_x = nullptr;
  std::span<const float> validation_y;
  // Called after every epoch on the calling thread (e.g. a progress bar).
  std::function<void(const FmEpochReport&)> on_epoch;
  // Called with the number of rows trained, from worker threads (must be
  // thread-safe); may be empty.
  std::function<void(size_t rows)> on_rows;
};

struct FmTrainResult {
  FmModel model;
  std::vector<FmEpochReport> epochs;
  int best_epoch = 0;  // epoch whose parameters `model` holds
  bool stopped_early = false;
};

// Trains on rows `x` (CSR, x.cols features) with targets `y` (0/1 for a
// binary classifier). Errors (InvalidArgument): an empty training set, a
// size mismatch, NaN/inf features or targets (naming the row), targets not
// 0/1 for a classifier, invalid hyperparameters, early stopping without a
// validation set.
StatusOr<FmTrainResult> TrainFm(const CsrMatrix& x, std::span<const float> y,
                                const FmHyperparameters& hyperparameters,
                                const FmTrainOptions& options = {});

// Mean metric of `model` on (x, y): RMSE for a regressor, log-loss for a
// binary classifier.
double FmMetric(const FmModel& model, const CsrMatrix& x, std::span<const float> y,
                int num_threads = 0);

}  // namespace pantry::models

#endif  // PANTRY_MODELS_FM_TRAINER_H_
