// ModelSnapshot: everything a request needs, immutable once built: the
// candidate model (the blended retrieval, or the workshop's FM with its
// catalog index, q_i and b_i precomputed, and an optional HNSW index), the
// ranking model, their versions, the product catalog, and the ranker's
// column layout resolved from the feature names saved with it.
#ifndef PANTRY_RECOMMEND_MODEL_SNAPSHOT_H_
#define PANTRY_RECOMMEND_MODEL_SNAPSHOT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/models/cf_model.h"
#include "pantry/models/fm_retrieval.h"
#include "pantry/models/rank_model.h"
#include "pantry/recommend/blend_model.h"
#include "pantry/recommend/candidate_cache.h"
#include "pantry/recommend/hnsw_index.h"

namespace pantry::recommend {

struct CatalogProduct {
  std::string product_id;
  std::string product_name;
  std::string product_category;
  double product_health_index = 0;
};

// The latest live row of every product in the `products` group, from the
// offline store (deleted products are left out), sorted by product id.
// Errors: no products group, a query failure, an empty catalog.
StatusOr<std::vector<CatalogProduct>> LoadCatalog(const featurestore::FeatureStore& store);

// The models a snapshot serves. Candidates come from `blend` when it is
// set, else from the FM `cf` (which may be set beside a blend, for the
// pantry-cf endpoint); one of the two and `rank` are required.
struct SnapshotModels {
  std::shared_ptr<const models::CfModel> cf;
  std::string cf_version;
  std::shared_ptr<const BlendModel> blend;
  std::string blend_version;
  std::shared_ptr<const models::RankModel> rank;
  std::string rank_version;
};

struct ModelSnapshot {
  // The FM, if one is trained. With a blend it proposes no candidates and
  // is kept for the SageMaker Runtime endpoint pantry-cf.
  std::shared_ptr<const models::CfModel> cf;
  std::string cf_version;
  std::shared_ptr<const BlendModel> blend;  // null when the FM serves
  std::string blend_version;
  std::shared_ptr<const models::RankModel> rank;
  std::string rank_version;

  std::vector<CatalogProduct> products;
  // FM only: the catalog index and, for large catalogs, the HNSW index.
  models::FmCatalogIndex index;
  std::unique_ptr<HnswIndex> hnsw;  // null: exact scan
  // Blend only: per blend product index, its catalog position, or -1 for a
  // product no longer in the catalog.
  std::vector<int32_t> blend_to_catalog;
  size_t blend_unmapped = 0;  // entries of blend_to_catalog that are -1
  // The inverse: per catalog product, its blend index or -1.
  std::vector<int32_t> catalog_to_blend;

  // The version of the model that proposes candidates.
  const std::string& candidate_version() const { return blend ? blend_version : cf_version; }

  // Per product: its category's ranker column, or -1 if the ranker has none.
  std::vector<int32_t> category_column;
  // Per product: its column in the ranker's category affinity table, or -1
  // (empty when the ranker does not use customer_category_affinity).
  std::vector<int32_t> affinity_category;

  // Retrieval results of this snapshot's models, by query (never null).
  // The snapshot is otherwise immutable; the cache is thread-safe.
  std::unique_ptr<CandidateCache> candidate_cache;
};

struct SnapshotOptions {
  size_t hnsw_threshold = 100000;
  HnswParams hnsw;
  size_t candidate_cache_bytes = kDefaultCandidateCacheBytes;  // 0: none
};

// Builds a snapshot. Errors: InvalidArgument without a ranker or without
// either candidate model, a ranker feature name the recommender cannot
// compute (FailedPrecondition naming it; retrieval_score_* without a
// blend), catalog index errors.
StatusOr<std::shared_ptr<const ModelSnapshot>> BuildSnapshot(SnapshotModels models,
                                                             std::vector<CatalogProduct> products,
                                                             const SnapshotOptions& options);

// The augmented HNSW vector [q_i, b_i] of every product (row-major,
// num_factors + 1 floats each), and the matching query [p_u, 1].
std::vector<float> AugmentedProductVectors(const models::CfModel& cf,
                                           const models::FmCatalogIndex& index,
                                           const std::vector<CatalogProduct>& products);
std::vector<float> AugmentedQuery(const models::CustomerVector& customer);

}  // namespace pantry::recommend

#endif  // PANTRY_RECOMMEND_MODEL_SNAPSHOT_H_
