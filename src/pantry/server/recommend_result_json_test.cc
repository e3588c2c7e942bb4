// AppendRecommendResultJson (the response body) writes the document that
// RecommendResultToJson (the CLI's) builds: the same values, keys in the
// same order, for results with and without explanations, features, live
// event times, odd strings and non-finite numbers.
#include "pantry/server/recommend_result_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "pantry/common/json.h"

namespace pantry::server {
namespace {

using recommend::RecommendedItem;
using recommend::RecommendResult;

RecommendResult RandomResult(std::mt19937& rng, bool explain, bool features) {
  std::uniform_real_distribution<double> unit(0, 1);
  std::uniform_int_distribution<int> count(0, 12);
  auto number = [&]() -> double {
    switch (rng() % 6) {
      case 0:
        return 0;
      case 1:
        return std::floor(unit(rng) * 1000);  // integral: written with ".0"
      case 2:
        return unit(rng) * 1e-6;
      case 3:
        return unit(rng) * 1e22;
      default:
        return unit(rng) - 0.5;
    }
  };
  RecommendResult r;
  r.customer_id = "C" + std::to_string(rng() % 100000);
  r.customer_health_index = number();
  r.known_to_cf = rng() % 2 == 0;
  r.live.source = rng() % 2 == 0 ? "click_stream_live" : "none";
  r.live.sum_activity_weight_last_2m = number();
  r.live.avg_product_health_index_last_2m = number();
  r.live.healthy_activity_last_2m = number();
  if (rng() % 2 == 0) r.live.event_time_micros = 1764500000000000 + static_cast<int64_t>(rng());
  r.live.stale = rng() % 2 == 0;
  r.cf_version = "20261201T065405Z-2477";
  r.rank_version = "rank \"v\"\n\xC3\xA9";
  r.retrieval = "exact";
  r.candidates = rng() % 500;
  r.catalog_size = 17000;
  r.took_ms = number();
  if (features) r.feature_names = {"a", "b", "category_snacks", "b"};  // a repeated name
  const int n = count(rng);
  for (int i = 0; i < n; ++i) {
    RecommendedItem item;
    item.product_id = "P" + std::to_string(i);
    item.product_name = i % 3 == 0 ? "Tab\tand \"quotes\"" : "Crackers";
    item.product_category = "snacks";
    item.product_health_index = number();
    item.cf_score = static_cast<float>(number());
    item.propensity_to_buy = static_cast<float>(unit(rng));
    if (explain) {
      for (int c = 0; c < 3; ++c) {
        item.contributions.push_back({"feature_" + std::to_string(c), static_cast<float>(number()),
                                      static_cast<float>(number())});
      }
      item.bias_contribution = static_cast<float>(number());
    }
    if (features) {
      for (int f = 0; f < 3; ++f) item.features.push_back(static_cast<float>(number()));
    }
    r.items.push_back(std::move(item));
  }
  return r;
}

TEST(RecommendResultJsonTest, BodyEqualsTheJsonDocument) {
  std::mt19937 rng(11);
  for (int round = 0; round < 300; ++round) {
    const RecommendResult result = RandomResult(rng, round % 2 == 0, round % 3 == 0);
    std::string body = "ignored prefix ";
    const size_t start = body.size();
    AppendRecommendResultJson(result, &body);
    body.erase(0, start);
    const std::string reference = DumpJson(RecommendResultToJson(result));
    auto written = ParseJson(body, "body");
    ASSERT_TRUE(written.ok()) << written.status() << "\n" << body;
    auto expected = ParseJson(reference, "reference");
    ASSERT_TRUE(expected.ok()) << expected.status();
    ASSERT_EQ(*written, *expected) << body << "\n" << reference;
    // Keys in the same order: the first occurrences line up.
    size_t previous = 0;
    for (const char* key : {"\"customer_id\"", "\"items\"", "\"live_features\"",
                            "\"customer_health_index\"", "\"known_to_cf\"", "\"model_versions\"",
                            "\"retrieval\"", "\"candidates\"", "\"catalog_size\"", "\"took_ms\""}) {
      const size_t at = body.rfind(key);
      ASSERT_NE(at, std::string::npos) << key;
      EXPECT_GT(at, previous) << key;
      previous = at;
    }
    // Integral doubles stay floats for clients, as nlohmann writes them.
    if (result.took_ms == std::floor(result.took_ms) && std::abs(result.took_ms) < 1e15) {
      EXPECT_NE(body.find(".0}", body.size() - 8), std::string::npos)
          << body.substr(body.size() - 30);
    }
  }
}

TEST(RecommendResultJsonTest, NonFiniteNumbersAreNull) {
  RecommendResult result;
  result.took_ms = std::numeric_limits<double>::quiet_NaN();
  result.customer_health_index = std::numeric_limits<double>::infinity();
  std::string body;
  AppendRecommendResultJson(result, &body);
  auto written = ParseJson(body, "body");
  ASSERT_TRUE(written.ok()) << written.status() << "\n" << body;
  EXPECT_TRUE((*written)["took_ms"].is_null());
  EXPECT_TRUE((*written)["customer_health_index"].is_null());
  EXPECT_EQ(*written, *ParseJson(DumpJson(RecommendResultToJson(result)), "reference"));
}

}  // namespace
}  // namespace pantry::server
