// Issue 13, item 6: the per-shard fsync of the file event log tracks
// generations, so an append is acknowledged only after an fsync that
// started after its own write has succeeded, and a failed fsync fails every
// append it may have lost. Also: segment files are private (0600).
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "pantry/stream/event_log.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::stream {
namespace {

namespace fs = std::filesystem;

// An fsync the test holds until released, and can make fail.
class GatedFsync {
 public:
  int Call(int) {
    std::unique_lock lock(mu_);
    ++started_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_ || released_ >= started_; });
    if (fail_next_) {
      fail_next_ = false;
      errno = EIO;
      return -1;
    }
    return 0;
  }
  void WaitStarted(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return started_ >= n; });
  }
  void ReleaseOne(bool fail) {
    std::lock_guard lock(mu_);
    fail_next_ = fail;
    ++released_;
    cv_.notify_all();
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  int started() {
    std::lock_guard lock(mu_);
    return started_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int started_ = 0, released_ = 0;
  bool fail_next_ = false, open_ = false;
};

class EventLogSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EventLogOptions options;
    options.shards = 1;  // every append to the same shard
    options.fsync_for_testing = [this](int fd) { return gate_.Call(fd); };
    auto log = EventLog::OpenFile(home_.path(), "clicks", options);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
  }
  void TearDown() override {
    gate_.Open();
    log_.reset();
  }

  std::future<Status> AppendAsync(const std::string& key) {
    return std::async(std::launch::async, [this, key] {
      AppendRecord record{key, "{}"};
      return log_->Append(std::span<const AppendRecord>(&record, 1)).status();
    });
  }

  static bool Done(std::future<Status>& f) {
    return f.wait_for(std::chrono::milliseconds(100)) == std::future_status::ready;
  }

  testing::TempDir home_{"pantry_log_sync"};
  GatedFsync gate_;
  std::unique_ptr<EventLog> log_;
};

// The old shared dirty flag acknowledged the second writer at once while
// the first writer's fsync (which did not cover it) was still running.
TEST_F(EventLogSyncTest, EachWriterWaitsForAnFsyncThatCoversItsWrite) {
  auto first = AppendAsync("a");
  gate_.WaitStarted(1);
  auto second = AppendAsync("b");
  EXPECT_FALSE(Done(second)) << "acknowledged while no fsync covering it had finished";
  gate_.ReleaseOne(/*fail=*/false);
  EXPECT_TRUE(first.get().ok());
  // The first fsync did not cover the second write: it needs one of its own.
  gate_.WaitStarted(2);
  EXPECT_FALSE(Done(second));
  gate_.ReleaseOne(/*fail=*/false);
  EXPECT_TRUE(second.get().ok());
  EXPECT_EQ(gate_.started(), 2);
}

TEST_F(EventLogSyncTest, AFailedFsyncFailsEveryWriteItMayHaveLost) {
  auto first = AppendAsync("a");
  gate_.WaitStarted(1);
  auto second = AppendAsync("b");  // written while the failing fsync runs
  EXPECT_FALSE(Done(second));
  gate_.ReleaseOne(/*fail=*/true);
  Status a = first.get();
  EXPECT_EQ(a.code(), StatusCode::kIOError) << a;
  Status b = second.get();
  EXPECT_EQ(b.code(), StatusCode::kIOError) << "must not be acknowledged after the failure: " << b;
  // A write after the failure gets a fresh fsync and is acknowledged.
  auto third = AppendAsync("c");
  gate_.WaitStarted(2);
  gate_.ReleaseOne(/*fail=*/false);
  EXPECT_TRUE(third.get().ok());
}

TEST_F(EventLogSyncTest, SegmentFilesAndDirectoriesArePrivate) {
  gate_.Open();
  AppendRecord record{"a", "{}"};
  ASSERT_TRUE(log_->Append(std::span<const AppendRecord>(&record, 1)).ok());
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(home_.path() / "stream")) {
    struct stat st;
    ASSERT_EQ(::stat(entry.path().c_str(), &st), 0);
    if (entry.is_directory()) {
      EXPECT_EQ(st.st_mode & 0077, 0u) << entry.path();
    } else if (entry.path().extension() == ".log" ||
               entry.path().filename().string().find("segment") != std::string::npos) {
      EXPECT_EQ(st.st_mode & 0077, 0u) << entry.path();
      ++files;
    }
  }
  EXPECT_GT(files, 0);
}

}  // namespace
}  // namespace pantry::stream
