#include "pantry/server/kinesis_admin_api.h"

#include <memory>

#include "pantry/server/aws_json_rpc.h"
#include "pantry/stream/kinesis_ids.h"
#include "pantry/stream/stream_registry.h"

namespace pantry::server {
namespace {

constexpr int kMaxShards = 1024;  // the embedded log's limit

class KinesisAdminApi {
 public:
  KinesisAdminApi(EventIngest* ingest, KinesisApiOptions options)
      : ingest_(ingest), options_(std::move(options)) {}

  void CreateStream(const HttpRequest& request, HttpResponse* response) {
    Json body;
    std::string name;
    std::optional<int64_t> shards;
    std::string mode = "PROVISIONED";
    if (auto e = ParseAwsJsonBody(request, &body)) return AwsJsonFail(response, *e);
    if (auto e = RequiredString(body, "StreamName", &name)) return AwsJsonFail(response, *e);
    if (auto e = OptionalInt(body, "ShardCount", &shards)) return AwsJsonFail(response, *e);
    if (auto it = body.find("StreamModeDetails"); it != body.end() && !it->is_null()) {
      std::optional<std::string> m;
      if (!it->is_object()) {
        return AwsJsonFail(response,
                           {"SerializationException", "StreamModeDetails: expected an object"});
      }
      if (auto e = OptionalString(*it, "StreamMode", &m)) return AwsJsonFail(response, *e);
      if (m) mode = *m;
    }
    if (mode != "PROVISIONED" && mode != "ON_DEMAND") {
      return AwsJsonFail(response, {"ValidationException",
                                    "1 validation error detected: Value '" + mode +
                                        "' at 'streamModeDetails.streamMode' failed to satisfy "
                                        "constraint: Member must satisfy enum value set: "
                                        "[PROVISIONED, ON_DEMAND]"});
    }
    if (auto e = CheckName(name)) return AwsJsonFail(response, *e);
    const bool on_demand = mode == "ON_DEMAND";
    if (on_demand && shards) {
      return AwsJsonFail(response, {"ValidationException",
                                    "ShardCount must not be given for an ON_DEMAND stream"});
    }
    if (!on_demand && !shards) {
      return AwsJsonFail(response, {"InvalidArgumentException",
                                    "ShardCount is required for a PROVISIONED stream"});
    }
    int count = stream::kOnDemandShards;
    if (shards) {
      if (*shards < 1) {
        return AwsJsonFail(response,
                           {"ValidationException",
                            "1 validation error detected: Value '" + std::to_string(*shards) +
                                "' at 'shardCount' failed to satisfy constraint: "
                                "Member must have value greater than or equal to 1"});
      }
      if (*shards > kMaxShards) {
        return AwsJsonFail(response, {"LimitExceededException",
                                      "pantry streams have at most 1024 shards (asked for " +
                                          std::to_string(*shards) + ")"});
      }
      count = static_cast<int>(*shards);
    }
    Status st = ingest_->CreateStream(name, count, on_demand);
    if (!st.ok()) return AwsJsonFail(response, ToAwsError(st, name));
    AwsJsonReply(response, OrderedJson::object());
  }

  void DeleteStream(const HttpRequest& request, HttpResponse* response) {
    Json body;
    std::string name;
    if (auto e = ParseAwsJsonBody(request, &body)) return AwsJsonFail(response, *e);
    if (auto e = StreamOf(body, &name)) return AwsJsonFail(response, *e);
    Status st = ingest_->DeleteStream(name);
    if (!st.ok()) return AwsJsonFail(response, ToAwsError(st, name));
    AwsJsonReply(response, OrderedJson::object());
  }

  // Pages by NextToken "<stream>/<first shard index>"; MaxResults 1..10000
  // (default 1000, as AWS).
  void ListShards(const HttpRequest& request, HttpResponse* response) {
    Json body;
    if (auto e = ParseAwsJsonBody(request, &body)) return AwsJsonFail(response, *e);
    std::optional<std::string> token, start_after;
    std::optional<int64_t> max_results;
    if (auto e = OptionalString(body, "NextToken", &token)) return AwsJsonFail(response, *e);
    if (auto e = OptionalString(body, "ExclusiveStartShardId", &start_after)) {
      return AwsJsonFail(response, *e);
    }
    if (auto e = OptionalInt(body, "MaxResults", &max_results)) return AwsJsonFail(response, *e);
    const int64_t limit = max_results.value_or(1000);
    if (limit < 1 || limit > 10000) {
      return AwsJsonFail(response, {"ValidationException",
                                    "1 validation error detected: Value '" + std::to_string(limit) +
                                        "' at 'maxResults' failed to satisfy constraint: Member "
                                        "must have value between 1 and 10000"});
    }
    std::string name;
    int first = 0;
    if (token) {
      if (body.contains("StreamName") || body.contains("StreamARN")) {
        return AwsJsonFail(response, {"InvalidArgumentException",
                                      "NextToken and StreamName cannot be provided together."});
      }
      const size_t slash = token->rfind('/');
      if (slash == std::string::npos || slash + 1 == token->size() ||
          token->find_first_not_of("0123456789", slash + 1) != std::string::npos ||
          token->size() - slash > 6) {
        return AwsJsonFail(response, {"InvalidArgumentException", "Invalid NextToken."});
      }
      name = token->substr(0, slash);
      first = std::stoi(token->substr(slash + 1));
    } else {
      if (auto e = StreamOf(body, &name)) return AwsJsonFail(response, *e);
    }
    StatusOr<StreamInfo> info = ingest_->Describe(name);
    if (!info.ok()) return AwsJsonFail(response, ToAwsError(info.status(), name));
    if (start_after) {
      StatusOr<int> shard = stream::ParseKinesisShardId(*start_after);
      // A shard id past the stream's shards lists nothing, as AWS does.
      first = shard.ok() ? *shard + 1 : 0;
    }
    OrderedJson shards = OrderedJson::array();
    int i = first;
    for (; i < info->shard_count && static_cast<int64_t>(shards.size()) < limit; ++i) {
      const stream::KinesisHashKeyRange range = stream::HashKeyRangeOfShard(i, info->shard_count);
      OrderedJson shard = OrderedJson::object();
      shard["ShardId"] = stream::KinesisShardId(i);
      shard["HashKeyRange"] = {{"StartingHashKey", range.starting},
                               {"EndingHashKey", range.ending}};
      shard["SequenceNumberRange"] = {
          {"StartingSequenceNumber", stream::KinesisSequenceNumber({i, 0})}};
      shards.push_back(std::move(shard));
    }
    OrderedJson out = OrderedJson::object();
    out["Shards"] = std::move(shards);
    if (i < info->shard_count) out["NextToken"] = name + "/" + std::to_string(i);
    AwsJsonReply(response, out);
  }

 private:
  std::optional<AwsError> CheckName(const std::string& name) const {
    if (stream::IsValidStreamName(name)) return std::nullopt;
    return AwsError{"ValidationException",
                    "1 validation error detected: Value '" + name +
                        "' at 'streamName' failed to satisfy constraint: Member must have "
                        "length between 1 and 128 and match [a-zA-Z0-9_.-]+"};
  }

  // StreamName, or the name in StreamARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME).
  std::optional<AwsError> StreamOf(const Json& body, std::string* name) const {
    std::optional<std::string> by_name, arn;
    if (auto e = OptionalString(body, "StreamName", &by_name)) return e;
    if (auto e = OptionalString(body, "StreamARN", &arn)) return e;
    if (arn) {
      const size_t pos = arn->rfind(":stream/");
      if (!arn->starts_with("arn:") || pos == std::string::npos) {
        return AwsError{"ValidationException",
                        "StreamARN '" + *arn + "' is not a Kinesis stream ARN"};
      }
      *name = arn->substr(pos + 8);
      if (by_name && *by_name != *name) {
        return AwsError{"InvalidArgumentException",
                        "StreamName and StreamARN name different streams"};
      }
    } else if (by_name) {
      *name = *by_name;
    } else {
      return AwsError{"ValidationException", "Either StreamName or StreamARN must be provided."};
    }
    return CheckName(*name);
  }

  AwsError ToAwsError(const Status& status, const std::string& name) const {
    const std::string where = "Stream " + name + " under account " + options_.account_id;
    switch (status.code()) {
      case StatusCode::kNotFound:
        return {"ResourceNotFoundException", where + " not found."};
      case StatusCode::kAlreadyExists:
        return {"ResourceInUseException", where + " already exists."};
      case StatusCode::kFailedPrecondition:
        return {"ResourceInUseException", status.message()};
      case StatusCode::kInvalidArgument:
        return {"InvalidArgumentException", status.message()};
      default:
        return {"InternalFailure", status.message(), 500};
    }
  }

  EventIngest* ingest_;
  KinesisApiOptions options_;
};

}  // namespace

Status RegisterKinesisAdminApi(HttpService* service, EventIngest* ingest,
                               const KinesisApiOptions& options) {
  auto api = std::make_shared<KinesisAdminApi>(ingest, options);
  const std::string prefix = "Kinesis_20131202.";
  RETURN_IF_ERROR(service->AddAmzTarget(
      prefix + "CreateStream", RouteAccess::kWrite,
      [api](const HttpRequest& req, HttpResponse* res) { api->CreateStream(req, res); }));
  RETURN_IF_ERROR(service->AddAmzTarget(
      prefix + "DeleteStream", RouteAccess::kWrite,
      [api](const HttpRequest& req, HttpResponse* res) { api->DeleteStream(req, res); }));
  RETURN_IF_ERROR(service->AddAmzTarget(
      prefix + "ListShards", RouteAccess::kRead,
      [api](const HttpRequest& req, HttpResponse* res) { api->ListShards(req, res); }));
  return Status::Ok();
}

}  // namespace pantry::server
