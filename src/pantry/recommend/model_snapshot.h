// ModelSnapshot: everything a request needs, immutable once built: the CF
// and ranking models with their versions, the product catalog, the FM
// catalog index (q_i, b_i precomputed), an optional HNSW index, and the
// ranker's column layout resolved from the feature names saved with it.
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

// What a ranker column holds.
enum class RankColumn : uint8_t {
  kHealthyActivity,   // healthy_activity_last_2m
  kSumActivity,       // sum_activity_weight_last_2m
  kAvgProductHealth,  // avg_product_health_index_last_2m
  kProductHealth,     // product_health_index
  kCustomerHealth,    // customer_health_index
  kCategory,          // product_category_<name>: 1 for products of that category
};

struct ModelSnapshot {
  std::shared_ptr<const models::CfModel> cf;
  std::string cf_version;
  std::shared_ptr<const models::RankModel> rank;
  std::string rank_version;

  std::vector<CatalogProduct> products;
  models::FmCatalogIndex index;
  std::unique_ptr<HnswIndex> hnsw;  // null: exact scan

  std::vector<RankColumn> columns;  // one per ranker feature, in order
  // Per product: its category's ranker column, or -1 if the ranker has none.
  std::vector<int32_t> category_column;
};

struct SnapshotOptions {
  size_t hnsw_threshold = 100000;
  HnswParams hnsw;
};

// Builds a snapshot. Errors: a ranker feature name the recommender cannot
// compute (FailedPrecondition naming it), catalog index errors.
StatusOr<std::shared_ptr<const ModelSnapshot>> BuildSnapshot(
    std::shared_ptr<const models::CfModel> cf, std::string cf_version,
    std::shared_ptr<const models::RankModel> rank, std::string rank_version,
    std::vector<CatalogProduct> products, const SnapshotOptions& options);

// The augmented HNSW vector [q_i, b_i] of every product (row-major,
// num_factors + 1 floats each), and the matching query [p_u, 1].
std::vector<float> AugmentedProductVectors(const models::CfModel& cf,
                                           const models::FmCatalogIndex& index,
                                           const std::vector<CatalogProduct>& products);
std::vector<float> AugmentedQuery(const models::CustomerVector& customer);

}  // namespace pantry::recommend

#endif  // PANTRY_RECOMMEND_MODEL_SNAPSHOT_H_
