#include "pantry/datagen/generator.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pantry/common/csv.h"
#include "pantry/common/file_util.h"
#include "pantry/common/time_format.h"
#include "pantry/datagen/catalog.h"
#include "pantry/datagen/ground_truth.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::datagen {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const char* const kFiles[] = {"products.csv",
                              "customers.csv",
                              "orders.csv",
                              "click_stream_historical.csv",
                              "truth/heldout_orders.csv",
                              "truth/customers_latent.csv",
                              "truth/products_latent.csv",
                              "truth/eval_customers.csv",
                              "truth/summary.json"};

GenerateOptions SmallOptions(const fs::path& out) {
  GenerateOptions o;
  o.out = out;
  o.customers = 3000;
  o.products = 2000;
  o.orders_per_customer = 10;
  o.click_rows = 200000;
  o.seed = 7;
  o.threads = 2;
  return o;
}

std::string Read(const fs::path& path) {
  auto contents = ReadFileToString(path);
  EXPECT_TRUE(contents.ok()) << contents.status();
  return contents.ok() ? *contents : "";
}

// Calls fn(record) for every row of a CSV file, with column lookup.
template <typename Fn>
void ForEachRow(const fs::path& path, Fn fn) {
  auto reader = CsvReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  CsvRecord record;
  while (true) {
    auto more = (*reader)->ReadRecord(&record);
    ASSERT_TRUE(more.ok()) << more.status();
    if (!*more) break;
    fn(**reader, record);
  }
}

std::string Id(char prefix, int64_t n) {
  std::string id(1, prefix);
  id += std::to_string(n);
  return id;
}

double Num(std::string_view s) { return std::stod(std::string(s)); }

class GeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new testing::TempDir("pantry-datagen-test");
    auto summary = GenerateDataset(SmallOptions(*root_ / "a"));
    ASSERT_TRUE(summary.ok()) << summary.status();
    summary_ = new OrderedJson(*summary);
  }
  static void TearDownTestSuite() {
    delete root_;
    delete summary_;
  }
  static fs::path dir() { return *root_ / "a"; }
  static testing::TempDir* root_;
  static OrderedJson* summary_;
};
testing::TempDir* GeneratorTest::root_ = nullptr;
OrderedJson* GeneratorTest::summary_ = nullptr;

TEST_F(GeneratorTest, SameSeedIsByteIdenticalWhateverTheThreadCount) {
  GenerateOptions o = SmallOptions(*root_ / "b");
  o.threads = 3;
  ASSERT_TRUE(GenerateDataset(o).ok());
  for (const char* file : kFiles) {
    EXPECT_TRUE(Read(dir() / file) == Read(*root_ / "b" / file)) << file << " differs";
  }
  EXPECT_FALSE(fs::exists(*root_ / "b" / (".generate-partial-" + std::to_string(getpid()))));
}

TEST_F(GeneratorTest, DifferentSeedsDiffer) {
  GenerateOptions o = SmallOptions(*root_ / "c");
  o.seed = 8;
  ASSERT_TRUE(GenerateDataset(o).ok());
  for (const char* file :
       {"products.csv", "customers.csv", "orders.csv", "click_stream_historical.csv"}) {
    EXPECT_NE(Read(dir() / file), Read(*root_ / "c" / file)) << file;
  }
}

TEST_F(GeneratorTest, FilesHaveTheWorkshopColumnsAndIds) {
  EXPECT_EQ(Read(dir() / "products.csv").substr(0, 62),
            "product_name,product_category,product_id,product_health_index\n");
  std::set<std::string> states;
  int64_t n = 0;
  ForEachRow(dir() / "customers.csv", [&](const CsvReader& r, const CsvRecord& rec) {
    ASSERT_EQ(r.header(), (std::vector<std::string>{"customer_id", "name", "state", "age",
                                                    "is_married", "customer_health_index"}));
    EXPECT_EQ(rec[0], Id('C', ++n));
    const double age = Num(rec[3]);
    EXPECT_GE(age, 18);
    EXPECT_LE(age, 91);
    states.emplace(rec[2]);
    EXPECT_TRUE(rec[4] == "0" || rec[4] == "1");
  });
  EXPECT_EQ(n, 3000);
  EXPECT_EQ(states.size(), 50u);
  ForEachRow(dir() / "orders.csv", [&](const CsvReader& r, const CsvRecord& rec) {
    ASSERT_EQ(r.header(), (std::vector<std::string>{"customer_id", "product_id", "purchase_amount",
                                                    "event_time"}));
    ASSERT_EQ(rec[3].size(), 20u);  // 2026-06-07T07:26:39Z
    ASSERT_EQ(rec[3].back(), 'Z');
  });
}

TEST_F(GeneratorTest, CategorySharesFollowTheWorkshop) {
  std::map<std::string, int> counts;
  int64_t n = 0;
  ForEachRow(dir() / "products.csv", [&](const CsvReader&, const CsvRecord& rec) {
    EXPECT_EQ(rec[2], Id('P', ++n));
    const int k = CategoryIndex(rec[1]);
    ASSERT_GE(k, 0) << rec[1];
    EXPECT_DOUBLE_EQ(Num(rec[3]), Categories()[k].health_index);
    ++counts[std::string(rec[1])];
  });
  ASSERT_EQ(counts.size(), 20u);
  double total_share = 0;
  for (const CategoryInfo& c : Categories()) total_share += c.share;
  for (const CategoryInfo& c : Categories()) {
    EXPECT_NEAR(counts[std::string(c.name)] / double(n), c.share / total_share, 0.02) << c.name;
  }
}

TEST_F(GeneratorTest, HealthyCustomersBuyHealthierProducts) {
  std::unordered_map<std::string, double> customer_health, product_health;
  ForEachRow(dir() / "customers.csv", [&](const CsvReader&, const CsvRecord& rec) {
    customer_health[std::string(rec[0])] = Num(rec[5]);
  });
  ForEachRow(dir() / "products.csv", [&](const CsvReader&, const CsvRecord& rec) {
    product_health[std::string(rec[2])] = Num(rec[3]);
  });
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  int64_t n = 0;
  ForEachRow(dir() / "orders.csv", [&](const CsvReader&, const CsvRecord& rec) {
    const double x = customer_health.at(std::string(rec[0]));
    const double y = product_health.at(std::string(rec[1]));
    sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y, ++n;
  });
  const double cov = sxy / n - sx / n * sy / n;
  const double corr = cov / std::sqrt((sxx / n - sx * sx / n / n) * (syy / n - sy * sy / n / n));
  EXPECT_GT(corr, 0.2) << "documented: about 0.3";
}

TEST_F(GeneratorTest, BoughtRateAndLiveColumns) {
  int64_t rows = 0, bought = 0, with_activity = 0;
  ForEachRow(dir() / "click_stream_historical.csv", [&](const CsvReader& r, const CsvRecord& rec) {
    ASSERT_EQ(r.header(),
              (std::vector<std::string>{"customer_id", "product_id", "bought", "rating",
                                        "healthy_activity_last_2m", "sum_activity_weight_last_2m",
                                        "avg_product_health_index_last_2m", "event_time"}));
    const bool is_bought = rec[2] == "1";
    const int rating = static_cast<int>(Num(rec[3]));
    if (is_bought) {
      EXPECT_GE(rating, 1);
      EXPECT_LE(rating, 5);
    } else {
      EXPECT_EQ(rating, 0);
    }
    ++rows;
    bought += is_bought;
    // The workshop's column is the product of the two new ones.
    const double x = Num(rec[4]), w = Num(rec[5]), avg = Num(rec[6]);
    EXPECT_EQ(w, std::floor(w));
    EXPECT_NEAR(x, w * avg, 1e-3) << x << " vs " << w << " x " << avg;
    if (w == 0) {
      EXPECT_EQ(avg, 0);
    } else {
      ++with_activity;
      EXPECT_GE(avg, 0.1 - 1e-9);
      EXPECT_LE(avg, 0.9 + 1e-9);
    }
  });
  EXPECT_EQ(rows, 200000);
  EXPECT_GT(with_activity, rows / 2);
  const double rate = static_cast<double>(bought) / rows;
  EXPECT_GE(rate, 0.15) << "documented range 0.15-0.40";
  EXPECT_LE(rate, 0.40);
  EXPECT_GT(summary_->at("oracle_auc").get<double>(),
            summary_->at("oracle_auc_without_activity").get<double>() + 0.03);
}

// The live term follows what is being browsed: after unhealthy browsing,
// unhealthy products sell better relative to healthy ones than without
// recent activity; after healthy browsing, healthy ones do.
TEST_F(GeneratorTest, LiveTermFollowsWhatIsBrowsed) {
  std::unordered_map<std::string, double> product_health;
  ForEachRow(dir() / "products.csv", [&](const CsvReader&, const CsvRecord& rec) {
    product_health[std::string(rec[2])] = Num(rec[3]);
  });
  // [browsing: none, unhealthy, healthy][product: unhealthy, healthy]
  int64_t n[3][2] = {}, b[3][2] = {};
  ForEachRow(dir() / "click_stream_historical.csv", [&](const CsvReader&, const CsvRecord& rec) {
    const double h = product_health.at(std::string(rec[1]));
    if (h > 0.3 && h < 0.7) return;
    const double w = Num(rec[5]), avg = Num(rec[6]);
    int browsing;
    if (w == 0) {
      browsing = 0;
    } else if (w >= 3 && avg <= 0.35) {
      browsing = 1;
    } else if (w >= 3 && avg >= 0.65) {
      browsing = 2;
    } else {
      return;
    }
    ++n[browsing][h >= 0.7];
    b[browsing][h >= 0.7] += rec[2] == "1";
  });
  auto rate = [&](int browsing, int healthy) {
    EXPECT_GT(n[browsing][healthy], 500) << browsing << healthy;
    return double(b[browsing][healthy]) / n[browsing][healthy];
  };
  // Healthy minus unhealthy bought rate, per browsing state.
  const double none = rate(0, 1) - rate(0, 0);
  const double unhealthy = rate(1, 1) - rate(1, 0);
  const double healthy = rate(2, 1) - rate(2, 0);
  EXPECT_LT(unhealthy, none - 0.05) << unhealthy << " vs " << none;
  EXPECT_GT(healthy, none + 0.05) << healthy << " vs " << none;
  // Unhealthy browsing makes unhealthy products outright more likely bought.
  EXPECT_GT(rate(1, 0), rate(1, 1)) << rate(1, 0) << " vs " << rate(1, 1);
}

TEST_F(GeneratorTest, OracleBeatsPopularityByAWideMargin) {
  const double oracle = summary_->at("oracle_recall_at_100").get<double>();
  const double popularity = summary_->at("popularity_recall_at_100").get<double>();
  EXPECT_GT(oracle, 1.8 * popularity) << oracle << " vs " << popularity;
  EXPECT_GT(summary_->at("oracle_recall_at_10").get<double>(),
            summary_->at("popularity_recall_at_10").get<double>());
}

TEST_F(GeneratorTest, TruthLoadsAndMatchesTheSummary) {
  auto truth = LoadGroundTruth(dir());
  ASSERT_TRUE(truth.ok()) << truth.status();
  EXPECT_EQ(truth->eval_customers.size(),
            summary_->at("eval_sample").at("customers").get<size_t>());
  EXPECT_EQ(truth->eval_customers.front(), "C1");
  for (const std::string& c : truth->eval_customers) EXPECT_TRUE(truth->heldout.count(c)) << c;
  EXPECT_EQ(truth->heldout.size(), truth->eval_customers.size());
  auto all = LoadGroundTruth(dir(), HeldoutScope::kAllCustomers);
  ASSERT_TRUE(all.ok());
  EXPECT_GT(all->heldout.size(), 2500u);              // 3000 customers, nearly all with n >= 2
  EXPECT_FALSE(LoadGroundTruth(root_->path()).ok());  // no truth/summary.json there
  EXPECT_EQ(FormatIso8601Micros(truth->click_heldout_from_micros), "2026-10-14T00:00:00Z");
  // Held-out purchases are each customer's latest.
  std::unordered_map<std::string, std::string> last_train;
  ForEachRow(dir() / "orders.csv", [&](const CsvReader&, const CsvRecord& rec) {
    std::string& t = last_train[std::string(rec[0])];
    t = std::max(t, std::string(rec[3]));
  });
  ForEachRow(dir() / "truth/heldout_orders.csv", [&](const CsvReader&, const CsvRecord& rec) {
    EXPECT_GE(std::string(rec[3]), last_train[std::string(rec[0])]);
  });
  // Popularity scored through the public API reproduces the summary.
  std::map<std::string, int> counts;
  ForEachRow(dir() / "orders.csv",
             [&](const CsvReader&, const CsvRecord& rec) { ++counts[std::string(rec[1])]; });
  std::vector<std::pair<int, int64_t>> ranked;
  for (const auto& [id, n] : counts) ranked.emplace_back(-n, std::stoll(id.substr(1)));
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> top;
  for (size_t i = 0; i < 100 && i < ranked.size(); ++i) {
    top.push_back(Id('P', ranked[i].second));
  }
  const double recall = MeanRecallAtK(*truth, 100, [&](const std::string&) { return top; });
  EXPECT_NEAR(recall, summary_->at("popularity_recall_at_100").get<double>(), 1e-6);
}

TEST(GeneratorOptionsTest, RejectsBadCounts) {
  GenerateOptions o = SmallOptions("/tmp/unused");
  o.customers = 0;
  EXPECT_THAT(ValidateGenerateOptions(o).message(), HasSubstr("--customers"));
  o = SmallOptions("/tmp/unused");
  o.products = 19;
  EXPECT_THAT(ValidateGenerateOptions(o).message(), HasSubstr("at least 20"));
  o = SmallOptions("/tmp/unused");
  o.click_rows = -1;
  EXPECT_THAT(ValidateGenerateOptions(o).message(), HasSubstr("--click-rows"));
  o = SmallOptions("/tmp/unused");
  o.orders_per_customer = 0;
  EXPECT_FALSE(ValidateGenerateOptions(o).ok());
}

TEST(GeneratorOutputTest, RefusesToOverwriteAndLeavesNothingOnFailure) {
  const testing::TempDir tmp("pantry-datagen-test");
  const fs::path& root = tmp.path();
  GenerateOptions o = SmallOptions(root / "d");
  o.customers = 50;
  o.products = 40;
  o.click_rows = 1000;
  ASSERT_TRUE(GenerateDataset(o).ok());
  const std::string before = Read(root / "d" / "orders.csv");
  o.seed = 99;
  auto again = GenerateDataset(o);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Read(root / "d" / "orders.csv"), before);
  o.overwrite = true;
  ASSERT_TRUE(GenerateDataset(o).ok());
  EXPECT_NE(Read(root / "d" / "orders.csv"), before);
  EXPECT_TRUE(fs::exists(root / "d" / "truth" / "summary.json"));

  // --out is a regular file: clear error, nothing created.
  std::ofstream(root / "file") << "x";
  o.out = root / "file";
  EXPECT_FALSE(GenerateDataset(o).ok());
  o.out = root / "file" / "sub";
  EXPECT_FALSE(GenerateDataset(o).ok());
  int entries = 0;
  for (const auto& e : fs::directory_iterator(root)) entries += e.path().filename() != "";
  EXPECT_EQ(entries, 2);  // d and file
}

}  // namespace
}  // namespace pantry::datagen
