// StreamRegistry: the named event logs of a home that the server appends to,
// created and deleted at runtime (Kinesis CreateStream / DeleteStream).
//
// A stream is the directory <home>/stream/<name>/ of the file event log; its
// shard count is the log's own (stream.json). Streams created through the
// registry also get <home>/stream/<name>/kinesis.json with the creation time
// and the capacity mode, so both survive a restart. Open() finds every log
// directory under <home>/stream/, so created streams come back with the
// server.
//
// With a shared event log (log_options.redis_url set), created streams are
// Redis Streams listed in a SharedStreamCatalog instead, so that every
// replica on the same Redis serves the same streams: a stream created through
// one is found by the others on first use (Append, Describe, Acquire) and
// by List; one deleted through another replica disappears from Describe and
// List here as well (docs/deployment.md, "Streams created over the Kinesis
// API").
//
// Logs owned elsewhere (the stream service's click_stream) are registered as
// borrowed: they can be appended to and described but not deleted.
//
// Thread-safe. Appends hold a shared lock for their duration and Delete an
// exclusive one, so a log is never closed under an append. Readers that keep
// a log's pointer (a stream processor) Acquire() it; Delete refuses while
// it is acquired.
#ifndef PANTRY_STREAM_STREAM_REGISTRY_H_
#define PANTRY_STREAM_STREAM_REGISTRY_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/common/status.h"
#include "pantry/stream/event_log.h"
#include "pantry/stream/stream_catalog.h"

namespace pantry::stream {

// Shards of a stream created in on-demand mode (Kinesis starts on-demand
// streams with 4 shards too).
inline constexpr int kOnDemandShards = 4;

class StreamRegistry {
 public:
  // Registers `borrowed` (not owned; must outlive the registry) and opens
  // every other log directory under <home>/stream/ (one with stream.json),
  // or, with a shared event log, every stream its catalog lists.
  // `log_options` apply to those and to created streams (its `shards` is
  // ignored: each stream has its own).
  static StatusOr<std::unique_ptr<StreamRegistry>> Open(
      const std::filesystem::path& home, const EventLogOptions& log_options,
      const std::map<std::string, EventLog*>& borrowed);
  ~StreamRegistry();

  // Creates the stream with `shards` shards (1..1024). AlreadyExists if a
  // stream of that name is registered or its directory exists;
  // InvalidArgument for a bad name or shard count.
  Status Create(std::string_view name, int shards, bool on_demand);

  // Closes the log and removes its directory (events, checkpoints of
  // processors that read it). NotFound; FailedPrecondition for a borrowed
  // stream or one a reader has acquired (the message names the reader).
  Status Delete(std::string_view name);

  // Appends to stream `name` (NotFound if absent); the log's own errors
  // otherwise.
  StatusOr<std::vector<LogOffset>> Append(std::string_view name,
                                          std::span<const AppendRecord> records);

  // With a shared event log both read the catalog (Unavailable while it
  // cannot be reached).
  StatusOr<StreamEntryInfo> Describe(std::string_view name);
  StatusOr<std::vector<StreamEntryInfo>> List();  // sorted by name

  // The log of `name` for a reader called `reader` (e.g. "application X"),
  // valid until the matching Release; NotFound if absent. A stream may have
  // several readers.
  StatusOr<EventLog*> Acquire(std::string_view name, const std::string& reader);
  void Release(std::string_view name, const std::string& reader);

 private:
  struct Entry;
  StreamRegistry(std::filesystem::path home, EventLogOptions log_options);
  Status OpenExisting(const std::string& name);
  // Shared event log only (write lock held): opens `info`'s log.
  Status OpenShared(const StreamEntryInfo& info);
  // Shared event log only: loads `name` from the catalog if it is listed
  // there and not open here yet. NotFound if it is not listed.
  Status LoadShared(std::string_view name);
  // Shared event log only (write lock held): forgets a stream the catalog
  // no longer lists, unless it is borrowed or read.
  void DropUnlisted(std::string_view name);

  const std::filesystem::path home_;
  const EventLogOptions log_options_;
  // Readers (appends) and writers (create, delete) share mu_; glibc's
  // rwlock prefers readers, so a writer first takes gate_, which new readers
  // pass through, and is not starved by a steady stream of appends.
  mutable std::mutex gate_;
  mutable std::shared_mutex mu_;
  std::shared_lock<std::shared_mutex> ReadLock() const;
  std::unique_lock<std::shared_mutex> WriteLock() const;
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> entries_;
  std::unique_ptr<SharedStreamCatalog> catalog_;  // null with the file log
};

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_STREAM_REGISTRY_H_
