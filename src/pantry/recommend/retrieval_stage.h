// The retrieval stage of a recommendation: the candidates of one customer
// from the snapshot's candidate model (the blend, else the FM), through the
// snapshot's candidate cache (candidate_cache.h).
#ifndef PANTRY_RECOMMEND_RETRIEVAL_STAGE_H_
#define PANTRY_RECOMMEND_RETRIEVAL_STAGE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pantry/featurestore/record.h"
#include "pantry/models/rank_features.h"
#include "pantry/recommend/candidate_cache.h"
#include "pantry/recommend/model_snapshot.h"

namespace pantry::recommend {

// Buffers of one serving thread, kept across requests.
struct RetrievalScratch {
  std::string cache_key;
  std::vector<uint32_t> fm_indices;  // the customer's FM row
  std::vector<float> fm_values;
  std::vector<uint32_t> blend_products;
  std::vector<size_t> blend_rows;
  std::vector<models::RankRetrievalScores> found;
};

// Cache lookups since the recommender opened (across snapshots); lookups
// happen only when the cache is enabled.
struct CandidateCacheCounters {
  std::atomic<uint64_t> hits{0};
  std::atomic<uint64_t> misses{0};
};

// The best `n` (at most the catalog) candidates of `customer_id`, whose
// profile is `profile` (customer_health_index already read from it), with
// their retrieval scores when the snapshot's ranker uses them. From the
// snapshot's candidate cache when an earlier request asked the same query,
// else computed and cached: the key holds every input of the computation,
// so both give the same candidates. Thread-safe; `scratch` is the calling
// thread's. Never null.
std::shared_ptr<const RetrievedCandidates> RetrieveCandidates(
    const ModelSnapshot& snapshot, const std::string& customer_id, size_t n,
    double customer_health_index, const featurestore::Record& profile, RetrievalScratch* scratch,
    CandidateCacheCounters* counters);

}  // namespace pantry::recommend

#endif  // PANTRY_RECOMMEND_RETRIEVAL_STAGE_H_
