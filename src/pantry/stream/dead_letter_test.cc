// A poison event (a row the feature store refuses for good) goes to the
// dead-letter file and the stream keeps going (issue 13 item 1).
#include "pantry/stream/dead_letter_log.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include "pantry/common/file_util.h"
#include "pantry/common/json.h"
#include "pantry/stream/feature_store_sink.h"
#include "pantry/stream/stream_service.h"

namespace pantry::stream {
namespace {

namespace fs = std::filesystem;

class DeadLetterTest : public ::testing::Test {
 protected:
  DeadLetterTest() {
    home_ = fs::temp_directory_path() / ("pantry_dead_letter_test_" + std::to_string(::getpid()));
    fs::remove_all(home_);
    fs::create_directories(home_);
  }
  ~DeadLetterTest() override {
    service_.reset();
    store_.reset();
    fs::remove_all(home_);
  }
  void Open() {
    service_.reset();
    store_.reset();
    featurestore::FeatureStoreOptions o;
    o.home = home_;
    o.clock = &clock_;
    auto s = featurestore::FeatureStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    StreamServiceOptions so;
    so.home = home_;
    so.specs.push_back(*WindowSpec::FromString(WorkshopSlidingSpecJson(), "live"));
    so.sink_factory = FeatureStoreSinkFactory(store_.get());
    so.clock = &clock_;
    so.checkpoint_interval_micros = 0;
    auto service = StreamService::Create(std::move(so));
    ASSERT_TRUE(service.ok()) << service.status();
    service_ = std::move(*service);
  }
  void Append(const std::string& key, const std::string& customer, double w) {
    clock_.AdvanceSeconds(1);
    std::string payload = R"({"customer_id": ")" + customer +
                          R"(", "product_health_index": 0.5, "activity_weight": )" +
                          std::to_string(w) + "}";
    AppendRecord rec{key, payload};
    ASSERT_TRUE(service_->log("click_stream")->Append({&rec, 1}).ok());
  }
  fs::path dead_letter_file() const {
    return home_ / "stream" / "click_stream" / "dead_letters" / "click_stream_live_2m.jsonl";
  }

  fs::path home_;
  FakeClock clock_{1'800'000'000'000'000};
  std::unique_ptr<featurestore::FeatureStore> store_;
  std::unique_ptr<StreamService> service_;
};

TEST_F(DeadLetterTest, PoisonRowIsDeadLetteredAndTheNextCustomerIsDelivered) {
  Open();
  const std::string huge(360 * 1024, 'x');  // over the store's 350 KB value limit
  Append("C1", "C1", 1.0);
  Append("poison", huge, 5.0);
  Append("C2", "C2", 2.0);
  clock_.AdvanceSeconds(1);
  ASSERT_TRUE(service_->PollOnce().ok());
  auto got = store_->GetRecord("click_stream_live", "C2");
  ASSERT_TRUE(got.ok() && got->has_value()) << "the customer after the poison event is live";
  EXPECT_EQ((*got)->Find("sum_activity_weight_last_2m")->double_value(), 2.0);
  ASSERT_TRUE(store_->GetRecord("click_stream_live", "C1")->has_value());
  EXPECT_EQ(service_->stats()[0].second.dead_letters, 1u);

  auto text = ReadFileToString(dead_letter_file());
  ASSERT_TRUE(text.ok()) << text.status();
  ASSERT_EQ(std::count(text->begin(), text->end(), '\n'), 1);
  auto line = ParseJson(*text, "dead letters");
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ((*line)["spec"], "click_stream_live_2m");
  EXPECT_EQ((*line)["emission_id"], 2);
  EXPECT_NE((*line)["reason"].get<std::string>().find("350 KB"), std::string::npos)
      << (*line)["reason"];
  EXPECT_TRUE((*line).contains("source_sequence"));
  EXPECT_EQ((*line)["row"]["customer_id"].get<std::string>().size(), huge.size());

  // Later events keep flowing; after a restart the poison row is not offered
  // again (it is settled), and the expiry of the poison key is dead-lettered
  // once more rather than blocking.
  Append("C2", "C2", 3.0);
  clock_.AdvanceSeconds(1);
  ASSERT_TRUE(service_->PollOnce().ok());
  EXPECT_EQ(store_->GetRecord("click_stream_live", "C2")
                ->value()
                .Find("sum_activity_weight_last_2m")
                ->double_value(),
            5.0);
  Open();
  clock_.AdvanceSeconds(300);  // everything expires
  ASSERT_TRUE(service_->PollOnce().ok());
  EXPECT_EQ(store_->GetRecord("click_stream_live", "C2")
                ->value()
                .Find("sum_activity_weight_last_2m")
                ->double_value(),
            0.0);
  text = ReadFileToString(dead_letter_file());
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(std::count(text->begin(), text->end(), '\n'), 2) << "the poison key's expiry row";
}

}  // namespace
}  // namespace pantry::stream
