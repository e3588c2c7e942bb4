#include "pantry/workshop/workshop_server.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "pantry/common/metrics.h"
#include "pantry/server/kinesis_admin_api.h"
#include "pantry/server/kinesis_analytics_api.h"
#include "pantry/server/recommendations_api.h"
#include "pantry/server/sagemaker_runtime_api.h"
#include "pantry/server/stream_registry_ingest.h"
#include "pantry/stream/kda_applications.h"
#include "pantry/stream/stream_registry.h"
#include "pantry/stream/stream_service.h"
#include "pantry/webui/webui.h"
#include "pantry/workshop/demo.h"
#include "pantry/workshop/feature_groups.h"
#include "pantry/workshop/kda_outputs.h"
#include "pantry/workshop/postgres_model_registry.h"
#include "pantry/workshop/streams.h"
#include "pantry/workshop/training.h"

namespace pantry::workshop {
namespace {

namespace fs = std::filesystem;

// The recommender's candidate cache on /metrics, read at scrape time;
// removed with RemoveCallbacks(owner) before the recommender goes away.
void AddCandidateCacheMetrics(MetricsRegistry& metrics, const recommend::Recommender* recommender,
                              const void* owner) {
  auto read = [recommender](auto value_of) {
    return [recommender, value_of] {
      return static_cast<double>(value_of(recommender->candidate_cache_stats()));
    };
  };
  using Stats = recommend::CandidateCacheStats;
  metrics.AddGaugeCallback("pantry_candidate_cache_hits_total",
                           "Recommendations whose candidates came from the candidate cache.", {},
                           read([](const Stats& s) { return s.hits; }), owner);
  metrics.AddGaugeCallback("pantry_candidate_cache_misses_total",
                           "Recommendations that ran retrieval (cache on, query not cached).", {},
                           read([](const Stats& s) { return s.misses; }), owner);
  metrics.AddGaugeCallback("pantry_candidate_cache_entries",
                           "Queries the served models' candidate cache holds.", {},
                           read([](const Stats& s) { return s.entries; }), owner);
  metrics.AddGaugeCallback("pantry_candidate_cache_bytes",
                           "Bytes the served models' candidate cache holds.", {},
                           read([](const Stats& s) { return s.bytes; }), owner);
}

// The processors' counters on /metrics, read at scrape time; removed with
// RemoveCallbacks(owner) before the service goes away.
void AddStreamMetrics(MetricsRegistry& metrics, stream::StreamService* service, const void* owner) {
  for (const auto& [name, unused] : service->stats()) {
    auto read = [service, spec = name](auto value_of) {
      return [service, spec, value_of] {
        for (const auto& [n, s] : service->stats()) {
          if (n == spec) return static_cast<double>(value_of(s));
        }
        return 0.0;
      };
    };
    auto field = [&](uint64_t stream::ProcessorStats::*member) {
      return read([member](const stream::ProcessorStats& s) { return s.*member; });
    };
    MetricLabels labels = {{"spec", name}};
    metrics.AddGaugeCallback("pantry_stream_records_consumed", "Log records the processor read.",
                             labels, field(&stream::ProcessorStats::records), owner);
    metrics.AddGaugeCallback("pantry_stream_events_accepted", "Events the processor aggregated.",
                             labels, field(&stream::ProcessorStats::accepted), owner);
    metrics.AddGaugeCallback(
        "pantry_stream_events_rejected", "Events the processor rejected (bad JSON, fields).",
        labels, read([](const stream::ProcessorStats& s) { return s.rejected_total(); }), owner);
    metrics.AddGaugeCallback("pantry_stream_window_emissions", "Window rows emitted.", labels,
                             field(&stream::ProcessorStats::rows_emitted), owner);
    metrics.AddGaugeCallback("pantry_stream_rows_delivered", "Window rows written to the sink.",
                             labels, field(&stream::ProcessorStats::rows_delivered), owner);
    metrics.AddGaugeCallback("pantry_stream_dead_letters",
                             "Window rows the sink refused for good, set aside in the "
                             "dead-letter log (this run).",
                             labels, field(&stream::ProcessorStats::dead_letters), owner);
    metrics.AddGaugeCallback(
        "pantry_stream_window_evictions_total",
        "Keys evicted by the cap on live window keys (--max-window-keys; this run).", labels,
        read([](const stream::ProcessorStats& s) { return s.evictions.keys; }), owner);
    metrics.AddGaugeCallback(
        "pantry_stream_window_evicted_live_events_total",
        "Sliding-window events dropped by an eviction while still inside their window.", labels,
        read([](const stream::ProcessorStats& s) { return s.evictions.live_events_discarded; }),
        owner);
    auto micros = [&](uint64_t stream::ProcessorStats::*member) {
      return read([member](const stream::ProcessorStats& s) {
        return static_cast<double>(s.*member) / 1e6;
      });
    };
    metrics.AddGaugeCallback("pantry_stream_poll_seconds_max",
                             "The longest processor poll so far (read, process, deliver, "
                             "checkpoint capture).",
                             labels, micros(&stream::ProcessorStats::poll_micros_max), owner);
    metrics.AddGaugeCallback(
        "pantry_stream_checkpoint_capture_seconds",
        "The last checkpoint's time on the poll thread (state written to the page cache).", labels,
        micros(&stream::ProcessorStats::checkpoint_capture_micros_last), owner);
    metrics.AddGaugeCallback("pantry_stream_checkpoint_sync_seconds",
                             "The last checkpoint's fsync and rename (beside the polls).", labels,
                             micros(&stream::ProcessorStats::checkpoint_sync_micros_last), owner);
    metrics.AddGaugeCallback("pantry_stream_poll_errors",
                             "Failed processor polls (the sink unavailable, ...), retried.", labels,
                             field(&stream::ProcessorStats::poll_errors), owner);
  }
  // Lag per spec and shard (read at scrape time; never waits for a poll).
  for (const stream::SpecShardLag& l : service->Lag()) {
    auto lag = [service, spec = l.spec, shard = l.shard](bool seconds) {
      return [service, spec, shard, seconds] {
        for (const stream::SpecShardLag& x : service->Lag()) {
          if (x.spec == spec && x.shard == shard) {
            return seconds ? static_cast<double>(x.lag.micros) / 1e6
                           : static_cast<double>(x.lag.events);
          }
        }
        return 0.0;
      };
    };
    MetricLabels labels = {{"spec", l.spec}, {"shard", std::to_string(l.shard)}};
    metrics.AddGaugeCallback("pantry_stream_lag_events",
                             "Records appended to the shard that the spec has not processed yet.",
                             labels, lag(false), owner);
    metrics.AddGaugeCallback("pantry_stream_lag_seconds",
                             "How long ago the spec had processed everything in the shard (0 "
                             "when nothing waits).",
                             labels, lag(true), owner);
  }
}

class WorkshopServerImpl final : public WorkshopServer {
 public:
  explicit WorkshopServerImpl(const WorkshopServerOptions& options)
      : options_(options), clock_(options.clock ? options.clock : Clock::Real()) {}
  ~WorkshopServerImpl() override { Stop().IgnoreError(); }

  Status Init();

  int port() const override { return http_->port(); }
  featurestore::FeatureStore& store() override { return *store_; }
  recommend::Recommender& recommender() override { return *recommender_; }
  Status Stop() override;

 private:
  Status StartStreams();
  Status OpenRecommender();
  server::ServerComponents Components();

  const WorkshopServerOptions options_;
  Clock* const clock_;
  // Declared in start order; Stop() tears down in the documented order.
  std::unique_ptr<featurestore::FeatureStore> store_;
  // The shared model registry (PostgreSQL backends), or null; outlives the
  // recommender that pulls from it.
  std::unique_ptr<models::ModelRegistry> model_registry_;
  std::unique_ptr<stream::StreamService> streams_;
  std::vector<std::string> processor_groups_;  // the specs' sink groups
  std::map<std::string, stream::EventLog*> logs_;
  // Every stream of the home (click_stream borrowed from streams_, the
  // others created over the Kinesis API) and the KDA applications over them.
  std::unique_ptr<stream::StreamRegistry> registry_;
  std::unique_ptr<server::StreamRegistryIngest> ingest_;
  std::unique_ptr<stream::kda::KdaApplications> apps_;
  bool metrics_added_ = false;
  std::unique_ptr<recommend::Recommender> recommender_;
  std::unique_ptr<recommend::ModelWatcher> watcher_;
  std::unique_ptr<server::PantryServer> http_;
};

Status WorkshopServerImpl::Init() {
  ASSIGN_OR_RETURN(store_, OpenHomeStore(options_.home, clock_, /*read_only=*/false,
                                         options_.sync_writes, &options_.store_backends));
  RETURN_IF_ERROR(StartStreams());
  RETURN_IF_ERROR(OpenRecommender());
  server::ServerOptions server_options = options_.server;
  if (!options_.open_stream_groups) {
    server_options.feature_store.processor_groups.insert(processor_groups_.begin(),
                                                         processor_groups_.end());
  }
  ASSIGN_OR_RETURN(http_, server::PantryServer::Start(server_options, Components()));
  return Status::Ok();
}

Status WorkshopServerImpl::StartStreams() {
  // The groups the specs write, as declared (the sink would otherwise
  // create them from the spec alone).
  const std::string stream_groups[] = {"click_stream", "click_stream_live"};
  if (options_.live_online_only && !store_->DescribeFeatureGroup("click_stream_live").ok()) {
    ASSIGN_OR_RETURN(const WorkshopGroup* live, FindWorkshopGroup("click_stream_live"));
    featurestore::FeatureGroupDefinition def = live->definition;
    def.offline_enabled = false;
    Status created = store_->CreateFeatureGroup(def);
    if (!created.ok() && created.code() != StatusCode::kAlreadyExists) return created;
  }
  RETURN_IF_ERROR(EnsureWorkshopGroups(*store_, stream_groups));
  ASSIGN_OR_RETURN(stream::StreamServiceOptions stream_options,
                   WorkshopStreamOptions(options_.home, store_.get(), clock_));
  stream_options.log_options.shards = options_.click_stream_shards;
  stream_options.log_options.redis_url = options_.event_log_url;
  stream_options.log_options.redis_password = options_.store_backends.online_password;
  stream_options.log_options.retention_micros = options_.stream_retention_micros;
  stream_options.log_options.retention_bytes = options_.stream_retention_bytes_per_shard;
  if (options_.stream_retention_bytes_per_shard > 0) {
    // Retention deletes whole segments and never the one being written, so
    // a shard holds up to retention + one segment: segments of a quarter of
    // the bound keep the disk within 1.25x of it (64 MiB segments would
    // overshoot a small bound many times over).
    stream_options.log_options.segment_bytes =
        std::clamp<int64_t>(options_.stream_retention_bytes_per_shard / 4, int64_t{1} << 20,
                            stream_options.log_options.segment_bytes);
  }
  stream_options.poll_interval_ms = options_.stream_poll_interval_ms;
  stream_options.backlog_limits = options_.stream_backlog;
  stream_options.max_window_keys = options_.max_window_keys;
  for (const stream::WindowSpec& spec : options_.extra_specs) {
    stream_options.specs.push_back(spec);
  }
  for (const stream::WindowSpec& spec : stream_options.specs) {
    if (!spec.sink_feature_group.empty()) processor_groups_.push_back(spec.sink_feature_group);
  }
  ASSIGN_OR_RETURN(streams_, stream::StreamService::Create(std::move(stream_options)));
  if (stream::EventLog* log = streams_->log(std::string(kClickStream))) {
    logs_[std::string(kClickStream)] = log;
  }
  stream::StreamService* streams = streams_.get();
  // The service's own logs (click_stream, and the sources of --sql specs)
  // are lent to the registry, so no directory is opened twice.
  std::map<std::string, stream::EventLog*> service_logs = logs_;
  for (const stream::WindowSpec& spec : options_.extra_specs) {
    if (stream::EventLog* log = streams_->log(spec.source)) service_logs[spec.source] = log;
  }
  stream::EventLogOptions log_options;
  log_options.clock = clock_;
  log_options.retention_micros = options_.stream_retention_micros;
  log_options.retention_bytes = options_.stream_retention_bytes_per_shard;
  // With a shared event log, streams created over the Kinesis API are shared
  // too (stream_catalog.h).
  log_options.redis_url = options_.event_log_url;
  log_options.redis_password = options_.store_backends.online_password;
  ASSIGN_OR_RETURN(registry_,
                   stream::StreamRegistry::Open(options_.home, log_options, service_logs));
  // Whole hours that every record is kept at least (DescribeStream).
  const int retention_hours = static_cast<int>(options_.stream_retention_micros / 3'600'000'000LL);
  ingest_ = std::make_unique<server::StreamRegistryIngest>(
      registry_.get(), [streams] { streams->Notify(); }, retention_hours);
  ingest_->set_admission([streams](std::string_view stream, size_t n, std::string* why) {
    return streams->Admit(stream, n, why);
  });
  RETURN_IF_ERROR(streams_->Start());
  stream::kda::KdaApplicationsOptions apps;
  apps.home = options_.home;
  apps.service = streams;
  apps.streams = registry_.get();
  apps.store = store_.get();
  apps.clock = clock_;
  apps.output_group = [mapping = options_.kda_outputs](const std::string& kind,
                                                       const std::string& arn) {
    return KdaOutputGroup(mapping, kind, arn);
  };
  ASSIGN_OR_RETURN(apps_, stream::kda::KdaApplications::Open(std::move(apps)));
  if (options_.server.metrics != nullptr) {
    AddStreamMetrics(*options_.server.metrics, streams, this);
    metrics_added_ = true;
  }
  return Status::Ok();
}

Status WorkshopServerImpl::OpenRecommender() {
  recommend::RecommenderOptions options;
  options.home = options_.home;
  options.store = store_.get();
  options.clock = clock_;
  ASSIGN_OR_RETURN(model_registry_, OpenSharedModelRegistry(options_.store_backends));
  options.registry = model_registry_.get();
  options.candidate_cache_bytes = options_.candidate_cache_bytes;
  ASSIGN_OR_RETURN(recommender_, recommend::Recommender::Open(options));
  if (options_.server.metrics != nullptr) {
    AddCandidateCacheMetrics(*options_.server.metrics, recommender_.get(), this);
    metrics_added_ = true;
  }
  watcher_ = std::make_unique<recommend::ModelWatcher>(recommender_.get(),
                                                       options_.model_check_interval_micros);
  return Status::Ok();
}

server::ServerComponents WorkshopServerImpl::Components() {
  server::ServerComponents components;
  components.features = store_.get();
  components.events = ingest_.get();
  featurestore::FeatureStore* store = store_.get();
  components.readiness.emplace_back("feature_store", [store] { return store->Health(); });
  components.readiness.emplace_back("backends", [store] { return store->BackendHealth(); });
  components.readiness.emplace_back("streams", [streams = streams_.get()] {
    return streams == nullptr ? UnavailableError("stream service not started") : streams->Health();
  });
  components.readiness.emplace_back("event_log", [logs = &logs_] {
    return logs->empty() ? UnavailableError("no event log open") : Status::Ok();
  });
  stream::StreamService* streams = streams_.get();
  components.readiness.emplace_back("stream_backlog",
                                    [streams] { return streams->BacklogHealth(); });
  recommend::Recommender* recommender = recommender_.get();
  components.readiness.emplace_back("models", [recommender] { return recommender->Ready(); });
  components.readiness.emplace_back("home", [home = options_.home] {
    std::error_code ec;
    return fs::is_directory(home, ec)
               ? Status::Ok()
               : UnavailableError("home directory " + home.string() + " is gone");
  });
  components.extra_routes.push_back([recommender](server::HttpService* s) {
    return server::RegisterRecommendationsApi(s, recommender);
  });
  components.extra_routes.push_back([this](server::HttpService* s) {
    RETURN_IF_ERROR(server::RegisterKinesisAdminApi(s, ingest_.get(), options_.server.kinesis));
    server::KinesisAnalyticsApiOptions kda;
    kda.region = options_.server.kinesis.region;
    kda.account_id = options_.server.kinesis.account_id;
    return server::RegisterKinesisAnalyticsApi(s, apps_.get(), kda);
  });
  components.extra_routes.push_back(
      [recommender, endpoints = options_.endpoints](server::HttpService* s) {
        return server::RegisterSageMakerRuntimeApi(s, recommender, endpoints);
      });
  components.extra_routes.push_back([this](server::HttpService* s) {
    webui::WebUiSources ui;
    ui.store = store_.get();
    ui.recommender = recommender_.get();
    ui.streams = streams_.get();
    ui.home = options_.home;
    ui.suggested_shoppers = [this](size_t n) { return MixedTopShoppers(*this, n); };
    return webui::RegisterWebUi(s, std::move(ui));
  });
  return components;
}

Status WorkshopServerImpl::Stop() {
  if (http_ != nullptr) {
    http_->Shutdown();
    http_.reset();
  }
  if (metrics_added_) {
    options_.server.metrics->RemoveCallbacks(this);
    metrics_added_ = false;
  }
  // After the last request: the processors consume what was appended,
  // deliver it and checkpoint while the store is still open.
  Status stopped;
  apps_.reset();  // takes the applications' specs out of the stream service
  if (streams_ != nullptr) {
    stopped = streams_->Stop();
    ingest_.reset();
    registry_.reset();
    logs_.clear();
    streams_.reset();
  }
  watcher_.reset();
  recommender_.reset();
  store_.reset();
  return stopped;
}

}  // namespace

StatusOr<std::unique_ptr<WorkshopServer>> WorkshopServer::Start(
    const WorkshopServerOptions& options) {
  auto server = std::make_unique<WorkshopServerImpl>(options);
  Status started = server->Init();
  if (!started.ok()) {
    server->Stop().IgnoreError();
    return started;
  }
  return std::unique_ptr<WorkshopServer>(std::move(server));
}

}  // namespace pantry::workshop
