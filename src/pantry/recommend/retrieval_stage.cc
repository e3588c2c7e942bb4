#include "pantry/recommend/retrieval_stage.h"

#include <algorithm>
#include <span>

#include "pantry/models/profile_segment.h"
#include "pantry/recommend/record_fields.h"

namespace pantry::recommend {
namespace {

using featurestore::Record;

// The blend query of a request: the customer's training index when the
// blend knows the customer, and the profile segment (for cold start).
models::RetrievalQuery BlendQuery(const BlendModel& model, const std::string& customer_id,
                                  double customer_health_index, const Record& profile) {
  models::RetrievalQuery query;
  if (auto index = model.customers.Find(customer_id)) query.customer = *index;
  query.segment = models::ProfileSegment(customer_health_index,
                                         static_cast<int>(NumberOr(profile, "age", 0.0)));
  return query;
}

// Blended retrieval of `n` products: the customer's own history when the
// blend was trained with it, else (cold start) what customers of the same
// profile segment buy.
void RetrieveBlend(const ModelSnapshot& snapshot, const models::RetrievalQuery& query, size_t n,
                   RetrievedCandidates* out) {
  out->known_to_cf = query.customer != models::kNoId;
  out->retrieval = "blend";
  // Over-fetch by the products that left the catalog, so that n remain.
  std::vector<models::Candidate> found =
      snapshot.blend->blend->Retrieve(query, n + snapshot.blend_unmapped);
  std::vector<models::ScoredProduct>& candidates = out->candidates;
  candidates.reserve(n);
  for (const models::Candidate& c : found) {
    if (candidates.size() == n) break;
    if (int32_t product = snapshot.blend_to_catalog[c.product]; product >= 0) {
      candidates.push_back({static_cast<uint32_t>(product), c.score});
    }
  }
}

// Each candidate's score under every retrieval source (the ranker's
// retrieval_score_* inputs), through the same function as training
// (models::ScoreForRanking); zeros for a product the blend does not know.
void BlendRetrievalScores(const ModelSnapshot& snapshot, const models::RetrievalQuery& query,
                          std::span<const models::ScoredProduct> candidates,
                          RetrievalScratch* scratch,
                          std::vector<models::RankRetrievalScores>* scores) {
  scores->assign(candidates.size(), models::RankRetrievalScores{});
  std::vector<uint32_t>& products = scratch->blend_products;
  std::vector<size_t>& rows = scratch->blend_rows;
  products.clear();
  rows.clear();
  for (size_t r = 0; r < candidates.size(); ++r) {
    if (int32_t b = snapshot.catalog_to_blend[candidates[r].product]; b >= 0) {
      products.push_back(static_cast<uint32_t>(b));
      rows.push_back(r);
    }
  }
  std::vector<models::RankRetrievalScores>& found = scratch->found;
  found.assign(products.size(), models::RankRetrievalScores{});
  models::ScoreForRanking(*snapshot.blend->blend, query, products, found);
  for (size_t j = 0; j < rows.size(); ++j) (*scores)[rows[j]] = found[j];
}

// The FM's customer vector, from the customer's id and profile (encoded
// into scratch->fm_indices / fm_values); *known: the FM saw this customer
// in training.
models::CustomerVector EncodeFmCustomer(const models::CfModel& cf, const std::string& customer_id,
                                        const Record& profile, RetrievalScratch* scratch,
                                        bool* known) {
  scratch->fm_indices.clear();
  scratch->fm_values.clear();
  cf.EncodeCustomer(customer_id, StringOf(profile, "is_married"), StringOf(profile, "state"),
                    &scratch->fm_indices, &scratch->fm_values);
  *known = false;
  if (auto column = cf.customer_encoder().FindColumn("customer_id")) {
    *known = cf.customer_encoder().FeatureIndex(*column, customer_id).has_value();
  }
  return models::FmCatalogIndex::EncodeCustomer(
      cf.fm(), models::SparseRow{scratch->fm_indices, scratch->fm_values});
}

// FM retrieval of `n` products: the HNSW index re-scored exactly when the
// snapshot has one and it finds anything, else the exact scan.
void RetrieveFm(const ModelSnapshot& snapshot, const models::CustomerVector& customer, size_t n,
                RetrievedCandidates* out) {
  std::vector<models::ScoredProduct>& candidates = out->candidates;
  if (snapshot.hnsw != nullptr) {
    out->retrieval = "hnsw";
    std::vector<uint32_t> found = snapshot.hnsw->Search(AugmentedQuery(customer), n);
    candidates.reserve(found.size());
    for (uint32_t product : found) {
      candidates.push_back({product, snapshot.index.Score(customer, product)});
    }
  }
  if (candidates.empty()) {
    out->retrieval = "exact";
    snapshot.index.TopK(customer, n, &candidates);
  }
}

template <typename T>
void AppendBytes(const T* data, size_t count, std::string* key) {
  key->append(reinterpret_cast<const char*>(data), count * sizeof(T));
}

}  // namespace

std::shared_ptr<const RetrievedCandidates> RetrieveCandidates(
    const ModelSnapshot& snapshot, const std::string& customer_id, size_t n,
    double customer_health_index, const Record& profile, RetrievalScratch* scratch,
    CandidateCacheCounters* counters) {
  // The key: n, the model kind, then the query (blend) or the customer's
  // encoded row and whether the FM knows the customer (FM).
  std::string& key = scratch->cache_key;
  key.clear();
  const uint64_t count = n;
  AppendBytes(&count, 1, &key);
  models::RetrievalQuery blend_query;
  models::CustomerVector customer;
  bool known_to_fm = false;
  if (snapshot.blend != nullptr) {
    blend_query = BlendQuery(*snapshot.blend, customer_id, customer_health_index, profile);
    key.push_back('b');
    AppendBytes(&blend_query.customer, 1, &key);
    AppendBytes(&blend_query.segment, 1, &key);
  } else {
    customer = EncodeFmCustomer(*snapshot.cf, customer_id, profile, scratch, &known_to_fm);
    key.push_back(known_to_fm ? 'F' : 'f');
    AppendBytes(scratch->fm_indices.data(), scratch->fm_indices.size(), &key);
    AppendBytes(scratch->fm_values.data(), scratch->fm_values.size(), &key);
  }
  CandidateCache& cache = *snapshot.candidate_cache;
  if (cache.enabled()) {
    if (auto hit = cache.Find(key)) {
      counters->hits.fetch_add(1, std::memory_order_relaxed);
      return hit;
    }
    counters->misses.fetch_add(1, std::memory_order_relaxed);
  }
  auto retrieved = std::make_shared<RetrievedCandidates>();
  if (snapshot.blend != nullptr) {
    RetrieveBlend(snapshot, blend_query, n, retrieved.get());
    if (snapshot.rank->uses_retrieval_scores()) {
      BlendRetrievalScores(snapshot, blend_query, retrieved->candidates, scratch,
                           &retrieved->retrieval_scores);
    }
  } else {
    retrieved->known_to_cf = known_to_fm;
    RetrieveFm(snapshot, customer, n, retrieved.get());
  }
  if (cache.enabled()) cache.Insert(key, retrieved);
  return retrieved;
}

}  // namespace pantry::recommend
