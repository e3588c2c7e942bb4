// In-memory online store: process-local, for tests and benchmarks. Sharded
// hash maps with a reader-writer lock per shard, so concurrent reads of
// different keys rarely touch the same lock.
#include <array>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "pantry/featurestore/online_store.h"

namespace pantry::featurestore {
namespace {

std::string MakeKey(std::string_view group, std::string_view id) {
  std::string key;
  key.reserve(group.size() + 1 + id.size());
  key.append(group);
  key.push_back('\0');
  key.append(id);
  return key;
}

class MemoryOnlineStore final : public OnlineStore {
 public:
  StatusOr<std::optional<std::string>> Get(std::string_view group,
                                           std::string_view record_id) const override {
    const std::string key = MakeKey(group, record_id);
    const Shard& shard = ShardFor(key);
    std::shared_lock lock(shard.mu);
    auto it = shard.map.find(key);
    if (it == shard.map.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  Status MultiGet(std::string_view group, std::span<const std::string> record_ids,
                  std::vector<std::optional<std::string>>* values) const override {
    values->assign(record_ids.size(), std::nullopt);
    for (size_t i = 0; i < record_ids.size(); ++i) {
      const std::string key = MakeKey(group, record_ids[i]);
      const Shard& shard = ShardFor(key);
      std::shared_lock lock(shard.mu);
      auto it = shard.map.find(key);
      if (it != shard.map.end()) (*values)[i] = it->second;
    }
    return Status::Ok();
  }

  // Everything is in memory; the shard locks are held only for a lookup.
  StatusOr<bool> TryGetInMemory(std::string_view group, std::string_view record_id,
                                std::optional<std::string>* value) const override {
    ASSIGN_OR_RETURN(*value, Get(group, record_id));
    return true;
  }

  StatusOr<bool> TryMultiGetInMemory(
      std::string_view group, std::span<const std::string> record_ids,
      std::vector<std::optional<std::string>>* values) const override {
    RETURN_IF_ERROR(MultiGet(group, record_ids, values));
    return true;
  }

  Status Write(std::span<const OnlineWrite> writes, int64_t sequence) override {
    for (const OnlineWrite& w : writes) {
      std::string key = MakeKey(w.group, w.record_id);
      Shard& shard = ShardFor(key);
      std::unique_lock lock(shard.mu);
      if (w.value) {
        shard.map.insert_or_assign(std::move(key), *w.value);
      } else {
        shard.map.erase(key);
      }
    }
    return Status::Ok();
  }

  StatusOr<int64_t> AppliedSequence() const override { return int64_t{0}; }

  Status DeleteGroup(std::string_view group) override {
    std::string prefix = MakeKey(group, "");
    for (Shard& shard : shards_) {
      std::unique_lock lock(shard.mu);
      std::erase_if(shard.map, [&](const auto& kv) { return kv.first.starts_with(prefix); });
    }
    return Status::Ok();
  }

  bool durable() const override { return false; }

 private:
  struct Shard {
    mutable std::shared_mutex mu;
    std::unordered_map<std::string, std::string> map;
  };
  static constexpr size_t kShards = 64;

  Shard& ShardFor(const std::string& key) {
    return shards_[std::hash<std::string>{}(key) % kShards];
  }
  const Shard& ShardFor(const std::string& key) const {
    return shards_[std::hash<std::string>{}(key) % kShards];
  }

  std::array<Shard, kShards> shards_;
};

}  // namespace

StatusOr<std::unique_ptr<OnlineStore>> OnlineStore::OpenMemory() {
  return std::unique_ptr<OnlineStore>(std::make_unique<MemoryOnlineStore>());
}

}  // namespace pantry::featurestore
