// KDA SQL applications compiled to window specs and run through the window
// aggregator: the workshop's application (verbatim) against the built-in
// workshop spec, and the worked examples of the KDA developer guide and SQL
// reference with the rows their tables show.
#include "pantry/stream/kda_sql_compiler.h"

#include <random>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pantry/common/time_format.h"
#include "pantry/stream/replay.h"
#include "pantry/stream/window_aggregator.h"

namespace pantry::stream::kda {
namespace {

using ::testing::HasSubstr;

// The workshop's application code, verbatim from the issue.
constexpr const char* kWorkshopSql = R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
  customer_id VARCHAR(8), sum_activity_weight_last_2m INTEGER, avg_product_health_index_last_2m DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM CUSTOMER_ID,
       SUM(ACTIVITY_WEIGHT) AS sum_activity_weight_last_2m,
       AVG(PRODUCT_HEALTH_INDEX) AS avg_product_health_index_last_2m
FROM "SOURCE_SQL_STREAM_001"
WINDOWED BY STAGGER (PARTITION BY CUSTOMER_ID RANGE INTERVAL '2' MINUTE);
)sql";

int64_t T(const std::string& iso) { return *ParseIso8601Micros(iso); }

struct Event {
  int64_t arrival;
  Json json;
};

struct RunResult {
  std::vector<OrderedJson> rows;
  std::array<int64_t, kRejectReasonCount> rejected{};
};

RunResult RunSpec(const WindowSpec& spec, const std::vector<Event>& events) {
  RunResult result;
  EventParser parser(spec);
  auto agg = WindowAggregator::Create(spec);
  std::vector<EmittedRow> rows;
  ParsedEvent e;
  for (const Event& ev : events) {
    Rejection r;
    if (!parser.ParseJsonValue(ev.json, ev.arrival, &e, &r)) {
      ++result.rejected[static_cast<int>(r.reason)];
      continue;
    }
    if (!agg->Add(e, &rows)) ++result.rejected[static_cast<int>(RejectReason::kLate)];
  }
  agg->Flush(&rows);
  for (const EmittedRow& row : rows) result.rows.push_back(RowToJson(spec, row, true));
  return result;
}

CompiledPump CompileOne(const std::string& sql, const CompileOptions& o = {}) {
  auto compiled = CompileSql(sql, o);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  if (!compiled.ok()) return {};
  EXPECT_EQ(compiled->size(), 1u);
  return (*compiled)[0];
}

void ExpectSameRows(const RunResult& a, const RunResult& b) {
  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (size_t i = 0; i < a.rows.size(); ++i) {
    ASSERT_EQ(a.rows[i], b.rows[i]) << "row " << i;
    ASSERT_EQ(DumpJson(a.rows[i]), DumpJson(b.rows[i])) << "row " << i;
  }
  EXPECT_EQ(a.rejected, b.rejected);
}

TEST(KdaWorkshopTest, CompilesToTheBuiltInStaggerSpec) {
  CompiledPump p = CompileOne(kWorkshopSql);
  const WindowSpec builtin = *WindowSpec::FromString(WorkshopStaggerSpecJson(), "workshop");
  EXPECT_EQ(p.pump, "STREAM_PUMP");
  EXPECT_EQ(p.destination, "DESTINATION_SQL_STREAM");
  EXPECT_EQ(p.spec.type, WindowType::kStagger);
  EXPECT_EQ(p.spec.size_micros, builtin.size_micros);
  EXPECT_EQ(p.spec.source, "click_stream");
  ASSERT_EQ(p.spec.partition_by.size(), 1u);
  EXPECT_EQ(p.spec.partition_by[0].output_name, "customer_id");
  ASSERT_EQ(p.spec.aggregations.size(), 2u);
  EXPECT_EQ(p.spec.aggregations[0].output_name, "sum_activity_weight_last_2m");
  EXPECT_EQ(p.spec.aggregations[1].function, AggFunction::kAvg);
  EXPECT_EQ(p.spec_json["field_case"], "insensitive");
  EXPECT_FALSE(p.spec_json.contains("select")) << "the workshop needs no projection";
}

// The unhealthy browse of the stream tests: through `pantry window`'s replay.
TEST(KdaWorkshopTest, SameRowsAsTheBuiltInSpecOnTheWorkshopBrowse) {
  std::ostringstream lines;
  const double weights[] = {2, 2, 1, 1, 1, 2};
  const double health[] = {0.3, 0.3, 0.3, 0.1, 0.2, 0.2};
  for (int i = 0; i < 6; ++i) {
    for (const char* customer : {"C42", "C1"}) {
      Json e = {{"_arrival_time", "2026-11-27T12:00:" + std::to_string(10 + i * 5) + "Z"},
                {"event_time", "2026-11-27T12:00:0" + std::to_string(i) + "Z"},
                {"customer_id", customer},
                {"product_id", "P" + std::to_string(i)},
                {"product_category", "Snacks"},
                {"activity_type", "added_to_cart"},
                {"activity_weight", weights[i]},
                {"product_health_index", health[i]}};
      lines << DumpJson(e) << "\n";
    }
  }
  lines << "{\"customer_id\": \"C7\"}\nnot json\n";
  auto replay = [&](const WindowSpec& spec) {
    std::istringstream in(lines.str());
    std::vector<OrderedJson> rows;
    ReplayCallbacks cb;
    cb.on_row = [&](const EmittedRow& r) { rows.push_back(RowToJson(spec, r, true)); };
    auto stats = ReplayJsonLines(spec, in, cb);
    EXPECT_TRUE(stats.ok());
    return std::make_pair(rows, stats->rejected);
  };
  CompiledPump p = CompileOne(kWorkshopSql);
  const WindowSpec builtin = *WindowSpec::FromString(WorkshopStaggerSpecJson(), "workshop");
  auto [sql_rows, sql_rejected] = replay(p.spec);
  auto [builtin_rows, builtin_rejected] = replay(builtin);
  ASSERT_EQ(sql_rows.size(), 2u);
  EXPECT_EQ(sql_rows, builtin_rows);
  EXPECT_EQ(sql_rejected, builtin_rejected);
  EXPECT_EQ(sql_rows[0]["customer_id"], "C42");
  EXPECT_EQ(sql_rows[0]["sum_activity_weight_last_2m"], 9.0);
  EXPECT_NEAR(sql_rows[0]["avg_product_health_index_last_2m"].get<double>(), 1.4 / 6, 1e-12);
  EXPECT_EQ(sql_rows[0]["emission_time"], "2026-11-27T12:02:10Z");
}

std::vector<Event> GeneratedWorkshopStream(int n) {
  std::mt19937_64 rng(20261127);
  std::uniform_int_distribution<int> customer(0, 2499), gap_ms(0, 400), weight(1, 3), kind(0, 99);
  std::uniform_real_distribution<double> health(0.0, 1.0);
  const char* categories[] = {"Snacks", "Produce", "Dairy", "Bakery"};
  const char* types[] = {"viewed", "added_to_cart", "purchased"};
  std::vector<Event> events;
  int64_t t = T("2026-11-27T08:00:00Z");
  for (int i = 0; i < n; ++i) {
    t += gap_ms(rng) * 1000 + 1;
    const int c = customer(rng);
    Json e = {{"event_time", FormatIso8601Micros(t - 2'000'000)},
              {"customer_id", "C" + std::to_string(c)},
              {"product_id", "P" + std::to_string(i % 997)},
              {"product_category", categories[i % 4]},
              {"activity_type", types[i % 3]},
              {"activity_weight", weight(rng)},
              {"product_health_index", health(rng)}};
    const int k = kind(rng);
    if (k == 0) e.erase("activity_weight");         // missing_field for both
    if (k == 1) e["product_health_index"] = "0.5";  // wrong_type for both
    events.push_back({t, std::move(e)});
  }
  return events;
}

TEST(KdaWorkshopTest, SameRowsAsTheBuiltInSpecOnOneHundredThousandEvents) {
  const std::vector<Event> events = GeneratedWorkshopStream(100'000);
  CompiledPump p = CompileOne(kWorkshopSql);
  const WindowSpec builtin = *WindowSpec::FromString(WorkshopStaggerSpecJson(), "workshop");
  RunResult sql = RunSpec(p.spec, events);
  RunResult native = RunSpec(builtin, events);
  EXPECT_GT(sql.rows.size(), 10'000u);
  EXPECT_GT(sql.rejected[static_cast<int>(RejectReason::kMissingField)], 500);
  EXPECT_GT(sql.rejected[static_cast<int>(RejectReason::kWrongType)], 500);
  ExpectSameRows(sql, native);
}

// Stagger Windows, KDA developer guide: events grouped by FLOOR(EVENT_TIME
// TO MINUTE) and ticker in one-minute stagger windows.
TEST(KdaGuideTest, StaggerWindowExample) {
  const std::string sql = R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker_symbol    VARCHAR(4),
    event_time       TIMESTAMP,
    ticker_count     DOUBLE);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM
        TICKER_SYMBOL,
        FLOOR(EVENT_TIME TO MINUTE),
        COUNT(TICKER_SYMBOL) AS ticker_count
    FROM "SOURCE_SQL_STREAM_001"
    WINDOWED BY STAGGER (
            PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER_SYMBOL RANGE INTERVAL '1' MINUTE);
)sql";
  CompiledPump p = CompileOne(sql);
  // | ROWTIME | EVENT_TIME | TICKER_SYMBOL |
  const char* table[][2] = {{"11:00:20", "11:00:10"},
                            {"11:00:30", "11:00:20"},
                            {"11:01:05", "11:00:55"},
                            {"11:01:15", "11:01:05"}};
  std::vector<Event> events;
  for (auto& row : table) {
    events.push_back(
        {T(std::string("2018-11-01T") + row[0] + "Z"),
         {{"EVENT_TIME", std::string("2018-11-01 ") + row[1]}, {"TICKER_SYMBOL", "AMZN"}}});
  }
  RunResult r = RunSpec(p.spec, events);
  // | ROWTIME | EVENT_TIME | TICKER_SYMBOL | Count |
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0]["emission_time"], "2018-11-01T11:01:20Z");
  EXPECT_EQ(r.rows[0]["event_time"], "2018-11-01T11:00:00Z");
  EXPECT_EQ(r.rows[0]["ticker_symbol"], "AMZN");
  EXPECT_EQ(r.rows[0]["ticker_count"], 3);
  EXPECT_EQ(r.rows[1]["emission_time"], "2018-11-01T11:02:15Z");
  EXPECT_EQ(r.rows[1]["event_time"], "2018-11-01T11:01:00Z");
  EXPECT_EQ(r.rows[1]["ticker_count"], 1);
}

// The tumbling query of the same guide page ("Partial Results with Tumbling
// Windows"). The page declares DESTINATION_SQL_STREAM with two columns for a
// three-column SELECT, which KDA refuses; so does pantry. With the event
// time column declared, the rows are the page's table.
TEST(KdaGuideTest, TumblingWindowExampleFromTheStaggerPage) {
  const std::string query = R"sql(
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM
        TICKER_SYMBOL,
        FLOOR(EVENT_TIME TO MINUTE),
        COUNT(TICKER_SYMBOL) AS TICKER_COUNT
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY ticker_symbol, FLOOR(EVENT_TIME TO MINUTE), STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE);
)sql";
  const std::string as_printed = R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    TICKER_SYMBOL VARCHAR(4),
    TICKER_COUNT     DOUBLE);
)sql";
  auto refused = CompileSql(as_printed + query, CompileOptions());
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(),
              HasSubstr("the SELECT has 3 columns but DESTINATION_SQL_STREAM takes 2"));

  const std::string fixed = R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    TICKER_SYMBOL VARCHAR(4),
    EVENT_TIME TIMESTAMP,
    TICKER_COUNT     DOUBLE);
)sql";
  CompiledPump p = CompileOne(fixed + query);
  EXPECT_EQ(p.spec.type, WindowType::kTumbling);
  EXPECT_EQ(p.spec.size_micros, 60'000'000);
  const char* table[][2] = {{"11:00:20", "11:00:10"},
                            {"11:00:30", "11:00:20"},
                            {"11:01:05", "11:00:55"},
                            {"11:01:15", "11:01:05"}};
  std::vector<Event> events;
  for (auto& row : table) {
    events.push_back(
        {T(std::string("2018-11-01T") + row[0] + "Z"),
         {{"event_time", std::string("2018-11-01T") + row[1] + "Z"}, {"ticker_symbol", "AMZN"}}});
  }
  RunResult r = RunSpec(p.spec, events);
  // | ROWTIME | EVENT_TIME | TICKER_SYMBOL | COUNT |
  const char* expected[][3] = {{"2018-11-01T11:01:00Z", "2018-11-01T11:00:00Z", "2"},
                               {"2018-11-01T11:02:00Z", "2018-11-01T11:00:00Z", "1"},
                               {"2018-11-01T11:02:00Z", "2018-11-01T11:01:00Z", "1"}};
  ASSERT_EQ(r.rows.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r.rows[i]["emission_time"], expected[i][0]) << i;
    EXPECT_EQ(r.rows[i]["event_time"], expected[i][1]) << i;
    EXPECT_EQ(r.rows[i]["ticker_symbol"], "AMZN");
    EXPECT_EQ(r.rows[i]["ticker_count"], std::stoi(expected[i][2])) << i;
  }
}

// Tumbling Windows (Aggregations Using GROUP BY), developer guide: min and
// max price per ticker per 60-second STEP of ROWTIME.
TEST(KdaGuideTest, TumblingWindowStepExample) {
  const std::string sql = R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
                                   ticker_symbol VARCHAR(4),
                                   Min_Price     DOUBLE,
                                   Max_Price     DOUBLE);
-- CREATE OR REPLACE PUMP to insert into output
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM Ticker_Symbol,
                  MIN(Price) AS Min_Price,
                  MAX(Price) AS Max_Price
    FROM    "SOURCE_SQL_STREAM_001"
    GROUP BY Ticker_Symbol,
             STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);
)sql";
  CompiledPump p = CompileOne(sql);
  EXPECT_EQ(p.spec_json["window"]["size"], "1m");
  std::vector<Event> events;
  const double prices[] = {10, 12, 9, 50, 11};
  const char* tickers[] = {"AMZN", "AMZN", "AMZN", "IBM", "AMZN"};
  const char* times[] = {"10:00:01", "10:00:30", "10:00:59", "10:00:40", "10:01:00"};
  for (int i = 0; i < 5; ++i) {
    events.push_back({T(std::string("2018-11-01T") + times[i] + "Z"),
                      {{"TICKER_SYMBOL", tickers[i]},
                       {"SECTOR", "TECH"},
                       {"CHANGE", 0.1},
                       {"PRICE", prices[i]}}});
  }
  RunResult r = RunSpec(p.spec, events);
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[0]["ticker_symbol"], "AMZN");
  EXPECT_EQ(r.rows[0]["min_price"], 9.0);
  EXPECT_EQ(r.rows[0]["max_price"], 12.0);
  EXPECT_EQ(r.rows[0]["emission_time"], "2018-11-01T10:01:00Z");
  EXPECT_EQ(r.rows[1]["ticker_symbol"], "IBM");
  EXPECT_EQ(r.rows[2]["min_price"], 11.0);
}

// Windowed Aggregation on Streams, SQL reference: global MIN/MAX over the
// preceding day, one row per input row (the reference's results table).
TEST(KdaGuideTest, SlidingWindowWeatherExample) {
  const std::string sql = R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ROWTIME_OUT TIMESTAMP, WMIN_TEMP INTEGER, WMAX_TEMP INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
 SELECT STREAM
        ROWTIME,
        MIN(TEMP) OVER W1 AS WMIN_TEMP,
        MAX(TEMP) OVER W1 AS WMAX_TEMP
 FROM WEATHERSTREAM
 WINDOW W1 AS (
    RANGE INTERVAL '1' DAY PRECEDING
);
)sql";
  CompileOptions o;
  o.source_in_app = "WEATHERSTREAM";
  CompiledPump p = CompileOne(sql, o);
  EXPECT_TRUE(p.spec.emit_per_event);
  EXPECT_TRUE(p.spec.partition_by.empty());
  struct Reading {
    const char* rowtime;
    const char* city;
    int temp;
  } input[] = {
      {"2018-11-01 01:00:00.0", "Denver", 29},    {"2018-11-01 01:00:00.0", "Anchorage", 2},
      {"2018-11-01 06:00:00.0", "Miami", 65},     {"2018-11-01 07:00:00.0", "Denver", 32},
      {"2018-11-01 09:00:00.0", "Anchorage", 9},  {"2018-11-01 13:00:00.0", "Denver", 50},
      {"2018-11-01 17:00:00.0", "Anchorage", 10}, {"2018-11-01 18:00:00.0", "Miami", 71},
      {"2018-11-01 19:00:00.0", "Denver", 43},    {"2018-11-02 01:00:00.0", "Anchorage", 4},
      {"2018-11-02 01:00:00.0", "Denver", 39},    {"2018-11-02 07:00:00.0", "Denver", 46},
      {"2018-11-02 09:00:00.0", "Anchorage", 3},  {"2018-11-02 13:00:00.0", "Denver", 56},
      {"2018-11-02 17:00:00.0", "Anchorage", 2},  {"2018-11-02 19:00:00.0", "Denver", 50},
      {"2018-11-03 01:00:00.0", "Denver", 36},    {"2018-11-03 01:00:00.0", "Anchorage", 1}};
  std::vector<Event> events;
  for (const Reading& r : input) {
    events.push_back({T(r.rowtime), {{"CITY", r.city}, {"TEMP", r.temp}}});
  }
  RunResult r = RunSpec(p.spec, events);
  // | ROWTIME | WMIN_TEMP | WMAX_TEMP |
  const int expected[][2] = {{29, 29}, {2, 29}, {2, 65}, {2, 65}, {2, 65}, {2, 65},
                             {2, 65},  {2, 71}, {2, 71}, {2, 71}, {2, 71}, {4, 71},
                             {3, 71},  {3, 71}, {2, 71}, {2, 56}, {2, 56}, {1, 56}};
  ASSERT_EQ(r.rows.size(), 18u) << "one row per input row, none on expiry";
  for (size_t i = 0; i < 18; ++i) {
    EXPECT_EQ(r.rows[i]["rowtime_out"], FormatIso8601Micros(T(input[i].rowtime))) << i;
    EXPECT_EQ(r.rows[i]["wmin_temp"], expected[i][0]) << i;
    EXPECT_EQ(r.rows[i]["wmax_temp"], expected[i][1]) << i;
  }
}

// Sliding Windows, developer guide: a count over a 5-second window emits on
// every new record (1, 2, 2, 2, then 3, 4, 5 for the three records at t8)
// and nothing while records only age out (t3..t5).
TEST(KdaGuideTest, SlidingWindowCountNarrative) {
  const std::string sql = R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (c BIGINT);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM COUNT(*) OVER W AS c FROM "SOURCE_SQL_STREAM_001"
WINDOW W AS (RANGE INTERVAL '5' SECOND PRECEDING);
)sql";
  CompiledPump p = CompileOne(sql);
  // Records arrive during seconds 1, 2, 6, 7 and three during second 8.
  const double seconds[] = {1.2, 2.2, 6.4, 7.4, 8.1, 8.3, 8.5};
  std::vector<Event> events;
  for (double s : seconds) {
    events.push_back({static_cast<int64_t>(s * 1e6), {{"v", 1}}});
  }
  RunResult r = RunSpec(p.spec, events);
  ASSERT_EQ(r.rows.size(), 7u);
  const int expected[] = {1, 2, 2, 2, 3, 4, 5};
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(r.rows[i]["c"], expected[i]) << i;
}

// Sliding Windows examples 1 and 2: per-ticker aggregates over the last
// minute / ten seconds, including an expression inside AVG.
TEST(KdaGuideTest, SlidingWindowTickerExamples) {
  const std::string sql = R"sql(CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
                         ticker_symbol VARCHAR(10),
                         Min_Price     double,
                         Max_Price     double,
                         Avg_Price     double);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
   INSERT INTO "DESTINATION_SQL_STREAM"
     SELECT STREAM ticker_symbol,
                   MIN(Price) OVER W1 AS Min_Price,
                   MAX(Price) OVER W1 AS Max_Price,
                   AVG(Price) OVER W1 AS Avg_Price
     FROM   "SOURCE_SQL_STREAM_001"
     WINDOW W1 AS (
        PARTITION BY ticker_symbol
        RANGE INTERVAL '1' MINUTE PRECEDING);
CREATE OR REPLACE STREAM "CHANGE_STREAM" (
                            ticker_symbol VARCHAR(10),
                            Avg_Percent_Change double);
CREATE OR REPLACE PUMP "CHANGE_PUMP" AS
   INSERT INTO "CHANGE_STREAM"
      SELECT STREAM Ticker_Symbol,
                    AVG(Change / (Price - Change)) over W1 as Avg_Percent_Change
      FROM "SOURCE_SQL_STREAM_001"
      WINDOW W1 AS (
              PARTITION BY ticker_symbol
              RANGE INTERVAL '10' SECOND PRECEDING);
)sql";
  auto compiled = CompileSql(sql, CompileOptions());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  ASSERT_EQ(compiled->size(), 2u);
  std::vector<Event> events = {
      {T("2018-11-01T10:00:00Z"), {{"TICKER_SYMBOL", "AMZN"}, {"CHANGE", 1.0}, {"PRICE", 11.0}}},
      {T("2018-11-01T10:00:05Z"), {{"TICKER_SYMBOL", "IBM"}, {"CHANGE", -2.0}, {"PRICE", 98.0}}},
      {T("2018-11-01T10:00:20Z"), {{"TICKER_SYMBOL", "AMZN"}, {"CHANGE", 2.0}, {"PRICE", 22.0}}},
      {T("2018-11-01T10:01:10Z"), {{"TICKER_SYMBOL", "AMZN"}, {"CHANGE", 3.0}, {"PRICE", 33.0}}}};
  RunResult prices = RunSpec((*compiled)[0].spec, events);
  ASSERT_EQ(prices.rows.size(), 4u);
  EXPECT_EQ(prices.rows[2]["ticker_symbol"], "AMZN");
  EXPECT_EQ(prices.rows[2]["min_price"], 11.0);
  EXPECT_EQ(prices.rows[2]["avg_price"], 16.5);
  EXPECT_EQ(prices.rows[3]["min_price"], 22.0) << "10:00:00 is more than a minute before 10:01:10";
  RunResult change = RunSpec((*compiled)[1].spec, events);
  ASSERT_EQ(change.rows.size(), 4u);
  EXPECT_DOUBLE_EQ(change.rows[0]["avg_percent_change"].get<double>(), 0.1);
  EXPECT_DOUBLE_EQ(change.rows[1]["avg_percent_change"].get<double>(), -0.02);
  EXPECT_DOUBLE_EQ(change.rows[2]["avg_percent_change"].get<double>(), 0.1)
      << "10:00:00 left the 10-second window";
}

}  // namespace
}  // namespace pantry::stream::kda
