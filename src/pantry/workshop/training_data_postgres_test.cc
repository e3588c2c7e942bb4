// The workshop's generated SQL (training queries, the retrieval evidence
// and the recommender's catalog) gives the same answers on the PostgreSQL
// offline store as on SQLite, from the same generated dataset.
#include <gtest/gtest.h>

#include <algorithm>

#include "pantry/featurestore/feature_store.h"
#include "pantry/featurestore/postgres_test_env.h"
#include "pantry/recommend/model_snapshot.h"
#include "pantry/workshop/feature_groups.h"
#include "pantry/workshop/retrieval_training.h"
#include "pantry/workshop/test_dataset.h"
#include "pantry/workshop/training_data.h"

namespace pantry::workshop {
namespace {

using featurestore::FeatureStore;
using featurestore::PostgresTestEnv;

class TrainingDataPostgresTest : public WorkshopTest {
 protected:
  void SetUp() override {
    WorkshopTest::SetUp();
    Generate();
    sqlite_ = Open(root_ / "sqlite_home", "");
    const std::string url = PostgresTestEnv::FreshUrl();
    ASSERT_FALSE(url.empty());
    postgres_ = Open(root_ / "pg_home", url);
    ASSERT_NE(sqlite_, nullptr);
    ASSERT_NE(postgres_, nullptr);
    EXPECT_EQ(postgres_->sql_dialect(), featurestore::SqlDialect::kPostgres);
  }

  std::unique_ptr<FeatureStore> Open(const std::filesystem::path& home, const std::string& url) {
    featurestore::FeatureStoreOptions o;
    o.home = home;
    o.online_backend = featurestore::OnlineBackend::kMemory;
    o.offline_url = url;
    auto store = FeatureStore::Open(o);
    EXPECT_TRUE(store.ok()) << store.status();
    if (!store.ok()) return nullptr;
    Status loaded = LoadDataset(**store, data(), {});
    EXPECT_TRUE(loaded.ok()) << loaded;
    return std::move(*store);
  }

  std::unique_ptr<FeatureStore> sqlite_;
  std::unique_ptr<FeatureStore> postgres_;
};

// Rows without ORDER BY may come in any order: compare them sorted.
template <typename T, typename F>
std::vector<std::string> Sorted(const std::vector<T>& items, F key) {
  std::vector<std::string> out;
  for (const T& item : items) out.push_back(key(item));
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(TrainingDataPostgresTest, TrainingQueriesAgreeWithSqlite) {
  auto cf_key = [](const models::CfExample& e) {
    return e.customer_id + "|" + e.is_married + "|" + e.state + "|" + e.product_id + "|" +
           e.product_name + "|" + std::to_string(e.rating);
  };
  for (models::CfTarget target : {models::CfTarget::kRating, models::CfTarget::kBought}) {
    auto a = LoadCfExamples(*sqlite_, target, ClickRange::Before("2099-01-01T00:00:00Z"));
    auto b = LoadCfExamples(*postgres_, target, ClickRange::Before("2099-01-01T00:00:00Z"));
    ASSERT_TRUE(a.ok() && b.ok()) << a.status() << b.status();
    EXPECT_FALSE(a->empty());
    EXPECT_EQ(Sorted(*a, cf_key), Sorted(*b, cf_key));
  }
  auto rank_key = [](const models::RankExample& e) {
    return std::to_string(e.bought) + "|" + std::to_string(e.sum_activity_weight_last_2m) + "|" +
           std::to_string(e.avg_product_health_index_last_2m) + "|" +
           std::to_string(e.product_health_index) + "|" + std::to_string(e.customer_health_index) +
           "|" + e.product_category;
  };
  auto a = LoadRankExamples(*sqlite_, ClickRange::From("2000-01-01T00:00:00Z"));
  auto b = LoadRankExamples(*postgres_, ClickRange::From("2000-01-01T00:00:00Z"));
  ASSERT_TRUE(a.ok() && b.ok()) << a.status() << b.status();
  EXPECT_FALSE(a->empty());
  EXPECT_EQ(Sorted(*a, rank_key), Sorted(*b, rank_key));

  auto first_a = FirstCustomerIds(*sqlite_, 5);
  auto first_b = FirstCustomerIds(*postgres_, 5);
  ASSERT_TRUE(first_a.ok() && first_b.ok());
  EXPECT_EQ(*first_a, *first_b);  // byte order in both (COLLATE "C")
  auto customers_a = LoadCustomerFeatures(*sqlite_);
  auto customers_b = LoadCustomerFeatures(*postgres_);
  ASSERT_TRUE(customers_a.ok() && customers_b.ok());
  EXPECT_EQ(customers_a->size(), customers_b->size());
}

TEST_F(TrainingDataPostgresTest, EvidenceAndCatalogAgreeWithSqlite) {
  RetrievalTrainingMetrics ma, mb;
  ASSERT_TRUE(LoadStoreEvidence(*sqlite_, {}, &ma).ok());
  auto evidence = LoadStoreEvidence(*postgres_, {}, &mb);
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  EXPECT_GT(ma.evidence_pairs, 0u);
  EXPECT_EQ(ma.order_rows, mb.order_rows);
  EXPECT_EQ(ma.bought_click_rows, mb.bought_click_rows);
  EXPECT_EQ(ma.evidence_pairs, mb.evidence_pairs);
  EXPECT_EQ(ma.customers, mb.customers);
  EXPECT_EQ(ma.products, mb.products);

  auto ca = recommend::LoadCatalog(*sqlite_);
  auto cb = recommend::LoadCatalog(*postgres_);
  ASSERT_TRUE(ca.ok() && cb.ok()) << ca.status() << cb.status();
  ASSERT_EQ(ca->size(), cb->size());
  for (size_t i = 0; i < ca->size(); ++i) {
    EXPECT_EQ((*ca)[i].product_id, (*cb)[i].product_id);
    EXPECT_EQ((*ca)[i].product_name, (*cb)[i].product_name);
    EXPECT_EQ((*ca)[i].product_health_index, (*cb)[i].product_health_index);
  }
}

}  // namespace
}  // namespace pantry::workshop
