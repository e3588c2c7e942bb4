// Choosing the feature store backends on the command line, in a config file
// and through the environment, end to end with the real binary and a real
// redis-server.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "pantry/testing/redis_server.h"
#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::featurestore {
namespace {

using pantry::testing::CommandResult;
using pantry::testing::PantryBinary;
using pantry::testing::RedisServer;
using pantry::testing::RunCommand;
using pantry::testing::TempDir;

class StoreBackendsCliTest : public ::testing::Test {
 protected:
  CommandResult Run(std::vector<std::string> args, const std::vector<std::string>* env = nullptr) {
    args.insert(args.begin(), {"--home", home_.string(), "--quiet"});
    return RunCommand(PantryBinary(), args, env);
  }
  void WriteFile(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path) << text;
  }
  void CreateScores(const std::vector<std::string>& flags, const std::vector<std::string>* env) {
    WriteFile(dir_ / "defs.json",
              R"({"FeatureDefinitions":[{"FeatureName":"customer_id","FeatureType":"Integral"},
                {"FeatureName":"event_time","FeatureType":"String"},
                {"FeatureName":"score","FeatureType":"Fractional"}]})");
    std::vector<std::string> args = flags;
    for (const char* a :
         {"fg", "create", "scores", "--record-id", "customer_id", "--definitions"}) {
      args.emplace_back(a);
    }
    args.push_back((dir_ / "defs.json").string());
    auto r = Run(args, env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  TempDir dir_;
  std::filesystem::path home_ = dir_ / "home";
};

TEST_F(StoreBackendsCliTest, BadBackendsAreRefusedAtStartup) {
  auto r = Run({"--online-store", "dynamodb", "fg", "list"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--online-store: online store \"dynamodb\": expected rocksdb, memory"),
            std::string::npos)
      << r.err;
  r = Run({"--online-store", "redis://u:hunter2@h:99999", "fg", "list"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("port \"99999\""), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << "password echoed: " << r.err;
  r = Run({"--event-log", "kafka://localhost", "fg", "list"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("expected file (the embedded log) or redis://"), std::string::npos) << r.err;
  r = Run({"--event-log", "redis://h:99999", "fg", "list"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--event-log"), std::string::npos) << r.err;
  r = Run({"--offline-store", "postgresql://u:pw@db/pantry", "fg", "list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("PostgreSQL offline store unreachable"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(":pw@"), std::string::npos) << r.err;
  WriteFile(dir_ / "bad.conf", "# backends\nonline-store = memory\ncolour = blue\n");
  r = Run({"--config", (dir_ / "bad.conf").string(), "fg", "list"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.conf:3: unknown key \"colour\""), std::string::npos) << r.err;
  r = Run({"--config", (dir_ / "missing.conf").string(), "fg", "list"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot be read"), std::string::npos) << r.err;
}

TEST_F(StoreBackendsCliTest, HomeConfigFileSelectsRedisAndFlagsOverrideIt) {
  auto server = RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  std::filesystem::create_directories(home_);
  WriteFile(home_ / "pantry.conf", "online-store = " + (*server)->url() + "?prefix=shop\n");
  CreateScores({}, nullptr);
  auto p = Run({"put", "scores", "--record",
                R"({"customer_id": 7, "event_time": "2026-01-01T00:00:00Z", "score": 0.5})"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto keys = (*server)->Cli({"--raw", "KEYS", "shop:*"});
  ASSERT_TRUE(keys.ok());
  EXPECT_NE(keys->find("shop:scores:7"), std::string::npos) << *keys;
  auto g = Run({"get", "scores", "7"});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_NE(g.out.find("\"0.5\""), std::string::npos) << g.out;
  // The record lives in Redis: removing it there makes it absent.
  ASSERT_TRUE((*server)->Cli({"DEL", "shop:scores:7"}).ok());
  EXPECT_NE(Run({"get", "scores", "7"}).exit_code, 0);
  // A flag overrides the file: a stopped Redis no longer matters.
  server->reset();
  g = Run({"get", "scores", "7"});
  EXPECT_EQ(g.exit_code, 1);
  EXPECT_NE(g.err.find("redis 127.0.0.1:"), std::string::npos) << g.err;
  g = Run({"--online-store", "memory", "get", "scores", "7"});
  EXPECT_NE(g.exit_code, 2) << g.err;
  EXPECT_EQ(g.err.find("redis"), std::string::npos) << g.err;
}

TEST_F(StoreBackendsCliTest, RedisPasswordFromTheEnvironment) {
  auto server = RedisServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE((*server)->Cli({"CONFIG", "SET", "requirepass", "s3cret"}).ok());
  const std::vector<std::string> flags = {"--online-store", (*server)->url()};
  std::vector<std::string> no_password = {"HOME=/tmp"};
  std::vector<std::string> env = {"HOME=/tmp", "PANTRY_REDIS_PASSWORD=s3cret"};
  CreateScores(flags, &env);
  auto denied = Run({"--online-store", (*server)->url(), "put", "scores", "--record",
                     R"({"customer_id": 1, "event_time": "2026-01-01T00:00:00Z"})"},
                    &no_password);
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_NE(denied.err.find("requires a password"), std::string::npos) << denied.err;
  auto ok = Run({"--online-store", (*server)->url(), "put", "scores", "--record",
                 R"({"customer_id": 1, "event_time": "2026-01-01T00:00:00Z"})"},
                &env);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

}  // namespace
}  // namespace pantry::featurestore
