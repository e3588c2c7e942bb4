// StreamService::AddSpec / RemoveSpec: specs added while the service runs
// (KDA applications started over the API).
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "pantry/common/file_util.h"
#include "pantry/stream/stream_service.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::stream {
namespace {

constexpr int64_t kStart = 1'800'000'000'000'000;

class RuntimeSpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetMicros(kStart);
    StreamServiceOptions o;
    o.home = home_.path();
    o.specs.push_back(*WindowSpec::FromString(WorkshopStaggerSpecJson(), "workshop"));
    o.log_options.fsync = FsyncMode::kNever;
    o.sink_factory = JsonLinesSinkFactory(home_.path() / "out");
    o.checkpoint_interval_micros = 0;
    o.clock = &clock_;
    service_ = std::move(*StreamService::Create(std::move(o)));
    EventLogOptions lo;
    lo.fsync = FsyncMode::kNever;
    lo.clock = &clock_;
    lo.shards = 2;
    other_ = std::move(*EventLog::OpenFile(home_.path(), "other", lo));
    added_ = *WindowSpec::FromString(WorkshopStaggerSpecJson(), "workshop");
    added_.name = "added";
    added_.source = "other";
  }

  void Append(const std::string& customer, int weight) {
    clock_.AdvanceMicros(1000);
    const std::string payload = R"({"customer_id": ")" + customer + R"(", "activity_weight": )" +
                                std::to_string(weight) + R"(, "product_health_index": 0.5})";
    AppendRecord r{customer, payload};
    ASSERT_TRUE(other_->Append({&r, 1}).ok());
  }

  // Polls past the 2-minute window so every open window emits.
  void CloseWindows() {
    clock_.AdvanceMicros(121'000'000);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(service_->PollOnce().ok());
  }

  std::string Output() {
    auto text = ReadFileToString(home_.path() / "out" / "added.jsonl");
    return text.ok() ? *text : "";
  }

  testing::TempDir home_;
  FakeClock clock_;
  std::unique_ptr<StreamService> service_;
  std::unique_ptr<EventLog> other_;
  WindowSpec added_;
};

TEST_F(RuntimeSpecTest, AddedSpecStartsAtTheEndAndResumesAfterRemoval) {
  Append("C-before", 7);  // before the spec starts: NOW skips it
  ASSERT_TRUE(
      service_->AddSpec(added_, other_.get(), JsonLinesSinkFactory(home_.path() / "out"), true)
          .ok());
  EXPECT_EQ(
      service_->AddSpec(added_, other_.get(), JsonLinesSinkFactory(home_.path() / "out"), true)
          .code(),
      StatusCode::kAlreadyExists);
  EXPECT_EQ(service_->stats().size(), 2u);
  Append("C1", 2);
  Append("C1", 3);
  CloseWindows();
  std::string out = Output();
  EXPECT_NE(out.find("\"C1\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"sum_activity_weight_last_2m\":5"), std::string::npos) << out;
  EXPECT_EQ(out.find("C-before"), std::string::npos) << out;

  ASSERT_TRUE(service_->RemoveSpec("added").ok());
  EXPECT_EQ(service_->RemoveSpec("added").code(), StatusCode::kNotFound);
  EXPECT_EQ(service_->stats().size(), 1u);
  Append("C2", 4);  // while stopped: picked up on resume (checkpointed position)
  ASSERT_TRUE(
      service_->AddSpec(added_, other_.get(), JsonLinesSinkFactory(home_.path() / "out"), true)
          .ok());
  CloseWindows();
  out = Output();
  EXPECT_NE(out.find("\"C2\""), std::string::npos) << out;
  EXPECT_EQ(out.find("C-before"), std::string::npos) << out;
}

TEST_F(RuntimeSpecTest, WithoutStartAtEndTheLogIsReadFromItsBeginning) {
  Append("C-before", 7);
  ASSERT_TRUE(
      service_->AddSpec(added_, other_.get(), JsonLinesSinkFactory(home_.path() / "out"), false)
          .ok());
  CloseWindows();
  EXPECT_NE(Output().find("C-before"), std::string::npos) << Output();
}

// A sink whose first write waits until the test releases it.
class GateSink final : public RowSink {
 public:
  GateSink(std::promise<void>* entered, std::shared_future<void> release)
      : entered_(entered), release_(std::move(release)) {}
  StatusOr<uint64_t> DeliveredUpTo() override { return last_; }
  Status Write(std::span<const EmittedRow> rows) override {
    if (!held_) {
      held_ = true;
      entered_->set_value();
      release_.wait();
    }
    if (!rows.empty()) last_ = rows.back().emission_id;
    return Status::Ok();
  }

 private:
  std::promise<void>* entered_;
  std::shared_future<void> release_;
  bool held_ = false;
  uint64_t last_ = 0;
};

// /metrics reads stats() while the poll thread is busy (a poll under load
// takes up to seconds): it must answer from the last finished poll.
TEST_F(RuntimeSpecTest, StatsDoNotWaitForARunningPoll) {
  std::promise<void> entered, release;
  std::future<void> in_sink = entered.get_future();
  std::shared_future<void> released = release.get_future().share();
  ASSERT_TRUE(service_
                  ->AddSpec(
                      added_, other_.get(),
                      [&](const WindowSpec&) -> StatusOr<std::unique_ptr<RowSink>> {
                        return std::unique_ptr<RowSink>(new GateSink(&entered, released));
                      },
                      true)
                  .ok());
  Append("C1", 2);
  clock_.AdvanceMicros(121'000'000);  // the window closes in the next poll
  std::thread poller([&] {
    for (int i = 0; i < 3; ++i) (void)service_->PollOnce();
  });
  const bool polling = in_sink.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  std::vector<std::pair<std::string, ProcessorStats>> during;
  bool answered = false;
  if (polling) {
    auto stats = std::async(std::launch::async, [&] { return service_->stats(); });
    answered = stats.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
    release.set_value();
    during = stats.get();
  }
  poller.join();
  ASSERT_TRUE(polling) << "the window's row never reached the sink";
  ASSERT_TRUE(answered) << "stats() waited for the running poll";
  ASSERT_EQ(during.size(), 2u);
  EXPECT_EQ(during[1].first, "added");
  EXPECT_EQ(during[1].second.rows_delivered, 0u);  // as of before the poll
  const auto after = service_->stats();
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[1].second.rows_delivered, 1u);
  EXPECT_EQ(after[1].second.accepted, 1u);
}

}  // namespace
}  // namespace pantry::stream
