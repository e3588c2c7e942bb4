#include "pantry/recommend/candidate_cache.h"

#include <functional>
#include <utility>

namespace pantry::recommend {
namespace {

// A list node, a hash node and the shared_ptr's control block, roughly.
constexpr size_t kEntryOverheadBytes = 128;

}  // namespace

size_t RetrievedCandidates::Charge() const {
  return sizeof(RetrievedCandidates) + candidates.capacity() * sizeof(candidates[0]) +
         retrieval_scores.capacity() * sizeof(models::RankRetrievalScores) + retrieval.capacity();
}

CandidateCache::CandidateCache(size_t capacity_bytes) : shard_capacity_(capacity_bytes / kShards) {}

CandidateCache::Shard& CandidateCache::ShardOf(std::string_view key) {
  return shards_[std::hash<std::string_view>()(key) % kShards];
}

std::shared_ptr<const RetrievedCandidates> CandidateCache::Find(std::string_view key) {
  if (shard_capacity_ == 0) return nullptr;
  Shard& shard = ShardOf(key);
  std::lock_guard<std::mutex> lock(shard.mutex);
  auto it = shard.index.find(key);
  if (it == shard.index.end()) return nullptr;
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  return it->second->value;
}

void CandidateCache::Insert(std::string_view key,
                            std::shared_ptr<const RetrievedCandidates> value) {
  if (value == nullptr) return;
  const size_t charge = kEntryOverheadBytes + sizeof(Entry) + key.size() + value->Charge();
  if (charge > shard_capacity_) return;
  Shard& shard = ShardOf(key);
  std::lock_guard<std::mutex> lock(shard.mutex);
  if (auto it = shard.index.find(key); it != shard.index.end()) {
    shard.bytes -= it->second->charge;
    shard.lru.erase(it->second);
    shard.index.erase(it);
  }
  shard.lru.push_front(Entry{std::string(key), std::move(value), charge});
  // The index views the key owned by the list node, which never moves.
  shard.index.emplace(shard.lru.front().key, shard.lru.begin());
  shard.bytes += charge;
  while (shard.bytes > shard_capacity_) {
    Entry& oldest = shard.lru.back();
    shard.bytes -= oldest.charge;
    shard.index.erase(oldest.key);
    shard.lru.pop_back();
  }
}

CandidateCacheUsage CandidateCache::Usage() const {
  CandidateCacheUsage usage;
  for (const Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mutex);
    usage.entries += shard.index.size();
    usage.bytes += shard.bytes;
  }
  return usage;
}

}  // namespace pantry::recommend
