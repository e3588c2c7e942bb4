#include "pantry/server/kinesis_api.h"

#include <algorithm>
#include <memory>

#include "pantry/common/json.h"
#include "pantry/common/json_text.h"
#include "pantry/server/base64.h"
#include "pantry/server/kinesis_put_body.h"
#include "pantry/stream/event.h"
#include "pantry/stream/kinesis_ids.h"

namespace pantry::server {
namespace {

constexpr std::string_view kPrefix = "Kinesis_20131202.";
constexpr size_t kMaxRecordBytes = 1 << 20;  // data + partition key
constexpr size_t kMaxPutRecordsEntries = 500;
constexpr size_t kMaxPutRecordsBytes = 5 << 20;  // whole request, decoded

using stream::KinesisShardId;

std::string SequenceNumber(const AppendedRecord& record) {
  return stream::KinesisSequenceNumber({record.shard, record.sequence});
}

// A request-level failure: the whole call answers with this error.
struct Failure {
  std::string type;
  std::string message;
};

class KinesisApi {
 public:
  KinesisApi(EventIngest* ingest, KinesisApiOptions options, MetricsRegistry* metrics)
      : ingest_(ingest), options_(std::move(options)) {
    accepted_ =
        metrics->GetCounter("pantry_events_accepted_total",
                            "Events appended to the event log, by API.", {{"api", "kinesis"}});
    rejected_ = metrics->GetCounter("pantry_events_rejected_total",
                                    "Events refused (invalid or not appended), by API.",
                                    {{"api", "kinesis"}});
  }

  void PutRecord(const HttpRequest& request, HttpResponse* response) {
    Json tree;
    KinesisPutBody body;
    std::string stream;
    if (!ReadPutBody(request, response, /*batch=*/false, &tree, &body, &stream)) return;
    std::string data;
    std::string_view partition_key;
    if (auto failure = ParseEntry(body.records[0], -1, &data, &partition_key)) {
      rejected_->Increment();
      return Fail(response, *failure);
    }
    if (Status valid = stream::CheckEventPayloadSizes(data); !valid.ok()) {
      rejected_->Increment();
      return Fail(response, {"InvalidArgumentException", "Data: " + valid.message()});
    }
    IngestRecord record{partition_key, data};
    auto results = ingest_->Append(stream, std::span<const IngestRecord>(&record, 1));
    if (!results.ok()) {
      rejected_->Increment();
      return FailStatus(response, results.status(), stream);
    }
    const StatusOr<AppendedRecord>& result = (*results)[0];
    if (!result.ok()) {
      rejected_->Increment();
      if (result.status().code() == StatusCode::kUnavailable) {
        return Fail(response, {"ProvisionedThroughputExceededException",
                               "Rate exceeded for stream " + stream + " under account " +
                                   options_.account_id + ": " + result.status().message()});
      }
      return Fail(response, {"InternalFailure", "Internal Service Failure"}, 500);
    }
    accepted_->Increment();
    OrderedJson out = OrderedJson::object();
    out["ShardId"] = KinesisShardId(result->shard);
    out["SequenceNumber"] = SequenceNumber(*result);
    out["EncryptionType"] = "NONE";
    Reply(response, out);
  }

  void PutRecords(const HttpRequest& request, HttpResponse* response) {
    Json tree;
    KinesisPutBody body;
    std::string stream;
    if (!ReadPutBody(request, response, /*batch=*/true, &tree, &body, &stream)) return;
    const std::vector<KinesisRecordFields>& entries = body.records;
    if (entries.empty() || entries.size() > kMaxPutRecordsEntries) {
      return Fail(response, {"ValidationException",
                             "1 validation error detected: Value at 'records' failed to satisfy "
                             "constraint: Member must have length between 1 and 500 (got " +
                                 std::to_string(entries.size()) + ")"});
    }
    // Every record's data is decoded into one buffer, sized up front.
    std::string decoded;
    size_t encoded_bytes = 0;
    for (const KinesisRecordFields& entry : entries) encoded_bytes += entry.data.text.size();
    decoded.reserve(encoded_bytes / 4 * 3 + 3);
    std::vector<size_t> ends(entries.size());
    std::vector<std::string_view> keys(entries.size());
    size_t total = 0;
    for (size_t i = 0; i < entries.size(); ++i) {
      if (auto failure = ParseEntry(entries[i], static_cast<int>(i), &decoded, &keys[i])) {
        rejected_->Increment(entries.size());
        return Fail(response, *failure);
      }
      ends[i] = decoded.size();
      total += keys[i].size();
    }
    total += decoded.size();
    if (total > kMaxPutRecordsBytes) {
      rejected_->Increment(entries.size());
      return Fail(response, {"InvalidArgumentException", "Records size exceeds 5 MB limit (" +
                                                             std::to_string(total) + " bytes)"});
    }
    // A record the stream could never deliver (a value over the sink's
    // limit) fails alone with its own ErrorCode; the others are appended.
    std::vector<Status> invalid(entries.size());
    std::vector<IngestRecord> records;
    records.reserve(entries.size());
    for (size_t i = 0, begin = 0; i < entries.size(); begin = ends[i++]) {
      std::string_view data(decoded.data() + begin, ends[i] - begin);
      invalid[i] = stream::CheckEventPayloadSizes(data);
      if (invalid[i].ok()) records.push_back(IngestRecord{keys[i], data});
    }
    std::vector<StatusOr<AppendedRecord>> appended;
    if (!records.empty()) {
      auto results = ingest_->Append(stream, records);
      if (!results.ok()) {
        rejected_->Increment(entries.size());
        return FailStatus(response, results.status(), stream);
      }
      appended = std::move(*results);
    }
    ReplyPutRecords(invalid, appended, stream, response);
  }

  void DescribeStream(const HttpRequest& request, HttpResponse* response, bool summary) {
    Json body;
    std::string stream;
    if (!ParseCommon(request, response, &body, &stream)) return;
    StatusOr<StreamInfo> info = ingest_->Describe(stream);
    if (!info.ok()) return FailStatus(response, info.status(), stream);
    OrderedJson description = OrderedJson::object();
    description["StreamName"] = info->name;
    description["StreamARN"] = Arn(info->name);
    description["StreamStatus"] = "ACTIVE";
    description["StreamModeDetails"] = {
        {"StreamMode", info->on_demand ? "ON_DEMAND" : "PROVISIONED"}};
    if (!summary) description["Shards"] = Shards(info->shard_count);
    if (!summary) description["HasMoreShards"] = false;
    description["RetentionPeriodHours"] = info->retention_hours;
    description["StreamCreationTimestamp"] = static_cast<double>(info->created_micros) / 1e6;
    description["EnhancedMonitoring"] =
        OrderedJson::array({OrderedJson{{"ShardLevelMetrics", OrderedJson::array()}}});
    description["EncryptionType"] = "NONE";
    if (summary) {
      description["OpenShardCount"] = info->shard_count;
      description["ConsumerCount"] = 0;
    }
    OrderedJson out = OrderedJson::object();
    out[summary ? "StreamDescriptionSummary" : "StreamDescription"] = std::move(description);
    Reply(response, out);
  }

  void ListStreams(const HttpRequest& request, HttpResponse* response) {
    Json body = Json::object();
    if (!request.body.empty()) {
      StatusOr<Json> parsed = ParseJson(request.body, "request body");
      if (!parsed.ok() || !parsed->is_object()) {
        return Fail(response,
                    {"SerializationException", parsed.ok() ? "request body must be a JSON object"
                                                           : parsed.status().message()});
      }
      body = std::move(*parsed);
    }
    int64_t limit = 100;
    if (auto it = body.find("Limit"); it != body.end() && !it->is_null()) {
      if (!it->is_number_integer()) {
        return Fail(response, {"SerializationException", "Limit: expected an integer"});
      }
      limit = it->get<int64_t>();
      if (limit < 1 || limit > 10000) {
        return Fail(response, {"ValidationException",
                               "1 validation error detected: Value '" + std::to_string(limit) +
                                   "' at 'limit' failed to satisfy constraint: Member must "
                                   "have value between 1 and 10000"});
      }
      limit = std::min<int64_t>(limit, 100);
    }
    std::string start_after;
    if (auto it = body.find("ExclusiveStartStreamName"); it != body.end() && !it->is_null()) {
      if (!it->is_string()) {
        return Fail(response,
                    {"SerializationException", "ExclusiveStartStreamName: expected a string"});
      }
      start_after = it->get<std::string>();
    }
    OrderedJson names = OrderedJson::array();
    OrderedJson summaries = OrderedJson::array();
    bool more = false;
    StatusOr<std::vector<StreamInfo>> streams = ingest_->List();
    if (!streams.ok()) return FailStatus(response, streams.status(), "");
    for (const StreamInfo& info : *streams) {
      if (!start_after.empty() && info.name <= start_after) continue;
      if (static_cast<int64_t>(names.size()) == limit) {
        more = true;
        break;
      }
      names.push_back(info.name);
      OrderedJson summary = OrderedJson::object();
      summary["StreamName"] = info.name;
      summary["StreamARN"] = Arn(info.name);
      summary["StreamStatus"] = "ACTIVE";
      summary["StreamModeDetails"] = {{"StreamMode", info.on_demand ? "ON_DEMAND" : "PROVISIONED"}};
      summary["StreamCreationTimestamp"] = static_cast<double>(info.created_micros) / 1e6;
      summaries.push_back(std::move(summary));
    }
    OrderedJson out = OrderedJson::object();
    out["StreamNames"] = std::move(names);
    out["HasMoreStreams"] = more;
    out["StreamSummaries"] = std::move(summaries);
    Reply(response, out);
  }

 private:
  std::string Arn(const std::string& stream) const {
    return "arn:aws:kinesis:" + options_.region + ":" + options_.account_id + ":stream/" + stream;
  }

  static OrderedJson Shards(int count) {
    OrderedJson shards = OrderedJson::array();
    for (int i = 0; i < count; ++i) {
      const stream::KinesisHashKeyRange range = stream::HashKeyRangeOfShard(i, count);
      OrderedJson shard = OrderedJson::object();
      shard["ShardId"] = KinesisShardId(i);
      shard["HashKeyRange"] = {{"StartingHashKey", range.starting},
                               {"EndingHashKey", range.ending}};
      shard["SequenceNumberRange"] = {
          {"StartingSequenceNumber", stream::KinesisSequenceNumber({i, 0})}};
      shards.push_back(std::move(shard));
    }
    return shards;
  }

  static void Reply(HttpResponse* response, const OrderedJson& out) {
    response->SetJson(200, out);
    response->content_type = "application/x-amz-json-1.1";
  }

  static void Fail(HttpResponse* response, const Failure& failure, int status = 400) {
    SetError(response, ErrorStyle::kAwsJson, status, failure.type, failure.message);
  }

  void FailStatus(HttpResponse* response, const Status& status, const std::string& stream) {
    if (status.code() == StatusCode::kNotFound) {
      return Fail(response, {"ResourceNotFoundException", "Stream " + stream + " under account " +
                                                              options_.account_id + " not found."});
    }
    if (status.code() == StatusCode::kUnavailable) {
      return Fail(response, {"ProvisionedThroughputExceededException", status.message()});
    }
    return Fail(response, {"InternalFailure", status.message()}, 500);
  }

  // Parses the body as a JSON object and resolves StreamName / StreamARN.
  bool ParseCommon(const HttpRequest& request, HttpResponse* response, Json* body,
                   std::string* stream) {
    StatusOr<Json> parsed = ParseJson(request.body, "request body");
    if (!parsed.ok()) {
      Fail(response, {"SerializationException", parsed.status().message()});
      return false;
    }
    if (!parsed->is_object()) {
      Fail(response, {"SerializationException", "request body must be a JSON object"});
      return false;
    }
    *body = std::move(*parsed);
    return ResolveStream(MemberOf(*body, "StreamName"), MemberOf(*body, "StreamARN"), response,
                         stream);
  }

  // A put body's members: from the fast parser when the body has the plain
  // shape, else from ParseJson (*tree keeps what the views point into), so
  // that every malformed body gets ParseJson's error.
  bool ReadPutBody(const HttpRequest& request, HttpResponse* response, bool batch, Json* tree,
                   KinesisPutBody* body, std::string* stream) {
    if (ParseKinesisPutFast(request.body, batch, body)) {
      return ResolveStream(body->stream_name, body->stream_arn, response, stream);
    }
    *body = KinesisPutBody();
    if (!ParseCommon(request, response, tree, stream)) return false;
    if (!batch) {
      body->records.push_back(FieldsOf(*tree));
      return true;
    }
    auto records_it = tree->find("Records");
    if (records_it == tree->end() || records_it->is_null()) {
      Fail(response, {"ValidationException",
                      "1 validation error detected: Value null at 'records' failed to "
                      "satisfy constraint: Member must not be null"});
      return false;
    }
    if (!records_it->is_array()) {
      Fail(response, {"SerializationException", "Records: expected a list"});
      return false;
    }
    body->records.reserve(records_it->size());
    for (const Json& entry : *records_it) body->records.push_back(FieldsOf(entry));
    return true;
  }

  static JsonMember MemberOf(const Json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return JsonMember();
    if (!it->is_string()) return JsonMember{JsonMember::Kind::kOther, {}};
    return JsonMember{JsonMember::Kind::kString, it->get_ref<const std::string&>()};
  }

  static KinesisRecordFields FieldsOf(const Json& entry) {
    KinesisRecordFields fields;
    fields.is_object = entry.is_object();
    if (!fields.is_object) return fields;
    fields.data = MemberOf(entry, "Data");
    fields.partition_key = MemberOf(entry, "PartitionKey");
    fields.explicit_hash_key = MemberOf(entry, "ExplicitHashKey");
    return fields;
  }

  bool ResolveStream(const JsonMember& name, const JsonMember& arn, HttpResponse* response,
                     std::string* stream) {
    using Kind = JsonMember::Kind;
    if (name.kind == Kind::kOther || arn.kind == Kind::kOther) {
      Fail(response, {"SerializationException", "StreamName and StreamARN must be strings"});
      return false;
    }
    if (arn.kind == Kind::kString) {
      const std::string_view text = arn.text;
      size_t pos = text.rfind(":stream/");
      if (!text.starts_with("arn:") || pos == std::string_view::npos) {
        Fail(response, {"ValidationException", "StreamARN '" + std::string(text) +
                                                   "' is not a Kinesis stream ARN "
                                                   "(arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)"});
        return false;
      }
      *stream = std::string(text.substr(pos + 8));
      if (name.kind == Kind::kString && name.text != *stream) {
        Fail(response,
             {"InvalidArgumentException", "StreamName and StreamARN name different streams"});
        return false;
      }
    } else if (name.kind == Kind::kString) {
      *stream = std::string(name.text);
    } else {
      Fail(response, {"ValidationException", "Either StreamName or StreamARN must be provided."});
      return false;
    }
    if (!stream::IsValidStreamName(*stream)) {
      Fail(response, {"ValidationException",
                      "1 validation error detected: Value '" + *stream +
                          "' at 'streamName' failed to satisfy constraint: Member must have "
                          "length between 1 and 128 and match [a-zA-Z0-9_.-]+"});
      return false;
    }
    return true;
  }

  // Checks one record (entry `index` of Records, or -1 for PutRecord's
  // body), appends its decoded Data to *data and sets *partition_key (a
  // view into the body).
  static std::optional<Failure> ParseEntry(const KinesisRecordFields& entry, int index,
                                           std::string* data, std::string_view* partition_key) {
    using Kind = JsonMember::Kind;
    // Only failures need the entry's name.
    auto where = [index] {
      return index < 0 ? std::string() : "Records[" + std::to_string(index) + "].";
    };
    if (!entry.is_object) {
      return Failure{"SerializationException", where() + " expected a record object"};
    }
    if (entry.data.kind == Kind::kAbsent) {
      return Failure{"ValidationException", "1 validation error detected: Value null at '" +
                                                where() +
                                                "data' failed to satisfy constraint: "
                                                "Member must not be null"};
    }
    if (entry.data.kind != Kind::kString) {
      return Failure{"SerializationException",
                     where() + "Data: expected a base64-encoded string (a blob)"};
    }
    const size_t before = data->size();
    if (Status decoded = Base64DecodeAppend(entry.data.text, data); !decoded.ok()) {
      return Failure{"SerializationException",
                     where() + "Data can not be converted to a Blob: " + decoded.message()};
    }
    if (entry.partition_key.kind == Kind::kAbsent) {
      return Failure{"ValidationException", "1 validation error detected: Value null at '" +
                                                where() +
                                                "partitionKey' failed to satisfy "
                                                "constraint: Member must not be null"};
    }
    if (entry.partition_key.kind != Kind::kString) {
      return Failure{"SerializationException", where() + "PartitionKey: expected a string"};
    }
    const std::string_view key = entry.partition_key.text;
    if (key.empty() || key.size() > 256) {
      return Failure{"ValidationException",
                     "1 validation error detected: Value at '" + where() +
                         "partitionKey' failed to satisfy constraint: Member must have length "
                         "between 1 and 256 (got " +
                         std::to_string(key.size()) + ")"};
    }
    if (const JsonMember& hash = entry.explicit_hash_key; hash.kind != Kind::kAbsent) {
      const bool digits = hash.kind == Kind::kString && !hash.text.empty() &&
                          hash.text.size() <= 39 &&
                          std::all_of(hash.text.begin(), hash.text.end(),
                                      [](char c) { return c >= '0' && c <= '9'; });
      if (!digits) {
        return Failure{"ValidationException",
                       where() + "ExplicitHashKey must be a decimal number in 0..2^128-1"};
      }
    }
    const size_t bytes = data->size() - before + key.size();
    if (bytes > kMaxRecordBytes) {
      return Failure{"ValidationException",
                     "1 validation error detected: Value at '" + where() +
                         "data' failed to satisfy constraint: Member must have length less "
                         "than or equal to 1048576 (data + partition key = " +
                         std::to_string(bytes) + " bytes)"};
    }
    *partition_key = key;
    return std::nullopt;
  }

  // PutRecords' answer, written as text (500 entries as a Json tree cost a
  // node and a string per member): the same bytes DumpJson would write.
  void ReplyPutRecords(const std::vector<Status>& invalid,
                       const std::vector<StatusOr<AppendedRecord>>& appended,
                       const std::string& stream, HttpResponse* response) {
    int failed = 0;
    for (const Status& status : invalid) failed += status.ok() ? 0 : 1;
    for (const auto& result : appended) failed += result.ok() ? 0 : 1;
    std::string& out = response->body;
    out.clear();
    out.reserve(64 + invalid.size() * 96);
    out.append("{\"FailedRecordCount\":").append(std::to_string(failed)).append(",\"Records\":[");
    auto error = [&out](std::string_view code, std::string_view message) {
      out.append("{\"ErrorCode\":");
      AppendJsonString(code, &out);
      out.append(",\"ErrorMessage\":");
      AppendJsonString(message, &out);
      out.push_back('}');
    };
    for (size_t i = 0, next = 0; i < invalid.size(); ++i) {
      if (i > 0) out.push_back(',');
      if (!invalid[i].ok()) {
        error("InvalidArgumentException", "Data: " + invalid[i].message());
        continue;
      }
      const StatusOr<AppendedRecord>& result = appended[next++];
      if (result.ok()) {
        out.append("{\"SequenceNumber\":");
        AppendJsonString(SequenceNumber(*result), &out);
        out.append(",\"ShardId\":");
        AppendJsonString(KinesisShardId(result->shard), &out);
        out.push_back('}');
      } else if (result.status().code() == StatusCode::kUnavailable) {
        error("ProvisionedThroughputExceededException",
              "Rate exceeded for stream " + stream + " under account " + options_.account_id +
                  ": " + result.status().message());
      } else {
        error("InternalFailure", "Internal Service Failure");
      }
    }
    out.append("],\"EncryptionType\":\"NONE\"}");
    accepted_->Increment(invalid.size() - failed);
    if (failed > 0) rejected_->Increment(failed);
    response->status = 200;
    response->content_type = "application/x-amz-json-1.1";
  }

  EventIngest* ingest_;
  KinesisApiOptions options_;
  Counter* accepted_;
  Counter* rejected_;
};

}  // namespace

Status RegisterKinesisApi(HttpService* service, EventIngest* ingest,
                          const KinesisApiOptions& options, MetricsRegistry* metrics) {
  auto api = std::make_shared<KinesisApi>(ingest, options, metrics);
  auto target = [](std::string_view op) { return std::string(kPrefix) + std::string(op); };
  RETURN_IF_ERROR(service->AddAmzTarget(
      target("PutRecord"), RouteAccess::kWrite,
      [api](const HttpRequest& req, HttpResponse* res) { api->PutRecord(req, res); }));
  RETURN_IF_ERROR(service->AddAmzTarget(
      target("PutRecords"), RouteAccess::kWrite,
      [api](const HttpRequest& req, HttpResponse* res) { api->PutRecords(req, res); }));
  RETURN_IF_ERROR(service->AddAmzTarget(
      target("DescribeStream"), RouteAccess::kRead,
      [api](const HttpRequest& req, HttpResponse* res) { api->DescribeStream(req, res, false); }));
  RETURN_IF_ERROR(service->AddAmzTarget(
      target("DescribeStreamSummary"), RouteAccess::kRead,
      [api](const HttpRequest& req, HttpResponse* res) { api->DescribeStream(req, res, true); }));
  RETURN_IF_ERROR(service->AddAmzTarget(
      target("ListStreams"), RouteAccess::kRead,
      [api](const HttpRequest& req, HttpResponse* res) { api->ListStreams(req, res); }));
  return Status::Ok();
}

}  // namespace pantry::server
