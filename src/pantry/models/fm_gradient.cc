#include "pantry/models/fm_gradient.h"

namespace pantry::models {
namespace {

// Sums x[0..k) with 16 independent partial sums (reduced in a fixed order),
// which vectorises without -ffast-math and keeps the result deterministic.
inline float BlockSum(const float* __restrict x, size_t k) {
  constexpr size_t kLanes = 16;
  float acc[kLanes] = {};
  size_t f = 0;
  for (; f + kLanes <= k; f += kLanes) {
    for (size_t l = 0; l < kLanes; ++l) acc[l] += x[f + l];
  }
  for (; f < k; ++f) acc[f % kLanes] += x[f];
  float total = 0;
  for (size_t l = 0; l < kLanes; ++l) total += acc[l];
  return total;
}

}  // namespace

// Cloned for AVX-512 and AVX2 (+FMA) with run-time dispatch (GNU ifunc), as
// in fm_retrieval.cc; "default" is the SSE2 baseline of x86-64.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) double FmRowGradient(
    float bias, const float* linear, const float* factors, size_t n, size_t k, const SparseRow& row,
    double target, PredictorType type, float* scratch, const FmGradientTargets& out) {
  float* __restrict sum = scratch;         // sum_i v_if x_i
  float* __restrict sum_sq = scratch + k;  // sum_i v_if^2 x_i^2
  for (size_t f = 0; f < k; ++f) sum[f] = 0;
  for (size_t f = 0; f < k; ++f) sum_sq[f] = 0;
  double raw = bias;
  const size_t nnz = row.nnz();
  for (size_t j = 0; j < nnz; ++j) {
    uint32_t i = row.indices[j];
    if (i >= n) continue;
    float x = row.values[j];
    raw += static_cast<double>(linear[i]) * x;
    const float* __restrict v = factors + static_cast<size_t>(i) * k;
    for (size_t f = 0; f < k; ++f) {
      float vx = v[f] * x;
      sum[f] += vx;
      sum_sq[f] += vx * vx;
    }
  }
  // 1/2 sum_f [(sum_i v_if x_i)^2 - sum_i v_if^2 x_i^2], reusing sum_sq.
  for (size_t f = 0; f < k; ++f) sum_sq[f] = sum[f] * sum[f] - sum_sq[f];
  raw += 0.5 * static_cast<double>(BlockSum(sum_sq, k));
  LossAndSlope ls = FmLoss(type, raw, target);
  float slope = static_cast<float>(ls.slope);
  *out.bias += slope;
  for (size_t j = 0; j < nnz; ++j) {
    uint32_t i = row.indices[j];
    if (i >= n) continue;
    float x = row.values[j];
    float gx = slope * x;
    *out.linear[j] += gx;
    const float* __restrict v = factors + static_cast<size_t>(i) * k;
    float* __restrict g = out.factors[j];
    for (size_t f = 0; f < k; ++f) g[f] += gx * (sum[f] - v[f] * x);
  }
  return ls.loss;
}

}  // namespace pantry::models
