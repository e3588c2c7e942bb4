// The hiredis adapter (hiredis 0.14 from Debian, synchronous API).
#include "pantry/featurestore/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

namespace pantry::featurestore::redis {
namespace {

timeval Millis(int ms) {
  timeval tv;
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  return tv;
}

Reply Convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

class HiredisConnection final : public Connection {
 public:
  HiredisConnection(redisContext* c, std::string address) : c_(c), address_(std::move(address)) {}
  ~HiredisConnection() override { redisFree(c_); }

  Status Send(std::span<const Args* const> commands) override {
    if (broken_) return UnavailableError("redis " + address_ + ": connection is broken");
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const Args* args : commands) {
      argv.clear();
      lens.clear();
      for (const std::string& a : *args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
      }
      if (redisAppendCommandArgv(c_, static_cast<int>(argv.size()), argv.data(), lens.data()) !=
          REDIS_OK) {
        return Fail();
      }
    }
    int done = 0;
    while (!done) {
      if (redisBufferWrite(c_, &done) != REDIS_OK) return Fail();
    }
    return Status::Ok();
  }

  Status Receive(size_t count, std::vector<Reply>* replies) override {
    replies->clear();
    if (broken_) return UnavailableError("redis " + address_ + ": connection is broken");
    replies->reserve(count);
    for (size_t i = 0; i < count; ++i) {
      void* raw = nullptr;
      if (redisGetReply(c_, &raw) != REDIS_OK || raw == nullptr) return Fail();
      auto* reply = static_cast<redisReply*>(raw);
      replies->push_back(Convert(reply));
      freeReplyObject(reply);
    }
    return Status::Ok();
  }

  bool broken() const override { return broken_; }
  const std::string& address() const override { return address_; }

 private:
  Status Fail() {
    broken_ = true;
    std::string why = c_->err != 0 ? std::string(c_->errstr) : "unknown error";
    if (why.empty()) why = "connection lost";
    return UnavailableError("redis " + address_ + ": " + why);
  }

  redisContext* const c_;
  const std::string address_;
  bool broken_ = false;
};

}  // namespace

std::string_view Reply::error_kind() const {
  std::string_view s = str;
  return s.substr(0, s.find(' '));
}

Status ReplyStatus(const Reply& reply, std::string_view what) {
  if (!reply.is_error()) return Status::Ok();
  const std::string_view kind = reply.error_kind();
  std::string msg = "redis " + std::string(what) + ": " + reply.str;
  if (kind == "OOM" || kind == "LOADING" || kind == "BUSY" || kind == "MASTERDOWN" ||
      kind == "READONLY" || kind == "CLUSTERDOWN" || kind == "TRYAGAIN") {
    return UnavailableError(msg);
  }
  return InternalError(msg);
}

StatusOr<Reply> Connection::Run(const Args& command) {
  const Args* one = &command;
  std::vector<Reply> replies;
  RETURN_IF_ERROR(Pipeline(std::span<const Args* const>(&one, 1), &replies));
  return std::move(replies[0]);
}

StatusOr<std::unique_ptr<Connection>> Connection::Open(const std::string& host, int port,
                                                       const ConnectOptions& options) {
  const std::string address = host + ":" + std::to_string(port);
  redisContext* c = redisConnectWithTimeout(host.c_str(), port, Millis(options.connect_timeout_ms));
  if (c == nullptr) return UnavailableError("redis " + address + ": cannot allocate a connection");
  if (c->err != 0) {
    std::string why = c->errstr;
    redisFree(c);
    return UnavailableError("redis " + address + ": cannot connect: " + why);
  }
  redisSetTimeout(c, Millis(options.command_timeout_ms));
  redisEnableKeepAlive(c);
  std::unique_ptr<Connection> conn = std::make_unique<HiredisConnection>(c, address);
  std::vector<Args> setup;
  if (!options.password.empty()) {
    if (options.user.empty()) {
      setup.push_back({"AUTH", options.password});
    } else {
      setup.push_back({"AUTH", options.user, options.password});
    }
  }
  if (options.db != 0) setup.push_back({"SELECT", std::to_string(options.db)});
  for (const Args& cmd : setup) {
    ASSIGN_OR_RETURN(Reply r, conn->Run(cmd));
    if (r.is_error()) {
      // Never echo the password; say which step failed.
      return InvalidArgumentError("redis " + address + ": " + cmd[0] + " failed: " + r.str);
    }
  }
  return conn;
}

}  // namespace pantry::featurestore::redis
