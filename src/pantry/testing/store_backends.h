// The backend combinations the feature-store contract tests run against
// (feature_store_test.cc and friends are parametrised over them). Servers
// are real and started by the test process on first use: one Redis and one
// 3-master Redis Cluster per process, flushed at the start of every test.
#ifndef PANTRY_TESTING_STORE_BACKENDS_H_
#define PANTRY_TESTING_STORE_BACKENDS_H_

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"

namespace pantry::testing {

struct StoreBackends {
  std::string name;     // the gtest parameter name
  std::string online;   // "rocksdb", "memory", "redis" or "redis-cluster"
  std::string offline;  // "sqlite" or "postgresql"
  // Whether online records survive closing and reopening the store.
  bool online_durable() const { return online != "memory"; }
};

inline std::ostream& operator<<(std::ostream& os, const StoreBackends& b) { return os << b.name; }

// ---- The combinations -----------------------------------------------------
// Every contract test runs once per entry: the embedded stores, and the
// shared ones a multi-replica deployment uses (Redis standalone or a
// 3-master Redis Cluster online, with SQLite or PostgreSQL offline; a fresh
// PostgreSQL schema per test).
inline std::vector<StoreBackends> ContractTestBackends() {
  return {
      {"Memory", "memory", "sqlite"},
      {"RocksDb", "rocksdb", "sqlite"},
      {"RedisStandalone", "redis", "sqlite"},
      {"RedisCluster", "redis-cluster", "sqlite"},
      {"RedisStandalonePostgres", "redis", "postgresql"},
      {"RedisClusterPostgres", "redis-cluster", "postgresql"},
  };
}

// Sets the backend fields of `options` for `backends`, starting the shared
// Redis server, cluster or PostgreSQL server of this process on first use
// and flushing it (PostgreSQL: a new schema), so
// that every test starts from empty backends. Call once per test (SetUp),
// not on every reopen.
Status PrepareStoreBackends(const StoreBackends& backends,
                            featurestore::FeatureStoreOptions* options);

// Opens (or reopens) the store of `home` on the backends `prepared` by
// PrepareStoreBackends, with `clock` (not owned) and `hooks`.
StatusOr<std::unique_ptr<featurestore::FeatureStore>> OpenPreparedStore(
    const featurestore::FeatureStoreOptions& prepared, const std::filesystem::path& home,
    Clock* clock, featurestore::FeatureStoreHooks hooks = {});

}  // namespace pantry::testing

#endif  // PANTRY_TESTING_STORE_BACKENDS_H_
