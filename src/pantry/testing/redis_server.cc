#include "pantry/testing/redis_server.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace pantry::testing {
namespace {

namespace fs = std::filesystem;

bool CanBind(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

// A port the kernel hands out, below 55536 so that a cluster node's bus
// port (+10000) exists too, and with that bus port free.
int FreePort() {
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    ::close(fd);
    if (port > 1024 && port < 55536 && CanBind(port + 10000)) return port;
  }
  return 0;
}

std::string Tail(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
}

}  // namespace

StatusOr<std::string> FindRedisBinary(const std::string& name) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::string_view p = path;
    while (!p.empty()) {
      const size_t colon = p.find(':');
      dirs.emplace_back(p.substr(0, colon));
      if (colon == std::string_view::npos) break;
      p.remove_prefix(colon + 1);
    }
  }
  for (const char* d : {"/usr/bin", "/usr/sbin", "/usr/local/bin"}) dirs.emplace_back(d);
  for (const std::string& d : dirs) {
    fs::path candidate = fs::path(d) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return FailedPreconditionError(
      name +
      " not found: the Redis tests start real servers; install the Debian packages "
      "redis-server and redis-tools (scripts/install-deps does)");
}

StatusOr<std::unique_ptr<RedisServer>> RedisServer::Start(bool cluster_node) {
  std::unique_ptr<RedisServer> server(new RedisServer());
  server->cluster_node_ = cluster_node;
  server->port_ = FreePort();
  if (server->port_ == 0) return UnavailableError("RedisServer: no free port");
  RETURN_IF_ERROR(server->Launch());
  return server;
}

RedisServer::~RedisServer() { Kill(); }

std::string RedisServer::url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

Status RedisServer::Launch() {
  ASSIGN_OR_RETURN(std::string binary, FindRedisBinary("redis-server"));
  std::vector<std::string> args = {"--port",
                                   std::to_string(port_),
                                   "--bind",
                                   "127.0.0.1",
                                   "--save",
                                   "",
                                   "--appendonly",
                                   "no",
                                   "--dir",
                                   dir_.path().string(),
                                   "--daemonize",
                                   "no",
                                   "--protected-mode",
                                   "no",
                                   "--logfile",
                                   (dir_ / "redis.log").string()};
  if (cluster_node_) {
    for (const char* a : {"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                          "--cluster-node-timeout", "3000"}) {
      args.emplace_back(a);
    }
  }
  process_ = std::make_unique<Subprocess>(binary, args);
  if (!process_->started()) return InternalError("cannot start redis-server: " + process_->error());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    auto pong = Cli({"PING"});
    if (pong.ok() && pong->starts_with("PONG")) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return UnavailableError("redis-server on port " + std::to_string(port_) +
                          " did not answer PING within 10 s; its log:\n" +
                          Tail(dir_ / "redis.log"));
}

StatusOr<std::string> RedisServer::Cli(const std::vector<std::string>& args) const {
  ASSIGN_OR_RETURN(std::string cli, FindRedisBinary("redis-cli"));
  std::vector<std::string> all = {"-h", "127.0.0.1", "-p", std::to_string(port_)};
  all.insert(all.end(), args.begin(), args.end());
  CommandResult r = RunCommand(cli, all);
  if (r.exit_code != 0 || r.out.starts_with("Could not connect") || r.out.starts_with("ERR")) {
    return UnavailableError("redis-cli " + args.at(0) + ": " + r.out + r.err);
  }
  return r.out;
}

Status RedisServer::Flush() const {
  ASSIGN_OR_RETURN(std::string out, Cli({"FLUSHALL"}));
  if (!out.starts_with("OK")) return InternalError("FLUSHALL: " + out);
  return Status::Ok();
}

void RedisServer::Kill() {
  if (process_) process_->Stop(SIGKILL);
  process_.reset();
}

Status RedisServer::Restart() {
  Kill();
  return Launch();
}

StatusOr<std::unique_ptr<RedisCluster>> RedisCluster::Start(int masters) {
  auto cluster = std::make_unique<RedisCluster>();
  std::vector<std::string> args = {"--cluster", "create"};
  for (int i = 0; i < masters; ++i) {
    ASSIGN_OR_RETURN(auto node, RedisServer::Start(/*cluster_node=*/true));
    args.push_back("127.0.0.1:" + std::to_string(node->port()));
    cluster->nodes_.push_back(std::move(node));
  }
  for (const char* a : {"--cluster-replicas", "0", "--cluster-yes"}) args.emplace_back(a);
  ASSIGN_OR_RETURN(std::string cli, FindRedisBinary("redis-cli"));
  CommandResult created = RunCommand(cli, args);
  if (created.exit_code != 0) {
    return InternalError("redis-cli --cluster create failed: " + created.out + created.err);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (const auto& node : cluster->nodes_) {
    while (true) {
      auto info = node->Cli({"CLUSTER", "INFO"});
      if (info.ok() && info->find("cluster_state:ok") != std::string::npos &&
          info->find("cluster_slots_ok:16384") != std::string::npos) {
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        return UnavailableError("redis cluster: node " + std::to_string(node->port()) +
                                " not at cluster_state:ok within 20 s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return cluster;
}

std::string RedisCluster::url() const {
  std::string url = "redis+cluster://";
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (i > 0) url += ",";
    url += "127.0.0.1:" + std::to_string(nodes_[i]->port());
  }
  return url;
}

Status RedisCluster::Flush() const {
  for (const auto& node : nodes_) RETURN_IF_ERROR(node->Flush());
  return Status::Ok();
}

}  // namespace pantry::testing
