// `pantry sql explain` through the real binary: the workshop's application,
// describe-application output, errors with a caret, and specs written to a
// directory that `pantry window --spec` replays.
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

constexpr const char* kWorkshopSql = R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
  customer_id VARCHAR(8), sum_activity_weight_last_2m INTEGER, avg_product_health_index_last_2m DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM CUSTOMER_ID,
       SUM(ACTIVITY_WEIGHT) AS sum_activity_weight_last_2m,
       AVG(PRODUCT_HEALTH_INDEX) AS avg_product_health_index_last_2m
FROM "SOURCE_SQL_STREAM_001"
WINDOWED BY STAGGER (PARTITION BY CUSTOMER_ID RANGE INTERVAL '2' MINUTE);
)sql";

TEST(SqlCliTest, ExplainPrintsTheWorkshopSpec) {
  TempDir dir;
  std::ofstream(dir.path() / "app.sql") << kWorkshopSql;
  CommandResult r = RunPantry({"sql", "explain", (dir.path() / "app.sql").string(), "--sink",
                               "destination_sql_stream=click_stream"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto spec = ParseJson(r.out, "explain output");
  ASSERT_TRUE(spec.ok()) << r.out;
  EXPECT_EQ((*spec)["name"], "STREAM_PUMP");
  EXPECT_EQ((*spec)["window"]["type"], "stagger");
  EXPECT_EQ((*spec)["window"]["size"], "2m");
  EXPECT_EQ((*spec)["partition_by"][0], "customer_id");
  EXPECT_EQ((*spec)["sink"]["feature_group"], "click_stream");
}

TEST(SqlCliTest, DescribeApplicationOutputAndSpecFilesReplay) {
  TempDir dir;
  Json describe = {
      {"ApplicationDetail",
       {{"ApplicationName", "workshop"},
        {"ApplicationCode", kWorkshopSql},
        {"InputDescriptions",
         {{{"NamePrefix", "SOURCE_SQL_STREAM"},
           {"InAppStreamNames", {"SOURCE_SQL_STREAM_001"}},
           {"KinesisStreamsInputDescription",
            {{"ResourceARN", "arn:aws:kinesis:us-east-1:1:stream/click_stream"}}},
           {"InputSchema",
            {{"RecordFormat", {{"RecordFormatType", "JSON"}}},
             {"RecordColumns",
              {{{"Name", "CUSTOMER_ID"}, {"Mapping", "$.customer_id"}, {"SqlType", "VARCHAR(8)"}},
               {{"Name", "ACTIVITY_WEIGHT"},
                {"Mapping", "$.activity_weight"},
                {"SqlType", "INTEGER"}},
               {{"Name", "PRODUCT_HEALTH_INDEX"},
                {"Mapping", "$.product_health_index"},
                {"SqlType", "DOUBLE"}}}}}}}}}}}};
  std::ofstream(dir.path() / "app.json") << DumpJson(describe, 2);
  const fs::path specs = dir.path() / "specs";
  CommandResult r = RunPantry(
      {"sql", "explain", (dir.path() / "app.json").string(), "--out-dir", specs.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("pump STREAM_PUMP -> DESTINATION_SQL_STREAM"));
  ASSERT_TRUE(fs::exists(specs / "STREAM_PUMP.json"));
  {
    std::ofstream events(dir.path() / "browse.jsonl");
    events
        << R"({"_arrival_time": "2026-11-27T12:00:10Z", "customer_id": "C42", "activity_weight": 2, "product_health_index": 0.3})"
        << "\n"
        << R"({"_arrival_time": "2026-11-27T12:00:20Z", "customer_id": "C42", "activity_weight": 1.5, "product_health_index": 0.1})"
        << "\n"
        << R"({"_arrival_time": "2026-11-27T12:00:30Z", "customer_id": "C42", "activity_weight": 1, "product_health_index": 0.2})"
        << "\n";
  }
  CommandResult w = RunPantry({"window", "--spec", (specs / "STREAM_PUMP.json").string(),
                               "--events", (dir.path() / "browse.jsonl").string()});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  auto row = ParseJson(w.out, "row");
  ASSERT_TRUE(row.ok()) << w.out;
  EXPECT_EQ((*row)["customer_id"], "C42");
  EXPECT_EQ((*row)["sum_activity_weight_last_2m"], 3.0) << "1.5 is not an INTEGER: rejected";
  EXPECT_EQ((*row)["emission_time"], "2026-11-27T12:02:10Z");
  EXPECT_THAT(w.err, HasSubstr("browse.jsonl:2: rejected (wrong_type): column 'ACTIVITY_WEIGHT'"));
}

TEST(SqlCliTest, ErrorsShowTheLineAndACaret) {
  TempDir dir;
  std::ofstream(dir.path() / "bad.sql")
      << "CREATE OR REPLACE STREAM \"D\" (k VARCHAR(8), n BIGINT);\n"
         "CREATE OR REPLACE PUMP \"P\" AS INSERT INTO \"D\"\n"
         "SELECT STREAM k, COUNT(*) FROM \"SOURCE_SQL_STREAM_001\" JOIN \"R\" ON k = r\n"
         "WINDOWED BY STAGGER (PARTITION BY k RANGE INTERVAL '1' MINUTE);\n";
  CommandResult r = RunPantry({"sql", "explain", (dir.path() / "bad.sql").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("bad.sql: line 3, column 56: JOIN is not supported"));
  EXPECT_THAT(r.err, HasSubstr("  3 | SELECT STREAM k, COUNT(*)"));
  EXPECT_THAT(r.err, HasSubstr("\n    | " + std::string(55, ' ') + "^"));
}

}  // namespace
}  // namespace pantry::testing

namespace pantry::testing {
namespace {

// `pantry window --sql` replays the application's pumps: the workshop's SQL
// gives the same rows as the built-in workshop spec.
TEST(SqlCliTest, WindowSqlMatchesTheBuiltinSpec) {
  TempDir dir;
  std::ofstream(dir.path() / "app.sql") << kWorkshopSql;
  {
    std::ofstream events(dir.path() / "events.jsonl");
    const char* customers[] = {"C1", "C2", "C1", "C3", "C1", "C2"};
    for (int i = 0; i < 6; ++i) {
      events << "{\"customer_id\":\"" << customers[i] << "\",\"product_id\":\"P" << i
             << "\",\"activity_weight\":" << (i % 3 + 1) << ",\"product_health_index\":0."
             << (i + 1) << ",\"_arrival_time\":\""
             << "2026-11-30T10:0" << i << ":00Z\"}\n";
    }
  }
  const std::string events = (dir.path() / "events.jsonl").string();
  CommandResult sql =
      RunPantry({"window", "--sql", (dir.path() / "app.sql").string(), "--events", events});
  ASSERT_EQ(sql.exit_code, 0) << sql.err;
  CommandResult builtin = RunPantry({"window", "--spec", "workshop", "--events", events});
  ASSERT_EQ(builtin.exit_code, 0) << builtin.err;
  ASSERT_FALSE(builtin.out.empty());
  EXPECT_EQ(sql.out, builtin.out);
  CommandResult both = RunPantry({"window", "--events", events});
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_THAT(both.err, HasSubstr("exactly one of --spec and --sql"));
}

}  // namespace
}  // namespace pantry::testing
