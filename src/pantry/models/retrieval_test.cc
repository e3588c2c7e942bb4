#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pantry/common/file_util.h"
#include "pantry/models/als.h"
#include "pantry/models/array_file.h"
#include "pantry/models/blend.h"
#include "pantry/models/interactions.h"
#include "pantry/models/item_knn.h"
#include "pantry/models/popularity.h"
#include "pantry/models/retrieval.h"

namespace pantry::models {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

fs::path MakeTempDir() {
  std::string pattern = (fs::temp_directory_path() / "pantry-retrieval-test-XXXXXX").string();
  EXPECT_NE(mkdtemp(pattern.data()), nullptr);
  return pattern;
}

// Planted structure: customers in group g (c % 2) buy products of block g
// (p < 20: block 0, 20 <= p < 40: block 1) almost exclusively; product 40 is
// bought by everyone (the popular one); products 41..49 are never bought.
constexpr uint32_t kCustomers = 200, kProducts = 50;

uint32_t Block(uint32_t product) { return product < 20 ? 0 : (product < 40 ? 1 : 2); }

InteractionMatrix PlantedMatrix(uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  InteractionMatrix::Builder b;
  for (uint32_t c = 0; c < kCustomers; ++c) {
    const uint32_t group = c % 2;
    for (int n = 0; n < 6; ++n) {
      const uint32_t p = group * 20 + static_cast<uint32_t>(rng() % 20);
      EXPECT_TRUE(b.Add({c, p, 1.0f, int64_t{n} * 1000}).ok());
    }
    EXPECT_TRUE(b.Add({c, 40, 1.0f, 0}).ok());
  }
  return std::move(b).Build(kCustomers, kProducts);
}

std::vector<uint32_t> CategoryPerProduct() {
  std::vector<uint32_t> category(kProducts);
  for (uint32_t p = 0; p < kProducts; ++p) category[p] = Block(p);
  return category;
}

// Share of the top `k` that lies in `block`.
double ShareInBlock(const std::vector<Candidate>& top, uint32_t block, size_t k) {
  size_t hits = 0, n = std::min(k, top.size());
  for (size_t i = 0; i < n; ++i) hits += Block(top[i].product) == block;
  return n ? static_cast<double>(hits) / n : 0.0;
}

TEST(InteractionMatrixTest, AggregatesPairsAndIndexesBothWays) {
  InteractionMatrix::Builder b;
  ASSERT_TRUE(b.Add({2, 5, 1.0f, 100}).ok());
  ASSERT_TRUE(b.Add({0, 3, 0.5f, 50}).ok());
  ASSERT_TRUE(b.Add({2, 5, 2.0f, 70}).ok());
  ASSERT_TRUE(b.Add({2, 1, 1.0f, 10}).ok());
  EXPECT_EQ(b.interactions(), 4);
  EXPECT_FALSE(b.Add({0, 1, 0.0f, 0}).ok());
  EXPECT_FALSE(b.Add({0, 1, NAN, 0}).ok());
  EXPECT_FALSE(b.Add({kNoId, 1, 1.0f, 0}).ok());
  const InteractionMatrix m = std::move(b).Build(0, 8);
  EXPECT_EQ(m.num_customers(), 3u);
  EXPECT_EQ(m.num_products(), 8u);
  EXPECT_EQ(m.nnz(), 3u);
  const auto row = m.customer(2);
  ASSERT_EQ(row.items.size(), 2u);
  EXPECT_EQ(row.items[0], 1u);
  EXPECT_EQ(row.items[1], 5u);
  EXPECT_FLOAT_EQ(row.weights[1], 3.0f);
  EXPECT_EQ(row.counts[1], 2u);
  EXPECT_EQ(row.times[1], 100);
  EXPECT_TRUE(m.customer(1).items.empty());
  ASSERT_EQ(m.product_customers(5).size(), 1u);
  EXPECT_EQ(m.product_customers(5)[0], 2u);
  EXPECT_FLOAT_EQ(m.product_weights(3)[0], 0.5f);
  EXPECT_TRUE(m.product_customers(7).empty());
}

TEST(InteractionMatrixTest, CompactsManyRepeatsWithoutLosingWeight) {
  InteractionMatrix::Builder b;
  // 2.2M interactions over 100 pairs: the buffer is merged twice.
  for (int i = 0; i < 2200000; ++i) {
    ASSERT_TRUE(
        b.Add({static_cast<uint32_t>(i % 100), static_cast<uint32_t>(i % 10), 1.0f, i}).ok());
  }
  const InteractionMatrix m = std::move(b).Build();
  EXPECT_EQ(m.nnz(), 100u);  // i % 100 determines i % 10
  double total = 0;
  uint64_t count = 0;
  for (uint32_t c = 0; c < m.num_customers(); ++c) {
    for (float w : m.customer(c).weights) total += w;
    for (uint32_t n : m.customer(c).counts) count += n;
  }
  EXPECT_DOUBLE_EQ(total, 2200000.0);
  EXPECT_EQ(count, 2200000u);
  EXPECT_EQ(m.customer(99).times[0], 2199999);
}

TEST(IdDictionaryTest, InternsAndRoundTrips) {
  IdDictionary d;
  EXPECT_EQ(d.Intern("P7"), 0u);
  EXPECT_EQ(d.Intern("P3"), 1u);
  EXPECT_EQ(d.Intern("P7"), 0u);
  EXPECT_EQ(*d.Find("P3"), 1u);
  EXPECT_FALSE(d.Find("P9").has_value());
  const fs::path dir = MakeTempDir();
  ASSERT_TRUE(d.Save(dir / "ids").ok());
  auto loaded = IdDictionary::Load(dir / "ids");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->size(), 2u);
  EXPECT_EQ(loaded->key(1), "P3");
  ASSERT_TRUE(WriteFileAtomic(dir / "dup", "a\nb\na\n").ok());
  EXPECT_THAT(IdDictionary::Load(dir / "dup").status().message(), HasSubstr("duplicate"));
  IdDictionary bad;
  bad.Intern("a\nb");
  EXPECT_FALSE(bad.Save(dir / "bad").ok());
  fs::remove_all(dir);
}

TEST(TopCandidatesTest, OrdersByScoreThenIndexAndSkipsMinusInfinity) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> scores = {0.5f, 2.0f, -inf, 2.0f, NAN, 1.0f};
  const auto top = TopCandidates(scores, 3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].product, 1u);
  EXPECT_EQ(top[1].product, 3u);
  EXPECT_EQ(top[2].product, 5u);
  EXPECT_EQ(TopCandidates(scores, 10).size(), 4u);
}

TEST(TopCandidatesTest, EqualsAFullSortWithManyTies) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> level(0, 40);  // few distinct scores: many ties
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<float> scores(3000);
    for (float& s : scores) {
      const int l = level(rng);
      s = l == 0 ? -std::numeric_limits<float>::infinity() : l == 1 ? NAN : 0.25f * l;
    }
    std::vector<Candidate> expected;
    for (uint32_t i = 0; i < scores.size(); ++i) {
      if (scores[i] > -std::numeric_limits<float>::infinity()) expected.push_back({i, scores[i]});
    }
    std::sort(expected.begin(), expected.end(), [](const Candidate& a, const Candidate& b) {
      return a.score != b.score ? a.score > b.score : a.product < b.product;
    });
    for (size_t k : {size_t{1}, size_t{7}, size_t{200}, size_t{2900}, size_t{5000}}) {
      const auto top = TopCandidates(scores, k);
      ASSERT_EQ(top.size(), std::min(k, expected.size()));
      for (size_t i = 0; i < top.size(); ++i) {
        ASSERT_EQ(top[i].product, expected[i].product) << "k " << k << " rank " << i;
        ASSERT_EQ(top[i].score, expected[i].score);
      }
    }
  }
  EXPECT_TRUE(TopCandidates(std::vector<float>{1, 2}, 0).empty());
}

TEST(AlsTest, RecoversPlantedGroupsAndFoldsInNewCustomers) {
  const InteractionMatrix m = PlantedMatrix();
  AlsOptions o;
  o.factors = 4;  // the planted rank; many more fit each customer's noise
  o.iterations = 10;
  o.threads = 2;
  auto als = AlsModel::Train(m, o);
  ASSERT_TRUE(als.ok()) << als.status();
  for (uint32_t c : {0u, 1u, 10u, 11u}) {
    RetrievalQuery q;
    q.customer = c;
    const auto top = (*als)->Retrieve(q, 15);
    EXPECT_GE(ShareInBlock(top, c % 2, 15), 0.9) << "customer " << c;
  }
  // A new customer who bought two block-1 products.
  const uint32_t recent[] = {21, 25};
  RetrievalQuery fresh;
  fresh.recent_products = recent;
  EXPECT_GE(ShareInBlock((*als)->Retrieve(fresh, 10), 1, 10), 0.9);
  // Nothing known: nothing proposed.
  EXPECT_TRUE((*als)->Retrieve(RetrievalQuery{}, 10).empty());
  EXPECT_TRUE((*als)->CustomerVector(RetrievalQuery{}).empty());
  // ScoreProducts agrees with Retrieve.
  RetrievalQuery q;
  q.customer = 3;
  const auto top = (*als)->Retrieve(q, 5);
  std::vector<uint32_t> products;
  for (const Candidate& c : top) products.push_back(c.product);
  std::vector<float> scores(products.size());
  (*als)->ScoreProducts(q, products, scores);
  for (size_t i = 0; i < top.size(); ++i) EXPECT_NEAR(scores[i], top[i].score, 1e-5);
}

TEST(AlsTest, ConjugateGradientMatchesCholesky) {
  const InteractionMatrix m = PlantedMatrix();
  AlsOptions o;
  o.factors = 4;
  o.iterations = 8;
  o.threads = 1;
  auto cg = AlsModel::Train(m, o);
  o.cg_steps = 0;
  auto exact = AlsModel::Train(m, o);
  ASSERT_TRUE(cg.ok() && exact.ok());
  RetrievalQuery q;
  q.customer = 7;
  const auto a = (*cg)->Retrieve(q, 10), b = (*exact)->Retrieve(q, 10);
  std::set<uint32_t> sa, sb;
  for (size_t i = 0; i < 10; ++i) {
    sa.insert(a[i].product);
    sb.insert(b[i].product);
  }
  std::vector<uint32_t> common;
  std::set_intersection(sa.begin(), sa.end(), sb.begin(), sb.end(), std::back_inserter(common));
  EXPECT_GE(common.size(), 8u);
}

TEST(AlsTest, RejectsBadOptions) {
  const InteractionMatrix m = PlantedMatrix();
  AlsOptions o;
  o.factors = 0;
  EXPECT_FALSE(AlsModel::Train(m, o).ok());
  o = {};
  o.iterations = 0;
  EXPECT_FALSE(AlsModel::Train(m, o).ok());
  o = {};
  o.regularization = 0;
  o.cg_steps = 0;
  EXPECT_FALSE(AlsModel::Train(m, o).ok());
  EXPECT_FALSE(AlsModel::Train(InteractionMatrix(), AlsOptions()).ok());
}

TEST(ItemKnnTest, NeighboursAreCoPurchasedProducts) {
  const InteractionMatrix m = PlantedMatrix();
  ItemKnnOptions o;
  o.neighbours = 10;
  o.threads = 2;
  auto knn = ItemKnnModel::Train(m, o);
  ASSERT_TRUE(knn.ok()) << knn.status();
  for (uint32_t p : {0u, 5u, 25u}) {
    const auto n = (*knn)->Neighbours(p);
    ASSERT_EQ(n.size(), 10u);
    for (size_t i = 0; i < n.size(); ++i) {
      EXPECT_NE(n[i].product, p);
      // The universal product 40 is shared with everyone, so it may appear;
      // products of the other block never do.
      EXPECT_TRUE(Block(n[i].product) == Block(p) || n[i].product == 40) << n[i].product;
      if (i > 0) {
        EXPECT_LE(n[i].similarity, n[i - 1].similarity);
      }
    }
  }
  // Cosine is symmetric: sim(a, b) found from a equals the one from b.
  const auto from0 = (*knn)->Neighbours(0);
  for (const Neighbour& n : from0) {
    for (const Neighbour& back : (*knn)->Neighbours(n.product)) {
      if (back.product == 0) {
        EXPECT_NEAR(back.similarity, n.similarity, 1e-6);
      }
    }
  }
  RetrievalQuery q;
  q.customer = 4;
  EXPECT_GE(ShareInBlock((*knn)->Retrieve(q, 10), 0, 10), 0.8);
  const uint32_t recent[] = {30};
  RetrievalQuery fresh;
  fresh.recent_products = recent;
  EXPECT_GE(ShareInBlock((*knn)->Retrieve(fresh, 5), 1, 5), 0.8);
  EXPECT_TRUE((*knn)->Retrieve(RetrievalQuery{}, 5).empty());
}

TEST(PopularityTest, PlainRanksByWeight) {
  const InteractionMatrix m = PlantedMatrix();
  PopularityOptions o;
  o.category_aware = false;
  auto pop = PopularityModel::Train(m, {}, {}, o);
  ASSERT_TRUE(pop.ok()) << pop.status();
  const auto top = (*pop)->Retrieve(RetrievalQuery{}, 3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].product, 40u);  // bought by all 200 customers
  EXPECT_FLOAT_EQ(top[0].score, 200.0f);
  EXPECT_GE(top[1].score, top[2].score);
}

TEST(PopularityTest, CategoryAwareFollowsTheCustomerAndTheSegment) {
  const InteractionMatrix m = PlantedMatrix();
  // Segment = group, so a new customer of segment 1 gets block-1 products.
  std::vector<uint32_t> segment(kCustomers);
  for (uint32_t c = 0; c < kCustomers; ++c) segment[c] = c % 2;
  const std::vector<uint32_t> category = CategoryPerProduct();
  auto pop = PopularityModel::Train(m, category, segment, PopularityOptions());
  ASSERT_TRUE(pop.ok()) << pop.status();
  EXPECT_EQ((*pop)->num_categories(), 3u);
  EXPECT_EQ((*pop)->num_segments(), 2u);
  RetrievalQuery known;
  known.customer = 6;
  EXPECT_GE(ShareInBlock((*pop)->Retrieve(known, 10), 0, 10), 0.9);
  RetrievalQuery cold;
  cold.segment = 1;
  EXPECT_GE(ShareInBlock((*pop)->Retrieve(cold, 10), 1, 10), 0.9);
  const auto mix = (*pop)->CategoryMix(cold);
  ASSERT_EQ(mix.size(), 3u);
  EXPECT_NEAR(mix[0] + mix[1] + mix[2], 1.0, 1e-5);
  EXPECT_GT(mix[1], mix[0]);
  // No history, no segment: the global mix, both blocks near half.
  const auto global = (*pop)->CategoryMix(RetrievalQuery{});
  EXPECT_NEAR(global[0], global[1], 0.1);
  // Scores agree with ScoreProducts and are sorted.
  const auto top = (*pop)->Retrieve(cold, 50);
  EXPECT_EQ(top.size(), 50u);
  std::vector<uint32_t> products;
  for (const Candidate& c : top) products.push_back(c.product);
  std::vector<float> scores(products.size());
  (*pop)->ScoreProducts(cold, products, scores);
  for (size_t i = 0; i < top.size(); ++i) {
    EXPECT_FLOAT_EQ(scores[i], top[i].score);
    if (i > 0) {
      EXPECT_LE(top[i].score, top[i - 1].score);
    }
  }
  EXPECT_FALSE(PopularityModel::Train(m, std::vector<uint32_t>(3), {}, {}).ok());
}

// A source with fixed lists, to check the fusion arithmetic.
class FixedSource final : public CandidateSource {
 public:
  FixedSource(std::string kind, std::vector<Candidate> list)
      : kind_(std::move(kind)), list_(std::move(list)) {}
  std::string_view kind() const override { return kind_; }
  uint32_t num_products() const override { return 10; }
  std::vector<Candidate> Retrieve(const RetrievalQuery&, size_t k) const override {
    return {list_.begin(), list_.begin() + static_cast<ptrdiff_t>(std::min(k, list_.size()))};
  }
  void ScoreProducts(const RetrievalQuery&, std::span<const uint32_t> products,
                     std::span<float> out) const override {
    for (size_t i = 0; i < products.size(); ++i) {
      out[i] = -std::numeric_limits<float>::infinity();
      for (const Candidate& c : list_) {
        if (c.product == products[i]) out[i] = c.score;
      }
    }
  }
  Status Save(const fs::path&) const override { return InternalError("not saved"); }

 private:
  std::string kind_;
  std::vector<Candidate> list_;
};

TEST(BlendTest, ReciprocalRankFusionArithmetic) {
  std::vector<WeightedSource> sources;
  sources.push_back(
      {std::make_unique<FixedSource>("a", std::vector<Candidate>{{1, 9.0f}, {2, 8.0f}, {3, 7.0f}}),
       1.0});
  sources.push_back(
      {std::make_unique<FixedSource>("b", std::vector<Candidate>{{3, 0.9f}, {4, 0.5f}}), 2.0});
  BlendOptions o;
  o.rank_constant = 10;
  auto blend = BlendedRetriever::Create(std::move(sources), o);
  ASSERT_TRUE(blend.ok()) << blend.status();
  std::vector<float> per_source;
  const auto top = (*blend)->RetrieveWithSourceScores(RetrievalQuery{}, 10, &per_source);
  ASSERT_EQ(top.size(), 4u);
  // 3: 1/13 + 2/11; 4: 2/12; 1: 1/11; 2: 1/12.
  EXPECT_EQ(top[0].product, 3u);
  EXPECT_NEAR(top[0].score, 1.0 / 13 + 2.0 / 11, 1e-6);
  EXPECT_EQ(top[1].product, 4u);
  EXPECT_EQ(top[2].product, 1u);
  EXPECT_EQ(top[3].product, 2u);
  ASSERT_EQ(per_source.size(), 8u);
  EXPECT_FLOAT_EQ(per_source[0], 7.0f);            // product 3 in source a
  EXPECT_FLOAT_EQ(per_source[1], 0.9f);            // product 3 in source b
  EXPECT_TRUE(std::isinf(per_source[2 * 2 + 1]));  // product 1 not in b

  std::vector<WeightedSource> dup;
  dup.push_back({std::make_unique<FixedSource>("a", std::vector<Candidate>{}), 1.0});
  dup.push_back({std::make_unique<FixedSource>("a", std::vector<Candidate>{}), 1.0});
  EXPECT_FALSE(BlendedRetriever::Create(std::move(dup), o).ok());
  EXPECT_FALSE(BlendedRetriever::Create({}, o).ok());
}

TEST(BlendTest, NormalizedScoreFusion) {
  std::vector<WeightedSource> sources;
  sources.push_back(
      {std::make_unique<FixedSource>("a", std::vector<Candidate>{{1, 10.0f}, {2, 6.0f}, {3, 2.0f}}),
       1.0});
  sources.push_back(
      {std::make_unique<FixedSource>("b", std::vector<Candidate>{{3, 5.0f}, {2, 1.0f}}), 1.0});
  BlendOptions o;
  o.method = BlendMethod::kNormalizedScore;
  auto blend = BlendedRetriever::Create(std::move(sources), o);
  ASSERT_TRUE(blend.ok());
  const auto top = (*blend)->Retrieve(RetrievalQuery{}, 3);
  ASSERT_EQ(top.size(), 3u);
  // 1: 1 + 0; 3: 0 + 1; 2: 0.5 + 0 -> ties 1 and 3 broken by index.
  EXPECT_EQ(top[0].product, 1u);
  EXPECT_EQ(top[1].product, 3u);
  EXPECT_EQ(top[2].product, 2u);
  EXPECT_FLOAT_EQ(top[2].score, 0.5f);
}

TEST(BlendTest, TrainedBlendSavesLoadsAndServesColdStart) {
  const InteractionMatrix m = PlantedMatrix();
  std::vector<uint32_t> segment(kCustomers);
  for (uint32_t c = 0; c < kCustomers; ++c) segment[c] = c % 2;
  const std::vector<uint32_t> category = CategoryPerProduct();
  RetrievalTrainOptions o;
  o.als.factors = 4;
  o.als.iterations = 5;
  o.als.threads = 2;
  o.item_knn.neighbours = 10;
  auto blend = TrainBlendedRetriever(m, category, segment, o);
  ASSERT_TRUE(blend.ok()) << blend.status();
  EXPECT_EQ((*blend)->num_sources(), 3u);
  ASSERT_NE((*blend)->Find("als"), nullptr);
  EXPECT_EQ((*blend)->Find("nothing"), nullptr);

  RetrievalQuery known;
  known.customer = 9;
  const auto before = (*blend)->Retrieve(known, 20);
  EXPECT_GE(ShareInBlock(before, 1, 20), 0.8);
  // Cold start: only popularity answers, through the segment.
  RetrievalQuery cold;
  cold.segment = 0;
  const auto cold_top = (*blend)->Retrieve(cold, 10);
  ASSERT_EQ(cold_top.size(), 10u);
  EXPECT_GE(ShareInBlock(cold_top, 0, 10), 0.9);

  const fs::path dir = MakeTempDir();
  ASSERT_TRUE((*blend)->Save(dir / "retrieval").ok());
  for (const char* file :
       {"blend.json", "als/als.model", "item_knn/item_knn.model", "popularity/popularity.model"}) {
    EXPECT_TRUE(fs::exists(dir / "retrieval" / file)) << file;
  }
  auto loaded = LoadCandidateSource(dir / "retrieval");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->kind(), "blend");
  const auto after = (*loaded)->Retrieve(known, 20);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].product, before[i].product);
    EXPECT_FLOAT_EQ(after[i].score, before[i].score);
  }
  // Each source loads on its own as well.
  for (const char* kind : {"als", "item_knn", "popularity"}) {
    auto source = LoadCandidateSource(dir / "retrieval" / kind);
    ASSERT_TRUE(source.ok()) << kind << ": " << source.status();
    EXPECT_EQ((*source)->kind(), kind);
  }
  EXPECT_EQ(LoadCandidateSource(dir).status().code(), StatusCode::kNotFound);
  fs::remove_all(dir);
}

TEST(BlendTest, DamagedFilesAreRefusedWithTheirPath) {
  const InteractionMatrix m = PlantedMatrix();
  AlsOptions o;
  o.factors = 4;
  o.iterations = 2;
  auto als = AlsModel::Train(m, o);
  ASSERT_TRUE(als.ok());
  const fs::path dir = MakeTempDir();
  ASSERT_TRUE((*als)->Save(dir).ok());
  auto bytes = ReadFileToString(dir / "als.model");
  ASSERT_TRUE(bytes.ok());
  // A flipped byte in the factors: checksum mismatch.
  std::string damaged = *bytes;
  damaged[damaged.size() / 2] ^= 0x40;
  ASSERT_TRUE(WriteFileAtomic(dir / "als.model", damaged).ok());
  auto status = AlsModel::Load(dir).status();
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_THAT(status.message(), HasSubstr("als.model"));
  EXPECT_THAT(status.message(), HasSubstr("checksum"));
  // Truncated.
  ASSERT_TRUE(WriteFileAtomic(dir / "als.model", bytes->substr(0, bytes->size() / 3)).ok());
  EXPECT_EQ(AlsModel::Load(dir).status().code(), StatusCode::kCorruption);
  // Another kind's file under this name.
  auto pop = PopularityModel::Train(m, {}, {}, {});
  ASSERT_TRUE(pop.ok());
  ASSERT_TRUE((*pop)->Save(dir / "p").ok());
  fs::copy_file(dir / "p" / "popularity.model", dir / "als.model",
                fs::copy_options::overwrite_existing);
  EXPECT_THAT(AlsModel::Load(dir).status().message(), HasSubstr("expected 'als'"));
  // A newer model format than this build reads.
  ArrayFileWriter newer("als", 99);
  ASSERT_TRUE(newer.Write(dir / "als.model").ok());
  EXPECT_THAT(AlsModel::Load(dir).status().message(), HasSubstr("model format version 99"));
  // Right kind and version, an array missing.
  ArrayFileWriter partial("als", 1);
  const uint64_t shape[3] = {1, 1, 1};
  partial.Add("shape", std::span<const uint64_t>(shape));
  ASSERT_TRUE(partial.Write(dir / "als.model").ok());
  EXPECT_THAT(AlsModel::Load(dir).status().message(), HasSubstr("missing array alpha_lambda"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pantry::models
