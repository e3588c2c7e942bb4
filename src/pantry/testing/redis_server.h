// Real Redis servers for tests: a standalone redis-server, or a Redis
// Cluster of N masters, each on a free port of 127.0.0.1 with its files in
// a temporary directory, no persistence, stopped (SIGKILL) and removed when
// the object is destroyed. Needs the Debian package redis-server (and
// redis-tools for redis-cli); Start fails with a message naming it if the
// binaries are missing.
#ifndef PANTRY_TESTING_REDIS_SERVER_H_
#define PANTRY_TESTING_REDIS_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::testing {

class RedisServer {
 public:
  // `cluster_node`: started with cluster-enabled (for RedisCluster).
  static StatusOr<std::unique_ptr<RedisServer>> Start(bool cluster_node = false);
  ~RedisServer();

  int port() const { return port_; }
  // redis://127.0.0.1:<port>
  std::string url() const;
  // Runs redis-cli against this server; returns its stdout, or an error with
  // its stderr.
  StatusOr<std::string> Cli(const std::vector<std::string>& args) const;
  // FLUSHALL (between tests).
  Status Flush() const;
  // Kills the server (an outage) and starts it again on the same port.
  void Kill();
  Status Restart();

 private:
  RedisServer() = default;
  Status Launch();

  TempDir dir_{"pantry_redis"};
  int port_ = 0;
  bool cluster_node_ = false;
  std::unique_ptr<Subprocess> process_;
};

class RedisCluster {
 public:
  // Starts `masters` cluster nodes, joins them with `redis-cli --cluster
  // create` (no replicas) and waits for cluster_state:ok on every node.
  static StatusOr<std::unique_ptr<RedisCluster>> Start(int masters = 3);

  // redis+cluster://127.0.0.1:<p1>,127.0.0.1:<p2>,...
  std::string url() const;
  const std::vector<std::unique_ptr<RedisServer>>& nodes() const { return nodes_; }
  // FLUSHALL on every master.
  Status Flush() const;

 private:
  std::vector<std::unique_ptr<RedisServer>> nodes_;
};

// Full path of redis-server / redis-cli, or an error naming the package.
StatusOr<std::string> FindRedisBinary(const std::string& name);

}  // namespace pantry::testing

#endif  // PANTRY_TESTING_REDIS_SERVER_H_
