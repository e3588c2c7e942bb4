#include "pantry/workshop/demo.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "pantry/testing/temp_dir.h"
#include "pantry/workshop/training_data.h"

namespace pantry::workshop {
namespace {

Json Phase(double activity, std::vector<std::pair<std::string, double>> items) {
  Json out{{"live_features", {{"healthy_activity_last_2m", activity}}}, {"items", Json::array()}};
  for (const auto& [name, health] : items) {
    out["items"].push_back({{"product_name", name}, {"product_health_index", health}});
  }
  return out;
}

TEST(DemoTableTest, PhasesSideBySideWithMeanHealth) {
  DemoPhases phases = {
      {"before browsing", Phase(0, {{"cola", 0.1}, {"chips", 0.3}})},
      {"after healthy browsing",
       Phase(4.5, {{"a very long product name that is cut off", 0.9}, {"kale", 0.7}})}};
  std::ostringstream out;
  PrintDemoTable(phases, out);
  const std::string table = out.str();
  EXPECT_NE(table.find("before browsing"), std::string::npos) << table;
  EXPECT_NE(table.find("healthy_activity=4.50"), std::string::npos) << table;
  EXPECT_NE(table.find("1. cola"), std::string::npos) << table;
  EXPECT_NE(table.find("a very long product name ~"), std::string::npos) << table;
  EXPECT_EQ(table.find("cut off"), std::string::npos) << table;
  EXPECT_NE(table.find("mean health 0.200"), std::string::npos) << table;
  EXPECT_NE(table.find("mean health 0.800"), std::string::npos) << table;
  // Five rows even when a list is shorter.
  EXPECT_NE(table.find("5. "), std::string::npos) << table;
}

double MeanHealth(const Json& response) {
  double sum = 0;
  for (const Json& item : response["items"]) sum += item["product_health_index"].get<double>();
  return response["items"].empty() ? 0 : sum / static_cast<double>(response["items"].size());
}

// The workshop's story for several shoppers, not only the demo's: the top 5
// follows what the shopper browses now. The shoppers are the first five
// customers by id except those whose top 5 is all healthy before browsing:
// they cannot gain 0.3 from a healthy browse, and a short unhealthy browse
// leaves them healthy, as the generator's hidden model says it should.
TEST(DemoTest, TopFiveFollowsTheBrowsingOfFiveShoppers) {
  testing::TempDir home("pantry_demo_five");
  DemoOptions options;
  options.home = home.path();
  options.customers = 400;
  options.products = 600;
  options.click_rows = 40000;
  std::ostringstream log;
  auto run = RunDemo(options, log);
  ASSERT_TRUE(run.ok()) << run.status().ToString() << log.str();
  auto catalog = datagen::SimulatorCatalog::Load(home.path() / "demo-data" / "products.csv");
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  auto ids = FirstCustomerIds(run->server->store(), 100);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  std::vector<std::string> shoppers;
  for (const std::string& id : *ids) {
    if (id == run->customer) continue;  // the demo's own shopper has browsed already
    auto top = run->server->recommender().Recommend({id, 5, 200, false});
    ASSERT_TRUE(top.ok()) << top.status().ToString();
    const bool all_healthy =
        std::all_of(top->items.begin(), top->items.end(),
                    [](const auto& item) { return item.product_health_index >= 0.7; });
    if (!all_healthy) shoppers.push_back(id);
    if (shoppers.size() == 5) break;
  }
  ASSERT_EQ(shoppers.size(), 5u) << log.str();
  int step = 0;
  for (const std::string& shopper : shoppers) {
    auto shopped = ShopUnhealthyThenHealthy(*run, **catalog, shopper, 12, log, &step);
    ASSERT_TRUE(shopped.ok()) << shopped.status().ToString();
    const DemoPhases& phases = *shopped;
    ASSERT_EQ(phases.size(), 3u);
    const double before = MeanHealth(phases[0].second);
    const double unhealthy = MeanHealth(phases[1].second);
    const double healthy = MeanHealth(phases[2].second);
    std::ostringstream table;
    PrintDemoTable(phases, table);
    EXPECT_LE(unhealthy, before + 1e-9) << shopper << table.str();
    EXPECT_GE(healthy, unhealthy + 0.3) << shopper << table.str();
  }
  EXPECT_TRUE(run->server->Stop().ok());
}

}  // namespace
}  // namespace pantry::workshop
