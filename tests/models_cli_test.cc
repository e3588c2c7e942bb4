// End to end: `pantry generate` a small dataset, `pantry eval` it (loads the
// workshop groups into the feature store, trains both models, scores them
// against truth/), then `pantry train cf|rank` on the same home.
#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/testing/subprocess.h"
#include "pantry/testing/temp_dir.h"

namespace pantry {
namespace {

using testing::RunPantry;
using testing::TempDir;

TEST(ModelsCliTest, EvalThenTrainPublishesVersions) {
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  const std::string home = (dir.path() / "home").string();
  auto gen = RunPantry({"generate", "--out", data, "--customers", "300", "--products", "400",
                        "--click-rows", "8000", "--eval-customers", "100"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;

  const std::string report = (dir.path() / "report.json").string();
  auto eval = RunPantry({"--home", home, "--quiet", "eval", "--data", data, "--epochs", "3",
                         "--factors", "8", "--threads", "1", "--report", report});
  ASSERT_EQ(eval.exit_code, 0) << eval.err << eval.out;
  EXPECT_NE(eval.out.find("CF recall@100"), std::string::npos) << eval.out;
  auto json = ReadJsonFile(report);
  ASSERT_TRUE(json.ok()) << json.status();
  for (const char* key :
       {"recall_at_10", "recall_at_100", "oracle_recall_at_100", "popularity_recall_at_100"}) {
    ASSERT_TRUE((*json)["cf"][key].is_number()) << key;
  }
  double auc = (*json)["rank"]["auc"].get<double>();
  EXPECT_GT(auc, 0.5);
  EXPECT_LE(auc, 1.0);

  auto cf = RunPantry({"--home", home, "--quiet", "train", "cf", "--epochs", "2", "--factors", "4",
                       "--threads", "1"});
  ASSERT_EQ(cf.exit_code, 0) << cf.err;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "home" / "models" / "cf" / "current"));
  auto rank = RunPantry(
      {"--home", home, "--quiet", "train", "rank", "--threads", "1", "--param", "num_round=5"});
  ASSERT_EQ(rank.exit_code, 0) << rank.err;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "home" / "models" / "rank" / "current"));

  auto bad = RunPantry({"--home", home, "train", "cf", "--hp", "num_factorz=3"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("unknown factorization machine hyperparameter 'num_factorz'"),
            std::string::npos)
      << bad.err;
  auto bad_param = RunPantry({"--home", home, "train", "rank", "--param", "depth=3"});
  EXPECT_EQ(bad_param.exit_code, 1);
  EXPECT_NE(bad_param.err.find("unknown ranker parameter 'depth'"), std::string::npos);
}

TEST(ModelsCliTest, TrainOnEmptyHomeIsAClearError) {
  TempDir dir;
  auto cf = RunPantry({"--home", dir.path().string(), "train", "cf"});
  EXPECT_EQ(cf.exit_code, 1);
  EXPECT_NE(cf.err.find("pantry: error:"), std::string::npos) << cf.err;
}

}  // namespace
}  // namespace pantry
