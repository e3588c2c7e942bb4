// `pantry serve`: the HTTP server (see docs/server.md) with the stream
// processor and the recommender inside (workshop/workshop_server.h).
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "pantry/cli/command.h"
#include "pantry/cli/sql_flags.h"
#include "pantry/common/logging.h"
#include "pantry/server/termination_signal.h"
#include "pantry/workshop/kda_outputs.h"
#include "pantry/workshop/workshop_server.h"

namespace pantry::cli {
namespace {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  int threads = 16;
  std::string token;
  size_t max_body_bytes = 8 << 20;
  int keep_alive_seconds = 5;
  bool no_access_log = false;
  int shards = 4;
  int io_threads = 0;
  int compute_threads = -1;  // one per core
  bool metrics_public = false;
  bool open_stream_groups = false;
  bool sync_writes = false;
  std::string aws_access_key_id;
  std::vector<std::string> endpoint_aliases;
  SqlAppFlags sql;
  std::vector<std::string> lambda_outputs;  // ARN_OR_FUNCTION_NAME=FEATURE_GROUP
  int64_t max_backlog_events = static_cast<int64_t>(workshop::kDefaultMaxBacklogEvents);
  double max_backlog_seconds = workshop::kDefaultMaxBacklogMicros / 1e6;
  bool live_online_only = false;
  double stream_retention_hours = workshop::kDefaultStreamRetentionMicros / 3.6e9;
  int64_t stream_retention_mb_per_shard = 0;
  size_t max_window_keys = stream::kDefaultMaxWindowKeys;
  int64_t online_cache_mb = featurestore::StoreCacheOptions{}.online_block_cache_bytes >> 20;
  int64_t online_memtable_mb = featurestore::StoreCacheOptions{}.online_write_buffer_bytes >> 20;
  int64_t online_record_cache_mb =
      featurestore::StoreCacheOptions{}.online_record_cache_bytes >> 20;
  int64_t offline_cache_mb = featurestore::StoreCacheOptions{}.offline_cache_bytes >> 20;
  int64_t candidate_cache_mb = recommend::kDefaultCandidateCacheBytes >> 20;
};

// Flag first, then the environment (so that secrets need not be on the
// command line, where `ps` shows them).
std::string FlagOrEnv(const std::string& flag, const char* env) {
  if (!flag.empty()) return flag;
  const char* value = std::getenv(env);
  return value == nullptr ? std::string() : std::string(value);
}

Status RunServe(const GlobalOptions& globals, const ServeOptions& flags) {
  // Before any thread starts, so that every thread inherits the mask and the
  // signal is taken only by WaitForTerminationSignal below.
  server::BlockTerminationSignals();
  workshop::WorkshopServerOptions options;
  ASSIGN_OR_RETURN(options.home, globals.RequireHome());
  options.clock = globals.clock();
  globals.ApplyStoreBackends(&options.store_backends);
  options.store_backends.caches = {.online_block_cache_bytes = flags.online_cache_mb << 20,
                                   .online_write_buffer_bytes = flags.online_memtable_mb << 20,
                                   .online_record_cache_bytes = flags.online_record_cache_mb << 20,
                                   .offline_cache_bytes = flags.offline_cache_mb << 20};
  options.event_log_url = globals.event_log_url();
  options.server.http.host = flags.host;
  options.server.http.port = flags.port;
  options.server.http.threads = flags.threads;
  options.server.http.max_body_bytes = flags.max_body_bytes;
  options.server.http.keep_alive_timeout_seconds = flags.keep_alive_seconds;
  options.server.access_log = !flags.no_access_log;
  options.server.http.io_threads = flags.io_threads;
  options.server.http.compute_threads = flags.compute_threads;
  options.server.token = FlagOrEnv(flags.token, "PANTRY_TOKEN");
  options.server.metrics_public = flags.metrics_public;
  options.server.aws.access_key_id = FlagOrEnv(flags.aws_access_key_id, "PANTRY_AWS_ACCESS_KEY_ID");
  options.server.aws.secret_access_key = FlagOrEnv("", "PANTRY_AWS_SECRET_ACCESS_KEY");
  if (options.server.aws.access_key_id.empty() != options.server.aws.secret_access_key.empty()) {
    return InvalidArgumentError(
        "AWS credentials need both --aws-access-key-id (or $PANTRY_AWS_ACCESS_KEY_ID) and "
        "$PANTRY_AWS_SECRET_ACCESS_KEY");
  }
  options.server.clock = globals.clock();
  options.click_stream_shards = flags.shards;
  for (const std::string& alias : flags.endpoint_aliases) {
    RETURN_IF_ERROR(server::AddEndpointAlias(alias, &options.endpoints));
  }
  options.stream_backlog.max_events = static_cast<uint64_t>(flags.max_backlog_events);
  options.stream_backlog.max_micros = static_cast<int64_t>(flags.max_backlog_seconds * 1e6);
  options.live_online_only = flags.live_online_only;
  options.stream_retention_micros = static_cast<int64_t>(flags.stream_retention_hours * 3.6e9);
  options.stream_retention_bytes_per_shard = flags.stream_retention_mb_per_shard << 20;
  options.max_window_keys = flags.max_window_keys;
  options.candidate_cache_bytes = static_cast<size_t>(flags.candidate_cache_mb) << 20;
  options.open_stream_groups = flags.open_stream_groups;
  options.sync_writes = flags.sync_writes;
  if (!flags.sql.app.empty()) {
    ASSIGN_OR_RETURN(auto pumps, CompileSqlApp(flags.sql));
    for (stream::kda::CompiledPump& p : pumps) options.extra_specs.push_back(std::move(p.spec));
  }

  for (const std::string& arg : flags.lambda_outputs) {
    RETURN_IF_ERROR(workshop::AddKdaOutputMapping(arg, &options.kda_outputs));
  }

  ASSIGN_OR_RETURN(auto server, workshop::WorkshopServer::Start(options));
  std::cout << "pantry: serving on http://" << flags.host << ":" << server->port()
            << (options.server.token.empty() && !options.server.aws.configured()
                    ? ""
                    : " (routes other than /healthz and /readyz need credentials)")
            << "\npantry: web UI: http://" << flags.host << ":" << server->port()
            << "/ (storefront) and /console (docs/ui.md)" << std::endl;
  int signal = server::WaitForTerminationSignal();
  PANTRY_LOG_INFO("signal {} received: draining requests", signal);
  RETURN_IF_ERROR(server->Stop());
  PANTRY_LOG_INFO("server stopped");
  std::cout << "pantry: stopped" << std::endl;
  return Status::Ok();
}

void Setup(CLI::App& app, const GlobalOptions& globals) {
  CLI::App* serve = app.add_subcommand("serve", "Run the HTTP server (see docs/server.md)");
  auto* flags = NewCommandFlags<ServeOptions>();
  serve->add_option("--host", flags->host, "Address to bind (default 127.0.0.1, local only)");
  serve->add_option("--port", flags->port, "Port (0: any free port, printed at start)")
      ->check(CLI::Range(0, 65535));
  serve
      ->add_option("--threads", flags->threads,
                   "Handler threads: requests handled at once (default 16)")
      ->check(CLI::Range(1, 4096));
  serve->add_option("--token", flags->token,
                    "Bearer token required on every route but /healthz and /readyz (default: "
                    "$PANTRY_TOKEN; none)");
  serve
      ->add_option("--max-body-bytes", flags->max_body_bytes,
                   "Largest request body accepted; larger ones get 413 (default 8 MiB)")
      ->check(CLI::Range(static_cast<size_t>(1), static_cast<size_t>(1) << 30));
  serve
      ->add_option("--keep-alive-seconds", flags->keep_alive_seconds,
                   "Idle keep-alive connections are closed after this (default 5)")
      ->check(CLI::Range(1, 3600));
  serve->add_option("--shards", flags->shards, "Shards of the click_stream log when created")
      ->check(CLI::Range(1, 1024));
  serve->add_option("--sql", flags->sql.app,
                    "Also run a KDA SQL application's pumps over click_stream (docs/kda-sql.md)");
  AddSqlAppFlags(serve, &flags->sql);
  serve->add_option("--lambda-output", flags->lambda_outputs,
                    "ARN_OR_FUNCTION_NAME=FEATURE_GROUP: deliver the rows a Kinesis Analytics "
                    "application sends to that Lambda (or stream) output to a feature group "
                    "(repeatable; docs/aws-compatibility.md)");
  serve
      ->add_option("--io-threads", flags->io_threads,
                   "Event-loop threads (default 0: one per core)")
      ->check(CLI::Range(0, 256));
  serve
      ->add_option(
          "--compute-threads", flags->compute_threads,
          "Workers for CPU-bound requests (recommendations) (default: one per core; 0: run "
          "them on the event loops, see docs/server.md)")
      ->check(CLI::Range(0, 256));
  serve->add_flag("--metrics-public", flags->metrics_public,
                  "Serve /metrics without credentials when a token or AWS credentials are set");
  serve->add_option("--aws-access-key-id", flags->aws_access_key_id,
                    "Verify SigV4 signatures made with this key id and "
                    "$PANTRY_AWS_SECRET_ACCESS_KEY (default: $PANTRY_AWS_ACCESS_KEY_ID)");
  serve->add_option("--endpoint-alias", flags->endpoint_aliases,
                    "NAME=pantry-cf or NAME=pantry-rank: also answer SageMaker Runtime "
                    "InvokeEndpoint for endpoint NAME (repeatable; docs/aws-compatibility.md)");
  serve->add_flag("--no-access-log", flags->no_access_log, "Do not log every request");
  serve
      ->add_option("--max-backlog-events", flags->max_backlog_events,
                   "Refuse events (Kinesis ProvisionedThroughputExceededException, /v1/events "
                   "503) while a window spec has more unprocessed events than this (0: no bound)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  serve
      ->add_option("--max-backlog-seconds", flags->max_backlog_seconds,
                   "Likewise while a spec is this many seconds behind a shard (0: no bound)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  serve
      ->add_option("--stream-retention-hours", flags->stream_retention_hours,
                   "Keep event-log records at least this long, then delete them by whole "
                   "segments (DescribeStream's RetentionPeriodHours)")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 8760.0 * 10));
  serve
      ->add_option("--stream-retention-mb-per-shard", flags->stream_retention_mb_per_shard,
                   "Also delete a shard's oldest segments past this many MiB (0: no size bound)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 30));
  serve
      ->add_option("--max-window-keys", flags->max_window_keys,
                   "Per window spec, keys with open window state kept; past it the least "
                   "recently active key is evicted (its stagger window emitted early; 0: no cap)")
      ->capture_default_str();
  serve
      ->add_option("--online-cache-mb", flags->online_cache_mb,
                   "RocksDB online store: block cache in MiB (docs/reliability.md, Soak)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  serve
      ->add_option("--online-memtable-mb", flags->online_memtable_mb,
                   "RocksDB online store: one memtable in MiB (up to two are held: active and "
                   "flushing)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 14));
  serve
      ->add_option("--online-record-cache-mb", flags->online_record_cache_mb,
                   "RocksDB online store: cache of recently read records in MiB, in front of "
                   "the block cache (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 20));
  serve
      ->add_option("--candidate-cache-mb", flags->candidate_cache_mb,
                   "Recommendations: cache of retrieval results per shopper query, in MiB, "
                   "emptied when new models are served (0: none; docs/recommend.md)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 20));
  serve
      ->add_option("--offline-cache-mb", flags->offline_cache_mb,
                   "SQLite offline store: page cache in MiB")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  serve->add_flag("--live-online-only", flags->live_online_only,
                  "Create click_stream_live without an offline store (latest row per customer "
                  "online only); a home that has the group keeps it as it is");
  serve->add_flag("--open-stream-groups", flags->open_stream_groups,
                  "Accept PutRecord/DeleteRecord on the groups the stream processors write "
                  "(refused with 403 by default)");
  serve->add_flag("--sync-writes", flags->sync_writes,
                  "fsync every feature-store write before acknowledging it (survives power "
                  "loss; default: survives a crash of the process)");
  SetAction(serve, [&globals, flags] { return RunServe(globals, *flags); });
}

}  // namespace

PANTRY_REGISTER_COMMANDS(serve, Setup);

}  // namespace pantry::cli
