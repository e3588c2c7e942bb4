// kill -9 the real `pantry stream run` at random points, restart it, and
// check that the rows it delivered equal an uninterrupted run's: none lost,
// none doubled (docs/stream.md, "Exactly once").
#include <signal.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/common/time_format.h"
#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::testing {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// (Not `"C" + std::to_string(i)`: GCC 12 -O3 warns falsely on that.)
std::string Id(const char* prefix, uint32_t i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

constexpr const char* kTumblingSpec = R"js({
  "name": "tumbling_event_time", "source": "click_stream",
  "partition_by": ["product_category"], "time_basis": "event_time",
  "allowed_lateness": "10s",
  "window": {"type": "tumbling", "size": "1m"},
  "aggregations": ["COUNT(*) AS n", "SUM(activity_weight) AS w", "MAX(product_health_index) AS h"]
})js";

TEST(StreamCrashTest, KillNineAndRestartNeitherLosesNorDoubles) {
  TempDir dir;
  const fs::path events = dir.path() / "events.jsonl";
  const fs::path spec = dir.path() / "tumbling.json";
  std::ofstream(spec) << kTumblingSpec;
  {
    std::ofstream out(events);
    std::mt19937 rng(7);
    const char* categories[] = {"Snacks", "Produce", "Dairy", "Bakery"};
    int64_t arrival = *ParseIso8601Micros("2026-01-05T09:00:00Z");
    for (int i = 0; i < 6000; ++i) {
      arrival += 50'000 + static_cast<int64_t>(rng() % 100'000);
      if (i % 997 == 0) {
        out << "garbage line " << i << "\n";
        continue;
      }
      OrderedJson e = {
          {"_arrival_time", FormatIso8601Micros(arrival)},
          {"event_time", FormatIso8601Micros(arrival - static_cast<int64_t>(rng() % 3'000'000))},
          {"customer_id", Id("C", rng() % 300)},
          {"product_id", Id("P", rng() % 50)},
          {"product_category", categories[rng() % 4]},
          {"activity_type", "added_to_cart"},
          {"activity_weight", static_cast<int>(1 + rng() % 2)},
          {"product_health_index", static_cast<int>(rng() % 10) / 10.0}};
      out << DumpJson(e) << "\n";
    }
  }
  const fs::path ref_home = dir.path() / "ref";
  const fs::path crash_home = dir.path() / "crash";
  {
    CommandResult r = RunPantry({"--home", ref_home.string(), "stream", "append", "--events",
                                 events.string(), "--shards", "4"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    fs::copy(ref_home, crash_home, fs::copy_options::recursive);
  }
  auto run_args = [&](const fs::path& home) {
    return std::vector<std::string>{"--home",
                                    home.string(),
                                    "stream",
                                    "run",
                                    "--drain",
                                    "--checkpoint-ms",
                                    "0",
                                    "--read-batch",
                                    "100",
                                    "--spec",
                                    "workshop",
                                    "--spec",
                                    "workshop-live",
                                    "--spec",
                                    spec.string(),
                                    "--sink-dir",
                                    (home / "out").string()};
  };
  auto start = std::chrono::steady_clock::now();
  CommandResult ref = RunPantry(run_args(ref_home));
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  const auto ref_micros = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count();

  std::mt19937 rng(12345);
  int killed_mid_run = 0;
  for (int run = 0; run < 12; ++run) {
    Subprocess pantry(PantryBinary(), run_args(crash_home));
    ASSERT_TRUE(pantry.started()) << pantry.error();
    std::this_thread::sleep_for(
        // Each killed run keeps the progress it checkpointed, so short delays
        // spread the kills over the whole input.
        std::chrono::microseconds(rng() % static_cast<uint64_t>(ref_micros / 5 + 1)));
    pantry.Stop(SIGKILL);
    if (pantry.term_signal() == SIGKILL) ++killed_mid_run;
  }
  CommandResult final_run = RunPantry(run_args(crash_home));
  ASSERT_EQ(final_run.exit_code, 0) << final_run.err;
  EXPECT_GE(killed_mid_run, 1) << "no kill landed while the processor worked";
  std::cerr << killed_mid_run << " of 12 runs were killed mid-run\n";

  for (const char* name :
       {"click_stream_stagger_2m", "click_stream_live_2m", "tumbling_event_time"}) {
    std::string expected = Slurp(ref_home / "out" / (std::string(name) + ".jsonl"));
    std::string actual = Slurp(crash_home / "out" / (std::string(name) + ".jsonl"));
    EXPECT_GT(expected.size(), 1000u) << name;
    EXPECT_EQ(std::count(expected.begin(), expected.end(), '\n'),
              std::count(actual.begin(), actual.end(), '\n'))
        << name;
    EXPECT_TRUE(expected == actual) << name << ": rows differ after " << killed_mid_run << " kills";
  }
}

}  // namespace
}  // namespace pantry::testing
