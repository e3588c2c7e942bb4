#include "pantry/workshop/workshop_server.h"

#include <map>
#include <string>
#include <vector>

#include "pantry/common/metrics.h"
#include "pantry/server/event_log_ingest.h"
#include "pantry/server/recommendations_api.h"
#include "pantry/stream/stream_service.h"
#include "pantry/workshop/feature_groups.h"
#include "pantry/workshop/streams.h"
#include "pantry/workshop/training.h"

namespace pantry::workshop {
namespace {

namespace fs = std::filesystem;

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
    metrics.AddGaugeCallback("pantry_stream_poll_errors",
                             "Failed processor polls (the sink unavailable, ...), retried.", labels,
                             field(&stream::ProcessorStats::poll_errors), owner);
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
  std::unique_ptr<stream::StreamService> streams_;
  std::vector<std::string> processor_groups_;  // the specs' sink groups
  std::map<std::string, stream::EventLog*> logs_;
  std::unique_ptr<server::EventLogIngest> ingest_;
  bool metrics_added_ = false;
  std::unique_ptr<recommend::Recommender> recommender_;
  std::unique_ptr<recommend::ModelWatcher> watcher_;
  std::unique_ptr<server::PantryServer> http_;
};

Status WorkshopServerImpl::Init() {
  ASSIGN_OR_RETURN(store_,
                   OpenHomeStore(options_.home, clock_, /*read_only=*/false, options_.sync_writes));
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
  RETURN_IF_ERROR(EnsureWorkshopGroups(*store_, stream_groups));
  ASSIGN_OR_RETURN(stream::StreamServiceOptions stream_options,
                   WorkshopStreamOptions(options_.home, store_.get(), clock_));
  stream_options.log_options.shards = options_.click_stream_shards;
  stream_options.poll_interval_ms = options_.stream_poll_interval_ms;
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
  ingest_ =
      std::make_unique<server::EventLogIngest>(logs_, clock_, [streams] { streams->Notify(); });
  RETURN_IF_ERROR(streams_->Start());
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
  ASSIGN_OR_RETURN(recommender_, recommend::Recommender::Open(options));
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
  components.readiness.emplace_back("streams", [streams = streams_.get()] {
    return streams == nullptr ? UnavailableError("stream service not started") : streams->Health();
  });
  components.readiness.emplace_back("event_log", [logs = &logs_] {
    return logs->empty() ? UnavailableError("no event log open") : Status::Ok();
  });
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
  if (streams_ != nullptr) {
    stopped = streams_->Stop();
    ingest_.reset();
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
