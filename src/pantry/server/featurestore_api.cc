#include "pantry/server/featurestore_api.h"

#include <memory>

#include "pantry/common/json.h"
#include "pantry/common/json_text.h"
#include "pantry/common/time_format.h"
#include "pantry/featurestore/record_json.h"
#include "pantry/server/sagemaker_api.h"

namespace pantry::server {
namespace {

using featurestore::BatchGetEntry;
using featurestore::DeleteMode;
using featurestore::FeatureStore;
using featurestore::Record;
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

// SageMaker's ExpiresAt: ISO-8601 UTC, appended as a member to a JSON
// object being written. Records without a TTL have none.
void AppendExpiresAt(int64_t expires_at_micros, std::string* out) {
  if (expires_at_micros == 0) return;
  out->append(",\"ExpiresAt\":");
  AppendJsonString(FormatIso8601Micros(expires_at_micros), out);
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

  // GetRecord. With `memory_only` (on the event loop) it returns false,
  // having answered nothing, when the store cannot read from memory.
  bool Get(const HttpRequest& request, HttpResponse* response, bool memory_only) {
    const std::string group = request.PathParam("name");
    const std::string* id = request.Query("RecordIdentifierValueAsString");
    if (id == nullptr) {
      Fail(response, 400, "ValidationError",
           "missing query parameter RecordIdentifierValueAsString");
      return true;
    }
    std::vector<std::string> features = request.QueryAll("FeatureName");
    StatusOr<bool> with_expiry = ExpirationWanted(request.Query("ExpirationTimeResponse"));
    if (!with_expiry.ok()) {
      Fail(response, 400, "ValidationError", with_expiry.status().message());
      return true;
    }
    int64_t expires_at = 0;
    StatusOr<std::optional<Record>> record = InternalError("not read");
    if (memory_only) {
      auto in_memory = store_->TryGetRecordInMemory(group, *id, features, &expires_at);
      if (!in_memory.has_value()) return false;
      record = std::move(*in_memory);
    } else {
      record = store_->GetRecord(group, *id, features, &expires_at);
    }
    gets_->Increment();
    if (!record.ok()) {
      FailStatus(response, record.status());
      return true;
    }
    response->status = 200;
    response->content_type = "application/json";
    if (!record->has_value()) {
      response->body = "{}";
      return true;
    }
    // Written straight from the record: no Json tree, no second copy.
    std::string& body = response->body;
    // One allocation instead of the string doubling its way up.
    body.reserve(512);
    body.assign("{\"Record\":");
    featurestore::AppendRecordJsonList(**record, &body);
    if (*with_expiry) AppendExpiresAt(expires_at, &body);
    body.push_back('}');
    return true;
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

  // Parses a BatchGetRecord body; false with a 400 answered when invalid.
  bool ParseBatchGet(const HttpRequest& request, HttpResponse* response,
                     std::vector<BatchGetEntry>* entries, bool* with_expiry_out) {
    auto fail = [response](std::string_view message) {
      Fail(response, 400, "ValidationError", message);
      return false;
    };
    StatusOr<Json> parsed = ParseJson(request.body, "request body");
    if (!parsed.ok()) return fail(parsed.status().message());
    auto identifiers = parsed->is_object() ? parsed->find("Identifiers") : parsed->end();
    if (!parsed->is_object() || identifiers == parsed->end() || !identifiers->is_array() ||
        identifiers->empty() || identifiers->size() > kMaxBatchGetGroups) {
      return fail(
          "Identifiers: expected a list of 1 to 10 {FeatureGroupName, "
          "RecordIdentifiersValueAsString, FeatureNames}");
    }
    StatusOr<bool> with_expiry = false;
    if (auto it = parsed->find("ExpirationTimeResponse"); it != parsed->end() && !it->is_null()) {
      with_expiry = it->is_string() ? ExpirationWanted(&it->get_ref<const std::string&>())
                                    : InvalidArgumentError("ExpirationTimeResponse: not a string");
    }
    if (!with_expiry.ok()) return fail(with_expiry.status().message());
    *with_expiry_out = *with_expiry;
    for (size_t i = 0; i < identifiers->size(); ++i) {
      const Json& item = (*identifiers)[i];
      const std::string where = "Identifiers[" + std::to_string(i) + "]";
      BatchGetEntry entry;
      StatusOr<std::string> group = GetJsonString(item, "FeatureGroupName");
      if (!group.ok()) return fail(where + ": " + group.status().message());
      entry.feature_group = FeatureGroupNameOf(*group);  // a name or an ARN
      auto ids_it = item.find("RecordIdentifiersValueAsString");
      if (ids_it == item.end()) return fail(where + ": missing RecordIdentifiersValueAsString");
      StatusOr<std::vector<std::string>> ids =
          StringList(*ids_it, where + ".RecordIdentifiersValueAsString");
      if (!ids.ok()) return fail(ids.status().message());
      if (ids->empty() || ids->size() > kMaxBatchGetIds) {
        return fail(where + ".RecordIdentifiersValueAsString must hold 1 to 100 ids");
      }
      entry.record_ids = std::move(*ids);
      // Written into the response as they are stored, with no Record between.
      entry.form = featurestore::RecordForm::kJsonList;
      if (auto names_it = item.find("FeatureNames");
          names_it != item.end() && !names_it->is_null()) {
        StatusOr<std::vector<std::string>> names = StringList(*names_it, where + ".FeatureNames");
        if (!names.ok()) return fail(names.status().message());
        entry.feature_names = std::move(*names);
      }
      entries->push_back(std::move(entry));
    }
    return true;
  }

  // BatchGetRecord; `memory_only` as for Get.
  bool BatchGet(const HttpRequest& request, HttpResponse* response, bool memory_only) {
    std::vector<BatchGetEntry> entries;
    bool with_expiry = false;
    if (!ParseBatchGet(request, response, &entries, &with_expiry)) return true;
    StatusOr<featurestore::BatchGetResult> result = InternalError("not read");
    if (memory_only) {
      auto in_memory = store_->TryBatchGetRecordInMemory(entries);
      if (!in_memory.has_value()) return false;
      result = std::move(*in_memory);
    } else {
      result = store_->BatchGetRecord(entries);
    }
    batch_gets_->Increment();
    if (!result.ok()) {
      FailStatus(response, result.status());
      return true;
    }
    response->status = 200;
    response->content_type = "application/json";
    std::string& body = response->body;
    body.reserve(512 * result->records.size() + 128);
    body.assign("{\"Records\":[");
    for (size_t i = 0; i < result->records.size(); ++i) {
      const auto& found = result->records[i];
      body.append(i == 0 ? "{\"FeatureGroupName\":" : ",{\"FeatureGroupName\":");
      AppendJsonString(found.feature_group, &body);
      body.append(",\"RecordIdentifierValueAsString\":");
      AppendJsonString(found.record_id, &body);
      body.append(",\"Record\":");
      body.append(found.record_json);
      if (with_expiry) AppendExpiresAt(found.expires_at_micros, &body);
      body.push_back('}');
    }
    body.append("],\"Errors\":[");
    for (size_t i = 0; i < result->errors.size(); ++i) {
      const auto& error = result->errors[i];
      body.append(i == 0 ? "{\"FeatureGroupName\":" : ",{\"FeatureGroupName\":");
      AppendJsonString(error.feature_group, &body);
      body.append(",\"RecordIdentifierValueAsString\":");
      AppendJsonString(error.record_id, &body);
      body.append(",\"ErrorCode\":");
      AppendJsonString(ErrorCodeFor(error.status.code()), &body);
      body.append(",\"ErrorMessage\":");
      AppendJsonString(error.status.message(), &body);
      body.push_back('}');
    }
    // Absent, deleted and expired records are simply not in Records, as in
    // SageMaker. UnprocessedIdentifiers lists what a client should retry;
    // pantry processes every identifier in one call, so it is always empty.
    body.append("],\"UnprocessedIdentifiers\":[]}");
    return true;
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
  // Reads have a fast path on the event loop (answered from memory; see
  // FeatureStore::TryGetRecordInMemory) and fall back to the worker pool.
  HttpService::RouteOptions get_options;
  get_options.io_handler = [api](const HttpRequest& req, HttpResponse* res) {
    return api->Get(req, res, /*memory_only=*/true);
  };
  RETURN_IF_ERROR(service->AddRoute(
      "GET", "/FeatureGroup/{name}", RouteAccess::kRead, aws,
      [api](const HttpRequest& req, HttpResponse* res) { api->Get(req, res, false); },
      std::move(get_options)));
  RETURN_IF_ERROR(service->AddRoute("DELETE", "/FeatureGroup/{name}", RouteAccess::kWrite, aws,
                                    [api, guard](const HttpRequest& req, HttpResponse* res) {
                                      if (!RefuseProcessorGroup(*guard, req, res))
                                        api->Delete(req, res);
                                    }));
  HttpService::RouteOptions batch_options;
  batch_options.io_handler = [api](const HttpRequest& req, HttpResponse* res) {
    return api->BatchGet(req, res, /*memory_only=*/true);
  };
  RETURN_IF_ERROR(service->AddRoute(
      "POST", "/BatchGetRecord", RouteAccess::kRead, aws,
      [api](const HttpRequest& req, HttpResponse* res) { api->BatchGet(req, res, false); },
      std::move(batch_options)));
  RETURN_IF_ERROR(service->AddRoute(
      "GET", "/v1/feature-groups", RouteAccess::kRead, ErrorStyle::kNative,
      [api](const HttpRequest& req, HttpResponse* res) { api->ListGroups(req, res); }));
  return service->AddRoute(
      "GET", "/v1/feature-groups/{name}", RouteAccess::kRead, ErrorStyle::kNative,
      [api](const HttpRequest& req, HttpResponse* res) { api->DescribeGroup(req, res); });
}

}  // namespace pantry::server
