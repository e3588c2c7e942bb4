#include "pantry/stream/source_reader.h"

#include <gtest/gtest.h>

#include "pantry/testing/temp_dir.h"

namespace pantry::stream {
namespace {

class SourceReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EventLogOptions o;
    o.shards = 1;
    o.fsync = FsyncMode::kNever;
    o.clock = &clock_;
    log_ = std::move(*EventLog::OpenFile(dir_.path(), "s", o));
    Append(10);
  }
  void Append(int n) {
    for (int i = 0; i < n; ++i) {
      clock_.AdvanceMicros(10);
      std::string payload = R"({"k": "v)" + std::to_string(i) + R"("})";
      AppendRecord r{"key", payload};
      ASSERT_TRUE(log_->Append({&r, 1}).ok());
    }
  }

  testing::TempDir dir_;
  FakeClock clock_{1'000'000};
  std::unique_ptr<EventLog> log_;
};

// The second processor asking for the same records gets the same batch,
// scanned once; a processor behind gets the overlapping part and then
// shares again.
TEST_F(SourceReaderTest, SharesBatchesBetweenReadersOfOneLog) {
  SourceReader reader(log_.get(), &clock_, /*scan=*/true);
  const int64_t t0 = clock_.NowMicros();
  auto a = reader.Read(0, 0, 4, t0);
  auto b = reader.Read(0, 0, 4, t0);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->batch.get(), b->batch.get());
  ASSERT_EQ(a->size(), 4u);
  EXPECT_FALSE(a->to_end);
  EXPECT_TRUE(a->batch->records[0].scanned);
  EXPECT_EQ(a->batch->records[0].flat.Find("k")->text, "v0");
  // Part of the batch (records 2..3).
  auto c = reader.Read(0, 2, 4, t0);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->batch.get(), a->batch.get());
  EXPECT_EQ(c->size(), 2u);
  EXPECT_EQ(c->batch->records[c->first].record.sequence, 2u);
  EXPECT_FALSE(c->to_end);
  // Past the batch: a new read.
  auto d = reader.Read(0, 4, 100, t0);
  ASSERT_TRUE(d.ok());
  EXPECT_NE(d->batch.get(), a->batch.get());
  EXPECT_EQ(d->size(), 6u);
  EXPECT_TRUE(d->to_end);
}

// "Read to the end" is only handed on for a read made after the asker's
// clock reading: records appended since might be stamped before it.
TEST_F(SourceReaderTest, ToEndOnlyFromAFreshEnoughRead) {
  SourceReader reader(log_.get(), &clock_, /*scan=*/false);
  const int64_t t0 = clock_.NowMicros();
  auto a = reader.Read(0, 0, 100, t0);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->to_end);
  EXPECT_FALSE(a->batch->records[0].scanned);
  auto same = reader.Read(0, 10, 100, t0);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->size(), 0u);
  EXPECT_TRUE(same->to_end);
  Append(3);
  const int64_t later = clock_.NowMicros();
  auto b = reader.Read(0, 0, 100, later);
  ASSERT_TRUE(b.ok());
  EXPECT_NE(b->batch.get(), a->batch.get());
  EXPECT_EQ(b->size(), 13u);
  EXPECT_TRUE(b->to_end);
}

}  // namespace
}  // namespace pantry::stream
