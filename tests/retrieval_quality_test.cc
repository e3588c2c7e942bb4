// Retrieval quality on generated data: datagen's generator writes a small
// dataset in-process, the retrieval models (models/blend.h) train on its
// purchase evidence (orders plus bought clicks before the held-out time)
// and are scored with datagen's ground truth, the same recall function
// and customers as the oracle and popularity figures in truth/summary.json.
//
// DISABLED_MeasureDataset prints the figures for any generated dataset:
//   PANTRY_QUALITY_DATA=/tmp/gen10k build/release/bin/retrieval_quality_test
//     --gtest_also_run_disabled_tests --gtest_filter='*MeasureDataset*'
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pantry/common/csv_columns.h"
#include "pantry/datagen/generator.h"
#include "pantry/datagen/ground_truth.h"
#include "pantry/datagen/purchase_evidence.h"
#include "pantry/models/blend.h"
#include "pantry/models/interactions.h"
#include "pantry/testing/temp_dir.h"

namespace pantry {
namespace {

namespace fs = std::filesystem;
using models::Candidate;
using models::CandidateSource;
using models::IdDictionary;
using models::InteractionMatrix;
using models::RetrievalQuery;

// A generated dataset as the retrieval models see it.
struct RetrievalData {
  IdDictionary customers, products, categories;
  std::vector<uint32_t> product_category;  // per product
  std::vector<uint32_t> customer_segment;  // per customer
  InteractionMatrix matrix;
};

// The profile segment of a customer without history: health band (5) ×
// age band (18-21, 22-40, 41-60, 61+), the customer attributes that move
// category preferences most in the generator's model.
uint32_t Segment(double health, int age) {
  const uint32_t health_band = std::min(4u, static_cast<uint32_t>(health * 5));
  const uint32_t age_band = age < 22 ? 0 : (age <= 40 ? 1 : (age <= 60 ? 2 : 3));
  return health_band * 4 + age_band;
}

StatusOr<RetrievalData> LoadRetrievalData(const fs::path& dir, int64_t clicks_before,
                                          float view_weight = 0) {
  RetrievalData d;
  RETURN_IF_ERROR(ForEachCsvRow(dir / "products.csv", {"product_id", "product_category"},
                                [&](const std::vector<std::string_view>& f) -> Status {
                                  d.products.Intern(f[0]);
                                  d.product_category.push_back(d.categories.Intern(f[1]));
                                  return Status::Ok();
                                }));
  RETURN_IF_ERROR(ForEachCsvRow(dir / "customers.csv",
                                {"customer_id", "customer_health_index", "age"},
                                [&](const std::vector<std::string_view>& f) {
                                  d.customers.Intern(f[0]);
                                  d.customer_segment.push_back(Segment(
                                      std::stod(std::string(f[1])), std::stoi(std::string(f[2]))));
                                  return Status::Ok();
                                }));
  InteractionMatrix::Builder builder;
  datagen::EvidenceOptions options;
  options.clicks_before_micros = clicks_before;
  options.view_weight = view_weight;
  RETURN_IF_ERROR(
      datagen::ForEachEvidenceRow(dir, options, [&](const datagen::EvidenceRow& row) -> Status {
        auto customer = d.customers.Find(row.customer_id);
        auto product = d.products.Find(row.product_id);
        if (!customer || !product) {
          return InvalidArgumentError(
              "evidence names an unknown id: " + std::string(row.customer_id) + " / " +
              std::string(row.product_id));
        }
        return builder.Add({*customer, *product, row.weight, row.time_micros});
      }));
  d.matrix = std::move(builder).Build(d.customers.size(), d.products.size());
  return d;
}

// Mean recall@k over the eval sample of `source`'s candidates; with
// `cold`, each customer is queried as if new (profile segment only).
double Recall(const datagen::GroundTruth& truth, const RetrievalData& d,
              const CandidateSource& source, int k, bool cold = false) {
  return datagen::MeanRecallAtK(truth, k, [&](const std::string& customer_id) {
    RetrievalQuery q;
    const uint32_t c = *d.customers.Find(customer_id);
    if (cold) {
      q.segment = d.customer_segment[c];
    } else {
      q.customer = c;
    }
    std::vector<std::string> ranked;
    for (const Candidate& x : source.Retrieve(q, static_cast<size_t>(k))) {
      ranked.push_back(d.products.key(x.product));
    }
    return ranked;
  });
}

TEST(RetrievalQualityTest, BlendBeatsPopularityOnGeneratedData) {
  testing::TempDir tmp;
  datagen::GenerateOptions g;
  g.out = tmp.path() / "data";
  g.customers = 3000;
  g.products = 2000;
  g.click_rows = 200000;
  g.seed = 7;
  g.threads = 2;
  g.eval_customers = 1000;
  ASSERT_TRUE(datagen::GenerateDataset(g).ok());
  auto truth = datagen::LoadGroundTruth(g.out);
  ASSERT_TRUE(truth.ok()) << truth.status();
  auto data = LoadRetrievalData(g.out, truth->click_heldout_from_micros);
  ASSERT_TRUE(data.ok()) << data.status();

  models::RetrievalTrainOptions o;
  o.als.threads = 2;
  o.item_knn.threads = 2;
  auto blend = models::TrainBlendedRetriever(data->matrix, data->product_category,
                                             data->customer_segment, o);
  ASSERT_TRUE(blend.ok()) << blend.status();

  const double popularity = truth->summary["popularity_recall_at_100"].get<double>();
  const double oracle = truth->summary["oracle_recall_at_100"].get<double>();
  const double recall = Recall(*truth, *data, **blend, 100);
  std::printf("recall@100: blend %.4f, popularity %.4f, oracle %.4f\n", recall, popularity, oracle);
  EXPECT_GT(recall, popularity);
  EXPECT_GT(recall, 1.5 * popularity);
  EXPECT_LE(recall, oracle + 0.02);  // no ranker beats the oracle beyond noise
  // Cold start (segment only) still beats plain popularity.
  const double cold = Recall(*truth, *data, **blend, 100, /*cold=*/true);
  std::printf("recall@100 cold start: %.4f\n", cold);
  EXPECT_GT(cold, popularity);
}

// Not a CI test: prints every source's recall on the dataset named by
// $PANTRY_QUALITY_DATA (docs/quality.md).
TEST(RetrievalQualityTest, DISABLED_MeasureDataset) {
  const char* env = std::getenv("PANTRY_QUALITY_DATA");
  ASSERT_NE(env, nullptr) << "set PANTRY_QUALITY_DATA to a `pantry generate` folder";
  const fs::path dir = env;
  const char* views_env = std::getenv("PANTRY_QUALITY_VIEW_WEIGHT");
  const float view_weight = views_env ? std::stof(views_env) : 0.0f;
  auto truth = datagen::LoadGroundTruth(dir);
  ASSERT_TRUE(truth.ok()) << truth.status();
  auto start = std::chrono::steady_clock::now();
  auto data = LoadRetrievalData(dir, truth->click_heldout_from_micros, view_weight);
  ASSERT_TRUE(data.ok()) << data.status();
  auto seconds = [&] {
    auto now = std::chrono::steady_clock::now();
    double s = std::chrono::duration<double>(now - start).count();
    start = now;
    return s;
  };
  std::printf("evidence: %u customers, %u products, %zu pairs (view weight %.2f), %.1fs\n",
              data->matrix.num_customers(), data->matrix.num_products(), data->matrix.nnz(),
              view_weight, seconds());
  models::RetrievalTrainOptions o;
  auto blend = models::TrainBlendedRetriever(data->matrix, data->product_category,
                                             data->customer_segment, o);
  ASSERT_TRUE(blend.ok()) << blend.status();
  std::printf("trained blend in %.1fs\n", seconds());
  models::PopularityOptions plain;
  plain.category_aware = false;
  auto popularity = models::PopularityModel::Train(data->matrix, {}, {}, plain);
  ASSERT_TRUE(popularity.ok());
  std::printf("%-22s %10s %10s\n", "source", "recall@10", "recall@100");
  auto row = [&](const char* name, const CandidateSource& s, bool cold = false) {
    std::printf("%-22s %10.4f %10.4f\n", name, Recall(*truth, *data, s, 10, cold),
                Recall(*truth, *data, s, 100, cold));
  };
  row("als", *(*blend)->Find("als"));
  row("item_knn", *(*blend)->Find("item_knn"));
  row("category_popularity", *(*blend)->Find("popularity"));
  row("popularity", **popularity);
  row("blend", **blend);
  row("blend cold start", **blend, /*cold=*/true);
  std::printf("%-22s %10.4f %10.4f\n", "oracle",
              truth->summary["oracle_recall_at_10"].get<double>(),
              truth->summary["oracle_recall_at_100"].get<double>());
  std::printf("%-22s %10.4f %10.4f\n", "popularity (truth)",
              truth->summary["popularity_recall_at_10"].get<double>(),
              truth->summary["popularity_recall_at_100"].get<double>());
}

}  // namespace
}  // namespace pantry
