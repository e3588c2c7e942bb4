#include "pantry/models/fm_trainer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <thread>

#include "pantry/models/fm_gradient.h"

namespace pantry::models {
namespace {

Status CheckTargets(std::span<const float> y, PredictorType type, const char* what) {
  for (size_t r = 0; r < y.size(); ++r) {
    if (!std::isfinite(y[r])) {
      return InvalidArgumentError(std::string(what) + " row " + std::to_string(r) + ": target is " +
                                  (std::isnan(y[r]) ? "NaN" : "infinite"));
    }
    if (type == PredictorType::kBinaryClassifier && y[r] != 0.0f && y[r] != 1.0f) {
      return InvalidArgumentError(std::string(what) + " row " + std::to_string(r) + ": target " +
                                  std::to_string(y[r]) + " is not 0 or 1 (binary_classifier)");
    }
  }
  return Status::Ok();
}

// Optimizer state of `count` groups of `width` parameters (a feature's factor
// row, or one linear weight). A group's moments are adjacent, [m(width)
// v(width)], so an update reads one contiguous block instead of two distant
// ones. m: AdaGrad's sum of squared gradients or Adam's 1st moment; v: Adam's
// 2nd moment.
struct OptimizerState {
  std::vector<float> moments;
  size_t width = 0, per = 0;  // per: moment vectors per parameter (0, 1, 2)
  void Resize(size_t count, size_t group_width, FmOptimizer optimizer) {
    width = group_width;
    per = optimizer == FmOptimizer::kSgd ? 0 : optimizer == FmOptimizer::kAdagrad ? 1 : 2;
    moments.assign(count * width * per, 0.0f);
  }
  float* M(size_t group) { return per > 0 ? moments.data() + group * width * per : nullptr; }
  float* V(size_t group) { return per > 1 ? M(group) + width : nullptr; }
};

struct StepConfig {
  FmOptimizer optimizer;
  float lr;  // for Adam: includes the bias correction of this step
  float wd;
  float eps, beta1, beta2;
  float clip;  // 0 = off
};

// Applies one update to params[0..count) given summed gradients times
// `scale` (1 / batch size). The optimizer switch is outside the loops so that
// each loop vectorises; cloned per instruction set like FmRowGradient.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) void Step(
    const StepConfig& c, float* __restrict params, const float* __restrict grads, float scale,
    float* __restrict m, float* __restrict v, size_t count) {
  const float lr = c.lr, wd = c.wd, clip = c.clip, eps = c.eps, b1 = c.beta1, b2 = c.beta2;
  auto gradient = [&](size_t f) {
    float g = grads[f] * scale + wd * params[f];
    return clip > 0 ? std::clamp(g, -clip, clip) : g;
  };
  switch (c.optimizer) {
    case FmOptimizer::kSgd:
      for (size_t f = 0; f < count; ++f) params[f] -= lr * gradient(f);
      break;
    case FmOptimizer::kAdagrad:
      for (size_t f = 0; f < count; ++f) {
        float g = gradient(f);
        m[f] += g * g;
        params[f] -= lr * g / (std::sqrt(m[f]) + eps);
      }
      break;
    case FmOptimizer::kAdam:
      for (size_t f = 0; f < count; ++f) {
        float g = gradient(f);
        m[f] = b1 * m[f] + (1 - b1) * g;
        v[f] = b2 * v[f] + (1 - b2) * g * g;
        params[f] -= lr * m[f] / (std::sqrt(v[f]) + eps);
      }
      break;
  }
}

// A worker's sparse gradient buffer for one mini-batch: the features the
// batch touches get consecutive slots, so the update walks contiguous
// gradient rows. Workers are separate heap objects (no false sharing).
class Worker {
 public:
  Worker(size_t num_features, size_t k) : k_(k), slot_of_(num_features, -1), scratch_(2 * k) {}

  // Trains on `rows` and applies the update.
  double RunBatch(FmModel& model, const CsrMatrix& x, std::span<const float> y,
                  std::span<const uint32_t> rows, const FmHyperparameters& h, int64_t step,
                  OptimizerState& bias_state, OptimizerState& linear_state,
                  OptimizerState& factor_state) {
    const size_t n = model.num_features();
    const float* linear = model.linear().data();
    const float* factors = model.all_factors().data();
    double loss = 0;
    float bias_grad = 0;
    for (uint32_t r : rows) {
      SparseRow row = x.row(r);
      const size_t nnz = row.nnz();
      // Slots first: growing the buffers may move them.
      slots_.resize(nnz);
      for (size_t j = 0; j < nnz; ++j) {
        uint32_t i = row.indices[j];
        slots_[j] = i < n ? SlotOf(i) : 0;
      }
      linear_ptrs_.resize(nnz);
      factor_ptrs_.resize(nnz);
      for (size_t j = 0; j < nnz; ++j) {
        linear_ptrs_[j] = linear_grad_.data() + slots_[j];
        factor_ptrs_[j] = factor_grad_.data() + static_cast<size_t>(slots_[j]) * k_;
      }
      loss +=
          FmRowGradient(model.bias(), linear, factors, n, k_, row, y[r], model.predictor_type(),
                        scratch_.data(), {&bias_grad, linear_ptrs_.data(), factor_ptrs_.data()});
    }
    float scale = 1.0f / static_cast<float>(rows.size());
    float correction = 1.0f;
    if (h.optimizer == FmOptimizer::kAdam) {
      double t = static_cast<double>(step);
      correction =
          static_cast<float>(std::sqrt(1 - std::pow(h.beta2, t)) / (1 - std::pow(h.beta1, t)));
    }
    auto config = [&](double lr, double wd) {
      return StepConfig{h.optimizer,
                        static_cast<float>(lr) * correction,
                        static_cast<float>(wd),
                        static_cast<float>(h.eps),
                        static_cast<float>(h.beta1),
                        static_cast<float>(h.beta2),
                        static_cast<float>(h.clip_gradient)};
    };
    StepConfig bias_config = config(h.bias_lr, h.bias_wd);
    StepConfig linear_config = config(h.linear_lr, h.linear_wd);
    StepConfig factor_config = config(h.factors_lr, h.factors_wd);
    Step(bias_config, &model.mutable_bias(), &bias_grad, scale, bias_state.M(0), bias_state.V(0),
         1);
    float* w = model.mutable_linear().data();
    float* v = model.mutable_factors().data();
    for (size_t slot = 0; slot < touched_.size(); ++slot) {
      uint32_t i = touched_[slot];
      Step(linear_config, w + i, &linear_grad_[slot], scale, linear_state.M(i), linear_state.V(i),
           1);
      size_t offset = static_cast<size_t>(i) * k_;
      Step(factor_config, v + offset, factor_grad_.data() + slot * k_, scale, factor_state.M(i),
           factor_state.V(i), k_);
      slot_of_[i] = -1;
    }
    touched_.clear();
    linear_grad_.clear();
    factor_grad_.clear();
    return loss;
  }

 private:
  int32_t SlotOf(uint32_t i) {
    if (slot_of_[i] < 0) {
      slot_of_[i] = static_cast<int32_t>(touched_.size());
      touched_.push_back(i);
      linear_grad_.push_back(0.0f);
      factor_grad_.resize(factor_grad_.size() + k_, 0.0f);
    }
    return slot_of_[i];
  }

  size_t k_;
  std::vector<int32_t> slot_of_;
  std::vector<uint32_t> touched_;
  std::vector<float> linear_grad_;
  std::vector<float> factor_grad_;
  std::vector<float> scratch_;
  std::vector<int32_t> slots_;
  std::vector<float*> linear_ptrs_;
  std::vector<float*> factor_ptrs_;
};

double MetricFromLoss(PredictorType type, double mean_loss) {
  return type == PredictorType::kRegressor ? std::sqrt(2 * mean_loss) : mean_loss;
}

Status CheckTrainingInput(const CsrMatrix& x, std::span<const float> y, const FmHyperparameters& h,
                          const FmTrainOptions& options) {
  RETURN_IF_ERROR(h.Validate());
  if (x.rows() == 0) return InvalidArgumentError("empty training set: no rows to train on");
  if (x.cols == 0) return InvalidArgumentError("training set has no feature columns");
  if (x.rows() > std::numeric_limits<uint32_t>::max()) {
    return InvalidArgumentError("training set has " + std::to_string(x.rows()) +
                                " rows; at most 4294967295 are supported (split it)");
  }
  if (y.size() != x.rows()) {
    return InvalidArgumentError("training set has " + std::to_string(x.rows()) + " rows but " +
                                std::to_string(y.size()) + " targets");
  }
  RETURN_IF_ERROR(x.Validate().WithContext("training set"));
  RETURN_IF_ERROR(CheckTargets(y, h.predictor_type, "training set"));
  const bool has_validation = options.validation_x != nullptr;
  if (has_validation) {
    const CsrMatrix& vx = *options.validation_x;
    if (vx.rows() != options.validation_y.size()) {
      return InvalidArgumentError("validation set has " + std::to_string(vx.rows()) + " rows but " +
                                  std::to_string(options.validation_y.size()) + " targets");
    }
    RETURN_IF_ERROR(vx.Validate().WithContext("validation set"));
    RETURN_IF_ERROR(CheckTargets(options.validation_y, h.predictor_type, "validation set"));
  }
  if (h.early_stopping_patience > 0 && (!has_validation || options.validation_x->rows() == 0)) {
    return InvalidArgumentError("early_stopping_patience needs a non-empty validation set");
  }
  return Status::Ok();
}

// Normal initialisation with the per-term sigmas (0 = start at zero). Draws
// from `rng` in a fixed order: bias, linear weights, factors.
void InitParameters(const FmHyperparameters& h, std::mt19937_64& rng, FmModel* model) {
  std::normal_distribution<float> bias_init(0, static_cast<float>(h.bias_init_sigma));
  std::normal_distribution<float> linear_init(0, static_cast<float>(h.linear_init_sigma));
  std::normal_distribution<float> factor_init(0, static_cast<float>(h.factors_init_sigma));
  model->mutable_bias() = h.bias_init_sigma > 0 ? bias_init(rng) : 0.0f;
  for (float& w : model->mutable_linear()) w = h.linear_init_sigma > 0 ? linear_init(rng) : 0.0f;
  for (float& v : model->mutable_factors()) v = h.factors_init_sigma > 0 ? factor_init(rng) : 0.0f;
}

// Runs the epochs' mini-batches on a pool of Hogwild! workers and owns the
// optimizer state that persists across epochs.
class EpochRunner {
 public:
  EpochRunner(const CsrMatrix& x, std::span<const float> y, const FmHyperparameters& h,
              const FmTrainOptions& options)
      : x_(x), y_(y), h_(h), options_(options) {
    const size_t n = x.cols, k = static_cast<size_t>(h.num_factors);
    bias_state_.Resize(1, 1, h.optimizer);
    linear_state_.Resize(n, 1, h.optimizer);
    factor_state_.Resize(n, k, h.optimizer);
    size_t threads =
        h.num_threads > 0 ? h.num_threads : std::max(1u, std::thread::hardware_concurrency());
    batch_ = static_cast<size_t>(h.mini_batch_size);
    num_batches_ = (x.rows() + batch_ - 1) / batch_;
    threads = std::max<size_t>(1, std::min(threads, num_batches_));
    for (size_t t = 0; t < threads; ++t) workers_.push_back(std::make_unique<Worker>(n, k));
  }

  size_t threads() const { return workers_.size(); }

  // One pass over the rows in `order`, cut into mini-batches; returns the
  // summed training loss of the rows as each was trained on.
  double Run(FmModel& model, std::span<const uint32_t> order) {
    std::atomic<size_t> next_batch{0};
    std::vector<double> losses(threads(), 0.0);
    auto work = [&](size_t t) {
      for (;;) {
        size_t b = next_batch.fetch_add(1, std::memory_order_relaxed);
        if (b >= num_batches_) break;
        size_t begin = b * batch_, end = std::min(x_.rows(), begin + batch_);
        // Steps are numbered by batch so that Adam's bias correction does not
        // depend on thread timing.
        losses[t] += workers_[t]->RunBatch(model, x_, y_, order.subspan(begin, end - begin), h_,
                                           step_ + static_cast<int64_t>(b) + 1, bias_state_,
                                           linear_state_, factor_state_);
        if (options_.on_rows) options_.on_rows(end - begin);
      }
    };
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads(); ++t) pool.emplace_back(work, t);
    work(0);
    for (std::thread& thread : pool) thread.join();
    step_ += static_cast<int64_t>(num_batches_);
    return std::accumulate(losses.begin(), losses.end(), 0.0);
  }

 private:
  const CsrMatrix& x_;
  std::span<const float> y_;
  const FmHyperparameters& h_;
  const FmTrainOptions& options_;
  size_t batch_ = 0, num_batches_ = 0;
  int64_t step_ = 0;
  OptimizerState bias_state_, linear_state_, factor_state_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

// Early stopping on the validation metric: remembers the best epoch's
// parameters and says when patience has run out.
class EarlyStopping {
 public:
  explicit EarlyStopping(const FmHyperparameters& h) : h_(h) {}

  // Call after every epoch; true: stop training now.
  bool ShouldStop(const FmEpochReport& report, const FmModel& model) {
    if (h_.early_stopping_patience <= 0) return false;
    if (report.validation_metric < best_metric_ * (1 - h_.early_stopping_tolerance)) {
      best_metric_ = report.validation_metric;
      best_model_ = model;
      bad_epochs_ = 0;
      return false;
    }
    return ++bad_epochs_ >= h_.early_stopping_patience;
  }

  // Puts the best epoch's parameters (if any epoch improved) into `result`.
  void RestoreBest(FmTrainResult* result) {
    if (h_.early_stopping_patience <= 0 || best_model_.num_features() == 0) return;
    for (const FmEpochReport& report : result->epochs) {
      if (report.validation_metric == best_metric_) {
        result->best_epoch = report.epoch;
        break;
      }
    }
    result->model = std::move(best_model_);
  }

 private:
  const FmHyperparameters& h_;
  double best_metric_ = std::numeric_limits<double>::infinity();
  FmModel best_model_;
  int bad_epochs_ = 0;
};

}  // namespace

double FmMetric(const FmModel& model, const CsrMatrix& x, std::span<const float> y,
                int num_threads) {
  if (x.rows() == 0) return std::numeric_limits<double>::quiet_NaN();
  std::vector<float> predictions(x.rows());
  size_t threads =
      num_threads > 0 ? num_threads : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, std::max<size_t>(1, x.rows() / 1024));
  std::vector<double> losses(threads, 0.0);
  auto work = [&](size_t t) {
    for (size_t r = t; r < x.rows(); r += threads) {
      losses[t] += FmLoss(model.predictor_type(), model.PredictRaw(x.row(r)), y[r]).loss;
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& thread : pool) thread.join();
  double total = std::accumulate(losses.begin(), losses.end(), 0.0);
  return MetricFromLoss(model.predictor_type(), total / static_cast<double>(x.rows()));
}

StatusOr<FmTrainResult> TrainFm(const CsrMatrix& x, std::span<const float> y,
                                const FmHyperparameters& h, const FmTrainOptions& options) {
  RETURN_IF_ERROR(CheckTrainingInput(x, y, h, options));
  FmTrainResult result;
  result.model = FmModel(h.predictor_type, x.cols, h.num_factors);
  FmModel& model = result.model;
  model.set_hyperparameters(h);
  std::mt19937_64 rng(h.seed);
  InitParameters(h, rng, &model);
  EpochRunner runner(x, y, h, options);
  EarlyStopping early_stopping(h);
  const bool has_validation = options.validation_x != nullptr && options.validation_x->rows() > 0;

  std::vector<uint32_t> order(x.rows());
  std::iota(order.begin(), order.end(), uint32_t{0});
  for (int epoch = 1; epoch <= h.epochs; ++epoch) {
    auto start = std::chrono::steady_clock::now();
    std::shuffle(order.begin(), order.end(), rng);
    const double total = runner.Run(model, order);

    FmEpochReport report;
    report.epoch = epoch;
    report.train_metric = MetricFromLoss(h.predictor_type, total / static_cast<double>(x.rows()));
    report.validation_metric = std::numeric_limits<double>::quiet_NaN();
    if (has_validation) {
      report.validation_metric = FmMetric(model, *options.validation_x, options.validation_y,
                                          static_cast<int>(runner.threads()));
    }
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!std::isfinite(report.train_metric)) {
      return InvalidArgumentError("training diverged in epoch " + std::to_string(epoch) +
                                  " (non-finite loss); lower the learning rates");
    }
    result.epochs.push_back(report);
    if (options.on_epoch) options.on_epoch(report);
    result.best_epoch = epoch;
    if (early_stopping.ShouldStop(report, model)) {
      result.stopped_early = epoch < h.epochs;
      break;
    }
  }
  early_stopping.RestoreBest(&result);
  return result;
}

}  // namespace pantry::models
