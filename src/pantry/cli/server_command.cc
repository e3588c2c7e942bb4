// `pantry serve`: the HTTP server (see docs/server.md).
#include <cstdlib>
#include <iostream>

#include "pantry/cli/command.h"
#include "pantry/common/logging.h"
#include "pantry/common/metrics.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/recommend/recommender.h"
#include "pantry/server/event_log_ingest.h"
#include "pantry/server/recommendations_api.h"
#include "pantry/server/server.h"
#include "pantry/server/termination_signal.h"
#include "pantry/stream/feature_store_sink.h"
#include "pantry/stream/stream_service.h"
#include "pantry/stream/window_spec.h"
#include "pantry/stream/workshop_streams.h"

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
};

// Exposes the stream processors' counters on /metrics, read at scrape time.
void AddStreamMetrics(stream::StreamService* service, const void* owner) {
  MetricsRegistry& metrics = MetricsRegistry::Default();
  for (const auto& [name, unused] : service->stats()) {
    auto stat = [service, spec = name](uint64_t stream::ProcessorStats::*field) {
      return [service, spec, field] {
        for (const auto& [n, s] : service->stats()) {
          if (n == spec) return static_cast<double>(s.*field);
        }
        return 0.0;
      };
    };
    MetricLabels labels = {{"spec", name}};
    metrics.AddGaugeCallback("pantry_stream_records_consumed", "Log records the processor read.",
                             labels, stat(&stream::ProcessorStats::records), owner);
    metrics.AddGaugeCallback("pantry_stream_events_accepted", "Events the processor aggregated.",
                             labels, stat(&stream::ProcessorStats::accepted), owner);
    metrics.AddGaugeCallback(
        "pantry_stream_events_rejected", "Events the processor rejected (bad JSON, fields).",
        labels,
        [service, spec = name] {
          for (const auto& [n, s] : service->stats()) {
            if (n == spec) return static_cast<double>(s.rejected_total());
          }
          return 0.0;
        },
        owner);
    metrics.AddGaugeCallback("pantry_stream_window_emissions", "Window rows emitted.", labels,
                             stat(&stream::ProcessorStats::rows_emitted), owner);
    metrics.AddGaugeCallback("pantry_stream_rows_delivered", "Window rows written to the sink.",
                             labels, stat(&stream::ProcessorStats::rows_delivered), owner);
  }
}

// The recommendations route and its "models" readiness check.
[[gnu::noinline]] void AddRecommendations(server::ServerComponents* components,
                                          recommend::Recommender* r) {
  components->readiness.emplace_back("models", [r] { return r->Ready(); });
  components->extra_routes.push_back(
      [r](server::HttpService* s) { return server::RegisterRecommendationsApi(s, r); });
}

Status RunServe(const GlobalOptions& globals, const ServeOptions& flags) {
  // Before any thread starts, so that every thread inherits the mask and the
  // signal is taken only by WaitForTerminationSignal below.
  server::BlockTerminationSignals();
  ASSIGN_OR_RETURN(std::filesystem::path home, globals.RequireHome());

  server::ServerOptions options;
  options.http.host = flags.host;
  options.http.port = flags.port;
  options.http.threads = flags.threads;
  options.http.max_body_bytes = flags.max_body_bytes;
  options.http.keep_alive_timeout_seconds = flags.keep_alive_seconds;
  options.access_log = !flags.no_access_log;
  options.token = flags.token;
  if (options.token.empty()) {
    if (const char* env = std::getenv("PANTRY_TOKEN")) options.token = env;
  }

  featurestore::FeatureStoreOptions store_options;
  store_options.home = home;
  store_options.clock = globals.clock();
  ASSIGN_OR_RETURN(std::unique_ptr<featurestore::FeatureStore> store,
                   featurestore::FeatureStore::Open(store_options));

  // The click-stream processor runs inside the server (the embedded
  // default): the workshop's stagger and sliding windows over click_stream.
  // The workshop's stagger and sliding specs, writing exactly once into the
  // click_stream and click_stream_live feature groups (docs/stream.md).
  ASSIGN_OR_RETURN(stream::StreamServiceOptions stream_options,
                   stream::WorkshopStreamOptions(home, store.get(), globals.clock()));
  stream_options.log_options.shards = flags.shards;
  ASSIGN_OR_RETURN(std::unique_ptr<stream::StreamService> streams,
                   stream::StreamService::Create(std::move(stream_options)));
  std::map<std::string, stream::EventLog*> logs;
  for (const char* source : {"click_stream"}) {
    if (stream::EventLog* log = streams->log(source)) logs[source] = log;
  }
  stream::StreamService* streams_ptr = streams.get();
  server::EventLogIngest ingest(logs, globals.clock(), [streams_ptr] { streams_ptr->Notify(); });
  RETURN_IF_ERROR(streams->Start());
  AddStreamMetrics(streams_ptr, &ingest);

  // Recommendations: models from <home>/models, re-checked every 2 s.
  recommend::RecommenderOptions recommender_options;
  recommender_options.home = home;
  recommender_options.store = store.get();
  recommender_options.clock = globals.clock();
  ASSIGN_OR_RETURN(auto recommender, recommend::Recommender::Open(recommender_options));
  auto model_watcher = std::make_unique<recommend::ModelWatcher>(recommender.get(), 2'000'000);

  server::ServerComponents components;
  components.features = store.get();
  components.events = &ingest;
  components.readiness.emplace_back("feature_store", [] { return Status::Ok(); });
  components.readiness.emplace_back(std::string("event_log"), [&logs] {
    return logs.empty() ? UnavailableError("no event log open") : Status::Ok();
  });
  AddRecommendations(&components, recommender.get());
  components.readiness.emplace_back("home", [home] {
    std::error_code ec;
    return std::filesystem::is_directory(home, ec)
               ? Status::Ok()
               : UnavailableError("home directory " + home.string() + " is gone");
  });

  ASSIGN_OR_RETURN(auto server, server::PantryServer::Start(options, std::move(components)));
  std::cout << "pantry: serving on http://" << flags.host << ":" << server->port()
            << (options.token.empty() ? "" : " (write routes need the token)") << std::endl;
  int signal = server::WaitForTerminationSignal();
  PANTRY_LOG_INFO("signal {} received: draining requests", signal);
  server->Shutdown();
  server.reset();
  MetricsRegistry::Default().RemoveCallbacks(&ingest);
  // After the last request: the processor consumes what was appended,
  // checkpoints, and only then are the stores closed.
  Status stopped = streams->Stop();
  streams.reset();
  model_watcher.reset();
  store.reset();
  RETURN_IF_ERROR(stopped);
  PANTRY_LOG_INFO("server stopped");
  std::cout << "pantry: stopped" << std::endl;
  return Status::Ok();
}

void Setup(CLI::App& app, const GlobalOptions& globals) {
  CLI::App* serve = app.add_subcommand("serve", "Run the HTTP server (see docs/server.md)");
  auto* flags = new ServeOptions();
  serve->add_option("--host", flags->host, "Address to bind (default 127.0.0.1, local only)");
  serve->add_option("--port", flags->port, "Port (0: any free port, printed at start)")
      ->check(CLI::Range(0, 65535));
  serve
      ->add_option("--threads", flags->threads,
                   "Worker threads = connections served at once (default 16)")
      ->check(CLI::Range(1, 4096));
  serve->add_option("--token", flags->token,
                    "Bearer token required on write routes (default: $PANTRY_TOKEN; none)");
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
  serve->add_flag("--no-access-log", flags->no_access_log, "Do not log every request");
  SetAction(serve, [&globals, flags] { return RunServe(globals, *flags); });
}

}  // namespace

PANTRY_REGISTER_COMMANDS(serve, Setup);

}  // namespace pantry::cli
