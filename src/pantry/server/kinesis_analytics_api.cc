#include "pantry/server/kinesis_analytics_api.h"

#include <memory>

#include "pantry/server/aws_json_rpc.h"

namespace pantry::server {
namespace {

using stream::kda::KdaApplication;
using stream::kda::KdaApplications;

constexpr const char* kOutputKinds[] = {"KinesisStreamsOutput", "KinesisFirehoseOutput",
                                        "LambdaOutput"};
constexpr const char* kInputKinds[] = {"KinesisStreamsInput", "KinesisFirehoseInput"};

double Seconds(int64_t micros) { return static_cast<double>(micros) / 1e6; }

class KinesisAnalyticsApi {
 public:
  KinesisAnalyticsApi(KdaApplications* apps, KinesisAnalyticsApiOptions options)
      : apps_(apps), options_(std::move(options)) {}

  void Create(const HttpRequest& request, HttpResponse* response) {
    Json body;
    KdaApplication app;
    std::optional<std::string> description, code;
    if (auto e = ParseAwsJsonBody(request, &body)) return AwsJsonFail(response, *e);
    if (auto e = RequiredString(body, "ApplicationName", &app.name)) {
      return AwsJsonFail(response, *e);
    }
    if (auto e = OptionalString(body, "ApplicationDescription", &description)) {
      return AwsJsonFail(response, *e);
    }
    if (auto e = OptionalString(body, "ApplicationCode", &code)) return AwsJsonFail(response, *e);
    app.description = description.value_or("");
    app.code = code.value_or("");
    for (auto [key, out] : {std::pair{"Inputs", &app.inputs}, {"Outputs", &app.outputs}}) {
      auto it = body.find(key);
      if (it == body.end() || it->is_null()) continue;
      if (!it->is_array()) {
        return AwsJsonFail(response,
                           {"SerializationException", std::string(key) + ": expected a list"});
      }
      *out = *it;
    }
    if (auto e = CheckInputs(app.inputs)) return AwsJsonFail(response, *e);
    if (auto e = CheckOutputs(app.outputs)) return AwsJsonFail(response, *e);
    StatusOr<KdaApplication> created = apps_->Create(std::move(app));
    if (!created.ok()) return AwsJsonFail(response, ToAwsError(created.status()));
    OrderedJson out = OrderedJson::object();
    out["ApplicationSummary"] = Summary(*created);
    AwsJsonReply(response, out);
  }

  void Describe(const HttpRequest& request, HttpResponse* response) {
    Json body;
    std::string name;
    if (auto e = ParseAwsJsonBody(request, &body)) return AwsJsonFail(response, *e);
    if (auto e = RequiredString(body, "ApplicationName", &name)) return AwsJsonFail(response, *e);
    StatusOr<KdaApplication> app = apps_->Get(name);
    if (!app.ok()) return AwsJsonFail(response, ToAwsError(app.status()));
    OrderedJson out = OrderedJson::object();
    out["ApplicationDetail"] = Detail(*app);
    AwsJsonReply(response, out);
  }

  void Start(const HttpRequest& request, HttpResponse* response) {
    Json body;
    std::string name;
    if (auto e = ParseAwsJsonBody(request, &body)) return AwsJsonFail(response, *e);
    if (auto e = RequiredString(body, "ApplicationName", &name)) return AwsJsonFail(response, *e);
    auto configs = body.find("InputConfigurations");
    if (configs == body.end() || !configs->is_array() || configs->empty()) {
      return AwsJsonFail(response, {"ValidationException",
                                    "1 validation error detected: Value at "
                                    "'inputConfigurations' failed to satisfy constraint: Member "
                                    "must have length greater than or equal to 1"});
    }
    const Json& config = (*configs)[0];
    std::string position = "NOW";
    if (config.is_object() && config.contains("InputStartingPositionConfiguration")) {
      const Json& p = config["InputStartingPositionConfiguration"];
      std::optional<std::string> value;
      if (p.is_object()) {
        if (auto e = OptionalString(p, "InputStartingPosition", &value)) {
          return AwsJsonFail(response, *e);
        }
      }
      if (value) position = *value;
    }
    if (config.is_object() && config.contains("Id") && config["Id"] != "1.1") {
      return AwsJsonFail(response, {"InvalidArgumentException", "Input " + config["Id"].dump() +
                                                                    " is not found (the "
                                                                    "application's input is 1.1)"});
    }
    Status st = apps_->Start(name, position);
    if (!st.ok()) return AwsJsonFail(response, ToAwsError(st));
    AwsJsonReply(response, OrderedJson::object());
  }

  void Stop(const HttpRequest& request, HttpResponse* response) {
    Json body;
    std::string name;
    if (auto e = ParseAwsJsonBody(request, &body)) return AwsJsonFail(response, *e);
    if (auto e = RequiredString(body, "ApplicationName", &name)) return AwsJsonFail(response, *e);
    Status st = apps_->Stop(name);
    if (!st.ok()) return AwsJsonFail(response, ToAwsError(st));
    AwsJsonReply(response, OrderedJson::object());
  }

  void Delete(const HttpRequest& request, HttpResponse* response) {
    Json body;
    std::string name;
    if (auto e = ParseAwsJsonBody(request, &body)) return AwsJsonFail(response, *e);
    if (auto e = RequiredString(body, "ApplicationName", &name)) return AwsJsonFail(response, *e);
    auto ts = body.find("CreateTimestamp");
    if (ts == body.end() || ts->is_null()) {
      return AwsJsonFail(response, {"ValidationException",
                                    "1 validation error detected: Value null at "
                                    "'createTimestamp' failed to satisfy constraint: Member "
                                    "must not be null"});
    }
    if (!ts->is_number()) {
      return AwsJsonFail(response,
                         {"SerializationException", "CreateTimestamp: expected epoch seconds"});
    }
    Status st = apps_->Delete(name, ts->get<double>());
    if (!st.ok()) return AwsJsonFail(response, ToAwsError(st));
    AwsJsonReply(response, OrderedJson::object());
  }

  void List(const HttpRequest& request, HttpResponse* response) {
    Json body;
    std::optional<int64_t> limit;
    std::optional<std::string> start_after;
    if (auto e = ParseAwsJsonBody(request, &body)) return AwsJsonFail(response, *e);
    if (auto e = OptionalInt(body, "Limit", &limit)) return AwsJsonFail(response, *e);
    if (auto e = OptionalString(body, "ExclusiveStartApplicationName", &start_after)) {
      return AwsJsonFail(response, *e);
    }
    const int64_t max = limit.value_or(50);
    if (max < 1 || max > 50) {
      return AwsJsonFail(response, {"ValidationException",
                                    "1 validation error detected: Value '" + std::to_string(max) +
                                        "' at 'limit' failed to satisfy constraint: Member "
                                        "must have value between 1 and 50"});
    }
    OrderedJson summaries = OrderedJson::array();
    bool more = false;
    for (const KdaApplication& app : apps_->List()) {
      if (start_after && app.name <= *start_after) continue;
      if (static_cast<int64_t>(summaries.size()) == max) {
        more = true;
        break;
      }
      summaries.push_back(Summary(app));
    }
    OrderedJson out = OrderedJson::object();
    out["ApplicationSummaries"] = std::move(summaries);
    out["HasMoreApplications"] = more;
    AwsJsonReply(response, out);
  }

 private:
  std::string Arn(const std::string& name) const {
    return "arn:aws:kinesisanalytics:" + options_.region + ":" + options_.account_id +
           ":application/" + name;
  }

  OrderedJson Summary(const KdaApplication& app) const {
    OrderedJson s = OrderedJson::object();
    s["ApplicationName"] = app.name;
    s["ApplicationARN"] = Arn(app.name);
    s["ApplicationStatus"] = app.status;
    return s;
  }

  OrderedJson Detail(const KdaApplication& app) const {
    OrderedJson d = OrderedJson::object();
    d["ApplicationName"] = app.name;
    if (!app.description.empty()) d["ApplicationDescription"] = app.description;
    d["ApplicationARN"] = Arn(app.name);
    d["ApplicationStatus"] = app.status;
    d["CreateTimestamp"] = Seconds(app.created_micros);
    d["LastUpdateTimestamp"] = Seconds(app.updated_micros);
    OrderedJson inputs = OrderedJson::array();
    for (size_t i = 0; i < app.inputs.size(); ++i) inputs.push_back(InputDescription(app, i));
    d["InputDescriptions"] = std::move(inputs);
    OrderedJson outputs = OrderedJson::array();
    for (size_t i = 0; i < app.outputs.size(); ++i) {
      const Json& o = app.outputs[i];
      OrderedJson desc = OrderedJson::object();
      desc["OutputId"] = "1." + std::to_string(i + 1);
      desc["Name"] = o.value("Name", "");
      for (const char* kind : kOutputKinds) {
        if (o.contains(kind)) desc[std::string(kind) + "Description"] = o[kind];
      }
      if (o.contains("DestinationSchema")) desc["DestinationSchema"] = o["DestinationSchema"];
      outputs.push_back(std::move(desc));
    }
    d["OutputDescriptions"] = std::move(outputs);
    d["ReferenceDataSourceDescriptions"] = OrderedJson::array();
    d["CloudWatchLoggingOptionDescriptions"] = OrderedJson::array();
    if (!app.code.empty()) d["ApplicationCode"] = app.code;
    d["ApplicationVersionId"] = app.version;
    return d;
  }

  OrderedJson InputDescription(const KdaApplication& app, size_t i) const {
    const Json& in = app.inputs[i];
    OrderedJson desc = OrderedJson::object();
    desc["InputId"] = "1." + std::to_string(i + 1);
    const std::string prefix = in.value("NamePrefix", "SOURCE_SQL_STREAM");
    desc["NamePrefix"] = prefix;
    desc["InAppStreamNames"] = OrderedJson::array({prefix + "_001"});
    for (const char* kind : kInputKinds) {
      if (in.contains(kind)) desc[std::string(kind) + "Description"] = in[kind];
    }
    if (in.contains("InputSchema")) desc["InputSchema"] = in["InputSchema"];
    desc["InputParallelism"] = {{"Count", 1}};
    if (!app.starting_position.empty()) {
      desc["InputStartingPositionConfiguration"] = {
          {"InputStartingPosition", app.starting_position}};
    }
    return desc;
  }

  static std::optional<AwsError> CheckInputs(const Json& inputs) {
    if (inputs.size() > 1) {
      return AwsError{"InvalidArgumentException", "pantry runs applications with one input (got " +
                                                      std::to_string(inputs.size()) + ")"};
    }
    for (const Json& in : inputs) {
      if (!in.is_object() || !in.contains("NamePrefix") || !in["NamePrefix"].is_string()) {
        return AwsError{"ValidationException", "Inputs[0]: NamePrefix is required"};
      }
      if (!in.contains("InputSchema")) {
        return AwsError{"ValidationException", "Inputs[0]: InputSchema is required"};
      }
      if (!in.contains("KinesisStreamsInput") && !in.contains("KinesisFirehoseInput")) {
        return AwsError{"InvalidArgumentException",
                        "Inputs[0]: a KinesisStreamsInput (or KinesisFirehoseInput) is required"};
      }
    }
    return std::nullopt;
  }

  static std::optional<AwsError> CheckOutputs(const Json& outputs) {
    for (size_t i = 0; i < outputs.size(); ++i) {
      const Json& o = outputs[i];
      const std::string at = "Outputs[" + std::to_string(i) + "]";
      if (!o.is_object() || !o.contains("Name") || !o["Name"].is_string()) {
        return AwsError{"ValidationException", at + ": Name is required"};
      }
      if (!o.contains("DestinationSchema")) {
        return AwsError{"ValidationException", at + ": DestinationSchema is required"};
      }
      int kinds = 0;
      for (const char* kind : kOutputKinds) kinds += o.contains(kind) ? 1 : 0;
      if (kinds != 1) {
        return AwsError{"InvalidArgumentException",
                        at + ": exactly one of KinesisStreamsOutput, KinesisFirehoseOutput "
                             "and LambdaOutput"};
      }
    }
    return std::nullopt;
  }

  static AwsError ToAwsError(const Status& status) {
    switch (status.code()) {
      case StatusCode::kNotFound:
        if (status.message().starts_with("input stream")) {
          return {"InvalidApplicationConfigurationException", status.message()};
        }
        return {"ResourceNotFoundException", status.message()};
      case StatusCode::kAlreadyExists:
      case StatusCode::kFailedPrecondition:
        return {"ResourceInUseException", status.message()};
      case StatusCode::kInvalidArgument:
        if (status.message().starts_with("ApplicationCode")) {
          return {"CodeValidationException", status.message()};
        }
        return {"InvalidArgumentException", status.message()};
      default:
        return {"ServiceUnavailableException", status.message(), 500};
    }
  }

  KdaApplications* apps_;
  KinesisAnalyticsApiOptions options_;
};

}  // namespace

Status RegisterKinesisAnalyticsApi(HttpService* service, KdaApplications* apps,
                                   const KinesisAnalyticsApiOptions& options) {
  auto api = std::make_shared<KinesisAnalyticsApi>(apps, options);
  using Method = void (KinesisAnalyticsApi::*)(const HttpRequest&, HttpResponse*);
  const std::pair<const char*, Method> ops[] = {
      {"CreateApplication", &KinesisAnalyticsApi::Create},
      {"DescribeApplication", &KinesisAnalyticsApi::Describe},
      {"StartApplication", &KinesisAnalyticsApi::Start},
      {"StopApplication", &KinesisAnalyticsApi::Stop},
      {"DeleteApplication", &KinesisAnalyticsApi::Delete},
      {"ListApplications", &KinesisAnalyticsApi::List}};
  for (const auto& [op, method] : ops) {
    const bool read =
        std::string_view(op).starts_with("Describe") || std::string_view(op).starts_with("List");
    RETURN_IF_ERROR(service->AddAmzTarget(
        std::string("KinesisAnalytics_20150814.") + op,
        read ? RouteAccess::kRead : RouteAccess::kWrite,
        [api, m = method](const HttpRequest& req, HttpResponse* res) { ((*api).*m)(req, res); }));
  }
  return Status::Ok();
}

}  // namespace pantry::server
