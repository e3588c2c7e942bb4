// `pantry demo --exit` end to end on a small generated dataset: data,
// feature groups, training, the server with the stream processor inside, a
// shopper's clicks through the Kinesis API, and the before/after table.
// Then `pantry recommend` over the same home.
#include <gtest/gtest.h>

#include <regex>

#include "pantry/common/json.h"
#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"

namespace pantry {
namespace {

using testing::RunPantry;
using testing::TempDir;

TEST(DemoTest, RankingMovesTowardHealthyProductsAfterHealthyBrowsing) {
  TempDir home;
  auto demo = RunPantry({"--home", home.path().string(), "demo", "--exit", "--customers", "300",
                         "--products", "500", "--click-rows", "20000"});
  ASSERT_EQ(demo.exit_code, 0) << demo.out << demo.err;
  EXPECT_NE(demo.out.find("note how the ranking changed"), std::string::npos) << demo.out;
  std::regex mean("mean health ([0-9.]+)");
  std::vector<double> means;
  for (auto it = std::sregex_iterator(demo.out.begin(), demo.out.end(), mean);
       it != std::sregex_iterator(); ++it) {
    means.push_back(std::stod((*it)[1]));
  }
  ASSERT_EQ(means.size(), 3u) << demo.out;
  // before, after unhealthy browsing, after healthy browsing
  // Healthy browsing leaves the top 5 healthier than before any browsing
  // and at least as healthy as after the unhealthy phase.
  EXPECT_GT(means[2], means[0]) << demo.out;
  EXPECT_GE(means[2], means[1]) << demo.out;
  EXPECT_GE(means[2], 0.5) << demo.out;
  EXPECT_NE(demo.out.find("Kinesis PutRecord over HTTP"), std::string::npos);

  auto rec =
      RunPantry({"--home", home.path().string(), "recommend", "C1", "--k", "3", "--explain"});
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  auto json = ParseJson(rec.out, "recommend output");
  ASSERT_TRUE(json.ok()) << rec.out;
  ASSERT_EQ((*json)["items"].size(), 3u);
  EXPECT_FALSE((*json)["items"][0]["explanation"]["contributions"].empty());
  EXPECT_FALSE((*json)["model_versions"]["cf"].get<std::string>().empty());

  auto missing = RunPantry({"--home", home.path().string(), "recommend", "nobody"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("not in the customers feature group"), std::string::npos)
      << missing.err;
}

}  // namespace
}  // namespace pantry
