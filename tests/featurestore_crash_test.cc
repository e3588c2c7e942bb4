// Crash safety with a real process: `pantry ingest` is SIGKILLed mid-way
// (at a random point, and deterministically between an offline commit and
// its online write, by the test-only crashing_pantry's feature store hook);
// after reopening, every acknowledged row must be in the
// offline store exactly once and the online store must hold the latest.
#include <signal.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <optional>

#include "pantry/featurestore/feature_store.h"
#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"

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

// Runs `pantry ingest` with --report-commits and returns the highest
// acknowledged row count. Kills it with SIGKILL once it acknowledged >=
// kill_after rows (if kill_after > 0); with crash_after_commits > 0 it runs
// crashing_pantry instead, which kills itself right after that many offline
// commits, before the online write.
int64_t IngestAndKill(const std::filesystem::path& home, const std::filesystem::path& csv,
                      int64_t kill_after, int crash_after_commits) {
  std::vector<std::string> args = {"--home",          home.string(),  "--quiet",
                                   "ingest",          "crash",        "--csv",
                                   csv.string(),      "--batch-size", std::to_string(kBatch),
                                   "--report-commits"};
  std::string binary = pantry::testing::PantryBinary();
  if (crash_after_commits > 0) {
    binary = pantry::testing::CrashingPantryBinary();
    args.insert(args.begin(),
                {"--crash-after-offline-commits", std::to_string(crash_after_commits)});
  }
  pantry::testing::Subprocess ingest(binary, args, {.pipe_stdout = true});
  EXPECT_TRUE(ingest.started()) << ingest.error();
  int64_t acked = 0;
  bool killed = false;
  while (std::optional<std::string> line = ingest.ReadLine()) {
    long long n = 0;
    if (sscanf(line->c_str(), "committed %lld", &n) == 1) acked = n;
    if (kill_after > 0 && acked >= kill_after && !killed) {
      kill(ingest.pid(), SIGKILL);
      killed = true;
    }
  }
  ingest.Wait();
  EXPECT_EQ(ingest.term_signal(), SIGKILL) << "ingest was expected to die by SIGKILL";
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
  const int64_t acked = IngestAndKill(home(), csv(), 8000, 0);
  ASSERT_GE(acked, 8000);
  Verify(home(), acked);
}

TEST_F(CrashTest, KillBetweenOfflineAndOnlineWriteIsRecovered) {
  // Dies right after the 7th batch is committed offline, before its online
  // write: 6 batches acknowledged, 7 in the offline store; recovery must
  // apply the 7th online without duplicating anything offline.
  const int64_t acked = IngestAndKill(home(), csv(), 0, 7);
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
