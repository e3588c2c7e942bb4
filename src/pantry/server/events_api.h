// pantry's native event API: POST /v1/events[?stream=NAME] with a JSON array
// of click events, e.g.
//   [{"event_time": "2026-11-27T03:00:00Z", "customer_id": "C1", "product_id": "P7",
//     "product_category": "snacks", "activity_type": "liked", "activity_weight": 1,
//     "product_health_index": 0.3}]
// Every event is checked before any is appended: the array must be non-empty
// and at most 10,000 events; customer_id (the partition key) and product_id
// must be non-empty strings or integers; event_time, when present, Unix
// seconds or ISO-8601; activity_weight and product_health_index, when
// present, numbers; activity_type, when present, a string. One bad event
// rejects the request with 400 naming its index and field. Accepted events
// are appended as compact JSON, partitioned by customer_id.
// 200 {"accepted": n, "failed": 0} when all were appended; when the log
// refuses some, 200 with "failed" and per-index "errors" (503 when none was
// appended).
#ifndef PANTRY_SERVER_EVENTS_API_H_
#define PANTRY_SERVER_EVENTS_API_H_

#include <string>

#include "pantry/common/metrics.h"
#include "pantry/server/event_ingest.h"
#include "pantry/server/http_service.h"

namespace pantry::server {

struct EventsApiOptions {
  std::string default_stream = "click_stream";
  size_t max_events = 10000;
};

Status RegisterEventsApi(HttpService* service, EventIngest* ingest,
                         const EventsApiOptions& options = {},
                         MetricsRegistry* metrics = &MetricsRegistry::Default());

}  // namespace pantry::server

#endif  // PANTRY_SERVER_EVENTS_API_H_
