// Routes Redis commands to the server that owns their key: one server for
// redis://, the masters of a Redis Cluster for redis+cluster:// (key slots
// by CRC16, the slot map from CLUSTER SLOTS, MOVED and ASK redirects
// followed). Keeps a small pool of connections per server; a connection
// that fails is dropped and the next call opens a new one, so a server that
// comes back is used again without a restart.
//
// Thread-safety: every method may be called concurrently.
#ifndef PANTRY_FEATURESTORE_REDIS_ROUTER_H_
#define PANTRY_FEATURESTORE_REDIS_ROUTER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/featurestore/online_store.h"
#include "pantry/featurestore/redis_client.h"

namespace pantry::featurestore::redis {

inline constexpr int kSlots = 16384;

// CRC16/XMODEM of `data` (polynomial 0x1021, initial 0, no reflection), as
// Redis Cluster uses for key slots.
uint16_t Crc16(std::string_view data);
// The cluster slot of `key`, honouring a {hash tag}.
int KeySlot(std::string_view key);

// One command and the position of its key in `args` (for routing).
struct Command {
  Args args;
  size_t key_index = 1;
};

class Router {
 public:
  // Connects to the first reachable node (and, for a cluster, loads the
  // slot map). Unavailable if none answers.
  static StatusOr<std::unique_ptr<Router>> Open(const RedisOptions& options);
  virtual ~Router() = default;

  // Runs every command on the node owning its key, pipelined per node, and
  // returns one reply per command (same order). Follows MOVED (reloading
  // the slot map) and ASK redirects. Redis error replies other than
  // redirects are returned as replies. Unavailable if a node cannot be
  // reached or the redirects do not settle.
  virtual Status Execute(std::span<const Command> commands, std::vector<Reply>* replies) = 0;

  // Calls `fn` with a connection to each master in turn (SCAN and similar
  // per-node work). Stops at the first error.
  virtual Status ForEachMaster(const std::function<Status(Connection&)>& fn) = 0;
};

}  // namespace pantry::featurestore::redis

#endif  // PANTRY_FEATURESTORE_REDIS_ROUTER_H_
