// The Redis Streams event log (EventLog::OpenRedis). Layout, under the URL's
// key prefix P (default "pantry"):
//
//   P:stream:<name>:meta       hash {shards}: the shard count, set once
//   P:stream:<name>:<shard>    one Redis stream per shard; entry id
//                              "0-<sequence + 1>", fields k (partition key),
//                              p (payload), a (arrival micros)
//   P:stream:<name>:consumers  hash "<consumer>:<shard>" -> next sequence
//
// Sequences stay dense (0, 1, 2, ... per shard) as with the file log, so
// lags and Kinesis SequenceNumbers mean the same on both backends; the entry
// id is the sequence (its "ms" part is always 0), so the SequenceNumber is
// derived from the id alone. One Lua script per shard and batch numbers the
// records, clamps their arrival stamps to increase strictly and trims the
// stream, atomically: any number of processes may append to any shard.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pantry/common/logging.h"
#include "pantry/featurestore/redis_router.h"
#include "pantry/featurestore/store_url.h"
#include "pantry/stream/event_log.h"
#include "pantry/stream/kinesis_ids.h"

namespace pantry::stream {
namespace {

namespace redis = featurestore::redis;
using redis::Command;
using redis::Reply;

// KEYS[1] the shard's stream. ARGV: now (0: the server's TIME), maxlen (0: none), min arrival to
// keep (0: none), then (partition key, payload, requested arrival) per
// record. Returns {first sequence, last arrival}.
// Age trimming first looks at the oldest entry alone (the common case: nothing
// expired, and reading 1000 entries into Lua on every append cost ~7 ms);
// when it has expired, at most 1000 old entries per call; the rest go on the
// next append. The newest entry is never trimmed, so the last id and stamp
// survive in the stream itself.
constexpr const char* kAppendScript = R"lua(
local key = KEYS[1]
local now = tonumber(ARGV[1])
if now <= 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local maxlen = tonumber(ARGV[2])
local min_arrival = tonumber(ARGV[3])
local next_seq = 0
local prev = 0
local last = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)
if #last > 0 then
  next_seq = tonumber(string.match(last[1][1], '-(%d+)$'))
  local f = last[1][2]
  for i = 1, #f, 2 do
    if f[i] == 'a' then prev = tonumber(f[i + 1]) end
  end
end
local first = next_seq
for i = 4, #ARGV, 3 do
  local a = tonumber(ARGV[i + 2])
  if a <= 0 or a > now then a = now end
  if a <= prev then a = prev + 1 end
  prev = a
  next_seq = next_seq + 1
  local id = '0-' .. string.format('%.0f', next_seq)
  if maxlen > 0 then
    redis.call('XADD', key, 'MAXLEN', '=', maxlen, id, 'k', ARGV[i], 'p', ARGV[i + 1],
               'a', string.format('%.0f', a))
  else
    redis.call('XADD', key, id, 'k', ARGV[i], 'p', ARGV[i + 1], 'a', string.format('%.0f', a))
  end
end
local function arrival_of(entry)
  local f = entry[2]
  for i = 1, #f, 2 do
    if f[i] == 'a' then return tonumber(f[i + 1]) end
  end
  return 0
end
local oldest = {}
if min_arrival > 0 then oldest = redis.call('XRANGE', key, '-', '+', 'COUNT', 1) end
if #oldest > 0 and arrival_of(oldest[1]) < min_arrival then
  local old = redis.call('XRANGE', key, '-', '+', 'COUNT', 1000)
  local keep = nil
  for j = 1, #old do
    if arrival_of(old[j]) >= min_arrival or j == #old then
      keep = old[j][1]
      break
    end
  end
  if keep then redis.call('XTRIM', key, 'MINID', keep) end
end
return {string.format('%.0f', first), string.format('%.0f', prev)}
)lua";

Status ReplyError(const Reply& r, std::string_view what) { return redis::ReplyStatus(r, what); }

bool ParseU64(std::string_view s, uint64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// The sequence of entry id "0-<n>" (n - 1).
bool SequenceOfId(std::string_view id, uint64_t* seq) {
  const size_t dash = id.find('-');
  uint64_t n = 0;
  if (dash == std::string_view::npos || !ParseU64(id.substr(dash + 1), &n) || n == 0) {
    return false;
  }
  *seq = n - 1;
  return true;
}

std::string IdOfSequence(uint64_t seq) { return "0-" + std::to_string(seq + 1); }

class RedisEventLog final : public EventLog {
 public:
  // `base`: the prefix of the stream's keys (ConnectToStream).
  RedisEventLog(std::unique_ptr<redis::Router> router, std::string base, std::string name,
                const EventLogOptions& options)
      : router_(std::move(router)),
        base_(std::move(base)),
        name_(std::move(name)),
        options_(options) {
    if (options_.clock == nullptr) options_.clock = Clock::Real();
  }

  Status Init() {
    if (options_.shards < 1 || options_.shards > 1024) {
      return InvalidArgumentError("stream shards must be 1..1024, got " +
                                  std::to_string(options_.shards));
    }
    const std::string meta = base_ + "meta";
    std::vector<Command> cmds = {
        {{"HSETNX", meta, "shards", std::to_string(options_.shards)}, 1},
        {{"HGET", meta, "shards"}, 1},
    };
    std::vector<Reply> replies;
    RETURN_IF_ERROR(router_->Execute(cmds, &replies));
    if (replies[1].is_error()) return ReplyError(replies[1], "HGET");
    uint64_t shards = 0;
    if (!ParseU64(replies[1].str, &shards) || shards < 1 || shards > 1024) {
      return CorruptionError(meta + ": bad shard count '" + replies[1].str + "'");
    }
    end_ = std::vector<std::atomic<uint64_t>>(shards);
    for (int s = 0; s < static_cast<int>(shards); ++s) {
      ASSIGN_OR_RETURN(uint64_t end, FetchEnd(s));
      end_[s].store(end);
    }
    return Status::Ok();
  }

  int shard_count() const override { return static_cast<int>(end_.size()); }
  const std::string& name() const override { return name_; }

  StatusOr<std::vector<LogOffset>> Append(std::span<const AppendRecord> records) override {
    const int n = shard_count();
    std::vector<std::vector<size_t>> by_shard(n);
    for (size_t i = 0; i < records.size(); ++i) {
      const AppendRecord& r = records[i];
      if (r.partition_key.empty()) {
        return InvalidArgumentError("record " + std::to_string(i) + ": empty partition key");
      }
      const int64_t size = static_cast<int64_t>(r.partition_key.size() + r.payload.size());
      if (size > options_.max_record_bytes) {
        return InvalidArgumentError("record " + std::to_string(i) + " is " + std::to_string(size) +
                                    " bytes, over the limit of " +
                                    std::to_string(options_.max_record_bytes));
      }
      by_shard[ShardForKey(r.partition_key, n)].push_back(i);
    }
    const int64_t now = options_.clock->NowMicros();
    // With the real clock, records are stamped with Redis's TIME inside the
    // script, so a stamp is never older than a read that missed its record
    // (the processor's watermark rule) however appenders race. A test clock
    // stamps itself.
    const std::string stamp_now = options_.clock == Clock::Real() ? "0" : std::to_string(now);
    const std::string min_arrival = std::to_string(
        options_.retention_micros > 0 ? std::max<int64_t>(now - options_.retention_micros, 1) : 0);
    std::vector<Command> cmds;
    std::vector<int> shard_of;
    for (int s = 0; s < n; ++s) {
      if (by_shard[s].empty()) continue;
      Command c;
      c.args = {"EVAL",      kAppendScript, "1",
                ShardKey(s), stamp_now,     std::to_string(MaxLen(records, by_shard[s])),
                min_arrival};
      c.key_index = 3;
      for (size_t i : by_shard[s]) {
        c.args.emplace_back(records[i].partition_key);
        c.args.emplace_back(records[i].payload);
        c.args.push_back(std::to_string(records[i].arrival_micros));
      }
      cmds.push_back(std::move(c));
      shard_of.push_back(s);
    }
    std::vector<Reply> replies;
    RETURN_IF_ERROR(router_->Execute(cmds, &replies));
    std::vector<LogOffset> offsets(records.size());
    for (size_t k = 0; k < replies.size(); ++k) {
      const Reply& r = replies[k];
      if (r.is_error()) return ReplyError(r, "append to " + ShardKey(shard_of[k]));
      uint64_t first = 0;
      if (r.type != Reply::Type::kArray || r.elements.empty() ||
          !ParseU64(r.elements[0].str, &first)) {
        return InternalError("redis append to " + ShardKey(shard_of[k]) + ": unexpected reply");
      }
      const int s = shard_of[k];
      uint64_t seq = first;
      for (size_t i : by_shard[s]) offsets[i] = LogOffset{s, seq++};
      NoteEnd(s, seq);
    }
    return offsets;
  }

  StatusOr<std::vector<LogRecord>> Read(int shard, uint64_t from,
                                        size_t max_records) const override {
    if (shard < 0 || shard >= shard_count()) {
      return InvalidArgumentError("no shard " + std::to_string(shard) + " in stream " + name_);
    }
    std::vector<LogRecord> out;
    if (max_records == 0) return out;
    std::vector<Command> cmds = {
        {{"XRANGE", ShardKey(shard), IdOfSequence(from), "+", "COUNT", std::to_string(max_records)},
         1}};
    std::vector<Reply> replies;
    RETURN_IF_ERROR(router_->Execute(cmds, &replies));
    const Reply& r = replies[0];
    if (r.is_error()) return ReplyError(r, "XRANGE " + ShardKey(shard));
    out.reserve(r.elements.size());
    for (const Reply& e : r.elements) {
      LogRecord rec;
      if (e.elements.size() != 2 || !SequenceOfId(e.elements[0].str, &rec.sequence)) {
        return CorruptionError(ShardKey(shard) + ": entry with an unexpected id");
      }
      const auto& f = e.elements[1].elements;
      for (size_t i = 0; i + 1 < f.size(); i += 2) {
        const std::string& field = f[i].str;
        if (field == "k") {
          rec.partition_key = f[i + 1].str;
        } else if (field == "p") {
          rec.payload = f[i + 1].str;
        } else if (field == "a") {
          uint64_t a = 0;
          if (!ParseU64(f[i + 1].str, &a)) {
            return CorruptionError(ShardKey(shard) + ": bad arrival stamp");
          }
          rec.arrival_micros = static_cast<int64_t>(a);
        }
      }
      out.push_back(std::move(rec));
    }
    if (!out.empty()) NoteEnd(shard, out.back().sequence + 1);
    return out;
  }

  uint64_t EndSequence(int shard) const override {
    // Other processes append too: ask Redis, and fall back on the last
    // value seen if it cannot answer (the interface has no error here).
    auto end = FetchEnd(shard);
    if (!end.ok()) {
      PANTRY_LOG_WARN("event log {}: {}", name_, end.status().message());
      return end_[shard].load();
    }
    NoteEnd(shard, *end);
    return end_[shard].load();
  }

  uint64_t BeginSequence(int shard) const override {
    std::vector<Command> cmds = {{{"XRANGE", ShardKey(shard), "-", "+", "COUNT", "1"}, 1}};
    std::vector<Reply> replies;
    if (router_->Execute(cmds, &replies).ok() && replies[0].type == Reply::Type::kArray) {
      uint64_t seq = 0;
      if (!replies[0].elements.empty() && replies[0].elements[0].elements.size() == 2 &&
          SequenceOfId(replies[0].elements[0].elements[0].str, &seq)) {
        return seq;
      }
    }
    return EndSequence(shard);
  }

  Status CommitConsumerOffset(std::string_view consumer, int shard, uint64_t next) override {
    RETURN_IF_ERROR(CheckConsumer(consumer, shard));
    std::vector<Command> cmds = {
        {{"HSET", base_ + "consumers", ConsumerField(consumer, shard), std::to_string(next)}, 1}};
    std::vector<Reply> replies;
    RETURN_IF_ERROR(router_->Execute(cmds, &replies));
    if (replies[0].is_error()) return ReplyError(replies[0], "HSET");
    return Status::Ok();
  }

  StatusOr<uint64_t> ConsumerOffset(std::string_view consumer, int shard) const override {
    RETURN_IF_ERROR(CheckConsumer(consumer, shard));
    std::vector<Command> cmds = {
        {{"HGET", base_ + "consumers", ConsumerField(consumer, shard)}, 1}};
    std::vector<Reply> replies;
    RETURN_IF_ERROR(router_->Execute(cmds, &replies));
    if (replies[0].is_error()) return ReplyError(replies[0], "HGET");
    if (replies[0].is_nil()) return uint64_t{0};
    uint64_t next = 0;
    if (!ParseU64(replies[0].str, &next)) return CorruptionError(base_ + "consumers: bad offset");
    return next;
  }

  // Durability is the Redis server's (appendonly / appendfsync): an append
  // is acknowledged once Redis has applied it.
  Status Sync() override { return Status::Ok(); }

  Status ApplyRetention() override {
    if (options_.retention_micros <= 0) return Status::Ok();
    // An empty append batch per shard runs the script's age trimming alone.
    const int64_t now = options_.clock->NowMicros();
    const std::string min_arrival =
        std::to_string(std::max<int64_t>(now - options_.retention_micros, 1));
    std::vector<Command> cmds;
    for (int s = 0; s < shard_count(); ++s) {
      cmds.push_back(
          {{"EVAL", kAppendScript, "1", ShardKey(s), std::to_string(now), "0", min_arrival}, 3});
    }
    std::vector<Reply> replies;
    RETURN_IF_ERROR(router_->Execute(cmds, &replies));
    for (const Reply& r : replies) {
      if (r.is_error()) return ReplyError(r, "trim");
    }
    return Status::Ok();
  }

 private:
  std::string ShardKey(int shard) const { return base_ + std::to_string(shard); }
  static std::string ConsumerField(std::string_view consumer, int shard) {
    return std::string(consumer) + ":" + std::to_string(shard);
  }
  Status CheckConsumer(std::string_view consumer, int shard) const {
    if (!IsValidStreamName(consumer)) {
      return InvalidArgumentError("bad consumer name '" + std::string(consumer) + "'");
    }
    if (shard < 0 || shard >= shard_count()) return InvalidArgumentError("bad shard");
    return Status::Ok();
  }

  // Entries to keep for the byte limit, estimated from this batch's record
  // sizes plus ~64 bytes of stream overhead per entry; 0 = no limit.
  int64_t MaxLen(std::span<const AppendRecord> records, const std::vector<size_t>& which) const {
    if (options_.retention_bytes <= 0) return 0;
    int64_t bytes = 0;
    for (size_t i : which) {
      bytes += static_cast<int64_t>(records[i].partition_key.size() + records[i].payload.size());
    }
    const int64_t per_entry = bytes / static_cast<int64_t>(which.size()) + 64;
    return std::max<int64_t>(options_.retention_bytes / per_entry, 1);
  }

  StatusOr<uint64_t> FetchEnd(int shard) const {
    std::vector<Command> cmds = {{{"XREVRANGE", ShardKey(shard), "+", "-", "COUNT", "1"}, 1}};
    std::vector<Reply> replies;
    RETURN_IF_ERROR(router_->Execute(cmds, &replies));
    const Reply& r = replies[0];
    if (r.is_error()) return ReplyError(r, "XREVRANGE " + ShardKey(shard));
    if (r.elements.empty()) return uint64_t{0};
    uint64_t seq = 0;
    if (r.elements[0].elements.size() != 2 || !SequenceOfId(r.elements[0].elements[0].str, &seq)) {
      return CorruptionError(ShardKey(shard) + ": entry with an unexpected id");
    }
    return seq + 1;
  }

  void NoteEnd(int shard, uint64_t end) const {
    std::atomic<uint64_t>& e = end_[shard];
    uint64_t cur = e.load();
    while (cur < end && !e.compare_exchange_weak(cur, end)) {
    }
  }

  std::unique_ptr<redis::Router> router_;
  const std::string base_;
  const std::string name_;
  EventLogOptions options_;
  // Per shard: the highest end sequence seen (EndSequence's fallback).
  mutable std::vector<std::atomic<uint64_t>> end_;
};

}  // namespace

namespace {

// A stream's connection and the prefix of its keys, "<prefix>:stream:<name>:".
struct StreamKeys {
  std::unique_ptr<redis::Router> router;
  std::string base;
};

StatusOr<StreamKeys> ConnectToStream(std::string_view url, std::string_view name,
                                     const EventLogOptions& options) {
  if (!IsValidStreamName(name)) {
    return InvalidArgumentError("stream name '" + std::string(name) +
                                "' is not a valid Kinesis stream name");
  }
  ASSIGN_OR_RETURN(featurestore::RedisOptions redis_options, featurestore::ParseRedisUrl(url));
  if (redis_options.password.empty()) redis_options.password = options.redis_password;
  StreamKeys keys;
  ASSIGN_OR_RETURN(keys.router, redis::Router::Open(redis_options));
  keys.base = redis_options.key_prefix + ":stream:" + std::string(name) + ":";
  return keys;
}

}  // namespace

StatusOr<std::unique_ptr<EventLog>> EventLog::OpenRedis(std::string_view url, std::string_view name,
                                                        const EventLogOptions& options) {
  ASSIGN_OR_RETURN(StreamKeys keys, ConnectToStream(url, name, options));
  auto log = std::make_unique<RedisEventLog>(std::move(keys.router), std::move(keys.base),
                                             std::string(name), options);
  RETURN_IF_ERROR(log->Init().WithContext("event log " + std::string(name) + " in " +
                                          featurestore::MaskPassword(url)));
  return std::unique_ptr<EventLog>(std::move(log));
}

Status EventLog::DeleteRedis(std::string_view url, std::string_view name,
                             const EventLogOptions& options) {
  ASSIGN_OR_RETURN(StreamKeys keys, ConnectToStream(url, name, options));
  std::unique_ptr<redis::Router>& router = keys.router;
  const std::string& base = keys.base;
  const std::string meta = base + "meta";
  std::vector<Command> cmds = {{{"HGET", meta, "shards"}, 1}};
  std::vector<Reply> replies;
  RETURN_IF_ERROR(router->Execute(cmds, &replies));
  if (replies[0].is_error()) return ReplyError(replies[0], "HGET " + meta);
  uint64_t shards = 0;
  if (!replies[0].is_nil() && (!ParseU64(replies[0].str, &shards) || shards > 1024)) {
    return CorruptionError(meta + ": bad shard count '" + replies[0].str + "'");
  }
  // One DEL per key: in a cluster the keys live in different slots. The
  // shard count goes last, so a deletion cut short can be run again.
  cmds.clear();
  for (uint64_t s = 0; s < shards; ++s) cmds.push_back({{"DEL", base + std::to_string(s)}, 1});
  cmds.push_back({{"DEL", base + "consumers"}, 1});
  RETURN_IF_ERROR(router->Execute(cmds, &replies));
  for (size_t i = 0; i < replies.size(); ++i) {
    if (replies[i].is_error()) return ReplyError(replies[i], "DEL " + cmds[i].args[1]);
  }
  cmds = {{{"DEL", meta}, 1}};
  RETURN_IF_ERROR(router->Execute(cmds, &replies));
  if (replies[0].is_error()) return ReplyError(replies[0], "DEL " + meta);
  return Status::Ok();
}

StatusOr<std::unique_ptr<EventLog>> EventLog::Open(const std::filesystem::path& home,
                                                   std::string_view name,
                                                   const EventLogOptions& options) {
  if (!options.redis_url.empty()) return OpenRedis(options.redis_url, name, options);
  return OpenFile(home, name, options);
}

}  // namespace pantry::stream
