// Weighted alternating least squares for implicit feedback (Hu, Koren and
// Volinsky 2008): every (customer, product) cell has preference 1 if the
// customer interacted with the product, else 0, and confidence
// 1 + alpha × (summed interaction weight); the factors minimise
//   Σ_{u,i} c_ui (p_ui − x_u·y_i)² + λ (Σ|x_u|² + Σ|y_i|²)
// by alternating exact per-row least-squares problems, solved with a few
// warm-started conjugate-gradient steps (or Cholesky), over all cores.
// Retrieval is an exact full-catalog scan of x_u·y_i.
#ifndef PANTRY_MODELS_ALS_H_
#define PANTRY_MODELS_ALS_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/models/interactions.h"
#include "pantry/models/retrieval.h"

namespace pantry::models {

struct AlsOptions {
  // Defaults measured on generated data (docs/quality.md): with a few dozen
  // purchases per customer, more factors fit noise (recall@100 0.146 at 16,
  // 0.131 at 32, 0.113 at 64 on the 10k/17k dataset).
  int factors = 16;
  int iterations = 12;
  double regularization = 5;  // λ, added to every row's normal equations
  double alpha = 20;          // confidence 1 + alpha × weight
  // Conjugate-gradient steps per row and iteration, warm-started from the
  // previous value (3 is plenty after the first iterations); 0 solves each
  // row exactly with a Cholesky factorization (slower).
  int cg_steps = 3;
  int threads = 0;  // 0 = all cores
  uint64_t seed = 42;
  // Called after each iteration (1-based) with its duration.
  std::function<void(int iteration, double seconds)> on_iteration;
};

class AlsModel : public CandidateSource {
 public:
  // InvalidArgument for options out of range (factors 1..1024, iterations
  // >= 1, alpha and λ >= 0 with λ > 0 or cg_steps > 0) or an empty matrix.
  // Memory: (customers + products) × factors floats plus the matrix.
  static StatusOr<std::unique_ptr<AlsModel>> Train(const InteractionMatrix& matrix,
                                                   const AlsOptions& options);
  // Reads <dir>/als.model. Corruption for damaged files.
  static StatusOr<std::unique_ptr<AlsModel>> Load(const std::filesystem::path& dir);

  virtual int factors() const = 0;
  virtual uint32_t num_customers() const = 0;

  // The query's customer vector x_u: the trained one for a known customer
  // (recent_products are ignored then; retrain to include them), else one
  // solved from recent_products against the fixed product factors
  // ("fold-in", the same least-squares step as in training). Empty when the
  // query has neither.
  virtual std::vector<float> CustomerVector(const RetrievalQuery& query) const = 0;
  // y_i: factors() floats.
  virtual std::span<const float> ProductVector(uint32_t product) const = 0;
};

}  // namespace pantry::models

#endif  // PANTRY_MODELS_ALS_H_
