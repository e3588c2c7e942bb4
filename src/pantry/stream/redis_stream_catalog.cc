// SharedStreamCatalog in Redis: the hash <prefix>:streams next to the
// streams' own keys (redis_event_log.cc), one field per stream created over
// the Kinesis API.
#include <algorithm>

#include "pantry/common/json.h"
#include "pantry/featurestore/redis_router.h"
#include "pantry/featurestore/store_url.h"
#include "pantry/stream/stream_catalog.h"

namespace pantry::stream {
namespace {

namespace redis = featurestore::redis;
using redis::Command;
using redis::Reply;

using redis::ReplyStatus;

class RedisStreamCatalog final : public SharedStreamCatalog {
 public:
  RedisStreamCatalog(std::unique_ptr<redis::Router> router, std::string key,
                     EventLogOptions log_options)
      : router_(std::move(router)), key_(std::move(key)), log_options_(std::move(log_options)) {}

  StatusOr<std::vector<StreamEntryInfo>> List() const override {
    ASSIGN_OR_RETURN(Reply r, Run({"HGETALL", key_}));
    std::vector<StreamEntryInfo> out;
    for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
      ASSIGN_OR_RETURN(StreamEntryInfo info, Decode(r.elements[i].str, r.elements[i + 1].str));
      out.push_back(std::move(info));
    }
    std::sort(out.begin(), out.end(),
              [](const StreamEntryInfo& a, const StreamEntryInfo& b) { return a.name < b.name; });
    return out;
  }

  StatusOr<std::optional<StreamEntryInfo>> Find(std::string_view name) const override {
    ASSIGN_OR_RETURN(Reply r, Run({"HGET", key_, std::string(name)}));
    if (r.is_nil()) return std::optional<StreamEntryInfo>();
    ASSIGN_OR_RETURN(StreamEntryInfo info, Decode(std::string(name), r.str));
    return std::optional<StreamEntryInfo>(std::move(info));
  }

  Status Add(const StreamEntryInfo& info) override {
    const Json meta = {{"shards", info.shard_count},
                       {"created_micros", info.created_micros},
                       {"on_demand", info.on_demand}};
    ASSIGN_OR_RETURN(Reply r, Run({"HSETNX", key_, info.name, DumpJson(meta)}));
    if (r.integer == 0) return AlreadyExistsError("stream " + info.name + " already exists");
    return Status::Ok();
  }

  Status Remove(std::string_view name) override {
    ASSIGN_OR_RETURN(Reply r, Run({"HDEL", key_, std::string(name)}));
    if (r.integer == 0) return NotFoundError("stream " + std::string(name) + " not found");
    return EventLog::DeleteRedis(log_options_.redis_url, name, log_options_);
  }

 private:
  StatusOr<Reply> Run(redis::Args args) const {
    const std::string what = args[0] + " " + key_;
    std::vector<Command> cmds = {{std::move(args), 1}};
    std::vector<Reply> replies;
    RETURN_IF_ERROR(router_->Execute(cmds, &replies));
    RETURN_IF_ERROR(ReplyStatus(replies[0], what));
    return std::move(replies[0]);
  }

  StatusOr<StreamEntryInfo> Decode(const std::string& name, std::string_view value) const {
    const std::string what = key_ + " field " + name;
    ASSIGN_OR_RETURN(Json j, ParseJson(value, what));
    StreamEntryInfo info;
    info.name = name;
    ASSIGN_OR_RETURN(int64_t shards, GetJsonInt(j, "shards"));
    if (shards < 1 || shards > 1024) {
      return CorruptionError(what + ": bad shard count " + std::to_string(shards));
    }
    info.shard_count = static_cast<int>(shards);
    ASSIGN_OR_RETURN(info.created_micros, GetJsonInt(j, "created_micros"));
    ASSIGN_OR_RETURN(info.on_demand, GetJsonBool(j, "on_demand"));
    return info;
  }

  std::unique_ptr<redis::Router> router_;
  const std::string key_;
  const EventLogOptions log_options_;
};

}  // namespace

StatusOr<std::unique_ptr<SharedStreamCatalog>> SharedStreamCatalog::OpenRedis(
    const EventLogOptions& options) {
  ASSIGN_OR_RETURN(featurestore::RedisOptions redis_options,
                   featurestore::ParseRedisUrl(options.redis_url));
  if (redis_options.password.empty()) redis_options.password = options.redis_password;
  ASSIGN_OR_RETURN(std::unique_ptr<redis::Router> router, redis::Router::Open(redis_options));
  return std::unique_ptr<SharedStreamCatalog>(std::make_unique<RedisStreamCatalog>(
      std::move(router), redis_options.key_prefix + ":streams", options));
}

}  // namespace pantry::stream
