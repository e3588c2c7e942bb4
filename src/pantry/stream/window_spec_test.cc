// Window spec parsing (errors name the field) and event parsing (every bad
// event is rejected with a reason).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pantry/stream/event.h"
#include "pantry/stream/window_spec.h"

namespace pantry::stream {
namespace {

using ::testing::HasSubstr;

TEST(WindowSpecTest, WorkshopDefaultsParse) {
  auto stagger = WindowSpec::FromString(WorkshopStaggerSpecJson(), "workshop");
  ASSERT_TRUE(stagger.ok()) << stagger.status();
  EXPECT_EQ(stagger->type, WindowType::kStagger);
  EXPECT_EQ(stagger->size_micros, 120'000'000);
  EXPECT_TRUE(stagger->arrival_time_basis());
  EXPECT_EQ(stagger->sink_feature_group, "click_stream");
  EXPECT_EQ(stagger->sink_record_identifier, "customer_id");
  ASSERT_EQ(stagger->aggregations.size(), 2u);
  EXPECT_EQ(stagger->aggregations[0].output_name, "sum_activity_weight_last_2m");
  EXPECT_EQ(stagger->aggregations[1].function, AggFunction::kAvg);
  auto live = WindowSpec::FromString(WorkshopSlidingSpecJson(), "live");
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_EQ(live->type, WindowType::kSliding);
  EXPECT_EQ(live->sink_feature_group, "click_stream_live");
}

TEST(WindowSpecTest, ObjectFormsAndEventTimeBasis) {
  auto spec = WindowSpec::FromString(R"js({
    "name": "x", "partition_by": [{"field": "ts", "floor": "hour", "as": "hour"}, "k"],
    "time_basis": "event_time", "event_time_field": "ts", "allowed_lateness": "5s",
    "window": {"type": "tumbling", "size": "10m"},
    "aggregations": [{"function": "max", "field": "v", "as": "top"},
                     {"function": "count", "as": "n"}]})js",
                                     "spec");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->partition_by[0].floor_micros, 3'600'000'000);
  EXPECT_EQ(spec->partition_by[0].output_name, "hour");
  EXPECT_EQ(spec->event_time_field, "ts");
  EXPECT_EQ(spec->allowed_lateness_micros, 5'000'000);
  EXPECT_EQ(spec->value_fields, std::vector<std::string>{"v"});
}

TEST(WindowSpecTest, ErrorsNameTheField) {
  struct Case {
    const char* json;
    const char* field;
  } cases[] = {
      {R"js({"partition_by": ["k"], "window": {"type": "stagger", "size": "1m"},
           "aggregations": ["COUNT(*) AS n"]})js",
       "name"},
      {R"js({"name": "x", "window": {"type": "stagger", "size": "1m"},
           "aggregations": ["COUNT(*) AS n"]})js",
       "partition_by"},
      {R"js({"name": "x", "partition_by": ["k"], "window": {"type": "hopping", "size": "1m"},
           "aggregations": ["COUNT(*) AS n"]})js",
       "window.type"},
      {R"js({"name": "x", "partition_by": ["k"], "window": {"type": "stagger", "size": "soon"},
           "aggregations": ["COUNT(*) AS n"]})js",
       "window.size"},
      {R"js({"name": "x", "partition_by": ["k"], "window": {"type": "stagger", "size": "1m"},
           "aggregations": ["MEDIAN(v) AS m"]})js",
       "aggregations[0]"},
      {R"js({"name": "x", "partition_by": ["k"], "window": {"type": "stagger", "size": "1m"},
           "aggregations": ["SUM(v)"]})js",
       "aggregations[0]"},
      {R"js({"name": "x", "partition_by": ["k"], "window": {"type": "stagger", "size": "1m"},
           "aggregations": ["COUNT(*) AS n"], "windw": 1})js",
       "windw"},
      {R"js({"name": "x", "partition_by": ["FLOOR(t TO WEEK)"],
           "window": {"type": "stagger", "size": "1m"}, "aggregations": ["COUNT(*) AS n"]})js",
       "partition_by[0]"},
      {R"js({"name": "x", "partition_by": ["k"], "window": {"type": "stagger", "size": "1m"},
           "aggregations": ["COUNT(*) AS n"], "sink": {"feature_group": "g",
           "record_identifier": "nope"}})js",
       "sink.record_identifier"},
      {R"js({"name": "x", "partition_by": ["k"], "window": {"type": "stagger", "size": "1m"},
           "aggregations": ["COUNT(*) AS n"], "strict": true})js",
       "fields"},
      {R"js({"name": "x", "partition_by": ["k"], "window": {"type": "stagger", "size": "1m"},
           "aggregations": ["COUNT(*) AS n"], "time_basis": "wall"})js",
       "time_basis"},
      {R"js({"name": "x", "partition_by": ["k"], "window": {"type": "stagger", "size": "1m"},
           "aggregations": ["COUNT(*) AS k"]})js",
       "aggregations[0]"},
  };
  for (const Case& c : cases) {
    auto spec = WindowSpec::FromString(c.json, "spec.json");
    ASSERT_FALSE(spec.ok()) << c.json;
    EXPECT_THAT(spec.status().message(), HasSubstr(std::string("spec.json: ") + c.field + ":"))
        << spec.status();
  }
  auto not_json = WindowSpec::FromString("{", "spec.json");
  EXPECT_THAT(not_json.status().message(), HasSubstr("spec.json"));
}

class EventParserTest : public ::testing::Test {
 protected:
  EventParserTest()
      : spec_(*WindowSpec::FromString(R"js({
          "name": "p", "partition_by": ["customer_id", "FLOOR(event_time TO MINUTE)"],
          "time_basis": "event_time", "strict": true,
          "fields": {"customer_id": "string", "event_time": "time", "w": "number",
                     "note": "string"},
          "window": {"type": "stagger", "size": "1m"},
          "aggregations": ["SUM(w) AS total"]})js",
                                      "spec")),
        parser_(spec_) {}

  RejectReason Reject(std::string_view payload) {
    ParsedEvent e;
    Rejection r;
    EXPECT_FALSE(parser_.Parse(payload, 0, &e, &r)) << payload;
    last_message_ = r.message;
    return r.reason;
  }

  WindowSpec spec_;
  EventParser parser_;
  std::string last_message_;
};

TEST_F(EventParserTest, ParsesGoodEvents) {
  ParsedEvent e;
  Rejection r;
  ASSERT_TRUE(parser_.Parse(
      R"({"customer_id": "C7", "event_time": "2026-11-27T10:00:42Z", "w": 2.5})", 0, &e, &r))
      << r.message;
  EXPECT_EQ(e.values[0], 2.5);
  EXPECT_EQ(KeyPartText(e.key, 0), "C7");
  EXPECT_EQ(KeyPartText(e.key, 1), "2026-11-27T10:00:00Z");
  // Unix seconds work as time too.
  ASSERT_TRUE(
      parser_.Parse(R"({"customer_id": "C7", "event_time": 1700000000, "w": 1})", 0, &e, &r));
  EXPECT_EQ(e.time_micros, 1'700'000'000'000'000);
}

TEST_F(EventParserTest, RejectsBadEventsWithReasons) {
  EXPECT_EQ(Reject("{oops"), RejectReason::kNotJson);
  EXPECT_EQ(Reject("42"), RejectReason::kNotObject);
  EXPECT_EQ(Reject(R"({"event_time": 1, "w": 1})"), RejectReason::kMissingField);
  EXPECT_THAT(last_message_, HasSubstr("customer_id"));
  EXPECT_EQ(Reject(R"({"customer_id": "C", "event_time": 1})"), RejectReason::kMissingField);
  EXPECT_THAT(last_message_, HasSubstr("'w'"));
  EXPECT_EQ(Reject(R"({"customer_id": "C", "event_time": 1, "w": "2"})"), RejectReason::kWrongType);
  EXPECT_EQ(Reject(R"({"customer_id": 5, "event_time": 1, "w": 2})"), RejectReason::kWrongType);
  EXPECT_EQ(Reject(R"({"customer_id": "C", "event_time": "yesterday", "w": 2})"),
            RejectReason::kBadTime);
  EXPECT_EQ(Reject(R"({"customer_id": "C", "event_time": 1, "w": 2, "x": 1})"),
            RejectReason::kUnknownField);
  EXPECT_THAT(last_message_, HasSubstr("'x'"));
  std::string big = R"({"customer_id": "C", "event_time": 1, "w": 2, "note": ")";
  big += std::string(1 << 20, 'a');
  big += "\"}";
  EXPECT_EQ(Reject(big), RejectReason::kTooLarge);
}

}  // namespace
}  // namespace pantry::stream
