// CandidateCache: the retrieval stage's result per query, kept for the next
// request that asks the same query of the same models.
//
// A shopper who browses asks for recommendations on every page. What changes
// between those requests is the live click-stream (which the ranker reads);
// the candidates do not: retrieval is a pure function of the served models
// and a query made of the customer's training index, profile segment and the
// number of candidates (blend), or the customer's encoded FM row (FM). Those
// inputs are the cache key, so a hit returns exactly what retrieval would
// compute. The recommender keeps one cache per model snapshot: a new model
// version starts with an empty cache, and an old one's entries go with it.
//
// Bounded by bytes, least recently used first out. A small sharded LRU is
// written here because no Debian-packaged library offers one for values of
// our own type (RocksDB's Cache belongs to the feature store's adapter, and
// a second user of RocksDB outside it would break the one-adapter rule).
//
// Thread-safety: every method may be called from any number of threads.
#ifndef PANTRY_RECOMMEND_CANDIDATE_CACHE_H_
#define PANTRY_RECOMMEND_CANDIDATE_CACHE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pantry/models/fm_retrieval.h"
#include "pantry/models/rank_features.h"

namespace pantry::recommend {

// 64 MiB: about 15,000 shoppers at 200 candidates each.
inline constexpr size_t kDefaultCandidateCacheBytes = size_t{64} << 20;

// What retrieval produced for one query.
struct RetrievedCandidates {
  // Best first, with the retrieval score (catalog positions).
  std::vector<models::ScoredProduct> candidates;
  // Per candidate, in the same order, its score under each retrieval source
  // (ranker inputs); empty when the ranker does not use them.
  std::vector<models::RankRetrievalScores> retrieval_scores;
  bool known_to_cf = false;
  std::string retrieval;  // "blend", "exact" or "hnsw"

  // Bytes held, for the cache's budget.
  size_t Charge() const;
};

struct CandidateCacheUsage {
  size_t entries = 0;
  size_t bytes = 0;
};

class CandidateCache {
 public:
  // Holds at most `capacity_bytes` (keys, values and bookkeeping); 0 keeps
  // nothing, so every Find misses.
  explicit CandidateCache(size_t capacity_bytes);
  CandidateCache(const CandidateCache&) = delete;
  CandidateCache& operator=(const CandidateCache&) = delete;

  // False when the capacity is 0.
  bool enabled() const { return shard_capacity_ > 0; }

  // The value stored under `key`, or null. Marks it most recently used.
  std::shared_ptr<const RetrievedCandidates> Find(std::string_view key);

  // Stores `value` under `key` (replacing any), then evicts the least
  // recently used entries of its shard until the shard fits. A value larger
  // than a shard's share of the capacity is not stored.
  void Insert(std::string_view key, std::shared_ptr<const RetrievedCandidates> value);

  CandidateCacheUsage Usage() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const RetrievedCandidates> value;
    size_t charge = 0;
  };
  // Sharded by the key's hash so that concurrent requests rarely share a
  // lock.
  struct Shard {
    mutable std::mutex mutex;
    std::list<Entry> lru;  // most recently used first
    std::unordered_map<std::string_view, std::list<Entry>::iterator> index;  // keys in `lru`
    size_t bytes = 0;
  };
  static constexpr size_t kShards = 16;

  Shard& ShardOf(std::string_view key);

  const size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
};

}  // namespace pantry::recommend

#endif  // PANTRY_RECOMMEND_CANDIDATE_CACHE_H_
