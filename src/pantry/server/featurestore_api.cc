#include "pantry/server/featurestore_api.h"

#include <memory>

#include "pantry/common/json.h"
#include "pantry/common/time_format.h"
#include "pantry/featurestore/record_json.h"
#include "pantry/server/sagemaker_api.h"

namespace pantry::server {
namespace {

using featurestore::BatchGetEntry;
using featurestore::DeleteMode;
using featurestore::FeatureStore;
using featurestore::Record;
using featurestore::RecordToJsonList;
using featurestore::WriteTargets;

constexpr int kMaxBatchGetGroups = 10;
constexpr int kMaxBatchGetIds = 100;

void Fail(HttpResponse* response, int status, std::string_view type, std::string_view message) {
  SetError(response, ErrorStyle::kAwsRestJson, status, type, message);
}

// Maps a feature store status to SageMaker's error types.
void FailStatus(HttpResponse* response, const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
      return Fail(response, 404, "ResourceNotFound", status.message());
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists:
      return Fail(response, 400, "ValidationError", status.message());
    case StatusCode::kUnavailable:
      return Fail(response, 503, "ServiceUnavailable", status.message());
    default:
      return Fail(response, 500, "InternalFailure", status.message());
  }
}

std::string_view ErrorCodeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kNotFound:
      return "ResourceNotFound";
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
      return "ValidationError";
    case StatusCode::kUnavailable:
      return "ServiceUnavailable";
    default:
      return "InternalFailure";
  }
}

StatusOr<std::vector<std::string>> StringList(const Json& value, const std::string& what) {
  if (!value.is_array()) return InvalidArgumentError(what + ": expected a list of strings");
  std::vector<std::string> out;
  out.reserve(value.size());
  for (const Json& item : value) {
    if (!item.is_string()) return InvalidArgumentError(what + ": expected a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

// TargetStores: absent or both = every store the group has; one of
// "OnlineStore" / "OfflineStore" restricts the write to it.
StatusOr<WriteTargets> TargetStoresOf(const Json& body) {
  auto it = body.find("TargetStores");
  if (it == body.end() || it->is_null()) return WriteTargets::kAll;
  ASSIGN_OR_RETURN(std::vector<std::string> stores, StringList(*it, "TargetStores"));
  if (stores.empty() || stores.size() > 2) {
    return InvalidArgumentError("TargetStores must list 1 or 2 stores");
  }
  bool online = false, offline = false;
  for (const std::string& store : stores) {
    if (store == "OnlineStore") {
      online = true;
    } else if (store == "OfflineStore") {
      offline = true;
    } else {
      return InvalidArgumentError("TargetStores: '" + store +
                                  "' is not OnlineStore or OfflineStore");
    }
  }
  if (online && offline) return WriteTargets::kAll;
  return online ? WriteTargets::kOnlineOnly : WriteTargets::kOfflineOnly;
}

// ExpirationTimeResponse: "Enabled" asks for ExpiresAt, "Disabled" (the
// default) does not.
StatusOr<bool> ExpirationWanted(const std::string* value) {
  if (value == nullptr || *value == "Disabled") return false;
  if (*value == "Enabled") return true;
  return InvalidArgumentError("ExpirationTimeResponse '" + *value + "' is not Enabled or Disabled");
}

// SageMaker's ExpiresAt: ISO-8601 UTC. Records without a TTL have none.
void AddExpiresAt(int64_t expires_at_micros, OrderedJson* out) {
  if (expires_at_micros != 0) (*out)["ExpiresAt"] = FormatIso8601Micros(expires_at_micros);
}

StatusOr<int64_t> TtlMicros(const Json& ttl) {
  if (!ttl.is_object()) return InvalidArgumentError("TtlDuration: expected {\"Unit\", \"Value\"}");
  ASSIGN_OR_RETURN(std::string unit, GetJsonString(ttl, "Unit"));
  ASSIGN_OR_RETURN(int64_t value, GetJsonInt(ttl, "Value"));
  return featurestore::TtlDurationMicros(unit, value);
}

class FeatureStoreApi {
 public:
  FeatureStoreApi(FeatureStore* store, MetricsRegistry* metrics) : store_(store) {
    auto counter = [metrics](const char* op) {
      return metrics->GetCounter("pantry_featurestore_requests_total",
                                 "Feature store runtime API calls that reached the store.",
                                 {{"operation", op}});
    };
    puts_ = counter("PutRecord");
    gets_ = counter("GetRecord");
    batch_gets_ = counter("BatchGetRecord");
    deletes_ = counter("DeleteRecord");
  }

  void Put(const HttpRequest& request, HttpResponse* response) {
    const std::string group = request.PathParam("name");
    StatusOr<Json> parsed = ParseJson(request.body, "request body");
    if (!parsed.ok()) return Fail(response, 400, "ValidationError", parsed.status().message());
    const Json& body = *parsed;
    if (!body.is_object()) {
      return Fail(response, 400, "ValidationError", "request body must be a JSON object");
    }
    auto record_it = body.find("Record");
    StatusOr<featurestore::RecordStrings> values =
        featurestore::RecordFromJsonList(record_it == body.end() ? Json() : *record_it);
    if (!values.ok()) return Fail(response, 400, "ValidationError", values.status().message());
    StatusOr<WriteTargets> targets = TargetStoresOf(body);
    if (!targets.ok()) return Fail(response, 400, "ValidationError", targets.status().message());
    std::optional<int64_t> ttl;
    if (auto it = body.find("TtlDuration"); it != body.end() && !it->is_null()) {
      StatusOr<int64_t> micros = TtlMicros(*it);
      if (!micros.ok()) return Fail(response, 400, "ValidationError", micros.status().message());
      ttl = *micros;
    }
    StatusOr<featurestore::FeatureGroupDefinition> definition = store_->DescribeFeatureGroup(group);
    if (!definition.ok()) return FailStatus(response, definition.status());
    StatusOr<Record> record = featurestore::ParseRecord(*definition, *values);
    if (!record.ok()) return FailStatus(response, record.status());
    puts_->Increment();
    Status status = store_->PutRecord(group, *record, ttl, *targets);
    if (!status.ok()) return FailStatus(response, status);
    response->status = 200;
    response->body = "{}";
  }

  void Get(const HttpRequest& request, HttpResponse* response) {
    const std::string group = request.PathParam("name");
    const std::string* id = request.Query("RecordIdentifierValueAsString");
    if (id == nullptr) {
      return Fail(response, 400, "ValidationError",
                  "missing query parameter RecordIdentifierValueAsString");
    }
    std::vector<std::string> features = request.QueryAll("FeatureName");
    StatusOr<bool> with_expiry = ExpirationWanted(request.Query("ExpirationTimeResponse"));
    if (!with_expiry.ok()) {
      return Fail(response, 400, "ValidationError", with_expiry.status().message());
    }
    gets_->Increment();
    int64_t expires_at = 0;
    StatusOr<std::optional<Record>> record = store_->GetRecord(group, *id, features, &expires_at);
    if (!record.ok()) return FailStatus(response, record.status());
    if (!record->has_value()) {
      response->status = 200;
      response->body = "{}";
      return;
    }
    OrderedJson out = OrderedJson::object();
    out["Record"] = RecordToJsonList(**record);
    if (*with_expiry) AddExpiresAt(expires_at, &out);
    response->SetJson(200, out);
  }

  void Delete(const HttpRequest& request, HttpResponse* response) {
    const std::string group = request.PathParam("name");
    const std::string* id = request.Query("RecordIdentifierValueAsString");
    const std::string* event_time = request.Query("EventTime");
    if (id == nullptr || event_time == nullptr) {
      return Fail(response, 400, "ValidationError",
                  "DeleteRecord needs the query parameters RecordIdentifierValueAsString and "
                  "EventTime");
    }
    StatusOr<int64_t> micros = ParseEventTimeMicros(*event_time);
    if (!micros.ok()) {
      return Fail(response, 400, "ValidationError", "EventTime: " + micros.status().message());
    }
    DeleteMode mode = DeleteMode::kSoft;
    if (const std::string* mode_text = request.Query("DeletionMode")) {
      if (*mode_text == "HardDelete") {
        mode = DeleteMode::kHard;
      } else if (*mode_text != "SoftDelete") {
        return Fail(response, 400, "ValidationError",
                    "DeletionMode '" + *mode_text + "' is not SoftDelete or HardDelete");
      }
    }
    deletes_->Increment();
    Status status = store_->DeleteRecord(group, *id, *micros, mode);
    if (!status.ok()) return FailStatus(response, status);
    response->status = 200;
    response->body = "{}";
  }

  void BatchGet(const HttpRequest& request, HttpResponse* response) {
    StatusOr<Json> parsed = ParseJson(request.body, "request body");
    if (!parsed.ok()) return Fail(response, 400, "ValidationError", parsed.status().message());
    auto identifiers = parsed->is_object() ? parsed->find("Identifiers") : parsed->end();
    if (!parsed->is_object() || identifiers == parsed->end() || !identifiers->is_array() ||
        identifiers->empty() || identifiers->size() > kMaxBatchGetGroups) {
      return Fail(response, 400, "ValidationError",
                  "Identifiers: expected a list of 1 to 10 {FeatureGroupName, "
                  "RecordIdentifiersValueAsString, FeatureNames}");
    }
    StatusOr<bool> with_expiry = false;
    if (auto it = parsed->find("ExpirationTimeResponse"); it != parsed->end() && !it->is_null()) {
      with_expiry = it->is_string() ? ExpirationWanted(&it->get_ref<const std::string&>())
                                    : InvalidArgumentError("ExpirationTimeResponse: not a string");
    }
    if (!with_expiry.ok()) {
      return Fail(response, 400, "ValidationError", with_expiry.status().message());
    }
    std::vector<BatchGetEntry> entries;
    for (size_t i = 0; i < identifiers->size(); ++i) {
      const Json& item = (*identifiers)[i];
      const std::string where = "Identifiers[" + std::to_string(i) + "]";
      BatchGetEntry entry;
      StatusOr<std::string> group = GetJsonString(item, "FeatureGroupName");
      if (!group.ok()) {
        return Fail(response, 400, "ValidationError", where + ": " + group.status().message());
      }
      entry.feature_group = FeatureGroupNameOf(*group);  // a name or an ARN
      auto ids_it = item.find("RecordIdentifiersValueAsString");
      if (ids_it == item.end()) {
        return Fail(response, 400, "ValidationError",
                    where + ": missing RecordIdentifiersValueAsString");
      }
      StatusOr<std::vector<std::string>> ids =
          StringList(*ids_it, where + ".RecordIdentifiersValueAsString");
      if (!ids.ok()) return Fail(response, 400, "ValidationError", ids.status().message());
      if (ids->empty() || ids->size() > kMaxBatchGetIds) {
        return Fail(response, 400, "ValidationError",
                    where + ".RecordIdentifiersValueAsString must hold 1 to 100 ids");
      }
      entry.record_ids = std::move(*ids);
      if (auto names_it = item.find("FeatureNames");
          names_it != item.end() && !names_it->is_null()) {
        StatusOr<std::vector<std::string>> names = StringList(*names_it, where + ".FeatureNames");
        if (!names.ok()) return Fail(response, 400, "ValidationError", names.status().message());
        entry.feature_names = std::move(*names);
      }
      entries.push_back(std::move(entry));
    }
    batch_gets_->Increment();
    StatusOr<featurestore::BatchGetResult> result = store_->BatchGetRecord(entries);
    if (!result.ok()) return FailStatus(response, result.status());
    OrderedJson records = OrderedJson::array();
    for (const auto& found : result->records) {
      OrderedJson item = OrderedJson::object();
      item["FeatureGroupName"] = found.feature_group;
      item["RecordIdentifierValueAsString"] = found.record_id;
      item["Record"] = RecordToJsonList(found.record);
      if (*with_expiry) AddExpiresAt(found.expires_at_micros, &item);
      records.push_back(std::move(item));
    }
    OrderedJson errors = OrderedJson::array();
    for (const auto& error : result->errors) {
      OrderedJson item = OrderedJson::object();
      item["FeatureGroupName"] = error.feature_group;
      item["RecordIdentifierValueAsString"] = error.record_id;
      item["ErrorCode"] = std::string(ErrorCodeFor(error.status.code()));
      item["ErrorMessage"] = error.status.message();
      errors.push_back(std::move(item));
    }
    // Absent, deleted and expired records are simply not in Records, as in
    // SageMaker. UnprocessedIdentifiers lists what a client should retry;
    // pantry processes every identifier in one call, so it is always empty.
    OrderedJson out = OrderedJson::object();
    out["Records"] = std::move(records);
    out["Errors"] = std::move(errors);
    out["UnprocessedIdentifiers"] = OrderedJson::array();
    response->SetJson(200, out);
  }

  void ListGroups(const HttpRequest&, HttpResponse* response) {
    Json groups = Json::array();
    for (const auto& definition : store_->ListFeatureGroups()) {
      StatusOr<Json> json = ParseJson(definition.ToJson(-1), "definition");
      if (json.ok()) groups.push_back(std::move(*json));
    }
    response->SetJson(200, Json{{"FeatureGroups", std::move(groups)}});
  }

  void DescribeGroup(const HttpRequest& request, HttpResponse* response) {
    StatusOr<featurestore::FeatureGroupDefinition> definition =
        store_->DescribeFeatureGroup(request.PathParam("name"));
    if (!definition.ok()) return SetStatusError(response, definition.status());
    response->status = 200;
    response->body = definition->ToJson(-1);
  }

 private:
  FeatureStore* store_;
  Counter* puts_;
  Counter* gets_;
  Counter* batch_gets_;
  Counter* deletes_;
};

// True (and a 403 answered) for a write to a group a processor writes.
bool RefuseProcessorGroup(const FeatureStoreApiOptions& options, const HttpRequest& request,
                          HttpResponse* response) {
  const std::string group = request.PathParam("name");
  if (!options.processor_groups.contains(group)) return false;
  Fail(response, 403, "AccessForbidden",
       "feature group " + group +
           " is written by a stream processor; client writes to it are refused (start pantry "
           "serve with --open-stream-groups to allow them)");
  return true;
}

}  // namespace

Status RegisterFeatureStoreApi(HttpService* service, FeatureStore* store, MetricsRegistry* metrics,
                               FeatureStoreApiOptions options) {
  auto api = std::make_shared<FeatureStoreApi>(store, metrics);
  auto guard = std::make_shared<const FeatureStoreApiOptions>(std::move(options));
  const ErrorStyle aws = ErrorStyle::kAwsRestJson;
  RETURN_IF_ERROR(service->AddRoute("PUT", "/FeatureGroup/{name}", RouteAccess::kWrite, aws,
                                    [api, guard](const HttpRequest& req, HttpResponse* res) {
                                      if (!RefuseProcessorGroup(*guard, req, res))
                                        api->Put(req, res);
                                    }));
  RETURN_IF_ERROR(
      service->AddRoute("GET", "/FeatureGroup/{name}", RouteAccess::kRead, aws,
                        [api](const HttpRequest& req, HttpResponse* res) { api->Get(req, res); }));
  RETURN_IF_ERROR(service->AddRoute("DELETE", "/FeatureGroup/{name}", RouteAccess::kWrite, aws,
                                    [api, guard](const HttpRequest& req, HttpResponse* res) {
                                      if (!RefuseProcessorGroup(*guard, req, res))
                                        api->Delete(req, res);
                                    }));
  RETURN_IF_ERROR(service->AddRoute(
      "POST", "/BatchGetRecord", RouteAccess::kRead, aws,
      [api](const HttpRequest& req, HttpResponse* res) { api->BatchGet(req, res); }));
  RETURN_IF_ERROR(service->AddRoute(
      "GET", "/v1/feature-groups", RouteAccess::kRead, ErrorStyle::kNative,
      [api](const HttpRequest& req, HttpResponse* res) { api->ListGroups(req, res); }));
  return service->AddRoute(
      "GET", "/v1/feature-groups/{name}", RouteAccess::kRead, ErrorStyle::kNative,
      [api](const HttpRequest& req, HttpResponse* res) { api->DescribeGroup(req, res); });
}

}  // namespace pantry::server
