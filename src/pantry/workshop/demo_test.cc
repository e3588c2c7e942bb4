#include "pantry/workshop/demo.h"

#include <gtest/gtest.h>

#include <sstream>

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

}  // namespace
}  // namespace pantry::workshop
