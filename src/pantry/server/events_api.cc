#include "pantry/server/events_api.h"

#include <memory>

#include "pantry/common/json.h"
#include "pantry/common/time_format.h"
#include "pantry/stream/event.h"

namespace pantry::server {
namespace {

// The partition key / id of an event field: a non-empty string or an integer.
StatusOr<std::string> IdField(const Json& event, const char* name) {
  auto it = event.find(name);
  if (it == event.end() || it->is_null()) {
    return InvalidArgumentError(std::string("missing field '") + name + "'");
  }
  if (it->is_string()) {
    if (it->get_ref<const std::string&>().empty()) {
      return InvalidArgumentError(std::string("field '") + name + "' is empty");
    }
    return it->get<std::string>();
  }
  if (it->is_number_integer()) return it->dump();
  return InvalidArgumentError(std::string("field '") + name + "': expected a string or an integer");
}

Status CheckEvent(const Json& event) {
  if (!event.is_object()) return InvalidArgumentError("expected a JSON object");
  RETURN_IF_ERROR(IdField(event, "customer_id").status());
  RETURN_IF_ERROR(IdField(event, "product_id").status());
  RETURN_IF_ERROR(stream::CheckEventValueSizes(event));
  if (auto it = event.find("event_time"); it != event.end() && !it->is_null()) {
    if (it->is_number()) {
      if (it->get<double>() < 0) return InvalidArgumentError("field 'event_time' is negative");
      StatusOr<int64_t> micros = SecondsToEventTimeMicros(it->get<double>());
      if (!micros.ok()) {
        return InvalidArgumentError("field 'event_time': " + micros.status().message());
      }
    } else if (it->is_string()) {
      StatusOr<int64_t> parsed = ParseEventTimeMicros(it->get_ref<const std::string&>());
      if (!parsed.ok()) {
        return InvalidArgumentError("field 'event_time': " + parsed.status().message());
      }
    } else {
      return InvalidArgumentError(
          "field 'event_time': expected Unix seconds or an ISO-8601 string");
    }
  }
  for (const char* name : {"activity_weight", "product_health_index"}) {
    if (auto it = event.find(name); it != event.end() && !it->is_null() && !it->is_number()) {
      return InvalidArgumentError(std::string("field '") + name + "': expected a number");
    }
  }
  for (const char* name : {"activity_type", "product_category"}) {
    if (auto it = event.find(name); it != event.end() && !it->is_null() && !it->is_string()) {
      return InvalidArgumentError(std::string("field '") + name + "': expected a string");
    }
  }
  return Status::Ok();
}

class EventsApi {
 public:
  EventsApi(EventIngest* ingest, EventsApiOptions options, MetricsRegistry* metrics)
      : ingest_(ingest), options_(std::move(options)) {
    accepted_ =
        metrics->GetCounter("pantry_events_accepted_total",
                            "Events appended to the event log, by API.", {{"api", "native"}});
    rejected_ = metrics->GetCounter("pantry_events_rejected_total",
                                    "Events refused (invalid or not appended), by API.",
                                    {{"api", "native"}});
  }

  void Post(const HttpRequest& request, HttpResponse* response) {
    const std::string* stream_param = request.Query("stream");
    std::string stream = stream_param != nullptr ? *stream_param : options_.default_stream;
    StatusOr<Json> parsed = ParseJson(request.body, "request body");
    if (!parsed.ok()) return SetStatusError(response, parsed.status());
    const Json& events = *parsed;
    if (!events.is_array()) {
      return SetStatusError(response,
                            InvalidArgumentError("request body must be a JSON array of events"));
    }
    if (events.empty()) {
      return SetStatusError(response, InvalidArgumentError("the event array is empty"));
    }
    if (events.size() > options_.max_events) {
      rejected_->Increment(events.size());
      return SetStatusError(
          response,
          InvalidArgumentError("too many events in one request: " + std::to_string(events.size()) +
                               " (at most " + std::to_string(options_.max_events) + ")"));
    }
    std::vector<std::string> keys(events.size());
    std::vector<std::string> data(events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      Status status = CheckEvent(events[i]);
      if (!status.ok()) {
        rejected_->Increment(events.size());
        return SetStatusError(response, status.WithContext("event " + std::to_string(i)));
      }
      keys[i] = *IdField(events[i], "customer_id");
      data[i] = DumpJson(events[i]);
    }
    std::vector<IngestRecord> records(events.size());
    for (size_t i = 0; i < events.size(); ++i) records[i] = IngestRecord{keys[i], data[i]};
    auto results = ingest_->Append(stream, records);
    if (!results.ok()) {
      rejected_->Increment(events.size());
      return SetStatusError(response, results.status());
    }
    size_t failed = 0;
    OrderedJson errors = OrderedJson::array();
    for (size_t i = 0; i < results->size(); ++i) {
      const auto& result = (*results)[i];
      if (result.ok()) continue;
      ++failed;
      if (errors.size() < 100) {
        errors.push_back({{"index", i}, {"message", result.status().ToString()}});
      }
    }
    accepted_->Increment(events.size() - failed);
    rejected_->Increment(failed);
    OrderedJson out = OrderedJson::object();
    out["stream"] = stream;
    out["accepted"] = events.size() - failed;
    out["failed"] = failed;
    if (failed > 0) out["errors"] = std::move(errors);
    response->SetJson(failed == events.size() ? 503 : 200, out);
  }

 private:
  EventIngest* ingest_;
  EventsApiOptions options_;
  Counter* accepted_;
  Counter* rejected_;
};

}  // namespace

Status RegisterEventsApi(HttpService* service, EventIngest* ingest, const EventsApiOptions& options,
                         MetricsRegistry* metrics) {
  auto api = std::make_shared<EventsApi>(ingest, options, metrics);
  return service->AddRoute(
      "POST", "/v1/events", RouteAccess::kWrite, ErrorStyle::kNative,
      [api](const HttpRequest& req, HttpResponse* res) { api->Post(req, res); });
}

}  // namespace pantry::server
