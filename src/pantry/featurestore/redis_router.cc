#include "pantry/featurestore/redis_router.h"

#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

namespace pantry::featurestore::redis {
namespace {

// CRC16/XMODEM written out rather than taken from a library: hiredis (the
// only Redis client in Debian we use) has no cluster support, the cluster
// clients (hiredis-cluster, redis-plus-plus) are not packaged for Debian 12,
// and zlib/boost offer other CRC variants only. It is twelve lines.
constexpr std::array<uint16_t, 256> MakeCrcTable() {
  std::array<uint16_t, 256> table{};
  for (int i = 0; i < 256; ++i) {
    uint16_t crc = static_cast<uint16_t>(i << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                           : static_cast<uint16_t>(crc << 1);
    }
    table[i] = crc;
  }
  return table;
}
constexpr std::array<uint16_t, 256> kCrcTable = MakeCrcTable();

constexpr int kMaxRounds = 8;
constexpr size_t kMaxIdlePerNode = 16;

struct Node {
  std::string host;
  int port = 0;
  std::string address;
  std::mutex mu;
  std::vector<std::unique_ptr<Connection>> idle;
};

struct Topology {
  std::vector<std::shared_ptr<Node>> masters;
  std::vector<uint16_t> slot_owner;  // index into masters; empty: standalone
};

constexpr uint16_t kUnowned = 0xFFFF;

StatusOr<std::pair<std::string, int>> SplitAddress(std::string_view address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string_view::npos ||
      std::from_chars(address.data() + colon + 1, address.data() + address.size(), port).ec !=
          std::errc()) {
    return InternalError("redis: bad node address \"" + std::string(address) + "\"");
  }
  // "host:port@bus" in some replies: from_chars stops at '@'.
  return std::make_pair(std::string(address.substr(0, colon)), port);
}

class RouterImpl final : public Router {
 public:
  explicit RouterImpl(const RedisOptions& options) : options_(options) {
    connect_.user = options.user;
    connect_.password = options.password;
    connect_.db = options.cluster ? 0 : options.db;
    connect_.connect_timeout_ms = options.connect_timeout_ms;
    connect_.command_timeout_ms = options.command_timeout_ms;
  }

  Status Refresh();

  Status Execute(std::span<const Command> commands, std::vector<Reply>* replies) override;

  Status ForEachMaster(const std::function<Status(Connection&)>& fn) override {
    if (stale_.load()) RETURN_IF_ERROR(Refresh());
    std::shared_ptr<const Topology> topology = Current();
    for (const std::shared_ptr<Node>& node : topology->masters) {
      ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Acquire(*node));
      Status s = fn(*conn);
      Release(*node, std::move(conn));
      RETURN_IF_ERROR(s);
    }
    return Status::Ok();
  }

 private:
  std::shared_ptr<Node> NodeFor(const std::string& host, int port) {
    std::string address = host + ":" + std::to_string(port);
    std::lock_guard lock(mu_);
    std::shared_ptr<Node>& node = nodes_[address];
    if (!node) {
      node = std::make_shared<Node>();
      node->host = host;
      node->port = port;
      node->address = std::move(address);
    }
    return node;
  }

  std::shared_ptr<const Topology> Current() {
    std::lock_guard lock(mu_);
    return topology_;
  }

  StatusOr<std::unique_ptr<Connection>> Acquire(Node& node) {
    {
      std::lock_guard lock(node.mu);
      if (!node.idle.empty()) {
        std::unique_ptr<Connection> conn = std::move(node.idle.back());
        node.idle.pop_back();
        return conn;
      }
    }
    auto conn = Connection::Open(node.host, node.port, connect_);
    if (!conn.ok() && options_.cluster) stale_.store(true);
    return conn;
  }

  void Release(Node& node, std::unique_ptr<Connection> conn) {
    if (conn->broken()) {
      // A failed node may have been replaced by a failover.
      if (options_.cluster) stale_.store(true);
      // The idle connections most likely died with it (a restart): drop
      // them, so that each does not fail one more request later.
      std::lock_guard lock(node.mu);
      node.idle.clear();
      return;
    }
    std::lock_guard lock(node.mu);
    if (node.idle.size() < kMaxIdlePerNode) node.idle.push_back(std::move(conn));
  }

  StatusOr<std::shared_ptr<Node>> Owner(const Topology& topology, const Command& command) {
    if (topology.slot_owner.empty()) return topology.masters[0];
    const int slot = KeySlot(command.args[command.key_index]);
    const uint16_t owner = topology.slot_owner[slot];
    if (owner == kUnowned) {
      stale_.store(true);
      return UnavailableError("redis cluster: slot " + std::to_string(slot) +
                              " is not served by any node (cluster_state not ok?)");
    }
    return topology.masters[owner];
  }

  StatusOr<std::shared_ptr<Topology>> LoadSlots(Node& node);

  // One node's share of an Execute round, sent and awaiting its replies.
  struct InFlight {
    std::shared_ptr<Node> node;
    std::unique_ptr<Connection> conn;
    std::vector<const Args*> batch;
    std::vector<size_t> positions;  // command index per entry; SIZE_MAX for ASKING
  };
  // Groups `pending` by node and sends each group.
  StatusOr<std::vector<InFlight>> Dispatch(std::span<const Command> commands,
                                           std::span<const size_t> pending,
                                           std::span<const std::string> ask);
  // Reads one node's replies: results into `replies`, redirected commands
  // into `next` (setting `ask`, `refresh` for MOVED, `wait` for TRYAGAIN).
  Status Collect(InFlight& f, std::vector<std::string>& ask, std::vector<Reply>* replies,
                 std::vector<size_t>* next, bool* refresh, bool* wait);

  const RedisOptions options_;
  ConnectOptions connect_;
  std::atomic<bool> stale_{false};
  std::mutex refresh_mu_;  // one CLUSTER SLOTS at a time
  std::mutex mu_;          // guards nodes_ and topology_
  std::map<std::string, std::shared_ptr<Node>> nodes_;
  std::shared_ptr<const Topology> topology_ = std::make_shared<Topology>();
};

StatusOr<std::shared_ptr<Topology>> RouterImpl::LoadSlots(Node& node) {
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Acquire(node));
  StatusOr<Reply> reply = conn->Run({"CLUSTER", "SLOTS"});
  Release(node, std::move(conn));
  RETURN_IF_ERROR(reply.status());
  if (reply->is_error()) {
    return InvalidArgumentError("redis " + node.address + ": CLUSTER SLOTS failed (" + reply->str +
                                "); is it a cluster node? use redis:// for a single server");
  }
  auto topology = std::make_shared<Topology>();
  topology->slot_owner.assign(kSlots, kUnowned);
  std::map<std::string, uint16_t> index;
  for (const Reply& range : reply->elements) {
    if (range.elements.size() < 3 || range.elements[2].elements.size() < 2) {
      return InternalError("redis " + node.address + ": unexpected CLUSTER SLOTS reply");
    }
    const int64_t first = range.elements[0].integer;
    const int64_t last = range.elements[1].integer;
    const Reply& master = range.elements[2];
    // An empty host means "the node you asked".
    std::string host = master.elements[0].str.empty() ? node.host : master.elements[0].str;
    const int port = static_cast<int>(master.elements[1].integer);
    std::shared_ptr<Node> owner = NodeFor(host, port);
    auto [it, inserted] =
        index.try_emplace(owner->address, static_cast<uint16_t>(topology->masters.size()));
    if (inserted) topology->masters.push_back(owner);
    for (int64_t s = std::max<int64_t>(first, 0); s <= last && s < kSlots; ++s) {
      topology->slot_owner[s] = it->second;
    }
  }
  if (topology->masters.empty()) {
    return UnavailableError("redis cluster: " + node.address + " serves no slots yet");
  }
  return topology;
}

Status RouterImpl::Refresh() {
  std::lock_guard refresh_lock(refresh_mu_);
  if (!options_.cluster) {
    auto topology = std::make_shared<Topology>();
    topology->masters.push_back(NodeFor(options_.nodes[0].host, options_.nodes[0].port));
    std::lock_guard lock(mu_);
    topology_ = std::move(topology);
    return Status::Ok();
  }
  // Known masters first (they have the newest view), then the seeds.
  std::vector<std::shared_ptr<Node>> candidates = Current()->masters;
  for (const HostPort& seed : options_.nodes) candidates.push_back(NodeFor(seed.host, seed.port));
  Status last = UnavailableError("redis cluster: no node given");
  for (const std::shared_ptr<Node>& node : candidates) {
    auto topology = LoadSlots(*node);
    if (topology.ok()) {
      std::lock_guard lock(mu_);
      topology_ = std::move(*topology);
      stale_.store(false);
      return Status::Ok();
    }
    last = topology.status();
    if (last.code() == StatusCode::kInvalidArgument) return last;
  }
  return last.WithContext("redis cluster: cannot load the slot map");
}

StatusOr<std::vector<RouterImpl::InFlight>> RouterImpl::Dispatch(std::span<const Command> commands,
                                                                 std::span<const size_t> pending,
                                                                 std::span<const std::string> ask) {
  static const Args kAsking = {"ASKING"};
  std::shared_ptr<const Topology> topology = Current();
  std::map<std::string, InFlight> groups;
  for (size_t i : pending) {
    std::shared_ptr<Node> node;
    if (!ask[i].empty()) {
      ASSIGN_OR_RETURN(auto host_port, SplitAddress(ask[i]));
      node = NodeFor(host_port.first, host_port.second);
    } else {
      ASSIGN_OR_RETURN(node, Owner(*topology, commands[i]));
    }
    InFlight& f = groups[node->address];
    f.node = std::move(node);
    if (!ask[i].empty()) {
      f.batch.push_back(&kAsking);
      f.positions.push_back(SIZE_MAX);
    }
    f.batch.push_back(&commands[i].args);
    f.positions.push_back(i);
  }
  // Send to every node first, then read (Collect): the nodes work in
  // parallel. On a failure the connections still in flight are closed with
  // `flights`, not pooled, since they have unread replies.
  std::vector<InFlight> flights;
  flights.reserve(groups.size());
  for (auto& [address, group] : groups) {
    InFlight& f = flights.emplace_back(std::move(group));
    ASSIGN_OR_RETURN(f.conn, Acquire(*f.node));
    if (Status s = f.conn->Send(f.batch); !s.ok()) {
      if (options_.cluster) stale_.store(true);
      return s;
    }
  }
  return flights;
}

Status RouterImpl::Collect(InFlight& f, std::vector<std::string>& ask, std::vector<Reply>* replies,
                           std::vector<size_t>* next, bool* refresh, bool* wait) {
  std::vector<Reply> got;
  Status s = f.conn->Receive(f.batch.size(), &got);
  Release(*f.node, std::move(f.conn));
  RETURN_IF_ERROR(s);
  for (size_t k = 0; k < f.positions.size(); ++k) {
    const size_t i = f.positions[k];
    if (i == SIZE_MAX) continue;  // ASKING's +OK
    ask[i].clear();
    Reply& r = got[k];
    const std::string_view kind = r.is_error() ? r.error_kind() : std::string_view();
    if (kind == "MOVED" || kind == "ASK") {
      if (!options_.cluster) {
        return InvalidArgumentError("redis " + f.node->address +
                                    " is a cluster node: use redis+cluster:// to reach it");
      }
      if (kind == "MOVED") {
        *refresh = true;
      } else {
        ask[i] = r.str.substr(r.str.rfind(' ') + 1);
      }
      next->push_back(i);
    } else if (options_.cluster && (kind == "TRYAGAIN" || kind == "CLUSTERDOWN")) {
      *wait = true;
      next->push_back(i);
    } else {
      (*replies)[i] = std::move(r);
    }
  }
  return Status::Ok();
}

Status RouterImpl::Execute(std::span<const Command> commands, std::vector<Reply>* replies) {
  replies->assign(commands.size(), Reply());
  if (stale_.load()) RETURN_IF_ERROR(Refresh());
  std::vector<size_t> pending(commands.size());
  for (size_t i = 0; i < pending.size(); ++i) pending[i] = i;
  std::vector<std::string> ask(commands.size());  // ASK target address per command
  for (int round = 0; !pending.empty(); ++round) {
    if (round == kMaxRounds) {
      return UnavailableError("redis cluster: redirects did not settle after " +
                              std::to_string(kMaxRounds) + " rounds (resharding?)");
    }
    ASSIGN_OR_RETURN(std::vector<InFlight> flights, Dispatch(commands, pending, ask));
    bool refresh = false, wait = false;
    std::vector<size_t> next;
    for (InFlight& f : flights) {
      RETURN_IF_ERROR(Collect(f, ask, replies, &next, &refresh, &wait));
    }
    if (refresh) RETURN_IF_ERROR(Refresh());
    if (wait) std::this_thread::sleep_for(std::chrono::milliseconds(20 << round));
    pending.swap(next);
  }
  return Status::Ok();
}

}  // namespace

uint16_t Crc16(std::string_view data) {
  uint16_t crc = 0;
  for (unsigned char c : data) {
    crc = static_cast<uint16_t>((crc << 8) ^ kCrcTable[((crc >> 8) ^ c) & 0xFF]);
  }
  return crc;
}

int KeySlot(std::string_view key) {
  // Only the part inside the first {...} is hashed, if that is not empty.
  const size_t open = key.find('{');
  if (open != std::string_view::npos) {
    const size_t close = key.find('}', open + 1);
    if (close != std::string_view::npos && close != open + 1) {
      key = key.substr(open + 1, close - open - 1);
    }
  }
  return Crc16(key) & (kSlots - 1);
}

StatusOr<std::unique_ptr<Router>> Router::Open(const RedisOptions& options) {
  if (options.nodes.empty()) return InvalidArgumentError("redis: no server address");
  auto router = std::make_unique<RouterImpl>(options);
  RETURN_IF_ERROR(router->Refresh());
  // Fail early (and with the server's words) on a wrong address or password.
  RETURN_IF_ERROR(router->ForEachMaster([](Connection& conn) -> Status {
    ASSIGN_OR_RETURN(Reply r, conn.Run({"PING"}));
    if (r.is_error() && r.error_kind() == "NOAUTH") {
      return InvalidArgumentError("redis " + conn.address() +
                                  ": the server requires a password and none was given");
    }
    if (r.is_error()) return UnavailableError("redis " + conn.address() + ": PING: " + r.str);
    return Status::Ok();
  }));
  return std::unique_ptr<Router>(std::move(router));
}

}  // namespace pantry::featurestore::redis
