#include "pantry/workshop/feature_groups.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "pantry/common/clock.h"
#include "pantry/stream/feature_store_sink.h"
#include "pantry/workshop/streams.h"
#include "pantry/workshop/test_dataset.h"
#include "pantry/workshop/training.h"

namespace pantry::workshop {
namespace {

using featurestore::FeatureType;

TEST(WorkshopGroupsTest, SixValidDeclarationsWithDistinctNames) {
  std::set<std::string> names;
  for (const WorkshopGroup& g : WorkshopGroups()) {
    EXPECT_TRUE(g.definition.Validate().ok()) << g.definition.name;
    names.insert(g.definition.name);
  }
  EXPECT_EQ(names,
            (std::set<std::string>{"customers", "products", "orders", "click_stream_historical",
                                   "click_stream", "click_stream_live"}));
  auto clicks = FindWorkshopGroup("click_stream_historical");
  ASSERT_TRUE(clicks.ok());
  EXPECT_FALSE((*clicks)->definition.online_enabled);
  EXPECT_TRUE((*clicks)->required);
  EXPECT_EQ(FindWorkshopGroup("nope").status().code(), StatusCode::kNotFound);
}

TEST_F(WorkshopTest, LoadsAGeneratedDatasetWithTheDeclaredTypes) {
  Generate();
  FakeClock clock(1'800'000'000'000'000LL);
  auto store = OpenHomeStore(home(), &clock, /*read_only=*/false);
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<GroupLoad> loads;
  ASSERT_TRUE(
      LoadDataset(**store, data(), {}, [&](const GroupLoad& l) { loads.push_back(l); }).ok());
  // customers, products, orders, click_stream_historical; a generated
  // dataset has no click_stream.csv.
  ASSERT_EQ(loads.size(), 5u);
  EXPECT_EQ(loads[4].group, "click_stream");
  EXPECT_TRUE(loads[4].file_missing);
  EXPECT_EQ(loads[0].group, "customers");
  EXPECT_TRUE(loads[0].stamped_now);  // customers.csv has no event_time
  EXPECT_EQ(loads[0].rows, 60);
  EXPECT_EQ(loads[3].group, "click_stream_historical");
  EXPECT_FALSE(loads[3].stamped_now);
  EXPECT_GT(loads[3].rows, 0);
  EXPECT_FALSE((*store)->DescribeFeatureGroup("click_stream").ok());

  auto customers = (*store)->DescribeFeatureGroup("customers");
  ASSERT_TRUE(customers.ok());
  EXPECT_EQ(customers->FindFeature("is_married")->type, FeatureType::kIntegral);
  EXPECT_EQ(customers->FindFeature("event_time")->type, FeatureType::kString);
  auto record = (*store)->GetRecord("customers", "C1");
  ASSERT_TRUE(record.ok() && record->has_value()) << record.status();
  // Stamped with the store's clock.
  EXPECT_EQ((*record)->Find("event_time")->ToString(), "2027-01-15T08:00:00Z");

  // A second load skips groups that exist (and again reports the file it
  // does not have).
  loads.clear();
  ASSERT_TRUE(
      LoadDataset(**store, data(), {}, [&](const GroupLoad& l) { loads.push_back(l); }).ok());
  ASSERT_EQ(loads.size(), 1u);
  EXPECT_TRUE(loads[0].file_missing);
}

TEST_F(WorkshopTest, DatasetFolderChecksNameTheMissingFile) {
  Generate();
  EXPECT_TRUE(CheckDatasetFolder(data()).ok());
  std::filesystem::remove(data() / "click_stream_historical.csv");
  Status clicks = CheckDatasetFolder(data());
  EXPECT_EQ(clicks.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(clicks.message().find("click_stream_historical.csv is missing"), std::string::npos);
  std::filesystem::remove(data() / "products.csv");
  Status products = CheckDatasetFolder(data());
  EXPECT_EQ(products.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(products.message().find("products.csv is missing"), std::string::npos);

  auto store = OpenHomeStore(home(), nullptr, /*read_only=*/false);
  ASSERT_TRUE(store.ok());
  auto orders = LoadWorkshopGroup(**store, "orders", home());  // no orders.csv there
  ASSERT_TRUE(orders.ok()) << orders.status();
  EXPECT_TRUE(orders->file_missing);
  EXPECT_FALSE((*store)->DescribeFeatureGroup("orders").ok());
  EXPECT_EQ(LoadWorkshopGroup(**store, "products", home()).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(WorkshopTest, StreamGroupsAreWhatTheSinkWrites) {
  auto store = OpenHomeStore(home(), nullptr, /*read_only=*/false);
  ASSERT_TRUE(store.ok());
  const std::string names[] = {"click_stream", "click_stream_live"};
  ASSERT_TRUE(EnsureWorkshopGroups(**store, names).ok());
  ASSERT_TRUE(EnsureWorkshopGroups(**store, names).ok());  // idempotent
  for (const char* spec_name : {"workshop", "workshop-live"}) {
    auto spec = BuiltinWindowSpec(spec_name);
    ASSERT_TRUE(spec.ok()) << spec.status();
    auto before = (*store)->DescribeFeatureGroup(spec->sink_feature_group);
    ASSERT_TRUE(before.ok());
    // The sink accepts the declared group as it is: it adds no feature.
    auto sink = stream::OpenFeatureStoreSink(store->get(), *spec);
    ASSERT_TRUE(sink.ok()) << sink.status();
    auto after = (*store)->DescribeFeatureGroup(spec->sink_feature_group);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(after->features, before->features) << spec_name;
  }
}

}  // namespace
}  // namespace pantry::workshop
