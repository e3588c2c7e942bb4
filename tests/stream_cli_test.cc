// `pantry window`, `pantry stream append` and `pantry stream run` through the
// real binary.
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::testing {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::vector<Json> JsonLines(const std::string& text) {
  std::vector<Json> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(*ParseJson(text.substr(start, end - start), "line"));
    start = end + 1;
  }
  return out;
}

constexpr const char* kKdaSpec = R"js({
  "name": "kda_example", "source": "ticker_stream",
  "partition_by": ["FLOOR(event_time TO MINUTE) AS event_minute", "ticker"],
  "window": {"type": "stagger", "size": "1m"},
  "aggregations": ["COUNT(*) AS ticker_count"]})js";

constexpr const char* kKdaEvents =
    R"({"_arrival_time": "2026-11-27T11:00:20Z", "event_time": "2026-11-27T11:00:10Z", "ticker": "AMZN"}
{"_arrival_time": "2026-11-27T11:00:30Z", "event_time": "2026-11-27T11:00:20Z", "ticker": "AMZN"}
this is not json
{"_arrival_time": "2026-11-27T11:01:05Z", "event_time": "2026-11-27T11:00:55Z", "ticker": "AMZN"}
{"_arrival_time": "2026-11-27T11:01:15Z", "event_time": "2026-11-27T11:01:05Z", "ticker": "AMZN"}
)";

TEST(StreamCliTest, WindowReplaysTheKdaExample) {
  TempDir dir;
  std::ofstream(dir.path() / "spec.json") << kKdaSpec;
  std::ofstream(dir.path() / "events.jsonl") << kKdaEvents;
  CommandResult r = RunPantry({"window", "--spec", (dir.path() / "spec.json").string(), "--events",
                               (dir.path() / "events.jsonl").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = JsonLines(r.out);
  ASSERT_EQ(rows.size(), 2u) << r.out;
  EXPECT_EQ(rows[0]["emission_time"], "2026-11-27T11:01:20Z");
  EXPECT_EQ(rows[0]["event_minute"], "2026-11-27T11:00:00Z");
  EXPECT_EQ(rows[0]["ticker"], "AMZN");
  EXPECT_EQ(rows[0]["ticker_count"], 3);
  EXPECT_EQ(rows[1]["emission_time"], "2026-11-27T11:02:15Z");
  EXPECT_EQ(rows[1]["event_minute"], "2026-11-27T11:01:00Z");
  EXPECT_EQ(rows[1]["ticker_count"], 1);
  EXPECT_THAT(r.err, HasSubstr("events.jsonl:3: rejected (not_json)"));
  EXPECT_THAT(r.err, HasSubstr("1 rejected"));
}

TEST(StreamCliTest, WorkshopBuiltinSpecOnTheUnhealthyBrowse) {
  TempDir dir;
  {
    std::ofstream out(dir.path() / "browse.jsonl");
    const int weights[] = {2, 2, 1, 1, 1, 2};
    const double health[] = {0.3, 0.3, 0.3, 0.1, 0.2, 0.2};
    for (int i = 0; i < 6; ++i) {
      Json e = {{"_arrival_time", "2026-11-27T12:00:" + std::to_string(10 + i * 5) + "Z"},
                {"customer_id", "C42"},
                {"activity_weight", weights[i]},
                {"product_health_index", health[i]}};
      out << DumpJson(e) << "\n";
    }
  }
  CommandResult r = RunPantry(
      {"window", "--spec", "workshop", "--events", (dir.path() / "browse.jsonl").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = JsonLines(r.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["sum_activity_weight_last_2m"], 9.0);
  EXPECT_NEAR(rows[0]["avg_product_health_index_last_2m"].get<double>(), 0.233333333, 1e-6);
  EXPECT_EQ(rows[0]["emission_time"], "2026-11-27T12:02:10Z");
}

TEST(StreamCliTest, BadSpecNamesTheField) {
  TempDir dir;
  std::ofstream(dir.path() / "spec.json")
      << R"({"name": "x", "partition_by": ["k"], "window": {"type": "stagger", "size": "2 min"},
             "aggregations": ["COUNT(*) AS n"]})";
  std::ofstream(dir.path() / "e.jsonl") << "{}\n";
  CommandResult r = RunPantry({"window", "--spec", (dir.path() / "spec.json").string(), "--events",
                               (dir.path() / "e.jsonl").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("window.size"));
}

TEST(StreamCliTest, AppendThenRunIntoTheFeatureStore) {
  TempDir dir;
  const fs::path home = dir.path() / "home";
  std::ofstream(dir.path() / "clicks.jsonl")
      << R"({"_arrival_time": "2026-01-01T10:00:00Z", "customer_id": "C1", "activity_weight": 2, "product_health_index": 0.5}
{"_arrival_time": "2026-01-01T10:00:30Z", "customer_id": "C1", "activity_weight": 1, "product_health_index": 0.2}
{"_arrival_time": "2026-01-01T10:00:40Z", "customer_id": "C2", "activity_weight": "x"}
)";
  CommandResult a = RunPantry({"--home", home.string(), "stream", "append", "--events",
                               (dir.path() / "clicks.jsonl").string()});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_THAT(a.out, HasSubstr("appended 3 events"));
  CommandResult r = RunPantry({"--home", home.string(), "stream", "run", "--drain"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("click_stream_stagger_2m: 3 records, 2 accepted, 1 rejected"));
  EXPECT_THAT(r.out, HasSubstr("wrong_type=1"));
  // Running again delivers nothing new.
  CommandResult again = RunPantry({"--home", home.string(), "stream", "run", "--drain"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("click_stream_stagger_2m: 0 records"));
}

}  // namespace
}  // namespace pantry::testing
