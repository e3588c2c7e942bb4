// Approximate maximum-inner-product search over the FM catalog with HNSW
// (hnswlib; hnsw_index.cc is the only file that includes it), for catalogs
// too large for the exact scan.
//
// The FM score c_u + b_i + <p_u, q_i> is an inner product of the augmented
// vectors [p_u, 1] and [q_i, b_i] plus a per-customer constant, so ranking
// by inner-product distance over [q_i, b_i] ranks by FM score. The index
// returns candidate product numbers; the caller re-scores them exactly.
#ifndef PANTRY_RECOMMEND_HNSW_INDEX_H_
#define PANTRY_RECOMMEND_HNSW_INDEX_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "pantry/common/status.h"

namespace pantry::recommend {

struct HnswParams {
  size_t m = 16;
  size_t ef_construction = 200;
  // Search breadth (hnswlib's ef, raised to k per search).
  size_t ef = 400;
  uint64_t seed = 100;
};

// Immutable after Build; Search is thread-safe.
class HnswIndex {
 public:
  // `vectors` holds `count` rows of `dim` floats (row-major); row i is
  // product number i. Errors: empty input, library failures.
  static StatusOr<std::unique_ptr<HnswIndex>> Build(std::span<const float> vectors, size_t count,
                                                    size_t dim, const HnswParams& params);
  virtual ~HnswIndex() = default;

  // Product numbers of the (approximately) k largest inner products with
  // `query` (dim floats), best first.
  virtual std::vector<uint32_t> Search(std::span<const float> query, size_t k) const = 0;
  virtual size_t dim() const = 0;
};

}  // namespace pantry::recommend

#endif  // PANTRY_RECOMMEND_HNSW_INDEX_H_
