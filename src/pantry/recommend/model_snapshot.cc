#include "pantry/recommend/model_snapshot.h"

#include <algorithm>
#include <string_view>

namespace pantry::recommend {

StatusOr<std::vector<CatalogProduct>> LoadCatalog(const featurestore::FeatureStore& store) {
  ASSIGN_OR_RETURN(featurestore::FeatureGroupDefinition group,
                   store.DescribeFeatureGroup("products"));
  const std::string& event_time = group.event_time_name;
  // Latest row per product (event time, then write time: the online store's
  // rule), without products whose latest row is a delete marker.
  std::string sql =
      "SELECT product_id, product_name, product_category, product_health_index FROM ("
      "SELECT product_id, product_name, product_category, product_health_index, is_deleted, "
      "ROW_NUMBER() OVER (PARTITION BY product_id ORDER BY \"" +
      event_time +
      "\" DESC, write_time DESC) AS rn FROM products) AS latest WHERE rn = 1 AND is_deleted = 0 "
      "ORDER BY product_id";
  std::vector<CatalogProduct> products;
  Status status =
      store.QueryEach(sql, nullptr, [&](std::span<const featurestore::FeatureValue> row) {
        CatalogProduct p;
        p.product_id = row[0].ToString();
        p.product_name = row[1].ToString();
        p.product_category = row[2].ToString();
        p.product_health_index = row[3].AsDouble().value_or(0.0);
        products.push_back(std::move(p));
        return Status::Ok();
      });
  if (!status.ok()) return status.WithContext("loading the product catalog");
  if (products.empty()) {
    return FailedPreconditionError("the products feature group is empty: ingest products first");
  }
  return products;
}

namespace {}  // namespace

std::vector<float> AugmentedProductVectors(const models::CfModel& cf,
                                           const models::FmCatalogIndex& index,
                                           const std::vector<CatalogProduct>& products) {
  const int f = cf.fm().num_factors();
  const size_t dim = static_cast<size_t>(f) + 1;
  std::vector<float> out(products.size() * dim, 0.0f);
  models::CustomerVector zero;
  zero.p.assign(static_cast<size_t>(f), 0.0f);
  zero.c = 0;
  std::vector<uint32_t> indices;
  std::vector<float> values;
  for (size_t i = 0; i < products.size(); ++i) {
    indices.clear();
    values.clear();
    cf.EncodeProduct(products[i].product_id, products[i].product_name, &indices, &values);
    float* row = out.data() + i * dim;
    for (size_t j = 0; j < indices.size(); ++j) {
      if (indices[j] >= cf.fm().num_features()) continue;
      auto v = cf.fm().factors(indices[j]);
      for (int k = 0; k < f; ++k) row[k] += v[k] * values[j];
    }
    row[f] = index.Score(zero, static_cast<uint32_t>(i));  // b_i
  }
  return out;
}

std::vector<float> AugmentedQuery(const models::CustomerVector& customer) {
  std::vector<float> q(customer.p.size() + 1);
  std::copy(customer.p.begin(), customer.p.end(), q.begin());
  q.back() = 1.0f;
  return q;
}

namespace {

// The FM's catalog index and, for large catalogs, its HNSW index.
Status BuildFmIndexes(const models::CfModel& cf, const std::vector<CatalogProduct>& products,
                      const SnapshotOptions& options, ModelSnapshot* snapshot) {
  std::vector<std::string> ids, names;
  ids.reserve(products.size());
  names.reserve(products.size());
  for (const CatalogProduct& p : products) {
    ids.push_back(p.product_id);
    names.push_back(p.product_name);
  }
  ASSIGN_OR_RETURN(snapshot->index, cf.BuildCatalogIndex(ids, names));
  if (products.size() >= options.hnsw_threshold) {
    std::vector<float> vectors = AugmentedProductVectors(cf, snapshot->index, products);
    ASSIGN_OR_RETURN(
        snapshot->hnsw,
        HnswIndex::Build(vectors, products.size(), static_cast<size_t>(cf.fm().num_factors()) + 1,
                         options.hnsw));
  }
  return Status::Ok();
}

// Products the blend was trained on map to their catalog position; products
// added to the catalog since are not proposed until the next training.
std::vector<int32_t> BlendToCatalog(const BlendModel& blend,
                                    const std::vector<CatalogProduct>& products) {
  std::vector<int32_t> out(blend.products.size(), -1);
  for (size_t i = 0; i < products.size(); ++i) {
    if (auto index = blend.products.Find(products[i].product_id)) {
      out[*index] = static_cast<int32_t>(i);
    }
  }
  return out;
}

}  // namespace

StatusOr<std::shared_ptr<const ModelSnapshot>> BuildSnapshot(SnapshotModels models,
                                                             std::vector<CatalogProduct> products,
                                                             const SnapshotOptions& options) {
  if (models.rank == nullptr) return InvalidArgumentError("BuildSnapshot: no ranking model");
  if (models.cf == nullptr && models.blend == nullptr) {
    return InvalidArgumentError("BuildSnapshot: no candidate model (FM or blend)");
  }
  if (models.rank->uses_retrieval_scores() && models.blend == nullptr) {
    return FailedPreconditionError(
        "the ranking model uses retrieval_score_* features, which only the blended retrieval "
        "gives: publish a retrieval model (`pantry train cf --method blend`)");
  }
  auto snapshot = std::make_shared<ModelSnapshot>();
  snapshot->candidate_cache = std::make_unique<CandidateCache>(options.candidate_cache_bytes);
  if (models.blend != nullptr) {
    snapshot->blend_to_catalog = BlendToCatalog(*models.blend, products);
    snapshot->catalog_to_blend.assign(products.size(), -1);
    for (size_t b = 0; b < snapshot->blend_to_catalog.size(); ++b) {
      if (int32_t i = snapshot->blend_to_catalog[b]; i >= 0) {
        snapshot->catalog_to_blend[i] = static_cast<int32_t>(b);
      }
    }
    snapshot->blend_unmapped = static_cast<size_t>(
        std::count(snapshot->blend_to_catalog.begin(), snapshot->blend_to_catalog.end(), -1));
  } else {
    RETURN_IF_ERROR(BuildFmIndexes(*models.cf, products, options, snapshot.get()));
  }
  const auto category_columns = models::CategoryColumns(models.rank->columns());
  snapshot->category_column.assign(products.size(), -1);
  for (size_t i = 0; i < products.size(); ++i) {
    if (auto c = category_columns.find(products[i].product_category); c != category_columns.end()) {
      snapshot->category_column[i] = c->second;
    }
  }
  if (const models::CategoryAffinity* affinity = models.rank->affinity()) {
    snapshot->affinity_category.reserve(products.size());
    for (const CatalogProduct& p : products) {
      snapshot->affinity_category.push_back(affinity->FindCategory(p.product_category));
    }
  }
  if (models.blend != nullptr) {
    snapshot->blend = std::move(models.blend);
    snapshot->blend_version = std::move(models.blend_version);
  }
  snapshot->cf = std::move(models.cf);  // with a blend: for InvokeEndpoint only
  snapshot->cf_version = std::move(models.cf_version);
  snapshot->rank = std::move(models.rank);
  snapshot->rank_version = std::move(models.rank_version);
  snapshot->products = std::move(products);
  return std::shared_ptr<const ModelSnapshot>(std::move(snapshot));
}

}  // namespace pantry::recommend
