// A minimal synchronous Redis client: the one file that includes hiredis is
// redis_client.cc. A Connection speaks RESP to one server and pipelines a
// list of commands (one write, then one reply per command); routing, pools
// and cluster redirects are in redis_router.h.
//
// Thread-safety: a Connection is used by one thread at a time (the router's
// pool hands it out and takes it back).
#ifndef PANTRY_FEATURESTORE_REDIS_CLIENT_H_
#define PANTRY_FEATURESTORE_REDIS_CLIENT_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pantry/common/status.h"

namespace pantry::featurestore::redis {

// A reply decoded from hiredis, so that no other file sees its types.
struct Reply {
  enum class Type { kNil, kString, kStatus, kInteger, kError, kArray };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  int64_t integer = 0;
  std::vector<Reply> elements;

  bool is_error() const { return type == Type::kError; }
  bool is_nil() const { return type == Type::kNil; }
  // The error text's first word: "MOVED", "ASK", "NOSCRIPT", "ERR", ...
  std::string_view error_kind() const;
};

// OK unless `reply` is an error; then Unavailable for the errors a server
// gives while it cannot serve for now (OOM, LOADING, BUSY, MASTERDOWN,
// READONLY, CLUSTERDOWN, TRYAGAIN: worth retrying later), Internal for the
// rest. The message is "redis <what>: <the server's error>".
Status ReplyStatus(const Reply& reply, std::string_view what);

using Args = std::vector<std::string>;

struct ConnectOptions {
  std::string user;  // ACL user; empty: AUTH with the password only
  std::string password;
  int db = 0;  // SELECT (standalone only)
  int connect_timeout_ms = 1000;
  int command_timeout_ms = 2000;
};

class Connection {
 public:
  // Connects to host:port, authenticates and selects the database.
  // Unavailable if the server cannot be reached; InvalidArgument if it
  // refuses the credentials or the database.
  static StatusOr<std::unique_ptr<Connection>> Open(const std::string& host, int port,
                                                    const ConnectOptions& options);
  virtual ~Connection() = default;

  // Sends every command in one write and reads one reply per command into
  // `replies` (same order). Error replies from Redis are replies, not a
  // failed status. A transport failure (timeout, reset, protocol error)
  // returns Unavailable and marks the connection broken: it must then be
  // discarded, since replies may be out of step with commands.
  Status Pipeline(std::span<const Args* const> commands, std::vector<Reply>* replies) {
    RETURN_IF_ERROR(Send(commands));
    return Receive(commands.size(), replies);
  }
  // Pipeline in two halves, so that a caller can have several servers
  // working at once: Send writes the commands, Receive reads `count`
  // replies. A connection with unread replies must be discarded, not
  // reused.
  virtual Status Send(std::span<const Args* const> commands) = 0;
  virtual Status Receive(size_t count, std::vector<Reply>* replies) = 0;
  virtual bool broken() const = 0;
  // "host:port", for messages.
  virtual const std::string& address() const = 0;

  // One command.
  StatusOr<Reply> Run(const Args& command);
};

}  // namespace pantry::featurestore::redis

#endif  // PANTRY_FEATURESTORE_REDIS_CLIENT_H_
