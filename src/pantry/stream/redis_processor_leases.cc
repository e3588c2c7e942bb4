// ProcessorLeases in Redis. Keys, under the URL's key prefix P:
//   P:{<name>}:lease       the holder's id, with a PX expiry
//   P:{<name>}:checkpoint  the processor's checkpoint (no expiry)
// The hash tag keeps both in one cluster slot for the fenced save.
#include <unistd.h>

#include <random>
#include <span>

#include "pantry/featurestore/redis_router.h"
#include "pantry/featurestore/store_url.h"
#include "pantry/stream/processor_leases.h"

namespace pantry::stream {
namespace {

namespace redis = featurestore::redis;
using redis::Command;
using redis::Reply;

// KEYS[1] lease; ARGV holder, ms. Renews our own lease (1), takes a free
// one (2), or leaves another holder's (0).
constexpr const char* kHoldScript = R"lua(
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 2
end
return 0
)lua";

constexpr const char* kReleaseScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
)lua";

// KEYS[1] lease, KEYS[2] checkpoint; ARGV holder, bytes.
constexpr const char* kSaveScript = R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
return 1
)lua";

using redis::ReplyStatus;

std::string DefaultHolder() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  std::random_device rd;
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + std::to_string(rd());
}

class RedisProcessorLeases final : public ProcessorLeases {
 public:
  RedisProcessorLeases(std::unique_ptr<redis::Router> router, std::string prefix,
                       ProcessorLeaseOptions options)
      : router_(std::move(router)), prefix_(std::move(prefix)), options_(std::move(options)) {
    if (options_.holder.empty()) options_.holder = DefaultHolder();
  }

  const std::string& holder() const override { return options_.holder; }
  const ProcessorLeaseOptions& options() const override { return options_; }

  StatusOr<Hold> Take(std::string_view name) override {
    ASSIGN_OR_RETURN(Reply r, Run({"EVAL", kHoldScript, "1", Key(name, "lease"), options_.holder,
                                   std::to_string(options_.lease_ms)},
                                  "lease " + std::string(name)));
    return r.integer == 1 ? Hold::kRenewed : r.integer == 2 ? Hold::kTaken : Hold::kNotHeld;
  }

  Status Release(std::string_view name) override {
    return Run({"EVAL", kReleaseScript, "1", Key(name, "lease"), options_.holder},
               "release " + std::string(name))
        .status();
  }

  StatusOr<std::optional<std::string>> LoadCheckpoint(std::string_view name) override {
    std::vector<Command> cmds = {{{"GET", Key(name, "checkpoint")}, 1}};
    std::vector<Reply> replies;
    RETURN_IF_ERROR(Execute(cmds, &replies));
    RETURN_IF_ERROR(ReplyStatus(replies[0], "GET checkpoint"));
    if (replies[0].is_nil()) return std::optional<std::string>();
    return std::optional<std::string>(std::move(replies[0].str));
  }

  Status SaveCheckpoint(std::string_view name, std::string_view bytes) override {
    ASSIGN_OR_RETURN(Reply r, Run({"EVAL", kSaveScript, "2", Key(name, "lease"),
                                   Key(name, "checkpoint"), options_.holder, std::string(bytes)},
                                  "checkpoint " + std::string(name)));
    if (r.integer != 1) {
      return FailedPreconditionError("checkpoint of " + std::string(name) +
                                     " not saved: this replica no longer holds its lease");
    }
    return Status::Ok();
  }

 private:
  std::string Key(std::string_view name, const char* what) const {
    return prefix_ + ":{" + std::string(name) + "}:" + what;
  }
  // Every command here may run twice (renewing, releasing or saving again
  // is harmless), so a transport failure is retried once: after a Redis
  // restart the first use of a pooled connection fails, and leases are
  // used too rarely for another call to have replaced it.
  Status Execute(std::span<const Command> cmds, std::vector<Reply>* replies) {
    Status st = router_->Execute(cmds, replies);
    if (st.code() == StatusCode::kUnavailable) st = router_->Execute(cmds, replies);
    return st;
  }
  StatusOr<Reply> Run(redis::Args args, const std::string& what) {
    std::vector<Command> cmds = {{std::move(args), 3}};
    std::vector<Reply> replies;
    RETURN_IF_ERROR(Execute(cmds, &replies));
    RETURN_IF_ERROR(ReplyStatus(replies[0], what));
    return std::move(replies[0]);
  }

  std::unique_ptr<redis::Router> router_;
  const std::string prefix_;
  ProcessorLeaseOptions options_;
};

}  // namespace

StatusOr<std::unique_ptr<ProcessorLeases>> ProcessorLeases::OpenRedis(
    const ProcessorLeaseOptions& options) {
  ASSIGN_OR_RETURN(featurestore::RedisOptions redis_options,
                   featurestore::ParseRedisUrl(options.redis_url));
  if (redis_options.password.empty()) redis_options.password = options.redis_password;
  ASSIGN_OR_RETURN(std::unique_ptr<redis::Router> router, redis::Router::Open(redis_options));
  return std::unique_ptr<ProcessorLeases>(
      new RedisProcessorLeases(std::move(router), redis_options.key_prefix, options));
}

}  // namespace pantry::stream
