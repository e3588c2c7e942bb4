// `pantry fg|ingest|get|put|delete|query|dataset` end to end with the real
// binary: the workshop's CSV shapes and training queries, and bad input.
#include <gtest/gtest.h>

#include <fstream>

#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"
#include "pantry/testing/workshop_fixture.h"

namespace pantry::featurestore {
namespace {

using pantry::testing::CommandResult;
using pantry::testing::RunPantry;
using pantry::testing::TempDir;
using pantry::testing::WorkshopFixtureOptions;
using pantry::testing::WriteWorkshopFixture;

// The workshop's two training queries, with identifier qualification only.
const char kCfQuery[] =
    "SELECT click_stream_historical.customer_id, click_stream_historical.product_id, rating, "
    "state, age, is_married, product_name FROM click_stream_historical "
    "LEFT JOIN customers ON click_stream_historical.customer_id = customers.customer_id "
    "LEFT JOIN products ON click_stream_historical.product_id = products.product_id "
    "WHERE click_stream_historical.bought = 1";
const char kRankingQuery[] =
    "SELECT bought, healthy_activity_last_2m, product_health_index, customer_health_index, "
    "product_category FROM click_stream_historical "
    "LEFT JOIN customers ON click_stream_historical.customer_id = customers.customer_id "
    "LEFT JOIN products ON click_stream_historical.product_id = products.product_id";

class FeatureStoreCliTest : public ::testing::Test {
 protected:
  CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--home", (dir_.path() / "home").string(), "--quiet"});
    return RunPantry(args);
  }
  std::string Write(const std::string& name, const std::string& text) {
    auto path = dir_.path() / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::string Scalar(const std::string& sql) {
    auto r = Run({"query", "--format", "csv", sql});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto nl = r.out.find('\n');
    return r.out.substr(nl + 1, r.out.size() - nl - 2);
  }
  TempDir dir_;
};

TEST_F(FeatureStoreCliTest, WorkshopFilesAndTrainingQueries) {
  WorkshopFixtureOptions o;
  o.customers = 200;
  o.products = 100;
  o.clicks = 3000;
  ASSERT_TRUE(WriteWorkshopFixture(dir_.path(), o).ok());
  // orders.csv has no event_time column: fg create adds one, ingest fills it.
  const std::string orders = Write("orders.csv",
                                   "customer_id,product_id,purchase_amount\n"
                                   "C1,P10,87.71\nC1,P11,101.71\nC2,P3,5\n");
  for (const char* g : {"customers", "products", "click_stream_historical"}) {
    const std::string csv = (dir_.path() / (std::string(g) + ".csv")).string();
    const char* id = std::string(g) == "products" ? "product_id" : "customer_id";
    auto c = Run({"fg", "create", g, "--record-id", id, "--csv", csv});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    auto i = Run({"ingest", g, "--csv", csv});
    ASSERT_EQ(i.exit_code, 0) << i.err;
  }
  auto c = Run({"fg", "create", "orders", "--record-id", "customer_id", "--csv", orders});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("event_time Fractional"), std::string::npos) << c.out;
  EXPECT_NE(Run({"ingest", "orders", "--csv", orders}).exit_code, 0);  // no event time column
  auto i = Run({"ingest", "orders", "--csv", orders, "--event-time-now"});
  ASSERT_EQ(i.exit_code, 0) << i.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM orders WHERE event_time > 1700000000"), "3");

  // The queries run and return one row per (bought) click.
  auto cf = Run({"query", "--format", "csv", kCfQuery});
  ASSERT_EQ(cf.exit_code, 0) << cf.err;
  const std::string bought = Scalar("SELECT count(*) FROM click_stream_historical WHERE bought=1");
  EXPECT_EQ(std::to_string(std::count(cf.out.begin(), cf.out.end(), '\n') - 1), bought);
  EXPECT_EQ(cf.out.substr(0, cf.out.find('\n')),
            "customer_id,product_id,rating,state,age,is_married,product_name");
  auto ranking = Run({"query", "--format", "csv", kRankingQuery});
  ASSERT_EQ(ranking.exit_code, 0) << ranking.err;
  EXPECT_EQ(std::count(ranking.out.begin(), ranking.out.end(), '\n'), 3001);
  // Every click found its customer and product.
  EXPECT_EQ(Scalar("SELECT count(*) FROM (" + std::string(kRankingQuery) +
                   ") WHERE customer_health_index IS NULL OR product_category IS NULL"),
            "0");

  // Online reads of the latest click per customer; a product name with a comma.
  auto g = Run({"get", "products", "P7", "--features", "product_name"});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_NE(g.out.find("\"product, number 7\""), std::string::npos) << g.out;
}

TEST_F(FeatureStoreCliTest, PutGetDeleteAndDataset) {
  const std::string defs =
      Write("defs.json",
            R"({"FeatureDefinitions":[{"FeatureName":"customer_id","FeatureType":"Integral"},
          {"FeatureName":"event_time","FeatureType":"String"},
          {"FeatureName":"score","FeatureType":"Fractional"}]})");
  ASSERT_EQ(Run({"fg", "create", "scores", "--record-id", "customer_id", "--definitions", defs})
                .exit_code,
            0);
  auto p = Run({"put", "scores", "--record",
                R"({"customer_id": 7, "event_time": "2026-01-01T00:00:00Z", "score": 0.5})"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Run({"put", "scores", "--record",
           R"([{"FeatureName":"customer_id","ValueAsString":"7"},
               {"FeatureName":"event_time","ValueAsString":"2026-02-01T00:00:00Z"},
               {"FeatureName":"score","ValueAsString":"0.75"}])"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto g = Run({"get", "scores", "7"});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_NE(g.out.find("\"0.75\""), std::string::npos) << g.out;

  // Point in time: base rows at Jan 15 and Mar 1 see 0.5 and 0.75; a row
  // before any feature sees nothing; after the delete (Feb 15) nothing.
  ASSERT_EQ(Run({"delete", "scores", "7", "--event-time", "2026-02-15T00:00:00Z"}).exit_code, 0);
  EXPECT_NE(Run({"get", "scores", "7"}).exit_code, 0);
  const std::string base = Write("base.csv",
                                 "customer_id,event_time,label\n"
                                 "7,2025-12-01T00:00:00Z,a\n"
                                 "7,2026-01-15T00:00:00Z,b\n"
                                 "7,2026-02-10T00:00:00Z,c\n"
                                 "7,2026-03-01T00:00:00Z,d\n"
                                 "8,2026-03-01T00:00:00Z,e\n");
  const std::string out = (dir_.path() / "ds.csv").string();
  auto d = Run({"dataset", "--base", base, "--join", "scores:customer_id", "--out", out});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text,
            "customer_id,event_time,label,score\n"
            "7,2025-12-01T00:00:00Z,a,\n"
            "7,2026-01-15T00:00:00Z,b,0.5\n"
            "7,2026-02-10T00:00:00Z,c,0.75\n"
            "7,2026-03-01T00:00:00Z,d,\n"
            "8,2026-03-01T00:00:00Z,e,\n");
  // --max-age drops feature rows older than the window.
  d = Run(
      {"dataset", "--base", base, "--join", "scores:customer_id", "--max-age", "7d", "--out", out});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  std::ifstream in2(out);
  std::string text2((std::istreambuf_iterator<char>(in2)), {});
  EXPECT_NE(text2.find("7,2026-01-15T00:00:00Z,b,\n"), std::string::npos) << text2;
}

TEST_F(FeatureStoreCliTest, BadInputIsAClearErrorAndWritesNothing) {
  const std::string csv = Write("c.csv", "customer_id,age,event_time\n1,30,1700000000\n");
  ASSERT_EQ(Run({"fg", "create", "c", "--record-id", "customer_id", "--csv", csv}).exit_code, 0);
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::string bad_int = Write("bad_int.csv", "customer_id,age,event_time\n1,30,1\n2,abc,2\n");
  const std::string no_id = Write("no_id.csv", "age,event_time\n30,1\n");
  const std::string empty_id = Write("empty_id.csv", "customer_id,age,event_time\n,30,1\n");
  const std::string no_time = Write("no_time.csv", "customer_id,age,event_time\n1,30,\n");
  const std::string bad_time =
      Write("bad_time.csv", "customer_id,age,event_time\n1,30,yesterday\n");
  const std::string unknown = Write("unknown.csv", "customer_id,age,event_time,nope\n1,3,1,x\n");
  const std::string dup = Write("dup.json",
                                R"([{"FeatureName":"a","FeatureType":"String"},
                                    {"FeatureName":"a","FeatureType":"String"},
                                    {"FeatureName":"event_time","FeatureType":"Fractional"}])");
  const std::string reserved = Write("reserved.json",
                                     R"([{"FeatureName":"a","FeatureType":"String"},
                                    {"FeatureName":"is_deleted","FeatureType":"Integral"},
                                    {"FeatureName":"event_time","FeatureType":"Fractional"}])");
  std::string big_json = "{\"customer_id\":1,\"event_time\":1,\"name\":\"";
  big_json.append(350 * 1024 + 1, 'x');
  big_json.append("\"}");
  std::string big = "@";
  big += Write("big.json", big_json);
  ASSERT_EQ(Run({"fg", "add-features", "c", "name:String"}).exit_code, 0);
  const std::vector<Case> cases = {
      {{"ingest", "nope", "--csv", csv}, "feature group nope does not exist"},
      {{"ingest", "c", "--csv", bad_int}, "bad_int.csv:3:3: feature \"age\": expected an Integral"},
      {{"ingest", "c", "--csv", no_id}, "missing the record identifier column"},
      {{"ingest", "c", "--csv", empty_id}, "empty_id.csv:2:1: missing record identifier"},
      {{"ingest", "c", "--csv", no_time}, "no_time.csv:2:6: missing event time"},
      {{"ingest", "c", "--csv", bad_time},
       "bad_time.csv:2:6: feature \"event_time\": expected a Fractional"},
      {{"ingest", "c", "--csv", unknown}, "unknown column \"nope\""},
      {{"fg", "create", "d", "--record-id", "a", "--definitions", dup}, "duplicate feature name"},
      {{"fg", "create", "e", "--record-id", "a", "--definitions", reserved}, "reserved"},
      {{"fg", "create", "bad name", "--record-id", "customer_id", "--csv", csv},
       "invalid feature group name"},
      {{"put", "c", "--record", big}, "exceeds the 350 KB limit"},
      {{"put", "c", "--record", R"({"customer_id":"abc","event_time":1})"}, "expected an Integral"},
      {{"query", "DELETE FROM c"}, "read-only"},
      {{"query", "DROP TABLE c"}, "read-only"},
  };
  for (const Case& c : cases) {
    auto r = Run(c.args);
    EXPECT_EQ(r.exit_code, 1) << c.args[0] << " " << c.args.back() << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos)
        << "expected \"" << c.message << "\" in: " << r.err;
  }
  // Nothing was written by any of them (the bad_int row 1 shares its batch).
  EXPECT_EQ(Scalar("SELECT count(*) FROM c"), "0");
  auto list = Run({"fg", "list"});
  EXPECT_EQ(std::count(list.out.begin(), list.out.end(), '\n'), 1) << list.out;

  // --skip-bad-rows writes the good rows and reports the bad ones.
  auto s = Run({"ingest", "c", "--csv", bad_int, "--skip-bad-rows"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.out.find("skipped 1 bad rows"), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("bad_int.csv:3:3"), std::string::npos) << s.out;
  EXPECT_EQ(Scalar("SELECT count(*) FROM c"), "1");
}

}  // namespace
}  // namespace pantry::featurestore
