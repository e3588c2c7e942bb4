// `pantry generate` and `pantry simulate` through the real binary.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// `pantry generate --out OUT` with small defaults; `extra` flags replace a
// default of the same name (CLI11 rejects a repeated option).
std::vector<std::string> Generate(const fs::path& out, std::vector<std::string> extra = {}) {
  std::vector<std::pair<std::string, std::string>> flags = {{"--customers", "100"},
                                                            {"--products", "60"},
                                                            {"--click-rows", "2000"},
                                                            {"--orders-per-customer", "5"}};
  std::vector<std::string> args = {"generate", "--out", out.string()};
  for (const auto& [flag, value] : flags) {
    if (std::find(extra.begin(), extra.end(), flag) == extra.end()) {
      args.push_back(flag);
      args.push_back(value);
    }
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// Nothing but the given entries in `dir`.
std::vector<std::string> Entries(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(DatagenCliTest, GeneratesACompleteDatasetAndPrintsTheBounds) {
  TempDir tmp;
  CommandResult r = RunPantry(Generate(tmp.path() / "data"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("oracle_recall_at_100"));
  EXPECT_THAT(r.out, HasSubstr("popularity_recall_at_100"));
  EXPECT_THAT(r.out, HasSubstr("oracle_auc"));
  EXPECT_EQ(Entries(tmp.path() / "data"),
            (std::vector<std::string>{"click_stream_historical.csv", "customers.csv", "orders.csv",
                                      "products.csv", "truth"}));
  EXPECT_EQ(
      Entries(tmp.path() / "data" / "truth"),
      (std::vector<std::string>{"customers_latent.csv", "eval_customers.csv", "heldout_orders.csv",
                                "products_latent.csv", "summary.json"}));
  auto summary = ReadJsonFile(tmp.path() / "data" / "truth" / "summary.json");
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ((*summary)["customers"], 100);
}

TEST(DatagenCliTest, BadCountsFailWithClearMessagesAndWriteNothing) {
  TempDir tmp;
  const fs::path out = tmp.path() / "data";
  struct Case {
    std::vector<std::string> flags;
    std::string message;
  } cases[] = {
      {{"--customers", "0"}, "--customers must be > 0"},
      {{"--products", "-5"}, "--products must be > 0"},
      {{"--products", "19"}, "at least 20"},
      {{"--click-rows", "0"}, "--click-rows must be > 0"},
      {{"--orders-per-customer", "-1"}, "--orders-per-customer"},
  };
  for (const Case& c : cases) {
    CommandResult r = RunPantry(Generate(out, c.flags));
    EXPECT_EQ(r.exit_code, 1) << c.message;
    EXPECT_THAT(r.err, HasSubstr(c.message));
  }
  EXPECT_FALSE(fs::exists(out));
  CommandResult r = RunPantry(Generate(out, {"--customers", "many"}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("--customers"));
}

TEST(DatagenCliTest, UnwritableOrOccupiedOutFails) {
  TempDir tmp;
  std::ofstream(tmp.path() / "plain-file") << "x";
  CommandResult r = RunPantry(Generate(tmp.path() / "plain-file"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--out"));
  r = RunPantry(Generate(tmp.path() / "plain-file" / "sub"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--out"));

  ASSERT_EQ(RunPantry(Generate(tmp.path() / "data")).exit_code, 0);
  r = RunPantry(Generate(tmp.path() / "data", {"--seed", "9"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--overwrite"));
  r = RunPantry(Generate(tmp.path() / "data", {"--seed", "9", "--overwrite"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Entries(tmp.path()), (std::vector<std::string>{"data", "plain-file"}));
}

TEST(DatagenCliTest, SimulatePrintsJsonLinesFromTheHealthRange) {
  TempDir tmp;
  ASSERT_EQ(RunPantry(Generate(tmp.path() / "data")).exit_code, 0);
  CommandResult r = RunPantry({"simulate", "--customers", "C1,C2", "--health-min", "0.7",
                               "--health-max", "0.9", "--count", "3", "--no-wait", "--seed", "1",
                               "--data", (tmp.path() / "data").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    auto event = ParseJson(line, "event");
    ASSERT_TRUE(event.ok()) << line;
    EXPECT_GE((*event)["product_health_index"].get<double>(), 0.7);
    EXPECT_LE((*event)["product_health_index"].get<double>(), 0.9);
    EXPECT_TRUE((*event).contains("event_time"));
    EXPECT_TRUE((*event).contains("activity_weight"));
    EXPECT_EQ((*event)["customer_id"], n % 2 ? "C2" : "C1");
    ++n;
  }
  EXPECT_EQ(n, 6);

  r = RunPantry({"simulate", "--customers", "C1", "--no-wait", "--products-csv",
                 (tmp.path() / "missing.csv").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("missing.csv"));
  r = RunPantry({"simulate", "--customers", "C1", "--rate", "fast", "--data",
                 (tmp.path() / "data").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--rate"));
}

}  // namespace
}  // namespace pantry::testing
