// A tiny in-process world for recommender tests and benchmarks: a feature
// store (memory online store, SQLite offline store in a temporary home)
// with customers, products and the two click feature groups, and small CF
// and ranking models trained through the models API on synthetic data in
// which buyers with healthy recent activity buy healthy products.
#ifndef PANTRY_TESTING_RECOMMEND_FIXTURE_H_
#define PANTRY_TESTING_RECOMMEND_FIXTURE_H_

#include <filesystem>
#include <memory>
#include <string>

#include "pantry/common/clock.h"
#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/models/cf_model.h"
#include "pantry/models/rank_model.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::testing {

struct FixtureOptions {
  int customers = 30;
  int products = 60;
  int rank_rows = 3000;
  int rank_rounds = 20;
  int factors = 4;
  uint64_t seed = 7;
};

// A ranker row with the workshop's features (the two-stage ones left 0).
models::RankExample RankRow(float sum_activity_weight, float avg_browsed_health,
                            float product_health, float customer_health, std::string category);

class RecommendFixture {
 public:
  // Creates a fresh home under the system temp directory (removed on
  // destruction), the groups and the data, and trains the models.
  static StatusOr<std::unique_ptr<RecommendFixture>> Create(const FixtureOptions& options);
  ~RecommendFixture();

  const std::filesystem::path& home() const { return home_.path(); }
  FakeClock& clock() { return clock_; }
  featurestore::FeatureStore& store() { return *store_; }
  std::shared_ptr<const models::CfModel> cf() const { return cf_; }
  std::shared_ptr<const models::RankModel> rank() const { return rank_; }

  // Writes a live (sliding window) or stagger click row for `customer` with
  // the fixture clock's current time as event time.
  Status PutClicks(const std::string& group, const std::string& customer, double sum_weight,
                   double avg_health);

  // Health index of product number i (ids "p<i>").
  static double ProductHealth(int i, int products);

 private:
  RecommendFixture() : clock_(1'800'000'000'000'000LL) {}

  TempDir home_{"pantry_recommend"};
  FakeClock clock_;
  std::unique_ptr<featurestore::FeatureStore> store_;
  std::shared_ptr<const models::CfModel> cf_;
  std::shared_ptr<const models::RankModel> rank_;
};

}  // namespace pantry::testing

#endif  // PANTRY_TESTING_RECOMMEND_FIXTURE_H_
