// Approximate maximum-inner-product search over the FM catalog with HNSW
// (hnswlib; hnsw_index.cc is the only file that includes it), for catalogs
// too large for the exact scan.
//
// The FM score c_u + b_i + <p_u, q_i> is an inner product of the augmented
// vectors [p_u, 1] and [q_i, b_i] plus a per-customer constant, so ranking
// by inner product over [q_i, b_i] ranks by FM score. The index reduces
// this maximum inner product search to L2 nearest-neighbour searches (one
// extra coordinate per vector, one graph per range of item norms;
// hnsw_index.cc, docs/models.md) and returns candidate product numbers; the
// caller re-scores them exactly.
#ifndef PANTRY_RECOMMEND_HNSW_INDEX_H_
#define PANTRY_RECOMMEND_HNSW_INDEX_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "pantry/common/status.h"

namespace pantry::recommend {

struct HnswParams {
  // Graph degree and construction breadth: bench/hnsw_bench.cc measured
  // recall@100 against the exact scan with these (docs/models.md).
  size_t m = 32;
  size_t ef_construction = 200;
  // Search breadth (hnswlib's ef, raised to k per search).
  size_t ef = 400;
  uint64_t seed = 100;
  // Items are split by norm into this many ranges of equal size (fewer for
  // small catalogs: at least min_range_size items each), one graph each.
  size_t norm_ranges = 8;
  size_t min_range_size = 1000;
  // Threads inserting points; 0 = all cores. With 1 the graph depends only
  // on the vectors and the seed; with more, on the thread interleaving too.
  size_t build_threads = 1;
};

// Immutable after Build; Search is thread-safe.
class HnswIndex {
 public:
  // `vectors` holds `count` rows of `dim` floats (row-major); row i is
  // product number i. The vectors are copied. Errors: empty input, library
  // failures (e.g. out of memory).
  static StatusOr<std::unique_ptr<HnswIndex>> Build(std::span<const float> vectors, size_t count,
                                                    size_t dim, const HnswParams& params);
  virtual ~HnswIndex() = default;

  // Product numbers of the (approximately) k largest inner products with
  // `query` (dim floats), best first. Empty on a query of the wrong
  // dimension or a library failure.
  virtual std::vector<uint32_t> Search(std::span<const float> query, size_t k) const = 0;
  virtual size_t dim() const = 0;
};

}  // namespace pantry::recommend

#endif  // PANTRY_RECOMMEND_HNSW_INDEX_H_
