// Issue 13, item 1: /readyz fails when a processor is stuck. A processor
// whose sink keeps failing is reported by StreamService::Health once it has
// failed for longer than stuck_after_micros, its failed polls are counted,
// and Health recovers when the sink does.
#include <gtest/gtest.h>

#include <atomic>

#include "pantry/stream/stream_service.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::stream {
namespace {

// Refuses every write (Unavailable) while `down` is set.
class FlakySink final : public RowSink {
 public:
  explicit FlakySink(std::atomic<bool>* down) : down_(down) {}
  StatusOr<uint64_t> DeliveredUpTo() override { return delivered_; }
  Status Write(std::span<const EmittedRow> rows) override {
    if (down_->load()) return UnavailableError("sink database is down");
    delivered_ = rows.back().emission_id;
    return Status::Ok();
  }

 private:
  std::atomic<bool>* down_;
  uint64_t delivered_ = 0;
};

TEST(StreamHealthTest, AProcessorWhoseSinkKeepsFailingIsReportedStuck) {
  testing::TempDir home("pantry_stream_health");
  FakeClock clock(1'800'000'000'000'000);
  std::atomic<bool> down{true};
  StreamServiceOptions options;
  options.home = home.path();
  options.specs.push_back(*WindowSpec::FromString(WorkshopSlidingSpecJson(), "live"));
  options.sink_factory = [&down](const WindowSpec&) -> StatusOr<std::unique_ptr<RowSink>> {
    return std::unique_ptr<RowSink>(std::make_unique<FlakySink>(&down));
  };
  options.clock = &clock;
  options.checkpoint_interval_micros = 0;
  options.stuck_after_micros = 10'000'000;
  auto service = StreamService::Create(std::move(options));
  ASSERT_TRUE(service.ok()) << service.status();
  EXPECT_TRUE((*service)->Health().ok());

  AppendRecord record{
      "C1", R"({"customer_id": "C1", "activity_weight": 1, "product_health_index": 0.5})"};
  ASSERT_TRUE((*service)->log("click_stream")->Append({&record, 1}).ok());
  clock.AdvanceSeconds(1);
  EXPECT_FALSE((*service)->PollOnce().ok());
  EXPECT_TRUE((*service)->Health().ok()) << "failing, but not yet for long";
  clock.AdvanceSeconds(11);
  EXPECT_FALSE((*service)->PollOnce().ok());
  Status health = (*service)->Health();
  EXPECT_EQ(health.code(), StatusCode::kUnavailable) << health;
  EXPECT_NE(health.message().find("stuck"), std::string::npos) << health;
  EXPECT_NE(health.message().find("sink database is down"), std::string::npos) << health;
  EXPECT_EQ((*service)->stats()[0].second.poll_errors, 2u);

  down = false;
  EXPECT_TRUE((*service)->PollOnce().ok());
  EXPECT_TRUE((*service)->Health().ok());
  EXPECT_GE((*service)->stats()[0].second.rows_delivered, 1u);
}

}  // namespace
}  // namespace pantry::stream
