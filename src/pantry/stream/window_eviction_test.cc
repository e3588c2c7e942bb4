// The cap on live window keys (WindowAggregatorOptions::max_open_keys):
// least recently active keys are evicted, stagger/tumbling windows are
// emitted early (nothing counted is lost), sliding events are discarded and
// counted, and a checkpoint restores the eviction order. Times are explicit
// (no clock, no sleeping).
#include <gtest/gtest.h>

#include <map>

#include "pantry/common/json.h"
#include "pantry/common/time_format.h"
#include "pantry/stream/window_aggregator.h"

namespace pantry::stream {
namespace {

WindowSpec Spec(std::string_view json) {
  auto spec = WindowSpec::FromString(json, "test spec");
  EXPECT_TRUE(spec.ok()) << spec.status();
  return *spec;
}

constexpr std::string_view kStagger = R"({"name": "s", "partition_by": "k",
  "window": {"type": "stagger", "size": "10s"}, "aggregations": ["SUM(v) AS total"]})";
constexpr std::string_view kTumbling = R"({"name": "t", "partition_by": "k",
  "window": {"type": "tumbling", "size": "10s"}, "aggregations": ["SUM(v) AS total"]})";
constexpr std::string_view kSliding = R"({"name": "l", "partition_by": "k",
  "window": {"type": "sliding", "size": "10s"}, "aggregations": ["SUM(v) AS total"]})";

class Harness {
 public:
  Harness(const WindowSpec& spec, size_t cap) : spec_(spec), parser_(spec_) {
    WindowAggregatorOptions options;
    options.max_open_keys = cap;
    agg_ = WindowAggregator::Create(spec_, options);
  }
  bool Add(const std::string& key, double v, int64_t arrival) {
    ParsedEvent e;
    Rejection r;
    OrderedJson j = {{"k", key}, {"v", v}};
    EXPECT_TRUE(parser_.Parse(DumpJson(j), arrival, &e, &r)) << r.message;
    return agg_->Add(e, &rows_);
  }
  void Flush() { agg_->Flush(&rows_); }
  std::vector<OrderedJson> Rows() const {
    std::vector<OrderedJson> out;
    for (const auto& r : rows_) out.push_back(RowToJson(spec_, r, true));
    return out;
  }
  // Sum of "total" over every row, per key (stagger/tumbling: each event
  // is in exactly one row).
  std::map<std::string, double> Totals() const {
    std::map<std::string, double> out;
    for (const auto& r : Rows()) out[r["k"].get<std::string>()] += r["total"].get<double>();
    return out;
  }
  WindowAggregator& agg() { return *agg_; }

 private:
  WindowSpec spec_;
  EventParser parser_;
  std::unique_ptr<WindowAggregator> agg_;
  std::vector<EmittedRow> rows_;
};

constexpr int64_t kSec = 1'000'000;

TEST(WindowEvictionTest, StaggerWindowOfEvictedKeyIsEmittedEarlyAndNothingIsLost) {
  Harness h(Spec(kStagger), 2);
  ASSERT_TRUE(h.Add("a", 1, 0));
  ASSERT_TRUE(h.Add("a", 2, 1 * kSec));
  ASSERT_TRUE(h.Add("b", 4, 2 * kSec));
  EXPECT_TRUE(h.Rows().empty());
  ASSERT_TRUE(h.Add("c", 8, 3 * kSec));  // third key: a (oldest) goes
  auto rows = h.Rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["k"], "a");
  EXPECT_EQ(rows[0]["total"], 3.0);
  EXPECT_EQ(rows[0]["window_start"], FormatIso8601Micros(0));
  EXPECT_EQ(h.agg().open_keys(), 2u);
  EXPECT_EQ(h.agg().evictions().keys, 1u);
  EXPECT_EQ(h.agg().evictions().windows_closed_early, 1u);
  // a returns inside its former window: a new window; b goes now.
  ASSERT_TRUE(h.Add("a", 16, 4 * kSec));
  EXPECT_EQ(h.Rows().back()["k"], "b");
  h.Flush();
  std::map<std::string, double> totals = h.Totals();
  EXPECT_EQ(totals["a"], 19.0);
  EXPECT_EQ(totals["b"], 4.0);
  EXPECT_EQ(totals["c"], 8.0);
  EXPECT_EQ(h.agg().evictions().keys, 2u);
}

TEST(WindowEvictionTest, LeastRecentlyActiveKeyGoesFirst) {
  for (std::string_view json : {kStagger, kTumbling}) {
    Harness h(Spec(json), 2);
    ASSERT_TRUE(h.Add("a", 1, 0));
    ASSERT_TRUE(h.Add("b", 2, 1));
    ASSERT_TRUE(h.Add("a", 4, 2));  // a is now the more recent
    ASSERT_TRUE(h.Add("c", 8, 3));
    auto rows = h.Rows();
    ASSERT_EQ(rows.size(), 1u) << json;
    EXPECT_EQ(rows[0]["k"], "b") << json;
    EXPECT_EQ(rows[0]["total"], 2.0) << json;
  }
}

TEST(WindowEvictionTest, SlidingKeyEvictedInsideItsWindowIsCountedAndStartsAfresh) {
  Harness h(Spec(kSliding), 1);
  ASSERT_TRUE(h.Add("a", 1, 0));
  ASSERT_TRUE(h.Add("a", 2, 1 * kSec));
  ASSERT_TRUE(h.Add("b", 4, 2 * kSec));  // a's two events are still in its window
  EXPECT_EQ(h.agg().evictions().keys, 1u);
  EXPECT_EQ(h.agg().evictions().live_events_discarded, 2u);
  ASSERT_TRUE(h.Add("a", 8, 3 * kSec));
  auto rows = h.Rows();
  EXPECT_EQ(rows.back()["k"], "a");
  EXPECT_EQ(rows.back()["total"], 8.0) << "the evicted events are no longer in a's sums";
  // A key whose events all expired is released, not evicted.
  Harness idle(Spec(kSliding), 1);
  ASSERT_TRUE(idle.Add("a", 1, 0));
  ASSERT_TRUE(idle.Add("b", 4, 11 * kSec));
  EXPECT_EQ(idle.agg().evictions().keys, 0u);
  EXPECT_EQ(idle.agg().open_keys(), 1u);
}

TEST(WindowEvictionTest, NoCapKeepsEveryKey) {
  Harness h(Spec(kStagger), 0);
  for (int i = 0; i < 5000; ++i) ASSERT_TRUE(h.Add("k" + std::to_string(i), 1, i));
  EXPECT_EQ(h.agg().open_keys(), 5000u);
  EXPECT_EQ(h.agg().evictions().keys, 0u);
  EXPECT_TRUE(h.Rows().empty());
}

// A checkpoint taken mid-stream restores the eviction order: the run
// continues with the same rows as one that never stopped.
TEST(WindowEvictionTest, RestoreContinuesWithTheSameEvictions) {
  for (std::string_view json : {kStagger, kTumbling, kSliding}) {
    const WindowSpec spec = Spec(json);
    std::vector<std::pair<std::string, int64_t>> events;
    uint32_t x = 12345;
    for (int i = 0; i < 600; ++i) {
      x = x * 1103515245 + 12345;
      events.emplace_back("k" + std::to_string((x >> 16) % 40), int64_t{i} * 100'000);
    }
    Harness full(spec, 8), first(spec, 8), second(spec, 8);
    for (int i = 0; i < 600; ++i) full.Add(events[i].first, i % 7, events[i].second);
    for (int i = 0; i < 300; ++i) first.Add(events[i].first, i % 7, events[i].second);
    ASSERT_TRUE(second.agg().Restore(first.agg().Serialize()).ok());
    for (int i = 300; i < 600; ++i) second.Add(events[i].first, i % 7, events[i].second);
    EXPECT_GT(full.agg().evictions().keys, 100u) << json;
    auto a = full.Rows(), b = first.Rows(), b2 = second.Rows();
    b.insert(b.end(), b2.begin(), b2.end());
    ASSERT_EQ(a.size(), b.size()) << json;
    for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << json << " row " << i;
  }
}

TEST(WindowEvictionTest, StateOverALowerCapIsTrimmedByTheNextEvent) {
  const WindowSpec spec = Spec(kStagger);
  Harness wide(spec, 0);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(wide.Add("k" + std::to_string(i), i, i));
  Harness narrow(spec, 4);
  ASSERT_TRUE(narrow.agg().Restore(wide.agg().Serialize()).ok());
  EXPECT_EQ(narrow.agg().open_keys(), 10u);
  ASSERT_TRUE(narrow.Add("new", 100, 20));
  EXPECT_EQ(narrow.agg().open_keys(), 4u);
  auto rows = narrow.Rows();
  ASSERT_EQ(rows.size(), 7u);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(rows[i]["k"], "k" + std::to_string(i)) << "oldest first";
}

}  // namespace
}  // namespace pantry::stream
