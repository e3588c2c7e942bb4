#include "pantry/stream/replay.h"

#include <cmath>

#include "pantry/common/json.h"
#include "pantry/common/time_format.h"

namespace pantry::stream {

std::string ReplayStats::Summary() const {
  int64_t total = 0;
  std::string by_reason;
  for (int i = 0; i < kRejectReasonCount; ++i) {
    if (rejected[i] == 0) continue;
    total += rejected[i];
    by_reason += std::string(by_reason.empty() ? " (" : ", ") +
                 std::string(RejectReasonName(static_cast<RejectReason>(i))) + " " +
                 std::to_string(rejected[i]);
  }
  if (!by_reason.empty()) by_reason += ")";
  return std::to_string(lines) + " lines, " + std::to_string(accepted) + " events accepted, " +
         std::to_string(total) + " rejected" + by_reason + ", " + std::to_string(rows) +
         " rows emitted" +
         (evictions.keys > 0 ? ", " + std::to_string(evictions.keys) + " keys evicted" : "");
}
namespace {

// A time given as ISO-8601 text or Unix seconds; false if absent or bad.
bool ReadTime(const Json& json, const std::string& field, int64_t* micros, std::string* error) {
  auto it = json.find(field);
  if (it == json.end() || it->is_null()) return false;
  if (it->is_number()) {
    double secs = it->get<double>();
    if (!std::isfinite(secs) || std::fabs(secs) > 1e11) {
      *error = "field '" + field + "': time out of range";
      return false;
    }
    *micros = static_cast<int64_t>(std::llround(secs * 1e6));
    return true;
  }
  if (it->is_string()) {
    auto t = ParseEventTimeMicros(it->get_ref<const std::string&>());
    if (t.ok()) {
      *micros = *t;
      return true;
    }
    *error = "field '" + field + "': " + t.status().message();
    return false;
  }
  *error = "field '" + field + "': expected a timestamp";
  return false;
}

}  // namespace

StatusOr<ReplayStats> ReplayJsonLines(const WindowSpec& spec, std::istream& in,
                                      const ReplayCallbacks& callbacks, size_t max_window_keys) {
  ReplayStats stats;
  EventParser parser(spec);
  WindowAggregatorOptions aggregator_options;
  aggregator_options.max_open_keys = max_window_keys;
  auto aggregator = WindowAggregator::Create(spec, aggregator_options);
  std::vector<EmittedRow> rows;
  auto flush_rows = [&] {
    for (const EmittedRow& row : rows) {
      ++stats.rows;
      if (callbacks.on_row) callbacks.on_row(row);
    }
    rows.clear();
  };
  auto reject = [&](RejectReason reason, std::string message) {
    ++stats.rejected[static_cast<int>(reason)];
    if (callbacks.on_reject)
      callbacks.on_reject(stats.lines, Rejection{reason, std::move(message)});
  };
  const std::string time_field =
      spec.event_time_field.empty() ? "event_time" : spec.event_time_field;
  int64_t last_arrival = 0;
  bool have_arrival = false;
  std::string line;
  ParsedEvent event;
  while (std::getline(in, line)) {
    ++stats.lines;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (line.size() > kMaxEventBytes) {
      reject(RejectReason::kTooLarge,
             "event is " + std::to_string(line.size()) + " bytes, over the 1 MiB limit");
      continue;
    }
    auto json = ParseJson(line, "event");
    if (!json.ok()) {
      reject(RejectReason::kNotJson, json.status().message());
      continue;
    }
    if (!json->is_object()) {
      reject(RejectReason::kNotObject, "event is not a JSON object");
      continue;
    }
    int64_t arrival = 0;
    std::string error;
    if (ReadTime(*json, "_arrival_time", &arrival, &error) ||
        (error.empty() && ReadTime(*json, time_field, &arrival, &error))) {
      // from the line
    } else if (!error.empty()) {
      reject(RejectReason::kBadTime, error);
      continue;
    } else {
      arrival = have_arrival ? last_arrival + 1 : 0;
    }
    if (have_arrival && arrival < last_arrival) arrival = last_arrival;
    last_arrival = arrival;
    have_arrival = true;
    Rejection rejection;
    if (!parser.ParseJsonValue(*json, arrival, &event, &rejection)) {
      reject(rejection.reason, rejection.message);
      continue;
    }
    if (!aggregator->Add(event, &rows)) {
      reject(RejectReason::kLate, "late event: its window has already closed");
    } else {
      ++stats.accepted;
    }
    flush_rows();
  }
  if (in.bad()) return IOError("error reading events");
  aggregator->Flush(&rows);
  flush_rows();
  stats.evictions = aggregator->evictions();
  return stats;
}

}  // namespace pantry::stream
