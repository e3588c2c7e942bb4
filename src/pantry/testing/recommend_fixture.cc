#include "pantry/testing/recommend_fixture.h"

#include <random>

#include "pantry/testing/feature_groups.h"

namespace pantry::testing {
namespace {

using featurestore::FeatureDefinition;
using featurestore::FeatureType;
using featurestore::FeatureValue;
using featurestore::Record;

const char* const kCategories[] = {"Produce", "Snacks", "Dairy", "Beverages"};
const char* const kStates[] = {"CA", "NY", "TX"};

Status CreateGroup(featurestore::FeatureStore& store, std::string name, std::string id,
                   std::vector<FeatureDefinition> features) {
  return store.CreateFeatureGroup(
      GroupDefinition(std::move(name), std::move(id), WithEventTime(std::move(features))));
}

std::string ProductId(int i) { return "p" + std::to_string(1000 + i); }
std::string ProductName(int i) {
  static const char* const kWords[] = {"organic", "crunchy", "fresh", "sweet", "spicy", "classic"};
  return std::string(kWords[i % 6]) + " " + kCategories[i % 4] + " item" + std::to_string(i % 7);
}

}  // namespace

double RecommendFixture::ProductHealth(int i, int products) {
  return 0.05 + 0.9 * static_cast<double>((i * 37) % products) / products;
}

StatusOr<std::unique_ptr<RecommendFixture>> RecommendFixture::Create(const FixtureOptions& o) {
  std::unique_ptr<RecommendFixture> f(new RecommendFixture());
  featurestore::FeatureStoreOptions store_options;
  store_options.home = f->home();
  store_options.online_backend = featurestore::OnlineBackend::kMemory;
  store_options.clock = &f->clock_;
  ASSIGN_OR_RETURN(f->store_, featurestore::FeatureStore::Open(store_options));
  auto& store = *f->store_;
  const FeatureType S = FeatureType::kString, I = FeatureType::kIntegral,
                    F = FeatureType::kFractional;
  RETURN_IF_ERROR(CreateGroup(
      store, "customers", "customer_id",
      {{"customer_id", S}, {"state", S}, {"is_married", I}, {"customer_health_index", F}}));
  RETURN_IF_ERROR(CreateGroup(store, "products", "product_id",
                              {{"product_id", S},
                               {"product_name", S},
                               {"product_category", S},
                               {"product_health_index", F}}));
  for (const char* group : {"click_stream_live", "click_stream"}) {
    RETURN_IF_ERROR(CreateGroup(store, group, "customer_id",
                                {{"customer_id", S},
                                 {"sum_activity_weight_last_2m", F},
                                 {"avg_product_health_index_last_2m", F}}));
  }
  const double now = static_cast<double>(f->clock_.NowMicros()) / 1e6;
  std::vector<Record> customers;
  // "cold" customers exist in the store but never bought anything.
  for (int i = 0; i < o.customers + 2; ++i) {
    std::string id = i < o.customers ? "c" + std::to_string(i) : "cold" + std::to_string(i);
    customers.push_back(Record({{"customer_id", FeatureValue::String(id)},
                                {"state", FeatureValue::String(kStates[i % 3])},
                                {"is_married", FeatureValue::Int(i % 2)},
                                {"customer_health_index", FeatureValue::Double(0.5)},
                                {"event_time", FeatureValue::Double(now - 3600)}}));
  }
  RETURN_IF_ERROR(store.PutRecords("customers", customers).status());
  std::vector<Record> products;
  std::vector<std::string> ids, names;
  for (int i = 0; i < o.products; ++i) {
    ids.push_back(ProductId(i));
    names.push_back(ProductName(i));
    products.push_back(
        Record({{"product_id", FeatureValue::String(ids.back())},
                {"product_name", FeatureValue::String(names.back())},
                {"product_category", FeatureValue::String(kCategories[i % 4])},
                {"product_health_index", FeatureValue::Double(ProductHealth(i, o.products))},
                {"event_time", FeatureValue::Double(now - 3600)}}));
  }
  RETURN_IF_ERROR(store.PutRecords("products", products).status());

  std::mt19937_64 rng(o.seed);
  // CF: customer i buys products j with j % 3 == i % 3.
  std::vector<models::CfExample> cf_examples;
  for (int i = 0; i < o.customers; ++i) {
    for (int n = 0; n < 6; ++n) {
      int j = static_cast<int>(rng() % static_cast<uint64_t>(o.products / 3)) * 3 + i % 3;
      cf_examples.push_back(
          {"c" + std::to_string(i), std::to_string(i % 2), kStates[i % 3], ids[j], names[j], 1.0f});
    }
  }
  models::CfTrainOptions cf_options;
  cf_options.hyperparameters.predictor_type = models::PredictorType::kBinaryClassifier;
  cf_options.hyperparameters.num_factors = o.factors;
  cf_options.hyperparameters.epochs = 5;
  cf_options.hyperparameters.mini_batch_size = 16;
  cf_options.hyperparameters.num_threads = 1;
  cf_options.hyperparameters.factors_lr = 0.01;
  cf_options.hyperparameters.linear_lr = 0.01;
  cf_options.hyperparameters.factors_init_sigma = 0.01;
  cf_options.hyperparameters.seed = o.seed;
  cf_options.negatives_per_positive = 2;
  cf_options.catalog_ids = ids;
  cf_options.catalog_names = names;
  ASSIGN_OR_RETURN(models::CfModel cf, models::CfModel::Train(cf_examples, cf_options, nullptr));
  f->cf_ = std::make_shared<const models::CfModel>(std::move(cf));

  // Ranking: healthy recent activity -> healthy purchases; none -> unhealthy.
  std::vector<models::RankExample> rank_examples;
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  for (int r = 0; r < o.rank_rows; ++r) {
    models::RankExample e;
    // Active shoppers browsed healthy products (mean health 0.8).
    e.sum_activity_weight_last_2m = (r % 2 == 0) ? 0.0f : 1.0f + 5.0f * unit(rng);
    e.avg_product_health_index_last_2m = (r % 2 == 0) ? 0.0f : 0.8f;
    e.product_health_index = unit(rng);
    e.customer_health_index = 0.5f;
    e.product_category = kCategories[r % 4];
    bool likes = e.sum_activity_weight_last_2m > 0.5f ? e.product_health_index > 0.6f
                                                      : e.product_health_index < 0.4f;
    e.bought = (likes != (unit(rng) < 0.05f)) ? 1.0f : 0.0f;
    rank_examples.push_back(std::move(e));
  }
  models::RankTrainOptions rank_options;
  rank_options.params.num_round = o.rank_rounds;
  rank_options.params.nthread = 1;
  rank_options.params.seed = o.seed;
  ASSIGN_OR_RETURN(models::RankModel rank,
                   models::RankModel::Train(rank_examples, rank_options, nullptr));
  f->rank_ = std::make_shared<const models::RankModel>(std::move(rank));
  return f;
}

RecommendFixture::~RecommendFixture() = default;

Status RecommendFixture::PutClicks(const std::string& group, const std::string& customer,
                                   double sum_weight, double avg_health) {
  return store_->PutRecord(
      group, Record({{"customer_id", FeatureValue::String(customer)},
                     {"sum_activity_weight_last_2m", FeatureValue::Double(sum_weight)},
                     {"avg_product_health_index_last_2m", FeatureValue::Double(avg_health)},
                     {"event_time",
                      FeatureValue::Double(static_cast<double>(clock_.NowMicros()) / 1e6)}}));
}

models::RankExample RankRow(float sum_activity_weight, float avg_browsed_health,
                            float product_health, float customer_health, std::string category) {
  models::RankExample row;
  row.sum_activity_weight_last_2m = sum_activity_weight;
  row.avg_product_health_index_last_2m = avg_browsed_health;
  row.product_health_index = product_health;
  row.customer_health_index = customer_health;
  row.product_category = std::move(category);
  return row;
}

}  // namespace pantry::testing
