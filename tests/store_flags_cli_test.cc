// --online-store / --offline-store (and the config file's keys) reach the
// feature store of every command that opens a home: pointed at servers
// that do not listen, each command fails naming that backend instead of
// quietly using the embedded stores in the home.
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"

namespace pantry {
namespace {

namespace fs = std::filesystem;
using testing::RunPantry;

// Nothing listens on port 1 of the loopback: connections are refused at once.
constexpr char kDeadPostgres[] = "postgresql://postgres@127.0.0.1:1/pantry";
constexpr char kDeadRedis[] = "redis://127.0.0.1:1";

class StoreFlagsCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new testing::TempDir("pantry_flags_data");
    auto gen = RunPantry({"generate", "--out", data_->path().string(), "--customers", "50",
                          "--products", "60", "--click-rows", "500", "--eval-customers", "10"});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }

  // Every command that opens a home, with the arguments it needs.
  static std::vector<std::vector<std::string>> Commands() {
    const std::string data = data_->path().string();
    return {{"ingest", "customers", "--csv", (data_->path() / "customers.csv").string()},
            {"query", "SELECT 1"},
            {"train", "cf"},
            {"train", "cf", "--method", "blend"},
            {"train", "rank"},
            {"eval", "--data", data, "--epochs", "1"},
            {"recommend", "C1"},
            {"demo", "--data", data, "--exit"},
            {"serve", "--port", "0"}};
  }

  static testing::TempDir* data_;
};

testing::TempDir* StoreFlagsCliTest::data_ = nullptr;

std::string Joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += a + " ";
  return out;
}

TEST_F(StoreFlagsCliTest, OfflineStoreFlagReachesEveryCommand) {
  for (const auto& command : Commands()) {
    testing::TempDir home;
    std::vector<std::string> args = {"--home", home.path().string(), "--quiet", "--offline-store",
                                     kDeadPostgres};
    args.insert(args.end(), command.begin(), command.end());
    auto r = RunPantry(args);
    EXPECT_NE(r.exit_code, 0) << Joined(command) << r.out;
    EXPECT_NE(r.err.find("PostgreSQL"), std::string::npos)
        << Joined(command) << ": " << r.err << r.out;
  }
}

TEST_F(StoreFlagsCliTest, OnlineStoreFlagReachesEveryCommandThatReadsOnline) {
  for (const auto& command : Commands()) {
    // Training, eval and query read the offline store only; recommend opens
    // the store read-only, which in a fresh home stops at the missing
    // embedded offline store before it reaches the online one.
    if (command[0] == "train" || command[0] == "query" || command[0] == "eval" ||
        command[0] == "recommend") {
      continue;
    }
    testing::TempDir home;
    std::vector<std::string> args = {"--home", home.path().string(), "--quiet", "--online-store",
                                     kDeadRedis};
    args.insert(args.end(), command.begin(), command.end());
    auto r = RunPantry(args);
    EXPECT_NE(r.exit_code, 0) << Joined(command) << r.out;
    EXPECT_NE(r.err.find("127.0.0.1:1"), std::string::npos)
        << Joined(command) << ": " << r.err << r.out;
  }
}

TEST_F(StoreFlagsCliTest, ConfigFileKeysReachEveryCommand) {
  for (const auto& command : Commands()) {
    testing::TempDir home;
    std::ofstream(home.path() / "pantry.conf")
        << "# shared backends\noffline-store = " << kDeadPostgres << "\n";
    std::vector<std::string> args = {"--home", home.path().string(), "--quiet"};
    args.insert(args.end(), command.begin(), command.end());
    auto r = RunPantry(args);
    EXPECT_NE(r.exit_code, 0) << Joined(command) << r.out;
    EXPECT_NE(r.err.find("PostgreSQL"), std::string::npos)
        << Joined(command) << ": " << r.err << r.out;
  }
}

}  // namespace
}  // namespace pantry
