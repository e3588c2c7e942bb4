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

// Where FmRowGradient adds the gradient of one row: for the row's j-th entry
// (feature i = row.indices[j]), *linear[j] += d loss / d w_i and
// factors[j][0..k) += d loss / d v_i; *bias += d loss / d w0. Entries j may
// share buffers (a feature repeated in the row, or rows of a mini-batch
// summing into one buffer); buffers must not overlap the parameters.
struct FmGradientTargets {
  float* bias;
  float* const* linear;
  float* const* factors;
};

// Evaluates the loss of `row` against `target` for the parameters (bias,
// linear[n], factors[n * k], row-major) and adds its gradient to `out`.
// `scratch` holds 2 * k floats. Entries with i >= n are skipped (their
// target pointers are not used). Returns the loss. The pair term is summed
// per factor and reduced in a fixed order, so results depend only on the
// inputs and the instruction set picked at run time (AVX-512, AVX2+FMA or
// SSE2; see fm_gradient.cc).
double FmRowGradient(float bias, const float* linear, const float* factors, size_t n, size_t k,
                     const SparseRow& row, double target, PredictorType type, float* scratch,
                     const FmGradientTargets& out);

}  // namespace pantry::models

#endif  // PANTRY_MODELS_FM_GRADIENT_H_
