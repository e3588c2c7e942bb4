// KdaApplications: Kinesis Data Analytics (v1, SQL) applications managed at
// runtime, as the kinesisanalytics API creates, starts, stops and deletes
// them (server/kinesis_analytics_api.h; docs/aws-compatibility.md).
//
// An application is its CreateApplication request (name, description,
// ApplicationCode, Inputs, Outputs) plus status, version and timestamps,
// kept in <home>/kda/applications.json (rewritten atomically on every
// change). The code is compiled with the KDA SQL compiler
// (kda_sql_compiler.h) when the application is created (a compile error
// refuses it) and again when it starts; the input's InputSchema gives the
// source columns and its KinesisStreamsInput ARN names the stream read.
//
// Start adds one window spec per aggregating pump to the StreamService
// (named "kda.<application>.<pump>"), reading the input stream from the
// StreamRegistry; Stop checkpoints and removes them. Applications that were
// RUNNING when the process stopped are started again by Open
// (LAST_STOPPED_POINT).
//
// Outputs: a LambdaOutput or KinesisStreamsOutput cannot be run here; each
// output's rows go to the feature group `output_group(kind, resource ARN)`
// returns, or, when it returns "", to JSON lines under
// <home>/kda/<application>/<spec>.jsonl. Rows written to a feature group are
// delivered at least once (after a crash, rows since the last checkpoint are
// written again, as KDA does for its outputs): they do not take part in the
// feature-store sink's emission-id bookkeeping, so an application may write
// a group that a built-in spec also writes.
//
// Thread-safe: every call takes one mutex.
#ifndef PANTRY_STREAM_KDA_APPLICATIONS_H_
#define PANTRY_STREAM_KDA_APPLICATIONS_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/stream/stream_registry.h"
#include "pantry/stream/stream_service.h"

namespace pantry::stream::kda {

struct KdaApplicationsOptions {
  std::filesystem::path home;
  StreamService* service = nullptr;             // not owned; required
  StreamRegistry* streams = nullptr;            // not owned; required
  featurestore::FeatureStore* store = nullptr;  // not owned; null: outputs go to JSON lines
  // kind is "LambdaOutput", "KinesisStreamsOutput" or "KinesisFirehoseOutput".
  std::function<std::string(const std::string& kind, const std::string& resource_arn)> output_group;
  Clock* clock = nullptr;  // null = Clock::Real()
};

// One application as stored.
struct KdaApplication {
  std::string name;
  std::string description;
  std::string code;
  Json inputs = Json::array();   // CreateApplication's Inputs, as given
  Json outputs = Json::array();  // CreateApplication's Outputs, as given
  std::string status = "READY";  // READY or RUNNING
  int64_t version = 1;
  int64_t created_micros = 0;
  int64_t updated_micros = 0;
  std::string starting_position;  // of the last start ("" before the first)
};

class KdaApplications {
 public:
  // Loads the registry file (absent: none) and starts the applications that
  // were running. An application that no longer starts (its stream was
  // deleted) is logged and left READY.
  static StatusOr<std::unique_ptr<KdaApplications>> Open(KdaApplicationsOptions options);
  // Removes the running applications' specs from the service (they stay
  // RUNNING in the file, so the next Open restarts them).
  ~KdaApplications();

  // AlreadyExists for a name in use; InvalidArgument for a bad name, a bad
  // Inputs/Outputs document or SQL that does not compile (message prefixed
  // "ApplicationCode: ").
  StatusOr<KdaApplication> Create(KdaApplication app);
  StatusOr<KdaApplication> Get(const std::string& name) const;
  std::vector<KdaApplication> List() const;  // by name

  // `position` NOW, TRIM_HORIZON or LAST_STOPPED_POINT. NotFound;
  // FailedPrecondition when running already; InvalidArgument when it has no
  // input or does not compile; NotFound (naming the stream) for a missing
  // input stream.
  Status Start(const std::string& name, const std::string& position);
  // NotFound; a READY application stays READY.
  Status Stop(const std::string& name);
  // Stops and forgets it. NotFound; InvalidArgument when
  // `create_timestamp_seconds` is not its creation time (to the second).
  Status Delete(const std::string& name, double create_timestamp_seconds);

 private:
  struct Running;
  explicit KdaApplications(KdaApplicationsOptions options);
  Status Load();
  Status Save() const;
  Status StartLocked(KdaApplication& app, const std::string& position);
  Status StopLocked(KdaApplication& app);

  KdaApplicationsOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, KdaApplication> apps_;
  std::map<std::string, std::unique_ptr<Running>> running_;
};

}  // namespace pantry::stream::kda

#endif  // PANTRY_STREAM_KDA_APPLICATIONS_H_
