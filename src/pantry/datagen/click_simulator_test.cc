#include "pantry/datagen/click_simulator.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/common/time_format.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::datagen {
namespace {

using ::testing::HasSubstr;

// Advances the fake clock instead of sleeping.
class FakeSleeper final : public Sleeper {
 public:
  explicit FakeSleeper(FakeClock* clock) : clock_(clock) {}
  void SleepUntil(const Clock&, int64_t micros) override {
    if (clock_->NowMicros() < micros) clock_->SetMicros(micros);
    ++calls;
  }
  int calls = 0;

 private:
  FakeClock* clock_;
};

class CollectingSink final : public ClickEventSink {
 public:
  Status Emit(const ClickEvent& event) override {
    if (fail_after >= 0 && static_cast<int>(events.size()) >= fail_after) {
      return UnavailableError("server down");
    }
    events.push_back(event);
    return Status::Ok();
  }
  Status Finish() override {
    finished = true;
    return Status::Ok();
  }
  std::vector<ClickEvent> events;
  bool finished = false;
  int fail_after = -1;
};

std::unique_ptr<SimulatorCatalog> TestCatalog() {
  return SimulatorCatalog::FromProducts({{"P1", "candy_chocolate", 0.1},
                                         {"P2", "chips_pretzels", 0.2},
                                         {"P3", "yogurt", 0.8},
                                         {"P4", "tea", 0.9},
                                         {"P5", "hair_care", 0.5}});
}

SimulatorOptions Options() {
  SimulatorOptions o;
  o.customers = {"C1", "C2"};
  o.health_min = 0.1;
  o.health_max = 0.3;
  o.count = 3;
  o.events_per_second = 2;
  o.seed = 5;
  return o;
}

TEST(ClickSimulatorTest, EmitsAtTheRateFromTheRangeRoundRobin) {
  auto catalog = TestCatalog();
  FakeClock clock(1'800'000'000'000'000);
  FakeSleeper sleeper(&clock);
  CollectingSink sink;
  ClickSimulator simulator(Options(), catalog.get(), &clock, &sleeper);
  ASSERT_TRUE(simulator.Run(&sink).ok());
  ASSERT_EQ(sink.events.size(), 6u);
  EXPECT_TRUE(sink.finished);
  for (size_t i = 0; i < sink.events.size(); ++i) {
    const ClickEvent& e = sink.events[i];
    EXPECT_EQ(e.customer_id, i % 2 ? "C2" : "C1");
    EXPECT_EQ(e.event_time_micros, 1'800'000'000'000'000 + static_cast<int64_t>(i) * 500'000);
    EXPECT_TRUE(e.product_id == "P1" || e.product_id == "P2") << e.product_id;
    EXPECT_LE(e.product_health_index, 0.3);
    const int expected_weight =
        (e.activity_type == "added_to_cart" || e.activity_type == "saved_for_later") ? 2 : 1;
    EXPECT_EQ(e.activity_weight, expected_weight) << e.activity_type;
  }
}

TEST(ClickSimulatorTest, SameSeedSameEventsAndNoWaitNeverSleeps) {
  auto catalog = TestCatalog();
  SimulatorOptions o = Options();
  o.events_per_second = 0;
  o.health_min = 0;
  o.health_max = 1;
  o.count = 50;
  FakeClock clock(0);
  FakeSleeper sleeper(&clock);
  CollectingSink a, b;
  ASSERT_TRUE(ClickSimulator(o, catalog.get(), &clock, &sleeper).Run(&a).ok());
  ASSERT_TRUE(ClickSimulator(o, catalog.get(), &clock, &sleeper).Run(&b).ok());
  EXPECT_EQ(sleeper.calls, 0);
  ASSERT_EQ(a.events.size(), 100u);
  std::set<std::string> types, products;
  for (size_t i = 0; i < a.events.size(); ++i) {
    EXPECT_EQ(a.events[i].product_id, b.events[i].product_id);
    EXPECT_EQ(a.events[i].activity_type, b.events[i].activity_type);
    types.insert(a.events[i].activity_type);
    products.insert(a.events[i].product_id);
  }
  EXPECT_EQ(types.size(), 4u);
  EXPECT_EQ(products.size(), 5u);
}

TEST(ClickSimulatorTest, ErrorsForEmptyRangeBadOptionsAndSinkFailure) {
  auto catalog = TestCatalog();
  FakeClock clock(0);
  FakeSleeper sleeper(&clock);
  CollectingSink sink;
  SimulatorOptions o = Options();
  o.health_min = 0.31;
  o.health_max = 0.4;
  Status s = ClickSimulator(o, catalog.get(), &clock, &sleeper).Run(&sink);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("no product"));
  o = Options();
  o.health_min = 0.5;
  o.health_max = 0.2;
  EXPECT_EQ(ClickSimulator(o, catalog.get(), &clock, &sleeper).Run(&sink).code(),
            StatusCode::kInvalidArgument);
  o = Options();
  o.count = 0;
  EXPECT_EQ(ClickSimulator(o, catalog.get(), &clock, &sleeper).Run(&sink).code(),
            StatusCode::kInvalidArgument);
  CollectingSink failing;
  failing.fail_after = 2;
  EXPECT_EQ(ClickSimulator(Options(), catalog.get(), &clock, &sleeper).Run(&failing).code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(failing.events.size(), 2u);
}

TEST(ClickSimulatorTest, JsonLinesHaveTheStreamFields) {
  ClickEvent e{1'800'000'000'500'000, "C1", "P7", "tea", "added_to_cart", 2, 0.9};
  std::ostringstream out;
  JsonLinesSink sink(&out);
  ASSERT_TRUE(sink.Emit(e).ok());
  EXPECT_EQ(out.str(),
            "{\"event_time\":\"2027-01-15T08:00:00.500000Z\",\"customer_id\":\"C1\","
            "\"product_id\":\"P7\",\"product_category\":\"tea\",\"activity_type\":"
            "\"added_to_cart\",\"activity_weight\":2,\"product_health_index\":0.9}\n");
}

TEST(ClickSimulatorTest, ParsesRatesAndCustomerLists) {
  EXPECT_DOUBLE_EQ(*ParseRate("10"), 10);
  EXPECT_DOUBLE_EQ(*ParseRate("2.5/s"), 2.5);
  EXPECT_DOUBLE_EQ(*ParseRate("600/m"), 10);
  EXPECT_DOUBLE_EQ(*ParseRate("0"), 0);
  EXPECT_FALSE(ParseRate("-1").ok());
  EXPECT_FALSE(ParseRate("fast").ok());
  EXPECT_EQ(*ParseCustomerList("C1, C2"), (std::vector<std::string>{"C1", "C2"}));
  EXPECT_FALSE(ParseCustomerList("C1,,C2").ok());
  EXPECT_FALSE(ParseCustomerList("").ok());
}

TEST(SimulatorCatalogTest, LoadsWorkshopShapedCsvAndNamesBadFields) {
  const testing::TempDir tmp("pantry-sim");
  const std::filesystem::path& dir = tmp.path();
  std::ofstream(dir / "good.csv")
      << "product_name,product_category,product_id,product_health_index\n"
         "\"licorice, strawberry\",candy_chocolate,P8405,0.1\n"
         "organic himalayan black tea,tea,P3422,0.9\n";
  auto catalog = SimulatorCatalog::Load(dir / "good.csv");
  ASSERT_TRUE(catalog.ok()) << catalog.status();
  ASSERT_EQ((*catalog)->products().size(), 2u);
  EXPECT_EQ((*catalog)->products()[0].product_id, "P8405");
  EXPECT_DOUBLE_EQ((*catalog)->products()[1].health_index, 0.9);

  std::ofstream(dir / "bad.csv") << "product_id,product_category,product_health_index\n"
                                    "P1,tea,0.9\nP2,tea,healthy\n";
  auto bad = SimulatorCatalog::Load(dir / "bad.csv");
  EXPECT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("bad.csv:3:"));
  std::ofstream(dir / "nocol.csv") << "product_id,product_category\nP1,tea\n";
  EXPECT_THAT(SimulatorCatalog::Load(dir / "nocol.csv").status().message(),
              HasSubstr("product_health_index"));
}

}  // namespace
}  // namespace pantry::datagen
