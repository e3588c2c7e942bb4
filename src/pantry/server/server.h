// PantryServer: everything `pantry serve` serves, assembled on one
// HttpService behind one HttpServer: operations routes, the Kinesis
// producer API and POST /v1/events (when an EventIngest is given), the
// SageMaker Feature Store Runtime API (when a FeatureStore is given), and any
// extra routes a caller registers (the feature store runtime API, the
// recommendations route).
//
//   ServerComponents components;
//   components.events = &event_log_adapter;
//   components.extra_routes.push_back([&](HttpService* s) { return RegisterX(s, ...); });
//   ASSIGN_OR_RETURN(auto server, PantryServer::Start(options, std::move(components)));
//   ... server->port() ...
//   server->Shutdown();  // drains in-flight requests
#ifndef PANTRY_SERVER_SERVER_H_
#define PANTRY_SERVER_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/common/metrics.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/server/event_ingest.h"
#include "pantry/server/events_api.h"
#include "pantry/server/featurestore_api.h"
#include "pantry/server/http_server.h"
#include "pantry/server/http_service.h"
#include "pantry/server/kinesis_api.h"
#include "pantry/server/ops_api.h"
#include "pantry/server/sagemaker_api.h"

namespace pantry::server {

struct ServerOptions {
  HttpServerOptions http;
  // Authentication (auth.h): with a token or AWS credentials every route but
  // /healthz and /readyz needs credentials; with neither, all are open.
  std::string token;
  AwsCredentials aws;                  // configured: SigV4 signatures are verified
  bool metrics_public = false;         // /metrics without credentials
  const Clock* clock = Clock::Real();  // the SigV4 clock-skew window; not owned
  bool access_log = true;
  // Where access-log lines go; null: the log (stderr).
  std::function<void(std::string_view line)> access_log_writer;
  KinesisApiOptions kinesis;
  SageMakerApiOptions sagemaker;  // region and account of feature group ARNs
  EventsApiOptions events;
  FeatureStoreApiOptions feature_store;
  MetricsRegistry* metrics = &MetricsRegistry::Default();
};

struct ServerComponents {
  // Backs the Kinesis API and POST /v1/events; null leaves them out. Not
  // owned; must outlive the server.
  EventIngest* events = nullptr;
  // Backs the SageMaker Feature Store Runtime API, the SageMaker control
  // plane's feature group operations and /v1/feature-groups; null leaves
  // them out. Not owned; must outlive the server.
  featurestore::FeatureStore* features = nullptr;
  // Readiness checks for /readyz (e.g. "online_store", "models").
  std::vector<std::pair<std::string, ReadinessChecks::Check>> readiness;
  // Further routes, registered after the built-in ones.
  std::vector<std::function<Status(HttpService*)>> extra_routes;
};

class PantryServer {
 public:
  // Registers every route and starts listening. InvalidArgument for bad
  // options, Unavailable when the address cannot be bound.
  static StatusOr<std::unique_ptr<PantryServer>> Start(const ServerOptions& options,
                                                       ServerComponents components);
  ~PantryServer();

  int port() const { return http_->port(); }
  const HttpService& service() const { return *service_; }

  // Stops accepting and drains in-flight requests; idempotent.
  void Shutdown();

 private:
  PantryServer() = default;

  ReadinessChecks readiness_;
  std::unique_ptr<HttpService> service_;
  std::unique_ptr<HttpServer> http_;
};

}  // namespace pantry::server

#endif  // PANTRY_SERVER_SERVER_H_
