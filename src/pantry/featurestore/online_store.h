// Online store backend: the latest record per (feature group, record id),
// stored as an opaque encoded value (see online_record.h). The event-time
// rule, TTL and validation live in the FeatureStore facade, so a backend only
// needs point reads, multi-reads and atomic batched writes. Implementations:
// memory_online_store.cc, rocksdb_online_store.cc, redis_online_store.cc.
//
// A shared backend (Redis) can be written by several processes, so the
// facade's read-compare-write is not enough there: it re-checks the
// event-time rule atomically per record, from the fields of OnlineWrite
// that the embedded backends ignore.
//
// Thread-safety: all methods may be called concurrently; Write calls are
// serialised by the caller (the facade's writer mutex).
#ifndef PANTRY_FEATURESTORE_ONLINE_STORE_H_
#define PANTRY_FEATURESTORE_ONLINE_STORE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/common/status.h"

namespace pantry::featurestore {

struct OnlineWrite {
  std::string group;
  std::string record_id;
  std::optional<std::string> value;  // nullopt: remove the record (hard delete)
  // The event time of the put or delete. A backend that re-checks the rule
  // applies the write only if the stored record is older, or equal and
  // `replace_equal` (deletes: an equal time wins; puts: the stored record
  // stays).
  int64_t event_time_micros = 0;
  bool replace_equal = false;
  // When the record expires (0 = never), on the facade's clock.
  int64_t expires_at_micros = 0;
};

struct HostPort {
  std::string host;
  int port = 6379;
};

// A Redis online store (see ParseRedisUrl in store_url.h for the URL form).
struct RedisOptions {
  std::vector<HostPort> nodes;  // standalone: one; cluster: seed nodes
  bool cluster = false;
  int db = 0;  // standalone only (a cluster has database 0 only)
  std::string user;
  std::string password;
  // Every key starts with "<key_prefix>:", so that several stores can share
  // one Redis.
  std::string key_prefix = "pantry";
  int connect_timeout_ms = 1000;
  int command_timeout_ms = 2000;
};

struct RocksDbOnlineOptions {
  bool sync = false;       // fsync the WAL on every Write
  bool read_only = false;  // no lock, no writes
  // Memory bounds (FeatureStoreOptions::caches): the LRU block cache, and
  // each memtable (RocksDB keeps up to two, the active one and the one being
  // flushed, so memtables take up to twice this).
  int64_t block_cache_bytes = 128 << 20;
  int64_t write_buffer_bytes = 64 << 20;
  // A cache of the encoded values of recently read records in front of RocksDB (0:
  // none; ignored when read_only). Kept coherent with this store's writes.
  int64_t record_cache_bytes = 64 << 20;
  // Tests only: when > 0, the record cache keeps only this many bits of a
  // key's slot hash, so that different keys share slots (a collision must
  // read as a miss, never as another key's value).
  int record_cache_slot_bits_for_testing = 0;
};

class OnlineStore {
 public:
  static StatusOr<std::unique_ptr<OnlineStore>> OpenMemory();
  // Opens (creating unless read_only) a RocksDB database in `dir`.
  static StatusOr<std::unique_ptr<OnlineStore>> OpenRocksDb(const std::filesystem::path& dir,
                                                            const RocksDbOnlineOptions& options);
  // Connects to Redis (standalone or cluster). `clock` (not owned) is the
  // facade's: expiries are turned into relative Redis TTLs with it, so that
  // clock skew between this host and Redis does not move them.
  // Unavailable if Redis cannot be reached.
  static StatusOr<std::unique_ptr<OnlineStore>> OpenRedis(const RedisOptions& options,
                                                          Clock* clock);
  virtual ~OnlineStore() = default;

  // The stored value, or nullopt.
  virtual StatusOr<std::optional<std::string>> Get(std::string_view group,
                                                   std::string_view record_id) const = 0;
  // values->size() == record_ids.size() afterwards.
  virtual Status MultiGet(std::string_view group, std::span<const std::string> record_ids,
                          std::vector<std::optional<std::string>>* values) const = 0;

  // Non-blocking reads, for callers on an event-loop thread: like Get and
  // MultiGet, but answered only from memory. They return false (the
  // output unspecified) when answering would wait on disk or the network,
  // and the caller then repeats the read with Get/MultiGet on a thread
  // that may block. The memory store always answers; RocksDB answers from
  // its memtables and block cache (ReadOptions::read_tier =
  // kBlockCacheTier) and declines on a cache miss; Redis always declines.
  // Errors other than "not in memory" are returned as with Get/MultiGet.
  virtual StatusOr<bool> TryGetInMemory(std::string_view group, std::string_view record_id,
                                        std::optional<std::string>* value) const = 0;
  virtual StatusOr<bool> TryMultiGetInMemory(
      std::string_view group, std::span<const std::string> record_ids,
      std::vector<std::optional<std::string>>* values) const = 0;

  // Applies all writes atomically together with the applied-sequence marker
  // (if sequence > 0): after a crash either all or none are visible.
  // Redis: each record is applied atomically (with its event-time check)
  // but a batch is not; the marker is set after every record of the batch
  // is applied, and replaying a batch is idempotent (see docs/featurestore.md).
  virtual Status Write(std::span<const OnlineWrite> writes, int64_t sequence) = 0;
  // The sequence of the last Write (0 if none, or for a non-durable store).
  virtual StatusOr<int64_t> AppliedSequence() const = 0;
  // Removes every record of `group`.
  virtual Status DeleteGroup(std::string_view group) = 0;
  // Whether records survive a restart (false for memory).
  virtual bool durable() const = 0;
  // OK if the store's server answers (one round trip); Unavailable naming
  // the server otherwise. Embedded stores always answer. For /readyz.
  virtual Status Ping() const { return Status::Ok(); }
};

}  // namespace pantry::featurestore

#endif  // PANTRY_FEATURESTORE_ONLINE_STORE_H_
