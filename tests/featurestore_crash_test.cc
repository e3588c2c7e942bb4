// Crash safety with a real process: `pantry ingest` is SIGKILLed mid-way
// (at a random point, and deterministically between an offline commit and
// its online write); after reopening, every acknowledged row must be in the
// offline store exactly once and the online store must hold the latest.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "pantry/featurestore/feature_store.h"
#include "tests/test_util.h"

namespace pantry::featurestore {
namespace {

using pantry::testing::RunPantry;
using pantry::testing::TempDir;

constexpr int kRows = 60000;
constexpr int kIds = 3000;
constexpr int kBatch = 1000;  // large enough for the overlapped write path

std::string Id(int k) {
  std::string id = "R";
  id += std::to_string(k);
  return id;
}
std::string IdOf(int row) { return Id((row * 7919) % kIds); }

void WriteFixture(const std::filesystem::path& dir) {
  std::ofstream defs(dir / "defs.json");
  defs << R"([{"FeatureName":"id","FeatureType":"String"},
              {"FeatureName":"event_time","FeatureType":"Fractional"},
              {"FeatureName":"seq","FeatureType":"Integral"},
              {"FeatureName":"payload","FeatureType":"String"}])";
  std::ofstream csv(dir / "rows.csv");
  csv << "id,event_time,seq,payload\n";
  for (int i = 0; i < kRows; ++i) {
    csv << IdOf(i) << "," << 1700000000 + i << "," << i << ",payload-" << i << "\n";
  }
}

// Runs `pantry ingest` with --report-commits; kills it with SIGKILL once it
// acknowledged >= kill_after rows (if kill_after > 0). Returns the highest
// acknowledged count.
int64_t IngestAndKill(const std::filesystem::path& home, const std::filesystem::path& csv,
                      int64_t kill_after, const char* crash_env) {
  int pipefd[2];
  EXPECT_EQ(pipe(pipefd), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pipefd[1], 1);
    close(pipefd[0]);
    close(pipefd[1]);
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    if (crash_env) setenv("PANTRY_TEST_CRASH_AFTER_OFFLINE_COMMITS", crash_env, 1);
    execl(PANTRY_BINARY, PANTRY_BINARY, "--home", home.c_str(), "--quiet", "ingest", "crash",
          "--csv", csv.c_str(), "--batch-size", std::to_string(kBatch).c_str(), "--report-commits",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipefd[1]);
  FILE* out = fdopen(pipefd[0], "r");
  char line[256];
  int64_t acked = 0;
  bool killed = false;
  while (fgets(line, sizeof(line), out)) {
    long long n = 0;
    if (sscanf(line, "committed %lld", &n) == 1) acked = n;
    if (kill_after > 0 && acked >= kill_after && !killed) {
      kill(pid, SIGKILL);
      killed = true;
    }
  }
  fclose(out);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "ingest was expected to die by SIGKILL, status " << status;
  return acked;
}

// Opens the store (running recovery) and checks the invariants.
void Verify(const std::filesystem::path& home, int64_t acked) {
  FeatureStoreOptions o;
  o.home = home;
  auto store_or = FeatureStore::Open(o);
  ASSERT_TRUE(store_or.ok()) << store_or.status();
  auto& store = *store_or;
  auto result = store->Query("SELECT seq FROM crash ORDER BY rowid");
  ASSERT_TRUE(result.ok()) << result.status();
  const int64_t present = static_cast<int64_t>(result->rows.size());
  // Every acknowledged row is there, exactly once, and what is there is a
  // prefix of the file in file order (batches are atomic: whole batches).
  ASSERT_GE(present, acked);
  EXPECT_TRUE(present % kBatch == 0 || present == kRows) << present;
  for (int64_t i = 0; i < present; ++i) {
    ASSERT_EQ(result->rows[i][0].int_value(), i) << "offline row " << i;
  }
  // Online: the latest row of the prefix per id; ids only in the rest absent.
  std::map<std::string, int64_t> latest;
  for (int64_t i = 0; i < present; ++i) latest[IdOf(static_cast<int>(i))] = i;
  for (int k = 0; k < kIds; ++k) {
    const std::string id = Id(k);
    auto r = store->GetRecord("crash", id);
    ASSERT_TRUE(r.ok()) << r.status();
    auto it = latest.find(id);
    if (it == latest.end()) {
      EXPECT_FALSE(r->has_value()) << id;
    } else {
      ASSERT_TRUE(r->has_value()) << id;
      EXPECT_EQ((*r)->Find("seq")->int_value(), it->second) << id;
    }
  }
}

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFixture(dir_.path());
    auto r = RunPantry({"--home", home().string(), "fg", "create", "crash", "--record-id", "id",
                        "--definitions", (dir_.path() / "defs.json").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::filesystem::path home() const { return dir_.path() / "home"; }
  std::filesystem::path csv() const { return dir_.path() / "rows.csv"; }
  TempDir dir_;
};

TEST_F(CrashTest, KillDuringIngestKeepsAcknowledgedRowsExactlyOnce) {
  const int64_t acked = IngestAndKill(home(), csv(), 8000, nullptr);
  ASSERT_GE(acked, 8000);
  Verify(home(), acked);
}

TEST_F(CrashTest, KillBetweenOfflineAndOnlineWriteIsRecovered) {
  // Dies right after the 7th batch is committed offline, before its online
  // write: 6 batches acknowledged, 7 in the offline store; recovery must
  // apply the 7th online without duplicating anything offline.
  const int64_t acked = IngestAndKill(home(), csv(), 0, "7");
  EXPECT_EQ(acked, 6 * kBatch);
  Verify(home(), 7 * kBatch);
  // Ingesting again after recovery appends (no lost or doubled journal).
  auto r = RunPantry({"--home", home().string(), "query", "--format", "csv",
                      "SELECT count(*) AS n, count(DISTINCT seq) AS d FROM crash"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "n,d\n7000,7000\n");
}

}  // namespace
}  // namespace pantry::featurestore
