#include "pantry/workshop/retrieval_training.h"

#include <gtest/gtest.h>

#include "pantry/models/model_store.h"
#include "pantry/workshop/feature_groups.h"
#include "pantry/workshop/test_dataset.h"
#include "pantry/workshop/training.h"

namespace pantry::workshop {
namespace {

TEST_F(WorkshopTest, TrainsAndPublishesTheBlendFromTheStore) {
  Generate();
  {
    auto store = OpenHomeStore(home(), nullptr, /*read_only=*/false);
    ASSERT_TRUE(store.ok()) << store.status();
    const std::vector<std::string> groups = {"customers", "products", "orders",
                                             "click_stream_historical"};
    ASSERT_TRUE(LoadDataset(**store, data(), groups).ok());
  }
  RetrievalTrainingRequest request;
  request.options.als.threads = 1;
  request.options.item_knn.threads = 1;
  RetrievalTrainingMetrics metrics;
  auto dir = TrainAndPublishRetrieval(home(), nullptr, request, &metrics);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(metrics.customers, 60u);
  EXPECT_EQ(metrics.products, 100u);
  EXPECT_GT(metrics.order_rows, 0u);
  EXPECT_GT(metrics.bought_click_rows, 0u);
  EXPECT_GT(metrics.evidence_pairs, 0u);

  auto current = models::CurrentModelVersion(home(), kRetrievalModelKind);
  ASSERT_TRUE(current.ok()) << current.status();
  EXPECT_EQ(*current, *dir);
  auto blend = models::BlendedRetriever::Load(*dir / "blend");
  ASSERT_TRUE(blend.ok()) << blend.status();
  EXPECT_EQ((*blend)->num_products(), 100u);
  auto products = models::IdDictionary::Load(*dir / "products.txt");
  ASSERT_TRUE(products.ok()) << products.status();
  EXPECT_EQ(products->size(), 100u);
  // A known customer gets candidates from the saved model.
  models::RetrievalQuery query;
  query.customer = 0;
  EXPECT_FALSE((*blend)->Retrieve(query, 10).empty());
  // The FM that serving loads is not replaced.
  EXPECT_FALSE(models::CurrentModelVersion(home(), "cf").ok());

  // Clicks before a bound only: fewer bought clicks; a bad bound is refused.
  RetrievalTrainingMetrics early;
  request.clicks.before = "2000-01-01T00:00:00Z";
  ASSERT_TRUE(TrainAndPublishRetrieval(home(), nullptr, request, &early).ok());
  EXPECT_EQ(early.bought_click_rows, 0u);
  EXPECT_EQ(early.order_rows, metrics.order_rows);
  request.clicks.before = "yesterday";
  EXPECT_FALSE(TrainAndPublishRetrieval(home(), nullptr, request, nullptr).ok());
}

}  // namespace
}  // namespace pantry::workshop
