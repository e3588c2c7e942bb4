// The backend combinations the feature-store contract tests run against
// (feature_store_test.cc and friends are parametrised over them). Servers
// are real and started by the test process on first use: one Redis and one
// 3-master Redis Cluster per process, flushed at the start of every test.
#ifndef PANTRY_TESTING_STORE_BACKENDS_H_
#define PANTRY_TESTING_STORE_BACKENDS_H_

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
// Every contract test runs once per entry. PrepareStoreBackends can also
// give a PostgreSQL offline store ("postgresql": a fresh schema on this
// process's PostgreSQL server), but two tests of this suite still assume
// SQLite (a read-only open beside the writer, the after-commit hook), so the
// PostgreSQL combinations are not listed yet; the PostgreSQL store has its
// own contract suite (offline_store_contract_test.cc) and FeatureStore tests
// (feature_store_postgres_test.cc).
inline std::vector<StoreBackends> ContractTestBackends() {
  return {
      {"Memory", "memory", "sqlite"},
      {"RocksDb", "rocksdb", "sqlite"},
      {"RedisStandalone", "redis", "sqlite"},
      {"RedisCluster", "redis-cluster", "sqlite"},
  };
}

// Sets the backend fields of `options` for `backends`, starting the shared
// Redis server, cluster or PostgreSQL server of this process on first use
// and flushing it (PostgreSQL: a new schema), so
// that every test starts from empty backends. Call once per test (SetUp),
// not on every reopen.
Status PrepareStoreBackends(const StoreBackends& backends,
                            featurestore::FeatureStoreOptions* options);

}  // namespace pantry::testing

#endif  // PANTRY_TESTING_STORE_BACKENDS_H_
