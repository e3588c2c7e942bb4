#include "pantry/recommend/recommender.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <set>
#include <thread>

#include "pantry/common/file_util.h"
#include "pantry/models/blend.h"
#include "pantry/models/model_registry.h"
#include "pantry/models/model_store.h"
#include "pantry/recommend/blend_model.h"
#include "pantry/recommend/hnsw_index.h"
#include "pantry/recommend/model_snapshot.h"
#include "pantry/testing/recommend_fixture.h"
#include "pantry/testing/temp_dir.h"

namespace pantry::recommend {
namespace {

using testing::FixtureOptions;
using testing::RecommendFixture;

class RecommenderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto fixture = RecommendFixture::Create(FixtureOptions{});
    ASSERT_TRUE(fixture.ok()) << fixture.status().ToString();
    fixture_ = fixture->release();
  }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
  }

  std::unique_ptr<Recommender> OpenInstalled(
      size_t hnsw_threshold = 100000, size_t candidate_cache_bytes = kDefaultCandidateCacheBytes) {
    RecommenderOptions options;
    options.store = &fixture_->store();
    options.clock = &fixture_->clock();
    options.hnsw_threshold = hnsw_threshold;
    options.candidate_cache_bytes = candidate_cache_bytes;
    auto recommender = Recommender::Open(options);
    EXPECT_TRUE(recommender.ok()) << recommender.status().ToString();
    Status installed = (*recommender)->Install(fixture_->cf(), "cf-1", fixture_->rank(), "rank-1");
    EXPECT_TRUE(installed.ok()) << installed.ToString();
    return std::move(*recommender);
  }

  static double MeanHealth(const RecommendResult& result) {
    double sum = 0;
    for (const auto& item : result.items) sum += item.product_health_index;
    return sum / static_cast<double>(result.items.size());
  }

  static RecommendFixture* fixture_;
};
RecommendFixture* RecommenderTest::fixture_ = nullptr;

TEST_F(RecommenderTest, WithoutModelsIsUnavailable) {
  RecommenderOptions options;
  options.store = &fixture_->store();
  options.home = fixture_->home();  // no models/ directory yet
  auto recommender = Recommender::Open(options);
  ASSERT_TRUE(recommender.ok()) << recommender.status().ToString();
  EXPECT_EQ((*recommender)->Ready().code(), StatusCode::kUnavailable);
  auto result = (*recommender)->Recommend({"c1", 5, 20, false});
  ASSERT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(result.status().message().find("pantry train"), std::string::npos);
}

TEST_F(RecommenderTest, RanksCandidatesByPropensity) {
  auto recommender = OpenInstalled();
  auto result = recommender->Recommend({"c4", 5, 30, false});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->items.size(), 5u);
  EXPECT_EQ(result->candidates, 30u);
  EXPECT_EQ(result->catalog_size, 60u);
  EXPECT_EQ(result->retrieval, "exact");
  EXPECT_EQ(result->cf_version, "cf-1");
  EXPECT_EQ(result->rank_version, "rank-1");
  EXPECT_TRUE(result->known_to_cf);
  EXPECT_EQ(result->live.source, "none");
  EXPECT_DOUBLE_EQ(result->customer_health_index, 0.5);
  std::set<std::string> ids;
  for (size_t i = 0; i < result->items.size(); ++i) {
    const auto& item = result->items[i];
    EXPECT_TRUE(ids.insert(item.product_id).second) << "duplicate " << item.product_id;
    EXPECT_FALSE(item.product_name.empty());
    EXPECT_FALSE(item.product_category.empty());
    EXPECT_GT(item.propensity_to_buy, 0.0f);
    EXPECT_LT(item.propensity_to_buy, 1.0f);
    if (i > 0) {
      EXPECT_GE(result->items[i - 1].propensity_to_buy, item.propensity_to_buy);
    }
  }
  EXPECT_GE(result->took_ms, 0.0);
}

TEST_F(RecommenderTest, CandidatesAreTheCfTopK) {
  auto recommender = OpenInstalled();
  // candidates == catalog: all products; candidates == k: the CF top k.
  auto all = recommender->Recommend({"c7", 60, 2000, false});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->candidates, 60u);
  EXPECT_EQ(all->items.size(), 60u);
  auto narrow = recommender->Recommend({"c7", 3, 3, false});
  ASSERT_TRUE(narrow.ok());
  float min_cf = 1e30f;
  for (const auto& item : narrow->items) min_cf = std::min(min_cf, item.cf_score);
  // Every product outside the 3 candidates scores no higher under CF.
  int higher = 0;
  for (const auto& item : all->items) {
    bool in_narrow = false;
    for (const auto& n : narrow->items) in_narrow |= n.product_id == item.product_id;
    if (!in_narrow && item.cf_score > min_cf) ++higher;
  }
  EXPECT_EQ(higher, 0);
}

TEST_F(RecommenderTest, UnknownCustomerIsNotFoundAndColdCustomerGetsResults) {
  auto recommender = OpenInstalled();
  auto missing = recommender->Recommend({"nobody", 5, 20, false});
  ASSERT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nobody"), std::string::npos);
  auto cold = recommender->Recommend({"cold30", 5, 20, false});
  ASSERT_TRUE(cold.ok()) << cold.status().ToString();
  EXPECT_FALSE(cold->known_to_cf);
  EXPECT_EQ(cold->items.size(), 5u);
}

// Everything a client sees but the timing.
void ExpectSameResult(const RecommendResult& a, const RecommendResult& b) {
  EXPECT_EQ(a.known_to_cf, b.known_to_cf);
  EXPECT_EQ(a.retrieval, b.retrieval);
  EXPECT_EQ(a.candidates, b.candidates);
  EXPECT_EQ(a.live.source, b.live.source);
  ASSERT_EQ(a.items.size(), b.items.size());
  for (size_t i = 0; i < a.items.size(); ++i) {
    EXPECT_EQ(a.items[i].product_id, b.items[i].product_id) << a.customer_id << " item " << i;
    EXPECT_EQ(a.items[i].cf_score, b.items[i].cf_score) << a.customer_id << " item " << i;
    EXPECT_EQ(a.items[i].propensity_to_buy, b.items[i].propensity_to_buy)
        << a.customer_id << " item " << i;
  }
}

// Three requests per customer: k and candidates (3, 3), (5, 20), (10, 60).
std::vector<RecommendRequest> ThreeShapesEach(const std::vector<std::string>& ids) {
  std::vector<RecommendRequest> requests;
  for (const std::string& id : ids) {
    for (auto [k, candidates] : {std::pair{3, 3}, std::pair{5, 20}, std::pair{10, 60}}) {
      requests.push_back({id, k, candidates, false});
    }
  }
  return requests;
}

// Recommends `request` from both recommenders and expects the same result.
void ExpectSameRecommendations(const Recommender& a, const Recommender& b,
                               const RecommendRequest& request) {
  auto from_a = a.Recommend(request);
  auto from_b = b.Recommend(request);
  ASSERT_TRUE(from_a.ok()) << from_a.status().ToString();
  ASSERT_TRUE(from_b.ok()) << from_b.status().ToString();
  ExpectSameResult(*from_a, *from_b);
}

TEST_F(RecommenderTest, TheCandidateCacheChangesNoResult) {
  auto cached = OpenInstalled();
  auto uncached = OpenInstalled(100000, /*candidate_cache_bytes=*/0);
  std::vector<std::string> ids;
  for (int c = 0; c < 32; ++c)
    ids.push_back(c < 30 ? "c" + std::to_string(c) : "cold" + std::to_string(c));
  const std::vector<RecommendRequest> requests = ThreeShapesEach(ids);
  for (int pass = 0; pass < 2; ++pass) {
    for (const RecommendRequest& request : requests) {
      ExpectSameRecommendations(*cached, *uncached, request);
    }
    const CandidateCacheStats stats = cached->candidate_cache_stats();
    // Pass 0 fills the cache; pass 1 takes every query from it.
    EXPECT_EQ(stats.misses, requests.size()) << "pass " << pass;
    EXPECT_EQ(stats.hits, pass == 0 ? 0u : requests.size()) << "pass " << pass;
    EXPECT_EQ(stats.entries, requests.size());
    EXPECT_GT(stats.bytes, 0u);
  }
  EXPECT_EQ(uncached->candidate_cache_stats().hits + uncached->candidate_cache_stats().misses, 0u);

  // Live clicks re-rank cached candidates as they do retrieved ones.
  const RecommendRequest c25{"c25", 10, 60, false};
  ASSERT_TRUE(fixture_->PutClicks("click_stream_live", "c25", 12, 0.9).ok());
  ExpectSameRecommendations(*cached, *uncached, c25);
  EXPECT_EQ(cached->candidate_cache_stats().hits, requests.size() + 1);

  // A new profile is a new query (the FM encodes the customer's state).
  const double now = static_cast<double>(fixture_->clock().NowMicros()) / 1e6;
  ASSERT_TRUE(
      fixture_->store()
          .PutRecord("customers",
                     featurestore::Record(
                         {{"customer_id", featurestore::FeatureValue::String("c25")},
                          {"state", featurestore::FeatureValue::String("nowhere")},
                          {"is_married", featurestore::FeatureValue::Int(1)},
                          {"customer_health_index", featurestore::FeatureValue::Double(0.5)},
                          {"event_time", featurestore::FeatureValue::Double(now)}}))
          .ok());
  const uint64_t misses = cached->candidate_cache_stats().misses;
  ExpectSameRecommendations(*cached, *uncached, c25);
  EXPECT_EQ(cached->candidate_cache_stats().misses, misses + 1);

  // New models start with an empty cache.
  ASSERT_TRUE(cached->Install(fixture_->cf(), "cf-2", fixture_->rank(), "rank-2").ok());
  EXPECT_EQ(cached->candidate_cache_stats().entries, 0u);
  ExpectSameRecommendations(*cached, *uncached, c25);
  EXPECT_EQ(cached->candidate_cache_stats().misses, misses + 2);
}

TEST_F(RecommenderTest, BadArgumentsAreInvalid) {
  auto recommender = OpenInstalled();
  for (RecommendRequest r :
       {RecommendRequest{"c1", 0, 20, false}, RecommendRequest{"c1", kMaxK + 1, 200, false},
        RecommendRequest{"c1", 5, 0, false}, RecommendRequest{"c1", 5, kMaxCandidates + 1, false},
        RecommendRequest{"", 5, 20, false}}) {
    EXPECT_EQ(recommender->Recommend(r).status().code(), StatusCode::kInvalidArgument);
  }
}

TEST_F(RecommenderTest, LiveFeaturesMoveTheRankingTowardHealthyProducts) {
  auto recommender = OpenInstalled();
  auto before = recommender->Recommend({"c10", 5, 60, false});
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(fixture_->PutClicks("click_stream_live", "c10", 8, 0.8).ok());
  auto after = recommender->Recommend({"c10", 5, 60, false});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->live.source, "click_stream_live");
  EXPECT_DOUBLE_EQ(after->live.sum_activity_weight_last_2m, 8);
  EXPECT_NEAR(after->live.healthy_activity_last_2m, 6.4, 1e-9);
  EXPECT_LT(MeanHealth(*before), 0.45);
  EXPECT_GT(MeanHealth(*after), 0.6);
  // Once every event has left the 2-minute window the row reads as zero.
  fixture_->clock().AdvanceSeconds(121);
  auto later = recommender->Recommend({"c10", 5, 60, false});
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->live.stale);
  EXPECT_DOUBLE_EQ(later->live.healthy_activity_last_2m, 0);
  EXPECT_NEAR(MeanHealth(*later), MeanHealth(*before), 1e-9);
}

TEST_F(RecommenderTest, FallsBackToTheLatestStaggerRow) {
  auto recommender = OpenInstalled();
  ASSERT_TRUE(fixture_->PutClicks("click_stream", "c11", 3, 0.5).ok());
  fixture_->clock().AdvanceSeconds(600);  // stagger rows do not go stale
  auto result = recommender->Recommend({"c11", 5, 20, false});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->live.source, "click_stream");
  EXPECT_FALSE(result->live.stale);
  EXPECT_NEAR(result->live.healthy_activity_last_2m, 1.5, 1e-9);
}

TEST_F(RecommenderTest, ExplainGivesContributionsThatSumToTheMargin) {
  auto recommender = OpenInstalled();
  auto result = recommender->Recommend({"c12", 3, 30, true});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  for (const auto& item : result->items) {
    ASSERT_FALSE(item.contributions.empty());
    for (size_t i = 1; i < item.contributions.size(); ++i) {
      EXPECT_GE(std::fabs(item.contributions[i - 1].contribution),
                std::fabs(item.contributions[i].contribution));
    }
    bool has_health = false;
    for (const auto& c : item.contributions) {
      if (c.feature == "product_health_index") {
        has_health = true;
        EXPECT_FLOAT_EQ(c.value, static_cast<float>(item.product_health_index));
      }
    }
    EXPECT_TRUE(has_health);
  }
  auto plain = recommender->Recommend({"c12", 3, 30, false});
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->items[0].contributions.empty());
}

TEST_F(RecommenderTest, HnswRetrievalMatchesTheExactScanOnASmallCatalog) {
  auto exact = OpenInstalled();
  auto approximate = OpenInstalled(/*hnsw_threshold=*/1);
  double hits = 0, total = 0;
  for (int c = 0; c < 30; ++c) {
    std::string id = "c" + std::to_string(c);
    auto a = exact->Recommend({id, 20, 20, false});
    auto b = approximate->Recommend({id, 20, 20, false});
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(b->retrieval, "hnsw");
    std::set<std::string> truth;
    for (const auto& item : a->items) truth.insert(item.product_id);
    for (const auto& item : b->items) hits += truth.count(item.product_id);
    total += static_cast<double>(truth.size());
  }
  EXPECT_GE(hits / total, 0.95);
}

TEST_F(RecommenderTest, HnswSearchIsNeverNarrowerThanTheRequestedCandidates) {
  // ef = max(1, 0 * 200) = 1: only the per-request widening to the candidate
  // count can make the index return more than one product.
  RecommenderOptions options;
  options.store = &fixture_->store();
  options.clock = &fixture_->clock();
  options.hnsw_threshold = 1;
  options.hnsw_ef_min = 1;
  options.hnsw_ef_factor = 0;
  auto recommender = Recommender::Open(options);
  ASSERT_TRUE(recommender.ok()) << recommender.status().ToString();
  ASSERT_TRUE((*recommender)->Install(fixture_->cf(), "cf-1", fixture_->rank(), "rank-1").ok());
  const size_t catalog = (*recommender)->catalog_size();
  ASSERT_GT(catalog, 40u);
  auto result = (*recommender)->Recommend({"c3", 5, 40, false});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->retrieval, "hnsw");
  EXPECT_EQ(result->candidates, 40u);
  EXPECT_EQ(result->items.size(), 5u);
}

TEST_F(RecommenderTest, HotSwapUnderConcurrentRequestsDropsNothing) {
  auto recommender = OpenInstalled();
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      while (!stop.load()) {
        auto r = recommender->Recommend({"c" + std::to_string(t), 5, 40, t == 0});
        (r.ok() && r->items.size() == 5 ? ok : failed).fetch_add(1);
      }
    });
  }
  for (int v = 2; v < 8; ++v) {
    ASSERT_TRUE(recommender
                    ->Install(fixture_->cf(), "cf-" + std::to_string(v), fixture_->rank(),
                              "rank-" + std::to_string(v))
                    .ok());
  }
  while (ok.load() < 200) std::this_thread::yield();
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(recommender->cf_version(), "cf-7");
}

TEST_F(RecommenderTest, ReloadPicksUpPublishedVersions) {
  RecommenderOptions options;
  options.store = &fixture_->store();
  options.home = fixture_->home();
  auto recommender = Recommender::Open(options);
  ASSERT_TRUE(recommender.ok());
  auto publish = [&](const char* kind, auto save) {
    auto dir = models::PublishModelVersion(fixture_->home(), kind, fixture_->clock(), save);
    EXPECT_TRUE(dir.ok()) << dir.status().ToString();
    fixture_->clock().AdvanceSeconds(1);
    return dir->filename().string();
  };
  auto save_cf = [&](const std::filesystem::path& d) { return fixture_->cf()->Save(d); };
  auto save_rank = [&](const std::filesystem::path& d) { return fixture_->rank()->Save(d); };
  std::string cf1 = publish("cf", save_cf);
  EXPECT_FALSE(*(*recommender)->Reload());  // no ranker yet
  std::string rank1 = publish("rank", save_rank);
  EXPECT_TRUE(*(*recommender)->Reload());
  EXPECT_EQ((*recommender)->cf_version(), cf1);
  EXPECT_EQ((*recommender)->rank_version(), rank1);
  EXPECT_FALSE(*(*recommender)->Reload());  // unchanged
  std::string rank2 = publish("rank", save_rank);
  EXPECT_TRUE(*(*recommender)->Reload());
  EXPECT_EQ((*recommender)->rank_version(), rank2);
  EXPECT_TRUE((*recommender)->Recommend({"c3", 5, 20, false}).ok());
  // A broken version leaves the served one in place.
  ASSERT_TRUE(WriteFileAtomic(fixture_->home() / "models" / "cf" / "current", "missing-id").ok());
  EXPECT_FALSE((*recommender)->Reload().ok());
  EXPECT_EQ((*recommender)->cf_version(), cf1);
  EXPECT_TRUE((*recommender)->Recommend({"c3", 5, 20, false}).ok());
}

// A version published in another home (a `pantry train` elsewhere) and
// pushed to the shared registry is fetched and served by the next Reload,
// without reopening the recommender.
TEST_F(RecommenderTest, ReloadPullsVersionsPublishedElsewhereFromTheRegistry) {
  std::filesystem::remove_all(fixture_->home() / "models");
  testing::TempDir elsewhere;
  auto registry = models::ModelRegistry::OpenDirectory(elsewhere.path() / "registry");
  ASSERT_TRUE(registry.ok()) << registry.status().ToString();
  const std::filesystem::path trainer = elsewhere.path() / "trainer-home";
  auto publish = [&](const char* kind, auto save) {
    auto dir = models::PublishModelVersion(trainer, kind, fixture_->clock(), save);
    EXPECT_TRUE(dir.ok()) << dir.status().ToString();
    fixture_->clock().AdvanceSeconds(1);
    auto pushed = models::PushCurrentVersion(**registry, trainer, kind);
    EXPECT_TRUE(pushed.ok() && *pushed);
    return dir->filename().string();
  };
  auto save_cf = [&](const std::filesystem::path& d) { return fixture_->cf()->Save(d); };
  auto save_rank = [&](const std::filesystem::path& d) { return fixture_->rank()->Save(d); };
  RecommenderOptions options;
  options.store = &fixture_->store();
  options.home = fixture_->home();
  options.registry = registry->get();
  auto recommender = Recommender::Open(options);
  ASSERT_TRUE(recommender.ok());
  EXPECT_FALSE((*recommender)->Ready().ok());
  std::string cf1 = publish("cf", save_cf);
  std::string rank1 = publish("rank", save_rank);
  EXPECT_TRUE(*(*recommender)->Reload());
  EXPECT_EQ((*recommender)->cf_version(), cf1);
  EXPECT_EQ((*recommender)->rank_version(), rank1);
  EXPECT_TRUE(std::filesystem::is_directory(fixture_->home() / "models" / "rank" / rank1));
  EXPECT_TRUE((*recommender)->Recommend({"c3", 5, 20, false}).ok());
  EXPECT_FALSE(*(*recommender)->Reload());  // unchanged
  std::string rank2 = publish("rank", save_rank);
  EXPECT_TRUE(*(*recommender)->Reload());
  EXPECT_EQ((*recommender)->rank_version(), rank2);
  // The home only caches: pushing from it gives the registry nothing new.
  auto pushed = models::PushCurrentVersion(**registry, fixture_->home(), "rank");
  ASSERT_TRUE(pushed.ok());
  EXPECT_FALSE(*pushed);
}

// A blend trained on a purchase history in which every customer "c<i>"
// bought the fixture's products i, i+1 and i+2 (ids p1000 + n): the blend
// proposes those for c<i>, and popularity by segment for anyone else.
std::string PublishBlend(RecommendFixture& fixture) {
  models::IdDictionary customers, products, categories;
  std::vector<uint32_t> product_category;
  for (int p = 0; p < 60; ++p) {
    products.Intern("p" + std::to_string(1000 + p));  // the fixture's ids
    product_category.push_back(p % 4);
  }
  products.Intern("p-gone");  // trained on, no longer in the catalog
  product_category.push_back(0);
  models::InteractionMatrix::Builder builder;
  std::vector<uint32_t> segments;
  for (int c = 0; c < 30; ++c) {
    const uint32_t customer = customers.Intern("c" + std::to_string(c));
    segments.push_back(0);
    for (int d = 0; d < 3; ++d) {
      EXPECT_TRUE(builder.Add({customer, static_cast<uint32_t>((c + d) % 60), 1.0f, 0}).ok());
    }
    EXPECT_TRUE(builder.Add({customer, 60, 1.0f, 0}).ok());
  }
  models::InteractionMatrix matrix = std::move(builder).Build(customers.size(), products.size());
  models::RetrievalTrainOptions options;
  options.als.factors = 4;
  auto blend = models::TrainBlendedRetriever(matrix, product_category, segments, options);
  EXPECT_TRUE(blend.ok()) << blend.status().ToString();
  auto dir = models::PublishModelVersion(fixture.home(), kBlendModelKind, fixture.clock(),
                                         [&](const std::filesystem::path& d) {
                                           return SaveBlendModel(d, **blend, customers, products);
                                         });
  EXPECT_TRUE(dir.ok()) << dir.status().ToString();
  fixture.clock().AdvanceSeconds(1);
  return dir->filename().string();
}

TEST_F(RecommenderTest, ServesTheNewerOfTheFmAndTheBlend) {
  std::filesystem::remove_all(fixture_->home() / "models");
  RecommenderOptions options;
  options.store = &fixture_->store();
  options.clock = &fixture_->clock();
  options.home = fixture_->home();
  auto publish = [&](const char* kind, auto save) {
    auto dir = models::PublishModelVersion(fixture_->home(), kind, fixture_->clock(), save);
    EXPECT_TRUE(dir.ok()) << dir.status().ToString();
    fixture_->clock().AdvanceSeconds(1);
    return dir->filename().string();
  };
  std::string rank =
      publish("rank", [&](const std::filesystem::path& d) { return fixture_->rank()->Save(d); });
  std::string cf =
      publish("cf", [&](const std::filesystem::path& d) { return fixture_->cf()->Save(d); });
  std::string blend = PublishBlend(*fixture_);
  auto recommender = Recommender::Open(options);
  ASSERT_TRUE(recommender.ok());
  ASSERT_EQ((*recommender)->cf_version(), blend);
  EXPECT_EQ((*recommender)->rank_version(), rank);

  auto result = (*recommender)->Recommend({"c10", 3, 3, false});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->retrieval, "blend");
  EXPECT_EQ(result->cf_version, blend);
  EXPECT_TRUE(result->known_to_cf);
  std::set<std::string> proposed;
  for (const auto& item : result->items) proposed.insert(item.product_id);
  // What c10 bought comes first; p-gone was dropped from the catalog.
  EXPECT_EQ(proposed, (std::set<std::string>{"p1010", "p1011", "p1012"}));

  // A customer the blend never saw still gets candidates (popularity).
  auto cold = (*recommender)->Recommend({"cold31", 5, 20, false});
  ASSERT_TRUE(cold.ok()) << cold.status().ToString();
  EXPECT_FALSE(cold->known_to_cf);
  EXPECT_EQ(cold->items.size(), 5u);

  // Publishing the FM again makes it the newer candidate model.
  std::string cf2 =
      publish("cf", [&](const std::filesystem::path& d) { return fixture_->cf()->Save(d); });
  EXPECT_TRUE(*(*recommender)->Reload());
  EXPECT_EQ((*recommender)->cf_version(), cf2);
  auto fm = (*recommender)->Recommend({"c10", 3, 20, false});
  ASSERT_TRUE(fm.ok());
  EXPECT_NE(fm->retrieval, "blend");
  (void)cf;
  std::filesystem::remove_all(fixture_->home() / "models");
}

TEST_F(RecommenderTest, TheCandidateCacheChangesNoBlendResult) {
  std::filesystem::remove_all(fixture_->home() / "models");
  auto rank = models::PublishModelVersion(
      fixture_->home(), "rank", fixture_->clock(),
      [&](const std::filesystem::path& d) { return fixture_->rank()->Save(d); });
  ASSERT_TRUE(rank.ok()) << rank.status().ToString();
  fixture_->clock().AdvanceSeconds(1);
  const std::string blend = PublishBlend(*fixture_);
  auto open = [&](size_t candidate_cache_bytes) {
    RecommenderOptions options;
    options.store = &fixture_->store();
    options.clock = &fixture_->clock();
    options.home = fixture_->home();
    options.candidate_cache_bytes = candidate_cache_bytes;
    auto recommender = Recommender::Open(options);
    EXPECT_TRUE(recommender.ok()) << recommender.status().ToString();
    EXPECT_EQ((*recommender)->cf_version(), blend);
    return std::move(*recommender);
  };
  auto cached = open(kDefaultCandidateCacheBytes);
  auto uncached = open(0);
  const std::vector<RecommendRequest> requests =
      ThreeShapesEach({"c0", "c10", "c29", "cold30", "cold31"});
  for (int pass = 0; pass < 2; ++pass) {
    for (const RecommendRequest& request : requests) {
      ExpectSameRecommendations(*cached, *uncached, request);
    }
  }
  // The two cold customers share a profile segment, so a query of the second
  // one is the first one's; everything else is asked twice.
  const CandidateCacheStats stats = cached->candidate_cache_stats();
  EXPECT_EQ(stats.hits + stats.misses, 2 * requests.size());
  EXPECT_EQ(stats.misses, requests.size() - 3);
  std::filesystem::remove_all(fixture_->home() / "models");
}

}  // namespace
}  // namespace pantry::recommend
