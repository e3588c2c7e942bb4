// FeatureStore::PutBatches: the pipelined bulk load keeps PutRecords'
// rules per batch (validation, event-time rule across batches, offline
// commit before the batch's online write, batch order), on every backend.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pantry/common/clock.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/testing/feature_groups.h"
#include "pantry/testing/store_backends.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::featurestore {
namespace {

Record Cust(int64_t id, double t, std::string state) {
  return testing::CustomerRecord(id, t, std::move(state));
}

class PutBatchesTest : public ::testing::TestWithParam<testing::StoreBackends> {
 protected:
  void SetUp() override {
    Status s = testing::PrepareStoreBackends(GetParam(), &backends_);
    ASSERT_TRUE(s.ok()) << s;
    Open();
    ASSERT_TRUE(store_->CreateFeatureGroup(testing::CustomersGroup()).ok());
  }
  void Open(FeatureStoreHooks hooks = {}) {
    store_.reset();
    auto s = testing::OpenPreparedStore(backends_, home_.path(), &clock_, std::move(hooks));
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  // A source handing out `batches` in order, counting how many were taken.
  FeatureStore::BatchSource Source(std::vector<std::vector<Record>> batches) {
    return [this, batches = std::move(batches)](std::vector<Record>* out) -> StatusOr<bool> {
      if (taken_ == batches.size()) return false;
      *out = batches[taken_++];
      return true;
    };
  }
  std::string State(int64_t id) {
    auto r = store_->GetRecord("customers", std::to_string(id));
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok() || !r->has_value()) return "<absent>";
    return (*r)->Find("state")->string_value();
  }
  int64_t OfflineRows() {
    auto r = store_->Query("SELECT count(*) FROM customers");
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->rows[0][0].int_value() : -1;
  }

  FeatureStoreOptions backends_;
  testing::TempDir home_;
  FakeClock clock_{1'700'000'000'000'000};
  std::unique_ptr<FeatureStore> store_;
  size_t taken_ = 0;
};

// Five batches of 1500 rows over ids 0..499: each batch sees the batches
// before it online (a later batch's older rows lose, newer ones win).
TEST_P(PutBatchesTest, EventTimeRuleHoldsAcrossPipelinedBatches) {
  std::vector<std::vector<Record>> batches(5);
  for (int b = 0; b < 5; ++b) {
    for (int i = 0; i < 1500; ++i) {
      const int64_t id = i % 500;
      // Batch 3 is older than batch 2 for every id; the others move forward.
      const double t = b == 3 ? 150.0 : 100.0 * (b + 1) + i / 500;
      batches[b].push_back(Cust(id, t, "b" + std::to_string(b) + "." + std::to_string(i)));
    }
  }
  std::vector<PutSummary> written;
  auto total = store_->PutBatches("customers", Source(batches),
                                  [&](const PutSummary& s) { written.push_back(s); });
  ASSERT_TRUE(total.ok()) << total.status();
  EXPECT_EQ(total->records, 7500);
  ASSERT_EQ(written.size(), 5u);
  for (int b = 0; b < 5; ++b) {
    EXPECT_EQ(written[b].records, 1500) << b;
    EXPECT_EQ(written[b].online_updated, b == 3 ? 0 : 500) << b;
  }
  EXPECT_EQ(total->online_updated, 2000);
  EXPECT_EQ(OfflineRows(), 7500);
  // Within a batch the last third has the highest event time.
  EXPECT_EQ(State(7), "b4.1007");
  EXPECT_EQ(State(499), "b4.1499");
  Open();  // nothing left to replay, nothing replayed twice
  EXPECT_EQ(OfflineRows(), 7500);
  if (GetParam().online_durable()) EXPECT_EQ(State(7), "b4.1007");
}

// The hook runs after each offline commit, before that batch goes online:
// it must see the batches in order, each offline before it is online.
TEST_P(PutBatchesTest, EachBatchCommitsOfflineBeforeItsOnlineWrite) {
  std::vector<int64_t> offline_at_hook;
  FeatureStoreHooks hooks;
  hooks.after_offline_commit = [&] {
    FeatureStoreOptions o;
    o.home = home_.path();
    o.offline_backend = backends_.offline_backend;
    o.offline_url = backends_.offline_url;
    o.read_only = true;
    o.offline_only = true;
    auto offline = FeatureStore::Open(o);
    ASSERT_TRUE(offline.ok()) << offline.status();
    auto n = (*offline)->Query("SELECT count(*) FROM customers");
    ASSERT_TRUE(n.ok()) << n.status();
    offline_at_hook.push_back(n->rows[0][0].int_value());
  };
  Open(std::move(hooks));
  std::vector<std::vector<Record>> batches(4);
  for (int b = 0; b < 4; ++b) {
    for (int i = 0; i < 1000 + b; ++i) batches[b].push_back(Cust(i, 10.0 * (b + 1), "x"));
  }
  std::vector<int64_t> online_at_written;
  auto total = store_->PutBatches("customers", Source(batches), [&](const PutSummary&) {
    online_at_written.push_back(static_cast<int64_t>(offline_at_hook.size()));
  });
  ASSERT_TRUE(total.ok()) << total.status();
  EXPECT_EQ(offline_at_hook, (std::vector<int64_t>{1000, 2001, 3003, 4006}));
  // Batch n is reported written only after its own offline commit.
  ASSERT_EQ(online_at_written.size(), 4u);
  for (size_t b = 0; b < 4; ++b) EXPECT_GE(online_at_written[b], static_cast<int64_t>(b + 1));
}

// An invalid batch is not written, nor is anything after it; the batches
// before it are written to both stores.
TEST_P(PutBatchesTest, InvalidBatchStopsTheLoadAfterTheBatchesBeforeIt) {
  std::vector<std::vector<Record>> batches(4);
  for (int b = 0; b < 4; ++b) {
    for (int i = 0; i < 1200; ++i) batches[b].push_back(Cust(i, 10.0 * (b + 1), std::to_string(b)));
  }
  batches[2][17] = Record();  // no record id
  int written = 0;
  auto total =
      store_->PutBatches("customers", Source(batches), [&](const PutSummary&) { ++written; });
  ASSERT_FALSE(total.ok());
  EXPECT_EQ(total.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(total.status().message().starts_with("record 17")) << total.status();
  EXPECT_EQ(written, 2);
  EXPECT_EQ(taken_, 3u);
  EXPECT_EQ(OfflineRows(), 2400);
  EXPECT_EQ(State(5), "1");
  // The store still accepts writes.
  ASSERT_TRUE(store_->PutRecord("customers", Cust(5, 99, "later")).ok());
  EXPECT_EQ(State(5), "later");
}

// A source error ends the load after the batches handed over before it.
TEST_P(PutBatchesTest, SourceErrorIsReturnedAfterEarlierBatchesAreWritten) {
  int calls = 0;
  auto source = [&](std::vector<Record>* out) -> StatusOr<bool> {
    if (++calls == 3) return IOError("disk gone");
    for (int i = 0; i < 1000; ++i) out->push_back(Cust(i, calls, std::to_string(calls)));
    return true;
  };
  auto total = store_->PutBatches("customers", source, nullptr);
  ASSERT_FALSE(total.ok());
  EXPECT_EQ(total.status().message(), "disk gone");
  EXPECT_EQ(OfflineRows(), 2000);
  EXPECT_EQ(State(3), "2");
  EXPECT_EQ(store_->PutBatches("nope", source, nullptr).status().code(), StatusCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, PutBatchesTest,
                         ::testing::ValuesIn(testing::ContractTestBackends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace pantry::featurestore
