// Online store backend: the latest record per (feature group, record id),
// stored as an opaque encoded value (see online_record.h). The event-time
// rule, TTL and validation live in the FeatureStore facade, so a backend only
// needs point reads, multi-reads and atomic batched writes. Implementations:
// memory_online_store.cc, rocksdb_online_store.cc (a Redis one can follow).
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

#include "pantry/common/status.h"

namespace pantry::featurestore {

struct OnlineWrite {
  std::string group;
  std::string record_id;
  std::optional<std::string> value;  // nullopt: remove the record
};

struct RocksDbOnlineOptions {
  bool sync = false;       // fsync the WAL on every Write
  bool read_only = false;  // no lock, no writes
};

class OnlineStore {
 public:
  static StatusOr<std::unique_ptr<OnlineStore>> OpenMemory();
  // Opens (creating unless read_only) a RocksDB database in `dir`.
  static StatusOr<std::unique_ptr<OnlineStore>> OpenRocksDb(const std::filesystem::path& dir,
                                                            const RocksDbOnlineOptions& options);
  virtual ~OnlineStore() = default;

  // The stored value, or nullopt.
  virtual StatusOr<std::optional<std::string>> Get(std::string_view group,
                                                   std::string_view record_id) const = 0;
  // values->size() == record_ids.size() afterwards.
  virtual Status MultiGet(std::string_view group, std::span<const std::string> record_ids,
                          std::vector<std::optional<std::string>>* values) const = 0;
  // Applies all writes atomically together with the applied-sequence marker
  // (if sequence > 0): after a crash either all or none are visible.
  virtual Status Write(std::span<const OnlineWrite> writes, int64_t sequence) = 0;
  // The sequence of the last Write (0 if none, or for a non-durable store).
  virtual StatusOr<int64_t> AppliedSequence() const = 0;
  // Removes every record of `group`.
  virtual Status DeleteGroup(std::string_view group) = 0;
  // Whether records survive a restart (false for memory).
  virtual bool durable() const = 0;
};

}  // namespace pantry::featurestore

#endif  // PANTRY_FEATURESTORE_ONLINE_STORE_H_
