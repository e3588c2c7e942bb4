#include "pantry/testing/store_backends.h"

#include <unistd.h>

#include <memory>
#include <mutex>

#include "pantry/featurestore/store_url.h"
#include "pantry/testing/postgres_server.h"
#include "pantry/testing/redis_server.h"

namespace pantry::testing {
namespace {

std::mutex g_mu;

// Started on first use, stopped when the process exits.
StatusOr<RedisServer*> SharedRedis() {
  static std::unique_ptr<RedisServer> server;
  if (!server) {
    ASSIGN_OR_RETURN(server, RedisServer::Start());
  }
  return server.get();
}

StatusOr<RedisCluster*> SharedRedisCluster() {
  static std::unique_ptr<RedisCluster> cluster;
  if (!cluster) {
    ASSIGN_OR_RETURN(cluster, RedisCluster::Start(3));
  }
  return cluster.get();
}

StatusOr<PostgresServer*> SharedPostgres() {
  static std::unique_ptr<PostgresServer> server;
  if (!server) {
    ASSIGN_OR_RETURN(server, PostgresServer::Start());
  }
  return server.get();
}

// A URL on a new empty schema of the shared server's `postgres` database.
StatusOr<std::string> FreshPostgresUrl() {
  static int counter = 0;
  ASSIGN_OR_RETURN(PostgresServer * server, SharedPostgres());
  const std::string schema = "c" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  RETURN_IF_ERROR(server->Psql("postgres", "CREATE SCHEMA " + schema).status());
  return server->Url("postgres") + "?options=-csearch_path%3D" + schema;
}

}  // namespace

Status PrepareStoreBackends(const StoreBackends& backends,
                            featurestore::FeatureStoreOptions* options) {
  std::lock_guard lock(g_mu);
  std::string online = backends.online;
  if (backends.online == "redis") {
    ASSIGN_OR_RETURN(RedisServer * server, SharedRedis());
    RETURN_IF_ERROR(server->Flush());
    online = server->url();
  } else if (backends.online == "redis-cluster") {
    ASSIGN_OR_RETURN(RedisCluster * cluster, SharedRedisCluster());
    RETURN_IF_ERROR(cluster->Flush());
    online = cluster->url();
  }
  RETURN_IF_ERROR(featurestore::SetOnlineStore(online, options));
  if (backends.offline == "postgresql") {
    ASSIGN_OR_RETURN(std::string url, FreshPostgresUrl());
    return featurestore::SetOfflineStore(url, options);
  }
  if (backends.offline != "sqlite") {
    return InvalidArgumentError("PrepareStoreBackends: no test harness for offline store \"" +
                                backends.offline + "\"");
  }
  return featurestore::SetOfflineStore(backends.offline, options);
}

StatusOr<std::unique_ptr<featurestore::FeatureStore>> OpenPreparedStore(
    const featurestore::FeatureStoreOptions& prepared, const std::filesystem::path& home,
    Clock* clock, featurestore::FeatureStoreHooks hooks) {
  featurestore::FeatureStoreOptions options = prepared;
  options.home = home;
  options.clock = clock;
  options.hooks = std::move(hooks);
  return featurestore::FeatureStore::Open(options);
}

}  // namespace pantry::testing
