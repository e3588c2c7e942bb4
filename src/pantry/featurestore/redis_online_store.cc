// Redis online store, standalone or Redis Cluster (routing in
// redis_router.cc, the hiredis adapter in redis_client.cc).
//
// Layout: one string key per record, "<prefix>:<group>:<record_id>", whose
// value is the online_record.h encoding (the same bytes RocksDB stores); no
// hash tag, so the records of one group spread over every slot of a
// cluster. "<prefix>:applied_sequence" holds the journal sequence of the
// last batch applied (decimal). Group names cannot contain ':' and the
// prefix is checked, so the two key forms never collide.
//
// Atomicity: several pantry processes may write the same Redis, so each
// record is written by a Lua script that compares the event time in the
// stored value with the write's and applies it only if it wins (puts:
// strictly newer; deletes: newer or equal), in one round trip. A record's
// TTL becomes the key's expiry (PX, relative to the facade's clock, so host
// clock skew does not move it); the facade still hides expired records
// itself, Redis only reclaims them. Batches are pipelined (per node in a
// cluster) but not atomic as a whole; see OnlineStore::Write.
#include <charconv>

#include "pantry/featurestore/online_store.h"
#include "pantry/featurestore/redis_router.h"

namespace pantry::featurestore {
namespace {

using redis::Command;
using redis::Reply;

// KEYS[1] the record; ARGV: op ('p' put, 'r' put or delete that also wins
// a tie, 'h' hard delete), event time as signed high and unsigned low 32
// bits (exact in Lua's doubles, unlike one 64-bit number), the value, and
// the TTL in ms (0 never, < 0 already expired: the key is removed). The
// stored event time sits at bytes 3..10 of the value (online_record.h).
constexpr char kWriteScript[] = R"lua(
local cur = redis.call('GET', KEYS[1])
if cur then
  if #cur < 10 then return redis.error_reply('PANTRYCORRUPT damaged online record') end
  local hi, lo = tonumber(ARGV[2]), tonumber(ARGV[3])
  local clo = struct.unpack('<I4', cur, 3)
  local chi = struct.unpack('<i4', cur, 7)
  local cmp = 0
  if hi ~= chi then
    cmp = (hi > chi) and 1 or -1
  elseif lo ~= clo then
    cmp = (lo > clo) and 1 or -1
  end
  if cmp < 0 or (cmp == 0 and ARGV[1] == 'p') then return 0 end
end
if ARGV[1] == 'h' then
  redis.call('DEL', KEYS[1])
  return 1
end
local ttl = tonumber(ARGV[5])
if ttl > 0 then
  redis.call('SET', KEYS[1], ARGV[4], 'PX', ttl)
elseif ttl == 0 then
  redis.call('SET', KEYS[1], ARGV[4])
else
  redis.call('DEL', KEYS[1])
end
return 1
)lua";

// Our scripts report a damaged record as PANTRYCORRUPT.
Status ReplyError(const Reply& r, std::string_view what) {
  if (r.error_kind() == "PANTRYCORRUPT") {
    return CorruptionError("redis " + std::string(what) + ": " + r.str);
  }
  return redis::ReplyStatus(r, what);
}

// SCAN MATCH treats *?[]\ specially.
std::string GlobEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

class RedisOnlineStore final : public OnlineStore {
 public:
  RedisOnlineStore(std::unique_ptr<redis::Router> router, const RedisOptions& options, Clock* clock)
      : router_(std::move(router)),
        prefix_(options.key_prefix + ":"),
        sequence_key_(prefix_ + "applied_sequence"),
        clock_(clock) {}

  Status LoadScript() {
    // The SHA1 of the script as Redis computes it, from every master (each
    // keeps its own script cache).
    return router_->ForEachMaster([&](redis::Connection& conn) -> Status {
      ASSIGN_OR_RETURN(Reply r, conn.Run({"SCRIPT", "LOAD", kWriteScript}));
      if (r.is_error()) return ReplyError(r, "SCRIPT LOAD");
      sha_ = r.str;
      return Status::Ok();
    });
  }

  StatusOr<std::optional<std::string>> Get(std::string_view group,
                                           std::string_view record_id) const override {
    std::vector<std::optional<std::string>> values;
    const std::string id(record_id);
    RETURN_IF_ERROR(MultiGet(group, std::span<const std::string>(&id, 1), &values));
    return std::move(values[0]);
  }

  Status MultiGet(std::string_view group, std::span<const std::string> record_ids,
                  std::vector<std::optional<std::string>>* values) const override {
    values->assign(record_ids.size(), std::nullopt);
    std::vector<Command> commands;
    commands.reserve(record_ids.size());
    for (const std::string& id : record_ids) commands.push_back({{"GET", Key(group, id)}, 1});
    std::vector<Reply> replies;
    RETURN_IF_ERROR(router_->Execute(commands, &replies));
    for (size_t i = 0; i < replies.size(); ++i) {
      Reply& r = replies[i];
      if (r.is_error()) return ReplyError(r, "GET");
      if (r.type == Reply::Type::kString) (*values)[i] = std::move(r.str);
    }
    return Status::Ok();
  }

  // Every read is a network round trip, so never on an event loop.
  StatusOr<bool> TryGetInMemory(std::string_view, std::string_view,
                                std::optional<std::string>*) const override {
    return false;
  }

  StatusOr<bool> TryMultiGetInMemory(std::string_view, std::span<const std::string>,
                                     std::vector<std::optional<std::string>>*) const override {
    return false;
  }

  Status Write(std::span<const OnlineWrite> writes, int64_t sequence) override {
    if (!writes.empty()) {
      std::vector<Command> commands;
      commands.reserve(writes.size());
      for (const OnlineWrite& w : writes) commands.push_back(ScriptCommand(w, /*by_sha=*/true));
      std::vector<Reply> replies;
      RETURN_IF_ERROR(router_->Execute(commands, &replies));
      // NOSCRIPT: that node's script cache is empty (restart, failover,
      // SCRIPT FLUSH). EVAL runs the script and caches it again.
      std::vector<Command> retry;
      std::vector<size_t> where;
      for (size_t i = 0; i < replies.size(); ++i) {
        if (replies[i].is_error() && replies[i].error_kind() == "NOSCRIPT") {
          retry.push_back(ScriptCommand(writes[i], /*by_sha=*/false));
          where.push_back(i);
        }
      }
      if (!retry.empty()) {
        std::vector<Reply> again;
        RETURN_IF_ERROR(router_->Execute(retry, &again));
        for (size_t k = 0; k < where.size(); ++k) replies[where[k]] = std::move(again[k]);
      }
      for (size_t i = 0; i < replies.size(); ++i) {
        if (replies[i].is_error()) {
          return ReplyError(replies[i],
                            "write of record " + writes[i].record_id + " in " + writes[i].group);
        }
      }
    }
    if (sequence > 0) {
      // Only after every record of the batch is applied (see Write's contract).
      std::vector<Command> set = {{{"SET", sequence_key_, std::to_string(sequence)}, 1}};
      std::vector<Reply> replies;
      RETURN_IF_ERROR(router_->Execute(set, &replies));
      if (replies[0].is_error()) return ReplyError(replies[0], "SET applied_sequence");
    }
    return Status::Ok();
  }

  Status Ping() const override { return AppliedSequence().status(); }

  StatusOr<int64_t> AppliedSequence() const override {
    std::vector<Command> get = {{{"GET", sequence_key_}, 1}};
    std::vector<Reply> replies;
    RETURN_IF_ERROR(router_->Execute(get, &replies));
    const Reply& r = replies[0];
    if (r.is_error()) return ReplyError(r, "GET applied_sequence");
    if (r.is_nil()) return int64_t{0};
    int64_t value = 0;
    auto [end, ec] = std::from_chars(r.str.data(), r.str.data() + r.str.size(), value);
    if (ec != std::errc() || end != r.str.data() + r.str.size()) {
      return CorruptionError("redis: " + sequence_key_ + " is not a number: " + r.str);
    }
    return value;
  }

  Status DeleteGroup(std::string_view group) override {
    const std::string pattern = GlobEscape(prefix_) + GlobEscape(group) + ":*";
    return router_->ForEachMaster([&](redis::Connection& conn) -> Status {
      std::string cursor = "0";
      std::vector<redis::Args> unlinks;
      std::vector<const redis::Args*> batch;
      std::vector<Reply> replies;
      do {
        ASSIGN_OR_RETURN(Reply r, conn.Run({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"}));
        if (r.is_error()) return ReplyError(r, "SCAN");
        if (r.elements.size() != 2) return InternalError("redis: unexpected SCAN reply");
        cursor = r.elements[0].str;
        // One key per UNLINK: in a cluster, keys of one call must share a slot.
        unlinks.clear();
        for (const Reply& key : r.elements[1].elements) unlinks.push_back({"UNLINK", key.str});
        batch.clear();
        for (const redis::Args& a : unlinks) batch.push_back(&a);
        if (!batch.empty()) RETURN_IF_ERROR(conn.Pipeline(batch, &replies));
        for (const Reply& u : replies) {
          if (u.is_error()) return ReplyError(u, "UNLINK");
        }
      } while (cursor != "0");
      return Status::Ok();
    });
  }

  bool durable() const override { return true; }

 private:
  std::string Key(std::string_view group, std::string_view id) const {
    std::string key;
    key.reserve(prefix_.size() + group.size() + 1 + id.size());
    key.append(prefix_).append(group).push_back(':');
    key.append(id);
    return key;
  }

  Command ScriptCommand(const OnlineWrite& w, bool by_sha) const {
    const char* op = !w.value ? "h" : (w.replace_equal ? "r" : "p");
    const int64_t et = w.event_time_micros;
    const int64_t hi = et >> 32;  // arithmetic shift: floor division
    const int64_t lo = et & 0xFFFFFFFFLL;
    int64_t ttl_ms = 0;
    if (w.expires_at_micros != 0) {
      const int64_t left = w.expires_at_micros - clock_->NowMicros();
      ttl_ms = left <= 0 ? -1 : (left + 999) / 1000;
    }
    Command c;
    c.args = {by_sha ? "EVALSHA" : "EVAL",
              by_sha ? sha_ : std::string(kWriteScript),
              "1",
              Key(w.group, w.record_id),
              op,
              std::to_string(hi),
              std::to_string(lo),
              w.value.value_or(std::string()),
              std::to_string(ttl_ms)};
    c.key_index = 3;
    return c;
  }

  std::unique_ptr<redis::Router> router_;
  const std::string prefix_;
  const std::string sequence_key_;
  Clock* const clock_;
  std::string sha_;
};

}  // namespace

StatusOr<std::unique_ptr<OnlineStore>> OnlineStore::OpenRedis(const RedisOptions& options,
                                                              Clock* clock) {
  ASSIGN_OR_RETURN(std::unique_ptr<redis::Router> router, redis::Router::Open(options));
  auto store = std::make_unique<RedisOnlineStore>(std::move(router), options,
                                                  clock != nullptr ? clock : Clock::Real());
  RETURN_IF_ERROR(store->LoadScript());
  return std::unique_ptr<OnlineStore>(std::move(store));
}

}  // namespace pantry::featurestore
