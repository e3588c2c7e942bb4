// Events as the window operators see them: parsed once from JSON into a
// compact struct, so the per-event hot path does no JSON and (for keys up to
// the small-string size) no allocation.
#ifndef PANTRY_STREAM_EVENT_H_
#define PANTRY_STREAM_EVENT_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/stream/flat_event.h"
#include "pantry/stream/window_spec.h"

namespace pantry::stream {

// Largest accepted event (the payload bytes), like a Kinesis record.
inline constexpr size_t kMaxEventBytes = 1 << 20;

struct ParsedEvent {
  // The partition key: per key part a type tag ('s' string, 'n' number,
  // 't' floored time in micros) and the value, parts joined by '\x1f'.
  std::string key;
  int64_t time_micros = 0;                       // the window time: arrival or event time
  std::array<double, kMaxValueFields> values{};  // WindowSpec::value_fields order
  // The spec's "filter" rejected the event: it only moves time forward
  // (key and values are not set).
  bool skip = false;
};

enum class RejectReason {
  kNotJson,
  kNotObject,
  kTooLarge,
  kMissingField,
  kWrongType,
  kUnknownField,
  kBadTime,
  kLate,
};
inline constexpr int kRejectReasonCount = 8;
std::string_view RejectReasonName(RejectReason reason);

struct Rejection {
  RejectReason reason = RejectReason::kNotJson;
  std::string message;  // names the field and what was wrong
};

// Turns JSON events into ParsedEvents for one spec. Thread-compatible.
class EventParser {
 public:
  // Keeps a reference to `spec`, which must outlive the parser.
  explicit EventParser(const WindowSpec& spec) : spec_(spec) {}

  // Parses `payload`. `arrival_micros` is the time for an arrival-basis spec.
  // Returns false and fills `rejection` for a bad event.
  bool Parse(std::string_view payload, int64_t arrival_micros, ParsedEvent* out,
             Rejection* rejection) const;
  // The same, reusing `flat`: a successful FlatEvent::Scan of `payload`
  // (null if the scan was unsure), so specs reading one source scan each
  // event once. The result is always that of Parse.
  bool ParseScanned(std::string_view payload, const FlatEvent* flat, int64_t arrival_micros,
                    ParsedEvent* out, Rejection* rejection) const;
  // The same, for an already parsed JSON value.
  bool ParseJsonValue(const Json& json, int64_t arrival_micros, ParsedEvent* out,
                      Rejection* rejection) const;

 private:
  const WindowSpec& spec_;
};

// Splits an encoded key into JSON values named by the spec's key parts
// (floored times as ISO-8601 strings) and adds them to `row`.
void AddKeyFieldsToJson(const WindowSpec& spec, std::string_view key, OrderedJson* row);
// The record-identifier value as text (for the feature-store sink).
std::string KeyPartText(std::string_view key, size_t part);

// The limit the feature-store sink enforces on what an event carries into a
// row: every string value at most featurestore::kMaxValueBytes (SageMaker's
// 350 KB). Checked where events are accepted, so a poison event is refused
// with 400 (or a per-record error) instead of reaching the sink.
Status CheckEventValueSizes(const Json& event);

// The same for a raw payload (Kinesis Data): OK unless it is JSON with a
// string over the limit. Payloads no longer than the limit are not parsed.
Status CheckEventPayloadSizes(std::string_view payload);

}  // namespace pantry::stream

#endif  // PANTRY_STREAM_EVENT_H_
