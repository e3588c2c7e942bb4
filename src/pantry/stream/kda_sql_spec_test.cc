// The SQL front end's pieces: lexing and identifier rules, the spec
// extensions (filter, computed and mapped columns, projections, per-event
// sliding windows), expression semantics, and reading exported applications.
#include "pantry/stream/kda_sql_spec.h"

#include <unistd.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pantry/common/time_format.h"
#include "pantry/stream/kda_application.h"
#include "pantry/stream/kda_sql_compiler.h"
#include "pantry/stream/kda_sql_parser.h"

namespace pantry::stream {
namespace {

using kda::CompileOptions;
using kda::CompileSql;
using ::testing::HasSubstr;

int64_t T(const std::string& iso) { return *ParseIso8601Micros(iso); }

struct Output {
  std::vector<OrderedJson> rows;
  std::vector<Rejection> rejections;
};

Output RunSpec(const WindowSpec& spec, const std::vector<std::pair<int64_t, std::string>>& events) {
  Output out;
  EventParser parser(spec);
  auto agg = WindowAggregator::Create(spec);
  std::vector<EmittedRow> rows;
  for (const auto& [arrival, text] : events) {
    ParsedEvent e;
    Rejection r;
    if (!parser.Parse(text, arrival, &e, &r)) {
      out.rejections.push_back(r);
      continue;
    }
    EXPECT_TRUE(agg->Add(e, &rows));
  }
  agg->Flush(&rows);
  for (const EmittedRow& row : rows) out.rows.push_back(RowToJson(spec, row, false));
  return out;
}

WindowSpec Compile(const std::string& sql, const CompileOptions& o = {}) {
  auto c = CompileSql(sql, o);
  EXPECT_TRUE(c.ok()) << c.status();
  if (!c.ok() || c->empty()) return {};
  return c->back().spec;
}

TEST(KdaLexerTest, IdentifiersCommentsAndLiterals) {
  auto app = kda::ParseApplication(R"sql(
-- a comment; with a semicolon
CREATE OR REPLACE STREAM "Mixed_Case" (plain VARCHAR(4), "Quoted" DOUBLE /* inline */);
create stream lower_case (x int);)sql");
  ASSERT_TRUE(app.ok()) << app.status();
  ASSERT_EQ(app->streams.size(), 2u);
  EXPECT_EQ(app->streams[0].name, "Mixed_Case");
  EXPECT_EQ(app->streams[0].columns[0].name, "PLAIN") << "unquoted names are upper-cased";
  EXPECT_FALSE(app->streams[0].columns[0].quoted);
  EXPECT_EQ(app->streams[0].columns[1].name, "Quoted") << "quoted names keep their case";
  EXPECT_EQ(app->streams[0].columns[0].type.ToString(), "VARCHAR(4)");
  EXPECT_EQ(app->streams[1].name, "LOWER_CASE");
  EXPECT_EQ(app->streams[1].columns[0].type.name, "INTEGER");
  auto e = kda::ParseExpression("'it''s' || \"a\"\"b\" || 1.5e3");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(kda::ExprToSql(**e), "'it''s' || \"a\"\"b\" || 1.5e3");
}

TEST(KdaExpressionTest, PrecedenceSurvivesPrintingAndParsingBack) {
  for (const char* text :
       {"a - (b - c)", "(a + b) * c", "NOT (a AND b) OR c", "a IN (1, 2) AND b NOT LIKE 'x%'",
        "CAST(a AS DECIMAL(5,2)) / -b", "FLOOR(t TO MINUTE) = STEP(t BY INTERVAL '30' SECOND)",
        "x IS NOT NULL AND y BETWEEN 1 AND 2"}) {
    auto e = kda::ParseExpression(text);
    ASSERT_TRUE(e.ok()) << text << ": " << e.status();
    auto again = kda::ParseExpression(kda::ExprToSql(**e));
    ASSERT_TRUE(again.ok()) << kda::ExprToSql(**e);
    EXPECT_TRUE(kda::SameExpr(**e, **again)) << text << " -> " << kda::ExprToSql(**e);
  }
}

// Filters and computed columns in a hand-written spec, with SQL's NULL rules.
TEST(KdaSpecTest, FilterComputedAndSelectInAPlainSpec) {
  auto spec = WindowSpec::FromString(R"js({
    "name": "f", "partition_by": ["customer_id"],
    "window": {"type": "tumbling", "size": "1m"},
    "field_case": "insensitive",
    "computed": ["price * qty AS amount"],
    "filter": "kind IN ('purchase', 'refund') AND NOT (note LIKE 'test%') AND qty IS NOT NULL",
    "aggregations": ["SUM(amount) AS total", "COUNT(*) AS n", "MAX(qty) AS biggest"],
    "select": ["customer_id AS customer", "CAST(total AS INTEGER) AS total_int",
               "total / n AS mean", "ROWTIME AS at", "n * 2 + 1 AS odd"]
  })js",
                                     "spec");
  ASSERT_TRUE(spec.ok()) << spec.status();
  const int64_t t0 = T("2026-01-01T10:00:00Z");
  Output out = RunSpec(
      *spec,
      {
          {t0, R"({"Customer_ID": "C1", "KIND": "purchase", "price": 2.5, "qty": 3, "note": "x"})"},
          {t0 + 1, R"({"customer_id": "C1", "kind": "view", "price": 1, "qty": 1, "note": "x"})"},
          {t0 + 2,
           R"({"customer_id": "C1", "kind": "refund", "price": 1, "qty": 2, "note": "test"})"},
          {t0 + 3, R"({"customer_id": "C1", "kind": "refund", "price": -1.25, "qty": 2})"},
          {t0 + 4, R"({"customer_id": "C1", "kind": "purchase", "price": 1, "note": "x"})"},
          {t0 + 5,
           R"({"customer_id": "C1", "kind": "purchase", "price": "a", "qty": 1, "note": "x"})"},
      });
  // Note: NULL LIKE 'test%' is NULL, NOT NULL is NULL: the 4th event (no
  // note) is filtered out like the 2nd, 3rd and 5th; the 6th fails its
  // computed column.
  ASSERT_EQ(out.rejections.size(), 1u);
  EXPECT_THAT(out.rejections[0].message, HasSubstr("computed column 'amount'"));
  ASSERT_EQ(out.rows.size(), 1u);
  const OrderedJson& row = out.rows[0];
  EXPECT_EQ(row["customer"], "C1");
  EXPECT_EQ(row["total_int"], 8) << "7.5 rounds half away from zero";
  EXPECT_EQ(row["mean"], 7.5);
  EXPECT_EQ(row["at"], "2026-01-01T10:01:00Z");
  EXPECT_EQ(row["odd"], 3);
  EXPECT_FALSE(row.contains("total")) << "with select, only the selected columns are output";
}

TEST(KdaSpecTest, MappedAndTypedColumns) {
  auto spec = WindowSpec::FromString(R"js({
    "name": "m", "partition_by": ["CUSTOMER"],
    "window": {"type": "stagger", "size": "10s"},
    "columns": {"CUSTOMER": {"mapping": "$.who.id", "type": "VARCHAR(3)"},
                "QTY": {"mapping": "$.items[1]", "type": "INTEGER"},
                "WHEN": {"mapping": "$.ts", "type": "TIMESTAMP"}},
    "filter": "\"WHEN\" >= TIMESTAMP '2026-01-01 00:00:00'",
    "aggregations": ["SUM(QTY) AS qty"]
  })js",
                                     "spec");
  ASSERT_TRUE(spec.ok()) << spec.status();
  Output out = RunSpec(
      *spec,
      {
          {0, R"({"who": {"id": "C12345"}, "items": [9, "4"], "ts": "2026-02-01 00:00:00"})"},
          {1, R"({"who": {"id": "C12999"}, "items": [9, 6], "ts": "2026-02-01T00:00:00Z"})"},
          {2, R"({"who": {"id": "C12"}, "items": [9, 2.5], "ts": "2026-02-01T00:00:00Z"})"},
          {3, R"({"who": {"id": "C12"}, "items": [9, 1], "ts": 1767225600})"},
          {4, R"({"who": {"id": "C12"}, "items": [9, 100], "ts": "2025-12-31T23:59:59Z"})"},
      });
  ASSERT_EQ(out.rows.size(), 1u);
  EXPECT_EQ(out.rows[0]["CUSTOMER"], "C12") << "VARCHAR(3) truncates, like KDA";
  EXPECT_EQ(out.rows[0]["qty"], 10.0) << "'4' converts; 2.5 is not an INTEGER";
  ASSERT_EQ(out.rejections.size(), 2u);
  EXPECT_EQ(out.rejections[0].reason, RejectReason::kWrongType);
  EXPECT_THAT(out.rejections[0].message, HasSubstr("column 'QTY' (INTEGER)"));
  EXPECT_EQ(out.rejections[1].reason, RejectReason::kBadTime) << "numbers are not TIMESTAMPs";
}

TEST(KdaSpecTest, ExtensionErrorsNameTheKey) {
  struct Case {
    const char* extra;
    const char* message;
  } cases[] = {
      {R"("filter": "a >")", "filter: line 1, column 4: expected an expression"},
      {R"("filter": "SUM(v) > 1")", "filter: line 1, column 1: aggregate SUM"},
      {R"("select": ["v + 1"])", "select[0]: 'v + 1': missing AS name"},
      {R"("select": ["nope AS x"])", "select.x: unknown column 'nope'"},
      {R"("select": ["n AS window_start"])", "output name 'window_start' is reserved"},
      {R"("columns": {"k": "customer"})", "columns: k: mapping 'customer' must start with '$'"},
      {R"("columns": {"k": "$.a[0:]"})", "only [n] array indexes"},
      {R"("columns": {"k": "$.k"}, "filter": "other = 1")", "filter: unknown column 'other'"},
      {R"("field_case": "upper")", "field_case: 'upper'"},
      {R"("computed": ["a + b AS c", "d AS a"], "columns": {"k": "$.k", "a": "$.a"})",
       "computed.c: unknown column 'b'"},
      {R"("strict": true, "fields": {"k": "string", "v": "number"}, "filter": "v > 1")",
       "strict/fields cannot be combined"},
  };
  for (const Case& c : cases) {
    std::string json = std::string(R"({"name": "x", "partition_by": ["k"],
      "window": {"type": "stagger", "size": "1m"}, "aggregations": ["COUNT(*) AS n"], )") +
                       c.extra + "}";
    auto spec = WindowSpec::FromString(json, "spec.json");
    ASSERT_FALSE(spec.ok()) << json;
    EXPECT_THAT(spec.status().message(), HasSubstr(c.message)) << json;
    EXPECT_THAT(spec.status().message(), HasSubstr("spec.json: ")) << json;
  }
}

TEST(KdaSpecTest, PerEventSlidingWindowIncludesItsStartAndIsSilentOnExpiry) {
  auto spec = WindowSpec::FromString(R"js({
    "name": "s", "partition_by": ["k"], "window": {"type": "sliding", "size": "10s",
    "emit": "per_event"}, "aggregations": ["COUNT(*) AS n", "SUM(v) AS total"]})js",
                                     "spec");
  ASSERT_TRUE(spec.ok()) << spec.status();
  const int64_t s = 1'000'000;
  Output out = RunSpec(*spec, {{0, R"({"k": "a", "v": 1})"},
                               {10 * s, R"({"k": "a", "v": 2})"},
                               {10 * s + 1, R"({"k": "a", "v": 4})"},
                               {40 * s, R"({"k": "a", "v": 8})"}});
  ASSERT_EQ(out.rows.size(), 4u) << "no rows when events only age out";
  EXPECT_EQ(out.rows[1]["n"], 2) << "the event exactly 10 s before is still in [t - 10s, t]";
  EXPECT_EQ(out.rows[2]["n"], 2);
  EXPECT_EQ(out.rows[2]["total"], 6.0);
  EXPECT_EQ(out.rows[3]["n"], 1);
  auto bad = WindowSpec::FromString(R"js({"name": "s", "partition_by": ["k"],
    "window": {"type": "stagger", "size": "10s", "emit": "per_event"},
    "aggregations": ["COUNT(*) AS n"]})js",
                                    "spec.json");
  EXPECT_THAT(bad.status().message(), HasSubstr("window.emit"));
}

// Pumps that filter and project into in-application streams are folded into
// the windowed queries that read them.
TEST(KdaCompilerTest, InApplicationStreamsFeedLaterQueries) {
  const std::string sql = R"sql(
CREATE OR REPLACE STREAM "CARTS" (cust VARCHAR(8), w DOUBLE, kind VARCHAR(16));
CREATE OR REPLACE PUMP "FILTER_PUMP" AS INSERT INTO "CARTS"
  SELECT STREAM customer_id, activity_weight * 2, activity_type
  FROM "SOURCE_SQL_STREAM_001" WHERE activity_type <> 'viewed';
CREATE OR REPLACE STREAM "DEST" (cust VARCHAR(8), total DOUBLE, n BIGINT, at TIMESTAMP);
CREATE OR REPLACE PUMP "AGG_PUMP" AS INSERT INTO "DEST"
  SELECT STREAM c.cust, SUM(w), COUNT(*), ROWTIME FROM "CARTS" AS c
  WHERE c.kind = 'added_to_cart' OR w > 5
  GROUP BY c.cust, FLOOR("CARTS".ROWTIME TO MINUTE);
)sql";
  auto compiled = CompileSql(sql, CompileOptions());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  ASSERT_EQ(compiled->size(), 1u);
  const OrderedJson& j = (*compiled)[0].spec_json;
  EXPECT_EQ(j["filter"],
            "activity_type <> 'viewed' AND (activity_type = 'added_to_cart' OR "
            "activity_weight * 2 > 5)");
  const WindowSpec& spec = (*compiled)[0].spec;
  const int64_t t0 = T("2026-01-01T10:00:00Z");
  Output out = RunSpec(
      spec,
      {
          {t0, R"({"customer_id": "C1", "activity_weight": 1, "activity_type": "added_to_cart"})"},
          {t0 + 1, R"({"customer_id": "C1", "activity_weight": 9, "activity_type": "viewed"})"},
          {t0 + 2, R"({"customer_id": "C1", "activity_weight": 3, "activity_type": "purchased"})"},
          {t0 + 3, R"({"customer_id": "C1", "activity_weight": 2, "activity_type": "purchased"})"},
      });
  ASSERT_EQ(out.rows.size(), 1u);
  EXPECT_EQ(out.rows[0]["cust"], "C1");
  EXPECT_EQ(out.rows[0]["total"], 8.0);
  EXPECT_EQ(out.rows[0]["n"], 2);
  EXPECT_EQ(out.rows[0]["at"], "2026-01-01T10:01:00Z");
}

TEST(KdaCompilerTest, ProjectionsCountOfAColumnAndKdaCase) {
  const std::string sql = R"sql(
CREATE OR REPLACE STREAM "DEST" ("Customer" VARCHAR(8), minute_start TIMESTAMP,
  score INTEGER, with_note BIGINT, label VARCHAR(20));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM customer_id, FLOOR(ROWTIME TO MINUTE), CAST(AVG(w) * 10 AS INTEGER),
         COUNT(note), UPPER(customer_id) || '-' || CAST(COUNT(*) AS VARCHAR(5))
  FROM "SOURCE_SQL_STREAM_001"
  GROUP BY customer_id, FLOOR(ROWTIME TO MINUTE);
)sql";
  WindowSpec spec = Compile(sql);
  const int64_t t0 = T("2026-01-01T10:00:00Z");
  Output out = RunSpec(spec, {{t0, R"({"customer_id": "c1", "w": 0.26, "note": "n"})"},
                              {t0 + 1, R"({"customer_id": "c1", "w": 0.3})"},
                              {t0 + 2, R"({"customer_id": "c1", "w": 0.3, "note": null})"}});
  ASSERT_EQ(out.rows.size(), 1u);
  const OrderedJson& row = out.rows[0];
  EXPECT_EQ(row["Customer"], "c1");
  EXPECT_EQ(row["minute_start"], "2026-01-01T10:00:00Z");
  EXPECT_EQ(row["score"], 3) << "CAST(2.866... AS INTEGER)";
  EXPECT_EQ(row["with_note"], 1) << "COUNT(x) counts non-NULL x";
  EXPECT_EQ(row["label"], "C1-3");
  CompileOptions kda_case;
  kda_case.lower_case_names = false;
  WindowSpec upper = Compile(sql, kda_case);
  Output again = RunSpec(upper, {{t0, R"({"customer_id": "c1", "w": 0.26})"}});
  ASSERT_EQ(again.rows.size(), 1u);
  EXPECT_TRUE(again.rows[0].contains("SCORE")) << DumpJson(again.rows[0]);
  EXPECT_TRUE(again.rows[0].contains("Customer"));
}

TEST(KdaCompilerTest, SinkMappingAndInputSchema) {
  CompileOptions o;
  o.input_columns = {{"CUSTOMER_ID", "VARCHAR(8)", "$.customer.id"},
                     {"WEIGHT", "DOUBLE", "$.activity_weight"}};
  o.sinks["DESTINATION_SQL_STREAM"] = {"click_stream", ""};
  o.source_stream = "clicks";
  const std::string sql = R"sql(
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (customer_id VARCHAR(8), total DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM customer_id, SUM(weight) FROM "SOURCE_SQL_STREAM_001"
WINDOWED BY STAGGER (PARTITION BY customer_id RANGE INTERVAL '30' SECOND);)sql";
  auto compiled = CompileSql(sql, o);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const kda::CompiledPump& p = (*compiled)[0];
  EXPECT_EQ(p.spec.source, "clicks");
  EXPECT_EQ(p.spec.sink_feature_group, "click_stream");
  EXPECT_EQ(p.spec.sink_record_identifier, "customer_id");
  EXPECT_EQ(p.spec_json["columns"]["CUSTOMER_ID"]["mapping"], "$.customer.id");
  EXPECT_EQ(p.spec_json["partition_by"][0], "CUSTOMER_ID AS customer_id");
  Output out = RunSpec(p.spec, {{0, R"({"customer": {"id": "C9"}, "activity_weight": 2})"},
                                {1, R"({"customer": {"id": "C9"}, "activity_weight": "3"})"}});
  ASSERT_EQ(out.rows.size(), 1u);
  EXPECT_EQ(out.rows[0]["customer_id"], "C9");
  EXPECT_EQ(out.rows[0]["total"], 5.0) << "'3' is coerced to the DOUBLE column";
}

constexpr const char* kDescribeApplication = R"js({
  "ApplicationDetail": {
    "ApplicationName": "workshop",
    "ApplicationARN": "arn:aws:kinesisanalytics:us-east-1:123456789012:application/workshop",
    "ApplicationStatus": "RUNNING",
    "InputDescriptions": [{
      "InputId": "1.1",
      "NamePrefix": "SOURCE_SQL_STREAM",
      "InAppStreamNames": ["SOURCE_SQL_STREAM_001"],
      "KinesisStreamsInputDescription": {
        "ResourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/click-stream",
        "RoleARN": "arn:aws:iam::123456789012:role/kda"},
      "InputSchema": {
        "RecordFormat": {"RecordFormatType": "JSON",
                         "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
        "RecordEncoding": "UTF-8",
        "RecordColumns": [
          {"Name": "CUSTOMER_ID", "Mapping": "$.customer_id", "SqlType": "VARCHAR(8)"},
          {"Name": "ACTIVITY_WEIGHT", "Mapping": "$.activity_weight", "SqlType": "INTEGER"},
          {"Name": "PRODUCT_HEALTH_INDEX", "Mapping": "$.product_health_index", "SqlType": "DOUBLE"}
        ]},
      "InputParallelism": {"Count": 1},
      "InputStartingPositionConfiguration": {"InputStartingPosition": "NOW"}}],
    "OutputDescriptions": [{
      "OutputId": "1.1", "Name": "DESTINATION_SQL_STREAM",
      "LambdaOutputDescription": {
        "ResourceARN": "arn:aws:lambda:us-east-1:123456789012:function:to-feature-store",
        "RoleARN": "arn:aws:iam::123456789012:role/kda"},
      "DestinationSchema": {"RecordFormatType": "JSON"}}],
    "ApplicationCode": "CREATE OR REPLACE STREAM \"DESTINATION_SQL_STREAM\" (\n  customer_id VARCHAR(8), sum_activity_weight_last_2m INTEGER, avg_product_health_index_last_2m DOUBLE);\nCREATE OR REPLACE PUMP \"STREAM_PUMP\" AS INSERT INTO \"DESTINATION_SQL_STREAM\"\nSELECT STREAM CUSTOMER_ID,\n       SUM(ACTIVITY_WEIGHT) AS sum_activity_weight_last_2m,\n       AVG(PRODUCT_HEALTH_INDEX) AS avg_product_health_index_last_2m\nFROM \"SOURCE_SQL_STREAM_001\"\nWINDOWED BY STAGGER (PARTITION BY CUSTOMER_ID RANGE INTERVAL '2' MINUTE);\n",
    "ApplicationVersionId": 3
  }
})js";

TEST(KdaApplicationTest, DescribeApplicationOutputTakenWhole) {
  auto json = ParseJson(kDescribeApplication, "describe");
  ASSERT_TRUE(json.ok());
  auto app = kda::ParseApplicationExport(*json);
  ASSERT_TRUE(app.ok()) << app.status();
  EXPECT_THAT(app->code, HasSubstr("WINDOWED BY STAGGER"));
  ASSERT_EQ(app->columns.size(), 3u);
  EXPECT_EQ(app->columns[1].sql_type, "INTEGER");
  EXPECT_EQ(app->in_app_input, "SOURCE_SQL_STREAM_001");
  EXPECT_EQ(app->input_stream, "click-stream");
  ASSERT_EQ(app->outputs.size(), 1u);
  EXPECT_EQ(app->outputs[0].second, "to-feature-store");

  // An InputSchema alone, and a bare RecordColumns list.
  auto schema = kda::ParseApplicationExport(
      (*json)["ApplicationDetail"]["InputDescriptions"][0]["InputSchema"]);
  ASSERT_TRUE(schema.ok()) << schema.status();
  EXPECT_EQ(schema->columns.size(), 3u);
  auto list = kda::ParseApplicationExport(
      (*json)["ApplicationDetail"]["InputDescriptions"][0]["InputSchema"]["RecordColumns"]);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->columns[2].name, "PRODUCT_HEALTH_INDEX");

  auto csv =
      ParseJson(R"({"RecordFormat": {"RecordFormatType": "CSV"}, "RecordColumns": []})", "csv");
  EXPECT_THAT(kda::ParseApplicationExport(*csv).status().message(), HasSubstr("'CSV'"));
  auto nested = ParseJson(R"({"RecordFormat": {"RecordFormatType": "JSON", "MappingParameters":
      {"JSONMappingParameters": {"RecordRowPath": "$.records[0:]"}}}, "RecordColumns": []})",
                          "nested");
  EXPECT_THAT(kda::ParseApplicationExport(*nested).status().message(),
              HasSubstr("RecordRowPath '$.records[0:]' is not supported"));
}

TEST(KdaApplicationTest, LoadsSqlWithASeparateInputSchema) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("kda_app_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "app.sql") << R"sql(
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (customer_id VARCHAR(8), total DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM customer_id, SUM(amount) FROM "SOURCE_SQL_STREAM_001"
WINDOWED BY STAGGER (PARTITION BY customer_id RANGE INTERVAL '1' HOUR);)sql";
  std::ofstream(dir / "schema.json")
      << R"js([{"Name": "CUSTOMER_ID", "Mapping": "$.c", "SqlType": "VARCHAR(8)"},
               {"Name": "AMOUNT", "Mapping": "$.a", "SqlType": "DOUBLE"}])js";
  std::ofstream(dir / "bad.sql") << "CREATE OR REPLACE STREAM x (a INTEGER)\nCREATE";
  kda::CompileOptions o;
  auto pumps = kda::LoadApplication(dir / "app.sql", dir / "schema.json", o);
  ASSERT_TRUE(pumps.ok()) << pumps.status();
  EXPECT_EQ((*pumps)[0].spec_json["columns"]["AMOUNT"]["mapping"], "$.a");
  EXPECT_EQ((*pumps)[0].spec.size_micros, 3'600'000'000);
  auto bad = kda::LoadApplication(dir / "bad.sql", "", o);
  EXPECT_THAT(bad.status().message(),
              HasSubstr("bad.sql: line 2, column 1: expected ';' after the statement"));
  auto missing = kda::LoadApplication(dir / "app.sql", dir / "nope.json", o);
  EXPECT_FALSE(missing.ok());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pantry::stream
