// The factorization machine's per-example forward and backward pass in
// O(k * nnz), shared by the trainer and the gradient check test so that the
// test checks the code that trains. Internal to models/.
#ifndef PANTRY_MODELS_FM_GRADIENT_H_
#define PANTRY_MODELS_FM_GRADIENT_H_

#include <cstddef>
#include <cstdint>

#include "pantry/models/fm_model.h"
#include "pantry/models/sparse.h"

namespace pantry::models {

// Evaluates the loss of `row` against `target` for the parameters (bias,
// linear[n], factors[n * k]) and reports its gradient to `sink`:
//   sink.Bias(g)                      d loss / d w0
//   sink.Linear(j, i, g)              d loss / d w_i for the row's j-th entry
//   sink.Factors(j, i, const float* g) d loss / d v_i (k values)
// `sum` and `grad` are scratch buffers of k floats. Entries with i >= n are
// skipped. Returns the loss.
template <typename Sink>
inline double FmForwardBackward(float bias, const float* linear, const float* factors, size_t n,
                                size_t k, const SparseRow& row, double target, PredictorType type,
                                float* sum, float* grad, Sink& sink) {
  for (size_t f = 0; f < k; ++f) sum[f] = 0;
  double raw = bias;
  double sum_sq = 0;
  for (size_t j = 0; j < row.nnz(); ++j) {
    uint32_t i = row.indices[j];
    if (i >= n) continue;
    float x = row.values[j];
    raw += static_cast<double>(linear[i]) * x;
    const float* v = factors + static_cast<size_t>(i) * k;
    float sq = 0;
    for (size_t f = 0; f < k; ++f) {
      float vx = v[f] * x;
      sum[f] += vx;
      sq += vx * vx;
    }
    sum_sq += sq;
  }
  float pair = 0;
  for (size_t f = 0; f < k; ++f) pair += sum[f] * sum[f];
  raw += 0.5 * (static_cast<double>(pair) - sum_sq);
  LossAndSlope ls = FmLoss(type, raw, target);
  float slope = static_cast<float>(ls.slope);
  sink.Bias(slope);
  for (size_t j = 0; j < row.nnz(); ++j) {
    uint32_t i = row.indices[j];
    if (i >= n) continue;
    float x = row.values[j];
    float gx = slope * x;
    sink.Linear(j, i, gx);
    const float* v = factors + static_cast<size_t>(i) * k;
    for (size_t f = 0; f < k; ++f) grad[f] = gx * (sum[f] - v[f] * x);
    sink.Factors(j, i, grad);
  }
  return ls.loss;
}

}  // namespace pantry::models

#endif  // PANTRY_MODELS_FM_GRADIENT_H_
