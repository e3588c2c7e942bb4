// The console's endpoints: read-only SQL with a row cap, one record's online
// value beside its offline history, stream processor status, and the
// training metrics of the served model versions.
#include <charconv>
#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <system_error>

#include "pantry/stream/event.h"
#include "pantry/webui/json_rows.h"
#include "pantry/webui/webui.h"

namespace pantry::webui {
namespace {

using featurestore::FeatureStore;
using featurestore::FeatureValue;
using server::ErrorStyle;
using server::HttpRequest;
using server::HttpResponse;
using server::RouteAccess;

constexpr int kDefaultMaxRows = 1000;
constexpr int kMaxRowsLimit = 10000;

// Runs `sql` (read-only, as FeatureStore::Query enforces), keeping at most
// max_rows rows; "truncated" says whether more were there.
StatusOr<OrderedJson> RunQuery(const FeatureStore& store, const Json& body) {
  ASSIGN_OR_RETURN(std::string sql, GetJsonString(body, "sql"));
  int64_t max_rows = kDefaultMaxRows;
  if (body.contains("max_rows")) {
    ASSIGN_OR_RETURN(max_rows, GetJsonInt(body, "max_rows"));
    if (max_rows < 1 || max_rows > kMaxRowsLimit) {
      return InvalidArgumentError("max_rows must be between 1 and " +
                                  std::to_string(kMaxRowsLimit));
    }
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> columns;
  OrderedJson rows = OrderedJson::array();
  bool truncated = false;
  Status status = store.QueryEach(sql, &columns, [&](std::span<const FeatureValue> row) {
    if (static_cast<int64_t>(rows.size()) == max_rows) {
      truncated = true;
      return FailedPreconditionError("row cap reached");
    }
    OrderedJson r = OrderedJson::array();
    for (const FeatureValue& v : row) r.push_back(ValueToJson(v));
    rows.push_back(std::move(r));
    return Status::Ok();
  });
  if (!status.ok() && !truncated) return status;
  OrderedJson out;
  out["columns"] = columns;
  out["rows"] = std::move(rows);
  out["truncated"] = truncated;
  out["took_ms"] =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return out;
}

// `id` compared with the group's identifier column, typed as the column is.
StatusOr<std::string> IdPredicate(const featurestore::FeatureGroupDefinition& group,
                                  const std::string& id) {
  const std::string column = "\"" + group.record_identifier_name + "\"";
  for (const auto& feature : group.features) {
    if (feature.name != group.record_identifier_name) continue;
    if (feature.type != featurestore::FeatureType::kIntegral) break;
    int64_t value = 0;
    auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), value);
    if (id.empty() || error != std::errc() || end != id.data() + id.size()) {
      return InvalidArgumentError("record id of " + group.name + " must be an integer");
    }
    return column + " = " + std::to_string(value);
  }
  return column + " = " + SqlLiteral(id);
}

StatusOr<OrderedJson> RecordWithHistory(const FeatureStore& store, const std::string& name,
                                        const std::string& id, int history) {
  ASSIGN_OR_RETURN(featurestore::FeatureGroupDefinition group, store.DescribeFeatureGroup(name));
  OrderedJson out;
  out["feature_group"] = name;
  out["record_id"] = id;
  out["online"] = nullptr;
  if (group.online_enabled) {
    int64_t expires_at = 0;
    ASSIGN_OR_RETURN(auto record, store.GetRecord(name, id, {}, &expires_at));
    if (record.has_value()) {
      out["online"] = RecordToJson(*record);
      out["expires_at"] = expires_at == 0 ? OrderedJson(nullptr)
                                          : OrderedJson(static_cast<double>(expires_at) / 1e6);
    }
  }
  out["history"] = OrderedJson::array();
  if (group.offline_enabled && group.name.find('"') == std::string::npos) {
    ASSIGN_OR_RETURN(std::string predicate, IdPredicate(group, id));
    ASSIGN_OR_RETURN(featurestore::QueryResult rows,
                     store.Query("SELECT * FROM \"" + group.name + "\" WHERE " + predicate +
                                 " ORDER BY write_time DESC LIMIT " + std::to_string(history)));
    out["history"] = RowsToObjects(rows);
  }
  if (out["online"].is_null() && out["history"].empty()) {
    return NotFoundError("record '" + id + "' is not in feature group " + name);
  }
  return out;
}

OrderedJson Processors(const stream::StreamService* streams) {
  OrderedJson list = OrderedJson::array();
  if (streams == nullptr) return list;
  std::map<std::string, OrderedJson> lag;
  std::map<std::string, std::string> source;
  for (const stream::SpecShardLag& l : streams->Lag()) {
    source[l.spec] = l.source;
    lag[l.spec].push_back({{"shard", l.shard},
                           {"events", l.lag.events},
                           {"seconds", static_cast<double>(l.lag.micros) / 1e6}});
  }
  std::map<std::string, size_t> open;
  for (const auto& [name, keys] : streams->OpenKeys()) open[name] = keys;
  for (const auto& [name, s] : streams->stats()) {
    OrderedJson p;
    p["name"] = name;
    p["source"] = source.count(name) ? source[name] : "";
    p["records"] = s.records;
    p["accepted"] = s.accepted;
    p["rows_emitted"] = s.rows_emitted;
    p["rows_delivered"] = s.rows_delivered;
    p["checkpoints"] = s.checkpoints;
    p["dead_letters"] = s.dead_letters;
    p["poll_errors"] = s.poll_errors;
    p["open_windows"] = open.count(name) ? open[name] : 0;
    OrderedJson rejected = OrderedJson::object();
    for (int r = 0; r < stream::kRejectReasonCount; ++r) {
      rejected[std::string(stream::RejectReasonName(static_cast<stream::RejectReason>(r)))] =
          s.rejected[r];
    }
    p["rejected"] = std::move(rejected);
    p["lag"] = lag.count(name) ? lag[name] : OrderedJson::array();
    list.push_back(std::move(p));
  }
  return list;
}

// Each model kind under <home>/models with its current version and that
// version's metrics.json (training rows, held-out metrics, parameters).
OrderedJson ModelTraining(const WebUiSources& sources) {
  namespace fs = std::filesystem;
  OrderedJson out;
  out["served"] = {{"candidates", sources.recommender->cf_version()},
                   {"rank", sources.recommender->rank_version()}};
  out["ready"] = sources.recommender->Ready().ok();
  OrderedJson kinds = OrderedJson::array();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(sources.home / "models", ec)) {
    std::ifstream current(entry.path() / "current");
    std::string version;
    if (!entry.is_directory(ec) || !(current >> version)) continue;
    OrderedJson k;
    k["kind"] = entry.path().filename().string();
    k["version"] = version;
    auto metrics = ReadJsonFile(entry.path() / version / "metrics.json");
    k["metrics"] = metrics.ok() ? OrderedJson(*metrics) : OrderedJson(nullptr);
    auto written = fs::last_write_time(entry.path() / version, ec);
    if (!ec) {
      auto since = written.time_since_epoch() - fs::file_time_type::clock::now().time_since_epoch();
      k["age_seconds"] = -std::chrono::duration<double>(since).count();
    }
    kinds.push_back(std::move(k));
  }
  out["models"] = std::move(kinds);
  return out;
}

}  // namespace

Status RegisterConsoleApi(server::HttpService* service, const WebUiSources& sources) {
  const FeatureStore* store = sources.store;
  const ErrorStyle native = ErrorStyle::kNative;
  RETURN_IF_ERROR(service->AddRoute("POST", "/v1/query", RouteAccess::kRead, native,
                                    [store](const HttpRequest& request, HttpResponse* response) {
                                      auto body = ParseJson(request.body, "request body");
                                      auto result = body.ok()
                                                        ? RunQuery(*store, *body)
                                                        : StatusOr<OrderedJson>(body.status());
                                      if (!result.ok())
                                        return server::SetStatusError(response, result.status());
                                      response->SetJson(200, *result);
                                    }));
  RETURN_IF_ERROR(service->AddRoute(
      "GET", "/v1/feature-groups/{name}/records/{id}", RouteAccess::kRead, native,
      [store](const HttpRequest& request, HttpResponse* response) {
        auto history = IntParam(request, "history", 20, 0, 1000);
        auto result = history.ok() ? RecordWithHistory(*store, request.PathParam("name"),
                                                       request.PathParam("id"), *history)
                                   : StatusOr<OrderedJson>(history.status());
        if (!result.ok()) return server::SetStatusError(response, result.status());
        response->SetJson(200, *result);
      }));
  RETURN_IF_ERROR(
      service->AddRoute("GET", "/v1/streams/processors", RouteAccess::kRead, native,
                        [streams = sources.streams](const HttpRequest&, HttpResponse* response) {
                          response->SetJson(200, OrderedJson{{"processors", Processors(streams)}});
                        }));
  return service->AddRoute("GET", "/v1/models/training", RouteAccess::kRead, native,
                           [sources](const HttpRequest&, HttpResponse* response) {
                             response->SetJson(200, ModelTraining(sources));
                           });
}

}  // namespace pantry::webui
