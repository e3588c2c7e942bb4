// End to end: `pantry generate` a small dataset, `pantry eval` it (loads the
// workshop groups into the feature store, trains both models, scores them
// against truth/), then `pantry train cf|rank` on the same home.
#include <fstream>
#include <string>

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
  EXPECT_NE(eval.out.find("blend (pantry)"), std::string::npos) << eval.out;
  EXPECT_NE(eval.out.find("FM (workshop)"), std::string::npos) << eval.out;
  EXPECT_NE(eval.out.find("item-kNN (baseline)"), std::string::npos) << eval.out;
  auto json = ReadJsonFile(report);
  ASSERT_TRUE(json.ok()) << json.status();
  for (const char* key :
       {"recall_at_10", "recall_at_100", "oracle_recall_at_100", "popularity_recall_at_100"}) {
    ASSERT_TRUE((*json)["cf"][key].is_number()) << key;
  }
  for (const char* source :
       {"blend", "als", "item_knn", "blend_cold_start", "blend_profile_only"}) {
    ASSERT_TRUE((*json)["retrieval"][source]["recall_at_100"].is_number()) << source;
  }
  double auc = (*json)["rank"]["auc"].get<double>();
  EXPECT_GT(auc, 0.5);
  EXPECT_LE(auc, 1.0);
  // The two-stage ranker, with the single-stage view's AUC beside it.
  EXPECT_TRUE((*json)["rank"]["two_stage"].get<bool>());
  EXPECT_TRUE((*json)["rank"]["auc_single_stage"].is_number());
  EXPECT_TRUE((*json)["rank"]["oracle_auc"].is_number());
  EXPECT_NE(eval.out.find("ranker AUC, single-stage view"), std::string::npos) << eval.out;

  auto cf = RunPantry({"--home", home, "--quiet", "train", "cf", "--method", "fm", "--epochs", "2",
                       "--factors", "4", "--threads", "1"});
  ASSERT_EQ(cf.exit_code, 0) << cf.err;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "home" / "models" / "cf" / "current"));
  // The blend is published beside the FM, not over it.
  auto blend =
      RunPantry({"--home", home, "--quiet", "train", "cf", "--method", "blend", "--threads", "1"});
  ASSERT_EQ(blend.exit_code, 0) << blend.err;
  const auto retrieval_root = dir.path() / "home" / "models" / "retrieval";
  std::ifstream current_file(retrieval_root / "current");
  std::string current;
  std::getline(current_file, current);
  const auto retrieval = retrieval_root / current;
  EXPECT_TRUE(std::filesystem::exists(retrieval / "blend" / "blend.json"));
  EXPECT_TRUE(std::filesystem::exists(retrieval / "products.txt"));
  auto metrics = ReadJsonFile(retrieval / "metrics.json");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_GT((*metrics)["evidence_pairs"].get<int64_t>(), 0);
  auto bad_method = RunPantry({"--home", home, "train", "cf", "--method", "bpr"});
  EXPECT_NE(bad_method.exit_code, 0);
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
