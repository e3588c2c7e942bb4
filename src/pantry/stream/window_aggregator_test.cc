// Window semantics with explicit times (no sleeping): the KDA documentation's
// stagger example, the workshop's unhealthy browse, tumbling and sliding.
#include "pantry/stream/window_aggregator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pantry/common/time_format.h"

namespace pantry::stream {
namespace {

int64_t T(const char* iso) { return *ParseIso8601Micros(iso); }
std::string Iso(int64_t micros) { return FormatIso8601Micros(micros); }
// (Not `Id("P", i)`: GCC 12 -O3 warns falsely on that.)
std::string Id(const char* prefix, int i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

WindowSpec Spec(std::string_view json) {
  auto spec = WindowSpec::FromString(json, "test spec");
  EXPECT_TRUE(spec.ok()) << spec.status();
  return *spec;
}

class Harness {
 public:
  explicit Harness(const WindowSpec& spec)
      : spec_(spec), parser_(spec_), agg_(WindowAggregator::Create(spec_)) {}

  // Adds an event; returns false if it was rejected (bad or late).
  bool Add(const std::string& json, int64_t arrival) {
    ParsedEvent e;
    Rejection r;
    if (!parser_.Parse(json, arrival, &e, &r)) {
      last_rejection_ = r;
      return false;
    }
    return agg_->Add(e, &rows_);
  }
  void AdvanceTo(int64_t t) { agg_->AdvanceTo(t, &rows_); }
  void Flush() { agg_->Flush(&rows_); }
  std::vector<OrderedJson> Rows() const {
    std::vector<OrderedJson> out;
    for (const auto& r : rows_) out.push_back(RowToJson(spec_, r, true));
    return out;
  }
  size_t row_count() const { return rows_.size(); }
  WindowAggregator& agg() { return *agg_; }
  const Rejection& last_rejection() const { return last_rejection_; }

 private:
  WindowSpec spec_;
  EventParser parser_;
  std::unique_ptr<WindowAggregator> agg_;
  std::vector<EmittedRow> rows_;
  Rejection last_rejection_;
};

constexpr std::string_view kKdaSpec = R"({
  "name": "kda_example", "source": "ticker_stream",
  "partition_by": ["FLOOR(event_time TO MINUTE) AS event_minute", "ticker"],
  "window": {"type": "stagger", "size": "1m"},
  "aggregations": ["COUNT(*) AS ticker_count"]
})";

TEST(StaggerWindowTest, KdaDocumentationExample) {
  Harness h(Spec(kKdaSpec));
  auto ev = [](const char* t) {
    return std::string(R"({"ticker": "AMZN", "price": 840, "event_time": ")") + t + "\"}";
  };
  ASSERT_TRUE(h.Add(ev("2026-11-27T11:00:10Z"), T("2026-11-27T11:00:20Z")));
  ASSERT_TRUE(h.Add(ev("2026-11-27T11:00:20Z"), T("2026-11-27T11:00:30Z")));
  ASSERT_TRUE(h.Add(ev("2026-11-27T11:00:55Z"), T("2026-11-27T11:01:05Z")));
  ASSERT_TRUE(h.Add(ev("2026-11-27T11:01:05Z"), T("2026-11-27T11:01:15Z")));
  EXPECT_EQ(h.row_count(), 0u);
  h.AdvanceTo(T("2026-11-27T11:01:19.999999Z"));
  EXPECT_EQ(h.row_count(), 0u) << "a window must not close before its end";
  h.AdvanceTo(T("2026-11-27T11:01:20Z"));
  ASSERT_EQ(h.row_count(), 1u);
  h.AdvanceTo(T("2026-11-27T11:02:15Z"));
  auto rows = h.Rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["emission_time"], "2026-11-27T11:01:20Z");
  EXPECT_EQ(rows[0]["window_start"], "2026-11-27T11:00:20Z");
  EXPECT_EQ(rows[0]["event_minute"], "2026-11-27T11:00:00Z");
  EXPECT_EQ(rows[0]["ticker"], "AMZN");
  EXPECT_EQ(rows[0]["ticker_count"], 3);
  EXPECT_EQ(rows[1]["emission_time"], "2026-11-27T11:02:15Z");
  EXPECT_EQ(rows[1]["event_minute"], "2026-11-27T11:01:00Z");
  EXPECT_EQ(rows[1]["ticker_count"], 1);
}

TEST(StaggerWindowTest, WorkshopUnhealthyBrowse) {
  Harness h(Spec(WorkshopStaggerSpecJson()));
  const double weights[] = {2, 2, 1, 1, 1, 2};
  const double health[] = {0.3, 0.3, 0.3, 0.1, 0.2, 0.2};
  int64_t t = T("2026-11-27T12:00:00Z");
  for (int i = 0; i < 6; ++i) {
    OrderedJson e = {{"event_time", Iso(t + i * 10'000'000)},
                     {"customer_id", "C1"},
                     {"product_id", Id("P", i)},
                     {"product_category", "Snacks"},
                     {"activity_type", "added_to_cart"},
                     {"activity_weight", weights[i]},
                     {"product_health_index", health[i]}};
    ASSERT_TRUE(h.Add(DumpJson(e), t + i * 10'000'000));
  }
  h.AdvanceTo(t + 120'000'000 - 1);
  EXPECT_EQ(h.row_count(), 0u);
  h.AdvanceTo(t + 120'000'000);
  auto rows = h.Rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["customer_id"], "C1");
  EXPECT_DOUBLE_EQ(rows[0]["sum_activity_weight_last_2m"].get<double>(), 9.0);
  EXPECT_NEAR(rows[0]["avg_product_health_index_last_2m"].get<double>(), 1.4 / 6, 1e-12);
  EXPECT_EQ(rows[0]["emission_time"], "2026-11-27T12:02:00Z");
}

TEST(StaggerWindowTest, EventAtWindowEndOpensNextWindowAndKeysAreIndependent) {
  Harness h(Spec(R"({"name": "s", "partition_by": "k", "window": {"type": "stagger",
    "size": "10s"}, "aggregations": ["COUNT(*) AS n", "MAX(v) AS top", "MIN(v) AS low"]})"));
  ASSERT_TRUE(h.Add(R"({"k": "a", "v": 1})", 0));
  ASSERT_TRUE(h.Add(R"({"k": "b", "v": 5})", 3'000'000));
  ASSERT_TRUE(h.Add(R"({"k": "a", "v": 7})", 9'999'999));
  ASSERT_TRUE(h.Add(R"({"k": "a", "v": 3})", 10'000'000));  // [0,10s) closed: half-open
  h.Flush();
  auto rows = h.Rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["k"], "a");
  EXPECT_EQ(rows[0]["n"], 2);
  EXPECT_EQ(rows[0]["top"], 7.0);
  EXPECT_EQ(rows[0]["low"], 1.0);
  EXPECT_EQ(rows[0]["emission_time"], Iso(10'000'000));
  EXPECT_EQ(rows[1]["k"], "b");
  EXPECT_EQ(rows[1]["emission_time"], Iso(13'000'000));
  EXPECT_EQ(rows[2]["k"], "a");
  EXPECT_EQ(rows[2]["n"], 1);
  EXPECT_EQ(rows[2]["emission_time"], Iso(20'000'000));
  EXPECT_EQ(rows[0]["emission_id"], 1);
  EXPECT_EQ(rows[2]["emission_id"], 3);
}

TEST(StaggerWindowTest, EventTimeBasisDropsLateEvents) {
  Harness h(Spec(R"({"name": "s", "partition_by": "k", "time_basis": "event_time",
    "window": {"type": "stagger", "size": "10s"}, "aggregations": ["COUNT(*) AS n"]})"));
  ASSERT_TRUE(h.Add(R"({"k": "a", "event_time": 100})", 0));
  ASSERT_TRUE(h.Add(R"({"k": "a", "event_time": 95})", 0));   // out of order, window open
  ASSERT_TRUE(h.Add(R"({"k": "b", "event_time": 120})", 0));  // watermark 120: a closes
  EXPECT_FALSE(h.Add(R"({"k": "c", "event_time": 105})", 0)) << "105 + 10 <= 120";
  auto rows = h.Rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["n"], 2);
}

constexpr std::string_view kTumblingSpec = R"({
  "name": "t", "partition_by": ["k"], "time_basis": "event_time",
  "allowed_lateness": "30s",
  "window": {"type": "tumbling", "size": "1m"},
  "aggregations": ["COUNT(*) AS n", "SUM(v) AS total", "AVG(v) AS mean"]})";

TEST(TumblingWindowTest, AlignedWindowsEmittedAtEnd) {
  Harness h(Spec(kTumblingSpec));
  auto ev = [](const char* t, double v) {
    return std::string(R"({"k": "a", "event_time": ")") + t + R"(", "v": )" + std::to_string(v) +
           "}";
  };
  ASSERT_TRUE(h.Add(ev("2026-11-27T10:00:10Z", 1), 0));
  ASSERT_TRUE(h.Add(ev("2026-11-27T10:00:50Z", 2), 0));
  ASSERT_TRUE(h.Add(ev("2026-11-27T10:01:00Z", 4), 0));    // start of the next window
  ASSERT_TRUE(h.Add(ev("2026-11-27T10:00:59Z", 8), 0));    // out of order, within lateness
  ASSERT_TRUE(h.Add(ev("2026-11-27T10:00:59Z", 0.5), 0));  // watermark 10:00:30
  EXPECT_EQ(h.row_count(), 0u);
  ASSERT_TRUE(h.Add(ev("2026-11-27T10:01:40Z", 16), 0));  // watermark 10:01:10: first closes
  EXPECT_EQ(h.row_count(), 1u);
  ASSERT_TRUE(h.Add(ev("2026-11-27T10:01:31Z", 32), 0));  // watermark still 10:01:10
  ASSERT_TRUE(h.Add(ev("2026-11-27T10:02:45Z", 64), 0));  // watermark 10:02:15: first closes
  EXPECT_FALSE(h.Add(ev("2026-11-27T10:00:30Z", 128), 0)) << "late: its window closed";
  auto rows = h.Rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["window_start"], "2026-11-27T10:00:00Z");
  EXPECT_EQ(rows[0]["window_end"], "2026-11-27T10:01:00Z");
  EXPECT_EQ(rows[0]["emission_time"], "2026-11-27T10:01:00Z");
  EXPECT_EQ(rows[0]["n"], 4);
  EXPECT_EQ(rows[0]["total"], 11.5);
  EXPECT_EQ(rows[1]["window_start"], "2026-11-27T10:01:00Z");
  EXPECT_EQ(rows[1]["n"], 3);
  EXPECT_EQ(rows[1]["total"], 52.0);
  h.Flush();
  rows = h.Rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2]["total"], 64.0);
  EXPECT_EQ(rows[2]["mean"], 64.0);
}

TEST(SlidingWindowTest, UpdatedOnEveryEventAndOnExpiry) {
  Harness h(Spec(WorkshopSlidingSpecJson()));
  auto ev = [](double w, double hi) {
    OrderedJson e = {{"customer_id", "C9"}, {"activity_weight", w}, {"product_health_index", hi}};
    return DumpJson(e);
  };
  const int64_t s = 1'000'000;
  ASSERT_TRUE(h.Add(ev(2, 0.5), 0));
  ASSERT_TRUE(h.Add(ev(1, 0.1), 30 * s));
  auto rows = h.Rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["sum_activity_weight_last_2m"], 2.0);
  EXPECT_EQ(rows[1]["sum_activity_weight_last_2m"], 3.0);
  EXPECT_NEAR(rows[1]["avg_product_health_index_last_2m"].get<double>(), 0.3, 1e-12);
  EXPECT_EQ(rows[1]["emission_time"], Iso(30 * s));
  EXPECT_EQ(rows[1]["window_start"], Iso(-90 * s));
  // The first event leaves the window at exactly 120 s: (t - 2m, t].
  h.AdvanceTo(120 * s - 1);
  EXPECT_EQ(h.row_count(), 2u);
  h.AdvanceTo(120 * s);
  rows = h.Rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2]["emission_time"], Iso(120 * s));
  EXPECT_EQ(rows[2]["sum_activity_weight_last_2m"], 1.0);
  ASSERT_TRUE(h.Add(ev(2, 0.3), 151 * s));  // 30 s event expired at 150 s first
  rows = h.Rows();
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[3]["emission_time"], Iso(150 * s));
  EXPECT_EQ(rows[3]["sum_activity_weight_last_2m"], 0.0);
  EXPECT_TRUE(rows[3]["avg_product_health_index_last_2m"].is_null());
  EXPECT_EQ(rows[4]["sum_activity_weight_last_2m"], 2.0);
  h.Flush();
  rows = h.Rows();
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[5]["emission_time"], Iso(271 * s));
  EXPECT_EQ(h.agg().open_keys(), 0u) << "an empty sliding key is released";
}

TEST(WindowStateTest, SerializeRestoreContinuesIdentically) {
  for (std::string_view json : {kKdaSpec, WorkshopSlidingSpecJson(), kTumblingSpec}) {
    WindowSpec spec = Spec(json);
    Harness full(spec), first(spec);
    std::vector<std::string> events;
    for (int i = 0; i < 200; ++i) {
      OrderedJson e = {{"ticker", Id("T", i % 7)},
                       {"k", Id("K", i % 5)},
                       {"customer_id", Id("C", i % 11)},
                       {"event_time", 1'700'000'000 + i * 3},
                       {"v", i},
                       {"activity_weight", i % 3},
                       {"product_health_index", 0.1 * (i % 10)}};
      events.push_back(DumpJson(e));
    }
    for (int i = 0; i < 200; ++i) full.Add(events[i], int64_t{i} * 7'000'000);
    full.Flush();
    for (int i = 0; i < 100; ++i) first.Add(events[i], int64_t{i} * 7'000'000);
    Harness second(spec);
    ASSERT_TRUE(second.agg().Restore(first.agg().Serialize()).ok());
    for (int i = 100; i < 200; ++i) second.Add(events[i], int64_t{i} * 7'000'000);
    second.Flush();
    auto a = full.Rows(), b1 = first.Rows(), b2 = second.Rows();
    b1.insert(b1.end(), b2.begin(), b2.end());
    ASSERT_EQ(a.size(), b1.size()) << json;
    for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i], b1[i]) << json << " row " << i;
  }
}

// A checkpoint streams the state in pieces (no copy of it in memory) after
// writing its length: both must agree with Serialize() byte for byte.
TEST(WindowStateTest, StreamedStateEqualsSerializeAndItsSize) {
  for (std::string_view json : {kKdaSpec, WorkshopSlidingSpecJson(), kTumblingSpec}) {
    Harness h(Spec(json));
    for (int i = 0; i < 5000; ++i) {
      OrderedJson e = {{"ticker", Id("T", i % 7)},
                       {"k", Id("K", i % 5)},
                       {"customer_id", Id("C", i % 11)},
                       {"event_time", 1'700'000'000 + i / 50},
                       {"v", i},
                       {"activity_weight", i % 3},
                       {"product_health_index", 0.1 * (i % 10)}};
      h.Add(DumpJson(e), int64_t{i} * 10'000);
    }
    const std::string whole = h.agg().Serialize();
    ASSERT_GT(whole.size(), 500u) << json;  // several pieces
    EXPECT_EQ(h.agg().SerializedSize(), whole.size()) << json;
    std::string streamed;
    size_t pieces = 0;
    h.agg().SerializeTo(
        [&](std::string_view piece) {
          ++pieces;
          EXPECT_LE(piece.size(), 256u + 64u);
          streamed.append(piece);
        },
        256);
    EXPECT_EQ(streamed, whole) << json;
    EXPECT_GE(pieces, whole.size() / (256 + 64)) << json;
  }
}

TEST(WindowStateTest, RestoreRejectsGarbageAndOtherSpecs) {
  Harness h(Spec(kKdaSpec));
  EXPECT_EQ(h.agg().Restore("garbage").code(), StatusCode::kCorruption);
  Harness other(Spec(kTumblingSpec));
  EXPECT_EQ(h.agg().Restore(other.agg().Serialize()).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace pantry::stream
