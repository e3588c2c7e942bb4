#include "pantry/stream/kda_applications.h"

#include <cmath>

#include "pantry/common/file_util.h"
#include "pantry/common/logging.h"
#include "pantry/stream/feature_store_sink.h"
#include "pantry/stream/kda_application.h"
#include "pantry/stream/kinesis_ids.h"
#include "pantry/stream/row_sink.h"

namespace pantry::stream::kda {
namespace {

namespace fs = std::filesystem;

constexpr const char* kOutputKinds[] = {"LambdaOutput", "KinesisStreamsOutput",
                                        "KinesisFirehoseOutput"};

// Feature-group rows of an application are delivered at least once: ids are
// written as 0, so MAX(stream_emission_id) of a group that a built-in spec
// also writes stays that spec's own, and what this run delivered is kept in
// memory only.
class AtLeastOnceSink final : public RowSink {
 public:
  explicit AtLeastOnceSink(std::unique_ptr<RowSink> inner) : inner_(std::move(inner)) {}
  StatusOr<uint64_t> DeliveredUpTo() override { return delivered_; }
  Status Write(std::span<const EmittedRow> rows) override {
    std::vector<EmittedRow> copy(rows.begin(), rows.end());
    for (EmittedRow& row : copy) row.emission_id = 0;
    RETURN_IF_ERROR(inner_->Write(copy));
    if (!rows.empty()) delivered_ = rows.back().emission_id;
    return Status::Ok();
  }

 private:
  std::unique_ptr<RowSink> inner_;
  uint64_t delivered_ = 0;
};

// A pump name as a file-name part.
std::string FileSafe(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    out += ok ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : '_';
  }
  return out;
}

Json ToJson(const KdaApplication& a) {
  return {{"name", a.name},
          {"description", a.description},
          {"code", a.code},
          {"inputs", a.inputs},
          {"outputs", a.outputs},
          {"status", a.status},
          {"version", a.version},
          {"created_micros", a.created_micros},
          {"updated_micros", a.updated_micros},
          {"starting_position", a.starting_position}};
}

StatusOr<KdaApplication> FromJson(const Json& j) {
  KdaApplication a;
  ASSIGN_OR_RETURN(a.name, GetJsonString(j, "name"));
  ASSIGN_OR_RETURN(a.description, GetJsonString(j, "description"));
  ASSIGN_OR_RETURN(a.code, GetJsonString(j, "code"));
  ASSIGN_OR_RETURN(a.status, GetJsonString(j, "status"));
  ASSIGN_OR_RETURN(a.version, GetJsonInt(j, "version"));
  ASSIGN_OR_RETURN(a.created_micros, GetJsonInt(j, "created_micros"));
  ASSIGN_OR_RETURN(a.updated_micros, GetJsonInt(j, "updated_micros"));
  ASSIGN_OR_RETURN(a.starting_position, GetJsonString(j, "starting_position"));
  if (!j.contains("inputs") || !j.contains("outputs")) {
    return CorruptionError("application " + a.name + ": no inputs or outputs");
  }
  a.inputs = j["inputs"];
  a.outputs = j["outputs"];
  return a;
}

// The output's kind ("LambdaOutput", ...) and resource ARN.
std::pair<std::string, std::string> OutputTarget(const Json& output) {
  for (const char* kind : kOutputKinds) {
    auto it = output.find(kind);
    if (it == output.end() || !it->is_object()) continue;
    auto arn = it->find("ResourceARN");
    return {kind, arn != it->end() && arn->is_string() ? arn->get<std::string>() : ""};
  }
  return {"", ""};
}

}  // namespace

struct KdaApplications::Running {
  std::string stream;
  std::vector<std::string> specs;
};

KdaApplications::KdaApplications(KdaApplicationsOptions options) : options_(std::move(options)) {
  if (options_.clock == nullptr) options_.clock = Clock::Real();
}

KdaApplications::~KdaApplications() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, run] : running_) {
    for (const std::string& spec : run->specs) {
      Status st = options_.service->RemoveSpec(spec);
      if (!st.ok()) PANTRY_LOG_ERROR("application {}: {}", name, st.message());
    }
    options_.streams->Release(run->stream, "application " + name);
  }
}

StatusOr<std::unique_ptr<KdaApplications>> KdaApplications::Open(KdaApplicationsOptions options) {
  if (options.service == nullptr || options.streams == nullptr) {
    return InvalidArgumentError("KdaApplications: no stream service or registry");
  }
  std::unique_ptr<KdaApplications> apps(new KdaApplications(std::move(options)));
  RETURN_IF_ERROR(apps->Load());
  std::lock_guard<std::mutex> lock(apps->mu_);
  for (auto& [name, app] : apps->apps_) {
    if (app.status != "RUNNING") continue;
    Status st = apps->StartLocked(app, "LAST_STOPPED_POINT");
    if (!st.ok()) {
      PANTRY_LOG_ERROR("application {} does not start again: {}", name, st.message());
      app.status = "READY";
    }
  }
  return apps;
}

Status KdaApplications::Load() {
  const fs::path path = options_.home / "kda" / "applications.json";
  if (!fs::exists(path)) return Status::Ok();
  ASSIGN_OR_RETURN(Json j, ReadJsonFile(path));
  if (!j.contains("applications") || !j["applications"].is_array()) {
    return CorruptionError(path.string() + ": no applications list");
  }
  for (const Json& a : j["applications"]) {
    auto app = FromJson(a);
    if (!app.ok()) return app.status().WithContext(path.string());
    apps_[app->name] = std::move(*app);
  }
  return Status::Ok();
}

Status KdaApplications::Save() const {
  Json list = Json::array();
  for (const auto& [name, app] : apps_) list.push_back(ToJson(app));
  const fs::path dir = options_.home / "kda";
  RETURN_IF_ERROR(EnsureWritableDirectory(dir));
  return WriteFileAtomic(dir / "applications.json",
                         DumpJson(Json{{"format", 1}, {"applications", list}}, 2) + "\n");
}

namespace {

// Compiles `app` with its input schema and output mapping.
StatusOr<std::vector<CompiledPump>> Compile(const KdaApplication& app,
                                            const KdaApplicationsOptions& options,
                                            std::string* stream) {
  Json detail = {{"ApplicationCode", app.code}, {"Inputs", app.inputs}};
  ASSIGN_OR_RETURN(ApplicationExport e, ParseApplicationExport(detail));
  CompileOptions compile;
  if (e.has_schema) compile.input_columns = e.columns;
  if (!e.in_app_input.empty()) compile.source_in_app = e.in_app_input;
  if (!e.input_stream.empty()) compile.source_stream = e.input_stream;
  *stream = e.input_stream;
  for (const Json& output : app.outputs) {
    auto name = output.find("Name");
    if (name == output.end() || !name->is_string()) continue;
    auto [kind, arn] = OutputTarget(output);
    std::string group = options.output_group && options.store != nullptr
                            ? options.output_group(kind, arn)
                            : std::string();
    if (!group.empty()) compile.sinks[name->get<std::string>()] = {group, ""};
  }
  auto pumps = CompileSql(app.code, compile);
  if (!pumps.ok()) return pumps.status().WithContext("ApplicationCode");
  if (pumps->empty()) {
    return InvalidArgumentError("ApplicationCode: no pump aggregates into a destination stream");
  }
  return pumps;
}

}  // namespace

StatusOr<KdaApplication> KdaApplications::Create(KdaApplication app) {
  if (!IsValidStreamName(app.name)) {
    return InvalidArgumentError("application name '" + app.name +
                                "' must be 1-128 characters of [a-zA-Z0-9_.-]");
  }
  if (!app.inputs.is_array() || !app.outputs.is_array()) {
    return InvalidArgumentError("Inputs and Outputs must be lists");
  }
  std::string stream;
  if (!app.code.empty()) {
    auto compiled = Compile(app, options_, &stream);
    if (!compiled.ok()) return compiled.status();
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (apps_.count(app.name) > 0) {
    return AlreadyExistsError("Application " + app.name + " already exists.");
  }
  app.status = "READY";
  app.version = 1;
  app.created_micros = app.updated_micros = options_.clock->NowMicros();
  apps_[app.name] = app;
  Status saved = Save();
  if (!saved.ok()) {
    apps_.erase(app.name);
    return saved;
  }
  return app;
}

StatusOr<KdaApplication> KdaApplications::Get(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = apps_.find(name);
  if (it == apps_.end()) return NotFoundError("Application " + name + " is not found.");
  return it->second;
}

std::vector<KdaApplication> KdaApplications::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<KdaApplication> out;
  for (const auto& [name, app] : apps_) out.push_back(app);
  return out;
}

Status KdaApplications::StartLocked(KdaApplication& app, const std::string& position) {
  if (position != "NOW" && position != "TRIM_HORIZON" && position != "LAST_STOPPED_POINT") {
    return InvalidArgumentError(
        "InputStartingPosition must be NOW, TRIM_HORIZON or "
        "LAST_STOPPED_POINT, not '" +
        position + "'");
  }
  std::string stream;
  ASSIGN_OR_RETURN(std::vector<CompiledPump> pumps, Compile(app, options_, &stream));
  if (stream.empty()) {
    return InvalidArgumentError("application " + app.name + " has no KinesisStreamsInput");
  }
  const std::string reader = "application " + app.name;
  auto log = options_.streams->Acquire(stream, reader);
  if (!log.ok()) return NotFoundError("input stream " + stream + " does not exist");
  auto run = std::make_unique<Running>();
  run->stream = stream;
  Status st;
  for (CompiledPump& pump : pumps) {
    WindowSpec spec = pump.spec;
    spec.name = "kda." + app.name + "." + FileSafe(pump.pump);
    spec.source = stream;
    const fs::path checkpoint =
        options_.home / "stream" / stream / "processors" / (spec.name + ".ckpt");
    std::error_code ec;
    if (position != "LAST_STOPPED_POINT") fs::remove(checkpoint, ec);
    const fs::path jsonl = options_.home / "kda" / app.name / (spec.name + ".jsonl");
    featurestore::FeatureStore* store = options_.store;
    SinkFactory make_sink = [jsonl,
                             store](const WindowSpec& s) -> StatusOr<std::unique_ptr<RowSink>> {
      if (s.sink_feature_group.empty()) return OpenJsonLinesSink(jsonl, s);
      ASSIGN_OR_RETURN(std::unique_ptr<RowSink> inner, OpenFeatureStoreSink(store, s));
      return std::unique_ptr<RowSink>(std::make_unique<AtLeastOnceSink>(std::move(inner)));
    };
    st = options_.service->AddSpec(spec, *log, make_sink, position != "TRIM_HORIZON");
    if (!st.ok()) break;
    run->specs.push_back(spec.name);
  }
  if (!st.ok()) {
    for (const std::string& spec : run->specs) options_.service->RemoveSpec(spec).IgnoreError();
    options_.streams->Release(stream, reader);
    return st;
  }
  running_[app.name] = std::move(run);
  app.status = "RUNNING";
  app.starting_position = position;
  return Status::Ok();
}

Status KdaApplications::Start(const std::string& name, const std::string& position) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = apps_.find(name);
  if (it == apps_.end()) return NotFoundError("Application " + name + " is not found.");
  if (running_.count(name) > 0) {
    return FailedPreconditionError("Application " + name + " is already running.");
  }
  RETURN_IF_ERROR(StartLocked(it->second, position));
  return Save();
}

Status KdaApplications::StopLocked(KdaApplication& app) {
  auto it = running_.find(app.name);
  app.status = "READY";
  if (it == running_.end()) return Status::Ok();
  Status first;
  for (const std::string& spec : it->second->specs) {
    Status st = options_.service->RemoveSpec(spec);
    if (first.ok()) first = st;
  }
  options_.streams->Release(it->second->stream, "application " + app.name);
  running_.erase(it);
  return first;
}

Status KdaApplications::Stop(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = apps_.find(name);
  if (it == apps_.end()) return NotFoundError("Application " + name + " is not found.");
  Status stopped = StopLocked(it->second);
  RETURN_IF_ERROR(Save());
  return stopped;
}

Status KdaApplications::Delete(const std::string& name, double create_timestamp_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = apps_.find(name);
  if (it == apps_.end()) return NotFoundError("Application " + name + " is not found.");
  const double created = static_cast<double>(it->second.created_micros) / 1e6;
  if (std::floor(created) != std::floor(create_timestamp_seconds)) {
    return InvalidArgumentError("CreateTimestamp does not match application " + name +
                                "'s creation time");
  }
  Status stopped = StopLocked(it->second);
  apps_.erase(it);
  RETURN_IF_ERROR(Save());
  std::error_code ec;
  fs::remove_all(options_.home / "kda" / name, ec);
  return stopped;
}

}  // namespace pantry::stream::kda
