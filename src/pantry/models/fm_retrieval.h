// Full-catalog retrieval with a factorization machine whose features split
// into customer-side features x_u and product-side features x_i. The FM
// score then decomposes exactly into
//   score(u, i) = c_u + b_i + <p_u, q_i>
// with p_u = sum_{j in u} v_j x_j,  q_i = sum_{j in i} v_j x_j,
//      c_u = w0 + sum_{j in u} w_j x_j + (pairs within u),
//      b_i =      sum_{j in i} w_j x_j + (pairs within i),
// because the pair term 1/2[(s_u + s_i)^2 - sum v^2 x^2] splits into the
// two within-side pair sums plus <s_u, s_i>. The catalog's q_i and b_i are
// computed once; a request costs one exact matrix-vector product (no
// approximation) and a top-K selection. The catalog is stored in tiles of
// kTile products, factor-major inside a tile, so that the scan streams
// memory once and vectorises without reassociating sums (AVX-512, AVX2 or
// SSE2 chosen at run time; all give the same result). For a binary classifier the
// ranking by raw score equals the ranking by probability.
#ifndef PANTRY_MODELS_FM_RETRIEVAL_H_
#define PANTRY_MODELS_FM_RETRIEVAL_H_

#include <cstdint>
#include <span>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/models/fm_model.h"
#include "pantry/models/sparse.h"

namespace pantry::models {

struct ScoredProduct {
  uint32_t product;  // row index in the catalog passed to Build()
  float score;       // raw FM output (before any sigmoid)
};

// The customer half of the decomposition.
struct CustomerVector {
  std::vector<float> p;  // num_factors
  double c = 0;
};

// The min(k, scores.size()) best entries of `scores` as {index, score}, best
// first: higher score, then lower index (the order of a full stable sort by
// descending score). Writes to `out` (cleared first). Exact: the k-th best
// score of a set of group maxima bounds the k-th best score from below, so
// one vectorisable pass finds a threshold and only the few entries at or
// above it are sorted. Scores must not be NaN. Thread-safe (per-thread
// scratch).
void SelectTopK(std::span<const float> scores, size_t k, std::vector<ScoredProduct>* out);

// Immutable after Build; TopK and Score are thread-safe.
class FmCatalogIndex {
 public:
  // `products` holds one row per catalog product with its product-side
  // features in the model's feature space (e.g. product_id one-hot and the
  // TF-IDF of its name). Errors: a feature index out of the model's range,
  // non-finite values.
  static StatusOr<FmCatalogIndex> Build(const FmModel& model, const CsrMatrix& products);

  // p_u and c_u of a customer's feature row (customer-side features only).
  static CustomerVector EncodeCustomer(const FmModel& model, const SparseRow& customer);

  size_t num_products() const { return num_products_; }
  int num_factors() const { return num_factors_; }

  // c_u + b_i + <p_u, q_i>.
  float Score(const CustomerVector& customer, uint32_t product) const;

  // The k highest-scoring products, best first (ties: lower index first).
  // Exact: scores every product.
  std::vector<ScoredProduct> TopK(const CustomerVector& customer, size_t k) const;
  // The same into `out` (cleared first), reusing its capacity: with a
  // caller's buffer kept across requests the scan does not allocate.
  void TopK(const CustomerVector& customer, size_t k, std::vector<ScoredProduct>* out) const;

  static constexpr size_t kTile = 64;

 private:
  size_t num_products_ = 0;
  int num_factors_ = 0;
  // Tile t holds q[t*kTile + i][f] at tiles_[(t * k + f) * kTile + i].
  std::vector<float> tiles_;
  // b_i, padded to whole tiles with -inf so padding never ranks.
  std::vector<float> bias_;
};

}  // namespace pantry::models

#endif  // PANTRY_MODELS_FM_RETRIEVAL_H_
