#include "pantry/server/kinesis_api.h"

#include <algorithm>
#include <memory>

#include "pantry/common/json.h"
#include "pantry/server/base64.h"
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
    Json body;
    std::string stream;
    if (!ParseCommon(request, response, &body, &stream)) return;
    std::string data;
    std::string partition_key;
    if (auto failure = ParseEntry(body, "", &data, &partition_key)) {
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
    Json body;
    std::string stream;
    if (!ParseCommon(request, response, &body, &stream)) return;
    auto records_it = body.find("Records");
    if (records_it == body.end() || records_it->is_null()) {
      return Fail(response, {"ValidationException",
                             "1 validation error detected: Value null at 'records' failed to "
                             "satisfy constraint: Member must not be null"});
    }
    if (!records_it->is_array()) {
      return Fail(response, {"SerializationException", "Records: expected a list"});
    }
    const Json& entries = *records_it;
    if (entries.empty() || entries.size() > kMaxPutRecordsEntries) {
      return Fail(response, {"ValidationException",
                             "1 validation error detected: Value at 'records' failed to satisfy "
                             "constraint: Member must have length between 1 and 500 (got " +
                                 std::to_string(entries.size()) + ")"});
    }
    std::vector<std::string> data(entries.size());
    std::vector<std::string> keys(entries.size());
    size_t total = 0;
    for (size_t i = 0; i < entries.size(); ++i) {
      std::string where = "Records[" + std::to_string(i) + "].";
      if (auto failure = ParseEntry(entries[i], where, &data[i], &keys[i])) {
        rejected_->Increment(entries.size());
        return Fail(response, *failure);
      }
      total += data[i].size() + keys[i].size();
    }
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
    for (size_t i = 0; i < entries.size(); ++i) {
      invalid[i] = stream::CheckEventPayloadSizes(data[i]);
      if (invalid[i].ok()) records.push_back(IngestRecord{keys[i], data[i]});
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
    OrderedJson out_records = OrderedJson::array();
    int failed = 0;
    for (size_t i = 0, next = 0; i < entries.size(); ++i) {
      OrderedJson entry = OrderedJson::object();
      if (!invalid[i].ok()) {
        ++failed;
        entry["ErrorCode"] = "InvalidArgumentException";
        entry["ErrorMessage"] = "Data: " + invalid[i].message();
        out_records.push_back(std::move(entry));
        continue;
      }
      const StatusOr<AppendedRecord>& result = appended[next++];
      if (result.ok()) {
        entry["SequenceNumber"] = SequenceNumber(*result);
        entry["ShardId"] = KinesisShardId(result->shard);
      } else if (result.status().code() == StatusCode::kUnavailable) {
        ++failed;
        entry["ErrorCode"] = "ProvisionedThroughputExceededException";
        entry["ErrorMessage"] = "Rate exceeded for stream " + stream + " under account " +
                                options_.account_id + ": " + result.status().message();
      } else {
        ++failed;
        entry["ErrorCode"] = "InternalFailure";
        entry["ErrorMessage"] = "Internal Service Failure";
      }
      out_records.push_back(std::move(entry));
    }
    accepted_->Increment(entries.size() - failed);
    if (failed > 0) rejected_->Increment(failed);
    OrderedJson out = OrderedJson::object();
    out["FailedRecordCount"] = failed;
    out["Records"] = std::move(out_records);
    out["EncryptionType"] = "NONE";
    Reply(response, out);
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
    for (const StreamInfo& info : ingest_->List()) {
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
    auto name_it = body->find("StreamName");
    auto arn_it = body->find("StreamARN");
    bool has_name = name_it != body->end() && !name_it->is_null();
    bool has_arn = arn_it != body->end() && !arn_it->is_null();
    if ((has_name && !name_it->is_string()) || (has_arn && !arn_it->is_string())) {
      Fail(response, {"SerializationException", "StreamName and StreamARN must be strings"});
      return false;
    }
    if (has_arn) {
      const std::string& arn = arn_it->get_ref<const std::string&>();
      size_t pos = arn.rfind(":stream/");
      if (!arn.starts_with("arn:") || pos == std::string::npos) {
        Fail(response, {"ValidationException", "StreamARN '" + arn +
                                                   "' is not a Kinesis stream ARN "
                                                   "(arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)"});
        return false;
      }
      *stream = arn.substr(pos + 8);
      if (has_name && name_it->get_ref<const std::string&>() != *stream) {
        Fail(response,
             {"InvalidArgumentException", "StreamName and StreamARN name different streams"});
        return false;
      }
    } else if (has_name) {
      *stream = name_it->get<std::string>();
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

  // Parses one record's Data (base64) and PartitionKey.
  static std::optional<Failure> ParseEntry(const Json& entry, const std::string& where,
                                           std::string* data, std::string* partition_key) {
    if (!entry.is_object()) {
      return Failure{"SerializationException", where + " expected a record object"};
    }
    auto data_it = entry.find("Data");
    if (data_it == entry.end() || data_it->is_null()) {
      return Failure{"ValidationException", "1 validation error detected: Value null at '" + where +
                                                "data' failed to satisfy constraint: "
                                                "Member must not be null"};
    }
    if (!data_it->is_string()) {
      return Failure{"SerializationException",
                     where + "Data: expected a base64-encoded string (a blob)"};
    }
    const std::string& encoded = data_it->get_ref<const std::string&>();
    StatusOr<std::string> decoded = Base64Decode(encoded);
    if (!decoded.ok()) {
      return Failure{"SerializationException",
                     where + "Data can not be converted to a Blob: " + decoded.status().message()};
    }
    auto key_it = entry.find("PartitionKey");
    if (key_it == entry.end() || key_it->is_null()) {
      return Failure{"ValidationException", "1 validation error detected: Value null at '" + where +
                                                "partitionKey' failed to satisfy "
                                                "constraint: Member must not be null"};
    }
    if (!key_it->is_string()) {
      return Failure{"SerializationException", where + "PartitionKey: expected a string"};
    }
    const std::string& key = key_it->get_ref<const std::string&>();
    if (key.empty() || key.size() > 256) {
      return Failure{"ValidationException",
                     "1 validation error detected: Value at '" + where +
                         "partitionKey' failed to satisfy constraint: Member must have length "
                         "between 1 and 256 (got " +
                         std::to_string(key.size()) + ")"};
    }
    if (auto hash_it = entry.find("ExplicitHashKey");
        hash_it != entry.end() && !hash_it->is_null()) {
      const bool digits = hash_it->is_string() && !hash_it->get_ref<const std::string&>().empty() &&
                          hash_it->get_ref<const std::string&>().size() <= 39 &&
                          std::all_of(hash_it->get_ref<const std::string&>().begin(),
                                      hash_it->get_ref<const std::string&>().end(),
                                      [](char c) { return c >= '0' && c <= '9'; });
      if (!digits) {
        return Failure{"ValidationException",
                       where + "ExplicitHashKey must be a decimal number in 0..2^128-1"};
      }
    }
    if (decoded->size() + key.size() > kMaxRecordBytes) {
      return Failure{"ValidationException",
                     "1 validation error detected: Value at '" + where +
                         "data' failed to satisfy constraint: Member must have length less "
                         "than or equal to 1048576 (data + partition key = " +
                         std::to_string(decoded->size() + key.size()) + " bytes)"};
    }
    *data = std::move(*decoded);
    *partition_key = key;
    return std::nullopt;
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
