// WorkshopServer: everything `pantry serve` and `pantry demo` run in one
// process over a home: the feature store, the stream service with the two
// workshop window specs (stagger -> click_stream, sliding ->
// click_stream_live) fed by the server's Kinesis API and POST /v1/events,
// the recommender with a ModelWatcher that hot-reloads new model versions,
// the /readyz checks and the HTTP routes (server/server.h).
//
//   WorkshopServerOptions options;
//   options.home = home;
//   ASSIGN_OR_RETURN(auto server, WorkshopServer::Start(options));
//   ... server->port() ...
//   RETURN_IF_ERROR(server->Stop());
//
// Shutdown has one order (Stop() and the destructor): HTTP first (drains
// in-flight requests, so nothing appends any more), then the /metrics
// callbacks that read the stream service, then the stream service (it
// consumes what was appended, delivers it and checkpoints), then the model
// watcher, the recommender and last the store everything else writes to or
// reads from.
//
// /readyz checks: feature_store (FeatureStore::Health: refuses writes
// pending recovery), backends (FeatureStore::BackendHealth: the Redis and
// PostgreSQL servers answer), streams (no processor stuck: StreamService::Health),
// event_log (the click_stream log is open), models (both models loaded),
// home (the home directory still exists), stream_backlog (no window spec is
// past the backpressure bounds).
#ifndef PANTRY_WORKSHOP_WORKSHOP_SERVER_H_
#define PANTRY_WORKSHOP_WORKSHOP_SERVER_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/recommend/recommender.h"
#include "pantry/server/sagemaker_runtime_api.h"
#include "pantry/server/server.h"
#include "pantry/stream/stream_service.h"
#include "pantry/stream/window_spec.h"

namespace pantry::workshop {

inline constexpr uint64_t kDefaultMaxBacklogEvents = 1'000'000;
inline constexpr int64_t kDefaultMaxBacklogMicros = 30'000'000;
// Event-log retention: Kinesis's default period (DescribeStream reports it).
inline constexpr int64_t kDefaultStreamRetentionMicros = 24LL * 3600 * 1'000'000;

struct WorkshopServerOptions {
  std::filesystem::path home;  // must exist and be writable
  Clock* clock = nullptr;      // not owned; nullptr = Clock::Real()
  // The feature store's backend fields (--online-store etc.); default: the
  // embedded stores in `home`.
  featurestore::FeatureStoreOptions store_backends;
  // The event logs (click_stream, created streams): empty for the embedded
  // file logs in `home`; a redis:// URL for Redis Streams shared by replicas
  // (the stream processors then take leases and keep their checkpoints in
  // Redis; docs/deployment.md).
  std::string event_log_url;
  // Address, threads, token, access log, metrics registry.
  server::ServerOptions server;
  // Shards of the click_stream log when it is created (an existing log
  // keeps its own).
  int click_stream_shards = 4;
  // The stream processors' idle wait between polls (appends wake them).
  int stream_poll_interval_ms = 20;
  // Window specs run beside the workshop's two (e.g. compiled from a KDA
  // SQL application, `pantry serve --sql`). Their events are accepted on
  // the event APIs when their source is the click_stream log.
  std::vector<stream::WindowSpec> extra_specs;
  // Kinesis Analytics application outputs: resource ARN or function name ->
  // feature group (`--lambda-output`; rules in workshop/kda_outputs.h).
  std::map<std::string, std::string> kda_outputs;
  // SageMaker Runtime endpoints (pantry-cf, pantry-rank and these aliases).
  server::SageMakerRuntimeOptions endpoints;
  // Backpressure: past these bounds the event APIs refuse records
  // (Kinesis ProvisionedThroughputExceededException; POST /v1/events 503)
  // until the processors catch up, and /readyz reports stream_backlog.
  // `pantry serve --max-backlog-events/--max-backlog-seconds`.
  stream::BacklogLimits stream_backlog = {kDefaultMaxBacklogEvents, kDefaultMaxBacklogMicros};
  // Event-log retention of every stream the server opens or creates: whole
  // segments whose newest record is older than this are deleted (checked
  // when a segment rolls, at start and once a minute), and so are the
  // oldest segments of a shard past `stream_retention_bytes_per_shard`
  // (0: no size bound). Records stay readable for at least the period, as
  // in Kinesis. `pantry serve --stream-retention-hours/-mb-per-shard`.
  int64_t stream_retention_micros = kDefaultStreamRetentionMicros;
  int64_t stream_retention_bytes_per_shard = 0;
  // Create click_stream_live (if the home lacks it) without an offline
  // store: the live features are written online only, latest row per key
  // per poll (`pantry serve --live-online-only`).
  bool live_online_only = false;
  // Let clients write (PutRecord/DeleteRecord over HTTP) to the groups the
  // stream processors write; by default those answer 403.
  bool open_stream_groups = false;
  // fsync every feature-store write batch before acknowledging it (survives
  // power loss; without it an acknowledged write survives kill -9). The
  // event log fsyncs every append batch either way.
  bool sync_writes = false;
  // Per window spec, the cap on keys with open window state; past it the
  // least recently active key is evicted (`pantry serve --max-window-keys`,
  // 0: none; docs/stream.md, "Bounded state").
  size_t max_window_keys = stream::kDefaultMaxWindowKeys;
  // How often the model watcher looks for new model versions.
  int64_t model_check_interval_micros = 2'000'000;
  // The recommender's cache of retrieval results (`pantry serve
  // --candidate-cache-mb`; 0: none; recommend/candidate_cache.h).
  size_t candidate_cache_bytes = recommend::kDefaultCandidateCacheBytes;
};

class WorkshopServer {
 public:
  // Opens the home's feature store read-write (one process per home),
  // creates the stream-written feature groups if missing (declared in
  // feature_groups.h), starts the stream service, opens the recommender
  // (without trained models it starts, and /readyz says "models" until a
  // version appears) and starts listening. Errors: the store is locked by
  // another process, a broken model version, the address cannot be bound
  // (Unavailable). On error everything started so far is stopped again.
  static StatusOr<std::unique_ptr<WorkshopServer>> Start(const WorkshopServerOptions& options);

  // Stop()s if still running.
  virtual ~WorkshopServer() = default;

  // The bound port (useful with port 0).
  virtual int port() const = 0;

  // Owned by the server and valid until Stop(); thread-safe as documented
  // in their headers.
  virtual featurestore::FeatureStore& store() = 0;
  virtual recommend::Recommender& recommender() = 0;

  // Shuts down in the order above; idempotent. Returns the stream
  // service's error, if stopping it failed (e.g. a checkpoint write);
  // everything is shut down either way.
  virtual Status Stop() = 0;
};

}  // namespace pantry::workshop

#endif  // PANTRY_WORKSHOP_WORKSHOP_SERVER_H_
